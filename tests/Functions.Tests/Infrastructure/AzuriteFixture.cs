using ManagedDistribution.Platform.Storage;

[assembly: AssemblyFixture(typeof(ManagedDistribution.Tests.Infrastructure.AzuriteFixture))]

namespace ManagedDistribution.Tests.Infrastructure;

/// <summary>
/// One in-memory Azurite for the whole test assembly (or the account named by
/// <c>TEST_STORAGE_CONNECTION</c>, e.g. a pipeline service container). Tests isolate themselves
/// with <see cref="NewPrefix"/> rather than separate accounts. If Azurite cannot start, every
/// storage test fails: they never skip.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    AzuriteProcess? process;
    static int counter;

    public string ConnectionString { get; private set; } = "";
    public StorageAccount Account => StorageAccount.Parse(ConnectionString);

    public async ValueTask InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("TEST_STORAGE_CONNECTION");
        if (!string.IsNullOrEmpty(external))
        {
            ConnectionString = external;
            return;
        }
        process = await AzuriteProcess.StartAsync();
        ConnectionString = process.ConnectionString;
    }

    /// <summary>A fresh table/queue name prefix: lowercase letters and digits, valid for both services.</summary>
    public static string NewPrefix() =>
        $"t{Environment.ProcessId % 10000}x{Interlocked.Increment(ref counter)}r{Random.Shared.Next(1000, 9999)}";

    public async ValueTask DisposeAsync()
    {
        if (process is not null) await process.DisposeAsync();
    }
}
