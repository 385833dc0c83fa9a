using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// The storage account a benchmark runs against: <c>BENCH_STORAGE_CONNECTION</c> if set,
/// otherwise a fresh in-memory Azurite started for this run (the same way the tests start it).
/// </summary>
public sealed class BenchmarkStorage : IAsyncDisposable
{
    readonly AzuriteProcess? azurite;

    BenchmarkStorage(string connectionString, AzuriteProcess? azurite)
    {
        ConnectionString = connectionString;
        this.azurite = azurite;
        Account = StorageAccount.Parse(connectionString);
    }

    public string ConnectionString { get; }
    public StorageAccount Account { get; }

    /// <summary>CPU time of the Azurite this run started (zero with external storage).</summary>
    public TimeSpan ProcessorTime => azurite?.ProcessorTime ?? TimeSpan.Zero;

    public static async Task<BenchmarkStorage> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable("BENCH_STORAGE_CONNECTION");
        if (!string.IsNullOrEmpty(external)) return new BenchmarkStorage(external, null);
        var azurite = await AzuriteProcess.StartAsync();
        return new BenchmarkStorage(azurite.ConnectionString, azurite);
    }

    public static IOptions<StorageOptions> Prefixed(string prefix) => Options.Create(new StorageOptions { Prefix = prefix });

    public async ValueTask DisposeAsync()
    {
        if (azurite is not null) await azurite.DisposeAsync();
    }
}
