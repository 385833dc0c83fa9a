namespace ManagedDistribution.Platform.Storage;

public static class StorageModule
{
    /// <summary>
    /// Registers the storage account from <c>AzureWebJobsStorage</c> (connection string, default
    /// <c>UseDevelopmentStorage=true</c>), the <c>Storage</c> options and the service clients.
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName)
            .Validate(o => StorageOptions.IsValidPrefix(o.Prefix), "Storage:Prefix must be empty or 1-20 lowercase letters and digits starting with a letter.")
            .Validate(o => StorageOptions.IsValidTransactionsInFlight(o.TransactionsInFlight), StorageOptions.TransactionsInFlightRule)
            .ValidateOnStart();
        services.AddSingleton(_ => StorageConnection.Resolve(configuration));
        services.AddSingleton<QueueServiceClient>();
        services.AddSingleton<TableServiceClient>();
        return services;
    }
}
