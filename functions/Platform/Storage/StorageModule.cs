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
        return services;
    }
}
