namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>
/// <c>/emulator/devices</c>: list and inspect the simulated devices, enrol more, set outcome
/// rates, make one connect or check out. Tests in-process use <see cref="DeviceSimulator"/> directly.
/// Tokens and push magic are never shown.
/// </summary>
static class DeviceAdminEndpoints
{
    public sealed record EnrolRequest(int Count, string? Kind, bool? Sign);
    public sealed record OutcomesRequest(string? RequestType, double NotNow, double Error);

    public static void MapDeviceSimulatorAdmin(this WebApplication app)
    {
        var admin = app.MapGroup("/emulator/devices");
        admin.MapGet("", (DeviceSimulator simulator) => Results.Ok(simulator.Devices.OrderBy(d => d.DeviceName, StringComparer.Ordinal).Select(DeviceView.Of)));
        admin.MapGet("counters", (DeviceSimulator simulator) => Results.Ok(simulator.Counters.Snapshot()));
        admin.MapGet("{udid}", (string udid, DeviceSimulator simulator) =>
            simulator.Find(udid) is { } device ? Results.Ok(DeviceView.Of(device)) : Results.NotFound());
        admin.MapPost("enrol", async (EnrolRequest body, DeviceSimulator simulator, CancellationToken cancellationToken) =>
        {
            if (body.Count is < 1 or > 100_000) return Results.BadRequest(new { error = "count must be 1..100000" });
            DeviceKind? kind = null;
            if (body.Kind is not null)
            {
                if (!Enum.TryParse<DeviceKind>(body.Kind, ignoreCase: true, out var parsed)) return Results.BadRequest(new { error = "kind must be iPad, iPhone or Mac" });
                kind = parsed;
            }
            if (simulator.Options.ServerUrl is null) return Results.BadRequest(new { error = "no Emulator:Devices:ServerUrl configured" });
            var devices = await simulator.EnrolAsync(body.Count, kind, body.Sign, cancellationToken);
            return Results.Ok(new
            {
                enrolled = devices.Count(d => d.Enrolled),
                failed = devices.Where(d => !d.Enrolled).Select(d => new { d.Udid, d.LastError }),
                devices = devices.Select(d => d.Udid),
            });
        });
        admin.MapPut("outcomes", (OutcomesRequest body, DeviceSimulator simulator) =>
        {
            if (body.NotNow < 0 || body.Error < 0 || body.NotNow + body.Error > 1) return Results.BadRequest(new { error = "rates must be within 0..1 and sum to at most 1" });
            simulator.Outcomes.SetRates(body.RequestType, body.NotNow, body.Error);
            return Results.NoContent();
        });
        admin.MapPost("{udid}/connect", async (string udid, DeviceSimulator simulator) =>
        {
            if (simulator.Find(udid) is not { } device) return Results.NotFound();
            await Task.WhenAll(device.Channels.Select(simulator.ConnectAsync));
            return Results.Ok(DeviceView.Of(device));
        });
        admin.MapPost("{udid}/checkout", async (string udid, DeviceSimulator simulator, CancellationToken cancellationToken) =>
            simulator.Find(udid) is { } device
                ? Results.Ok(new { checkedOut = await simulator.CheckOutAsync(device, cancellationToken) })
                : Results.NotFound());
    }

    sealed record ChannelView(string Id, string? UserShortName, long PushesReceived, long Sessions, bool InSession, IReadOnlyList<HandledCommand> RecentCommands);

    sealed record DeviceView(string Udid, string SerialNumber, string DeviceName, string ProductName, string OSVersion, bool Signs,
        bool Enrolled, bool CheckedOut, string? LastError, IReadOnlyList<ChannelView> Channels,
        IReadOnlyCollection<ManagedAppState> Apps, IReadOnlyCollection<ManagedBookState> Books, IReadOnlyList<ReceivedInvitation> Invitations)
    {
        public static DeviceView Of(SimulatedDevice d) => new(d.Udid, d.SerialNumber, d.DeviceName, d.Model.ProductName, d.Model.OSVersion,
            d.Identity is not null, d.Enrolled, d.CheckedOut, d.LastError,
            d.Channels.Select(c => new ChannelView(c.Id, c.User?.ShortName, c.PushesReceived, c.Sessions, c.InSession, c.History)).ToArray(),
            d.Inventory.Apps, d.Inventory.Books, d.Invitations);
    }
}
