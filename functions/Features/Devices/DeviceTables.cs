using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices;

/// <summary>
/// The Devices feature's tables (names without the storage prefix; layout in notes/ISSUE3.md),
/// created on first use. A failed creation is retried by the next caller rather than cached.
/// Device rows and commands live in 64 tables each (<see cref="DeviceRecordTables"/>,
/// <see cref="Commands.CommandTables"/>), each created the first time it is used, not by <see cref="EnsureCreatedAsync"/>.
/// </summary>
public sealed class DeviceTables(TableServiceClient service)
{
    public DeviceRecordTables Devices { get; } = new(service);
    public TableClient DevicesByUser { get; } = service.GetTableClient("devicesbyuser");
    public TableClient Channels { get; } = service.GetTableClient("channels");
    public Commands.CommandTables Commands { get; } = new(service);
    public TableClient Inventory { get; } = service.GetTableClient("inventory");

    readonly SemaphoreSlim gate = new(1, 1);
    volatile bool created;

    public async ValueTask EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (created) return;
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (created) return;
            await Task.WhenAll(new[] { DevicesByUser, Channels, Inventory }
                .Select(table => table.CreateIfNotExistsAsync(cancellationToken)));
            created = true;
        }
        finally
        {
            gate.Release();
        }
    }
}
