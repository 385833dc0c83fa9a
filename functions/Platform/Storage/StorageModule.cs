namespace ManagedDistribution.Platform.Storage;

public static class StorageModule
{
    /// <summary>
    /// Registers the storage account from <c>AzureWebJobsStorage</c> (connection string, default
    /// <c>UseDevelopmentStorage=true</c>) and the <c>Storage</c> options.
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName);
        services.AddSingleton(_ => StorageAccount.Parse(configuration["AzureWebJobsStorage"] ?? "UseDevelopmentStorage=true"));
        services.AddSingleton(sp => new TableServiceClient(sp.GetRequiredService<StorageAccount>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<StorageOptions>>().Value, timeProvider: sp.GetService<TimeProvider>()));
        return services;
    }
}
