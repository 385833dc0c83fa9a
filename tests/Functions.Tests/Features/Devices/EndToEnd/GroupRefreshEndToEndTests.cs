using System.Net;
using ManagedDistribution.AppleEmulator.Devices;
using ManagedDistribution.Tests.Features.Devices.Support;
using ManagedDistribution.Tests.Features.Devices.Push;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Hosting;
using ManagedDistribution.Tests.Platform.Http;

namespace ManagedDistribution.Tests.Features.Devices.EndToEnd;

/// <summary>
/// A device group refreshed at once, end to end: one push task wakes every enrolled member through
/// the emulated APNs, each simulated device fetches and acknowledges its commands, and a member
/// that checked out is skipped with a reason.
/// </summary>
public sealed class GroupRefreshEndToEndTests(AzuriteFixture azurite, ApnsEmulatorFixture emulator) : IClassFixture<ApnsEmulatorFixture>
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryEnrolledMemberIsPushedOnceAndAcknowledgesItsCommands()
    {
        await using var host = new EndToEndHost(azurite, emulator, configureSimulator: o => o.MacUserChannels = false);
        var devices = await host.Simulator.EnrolAsync(4, cancellationToken: Cancel); // iPad, iPhone, Mac, iPad
        Assert.All(devices, d => Assert.True(d.Enrolled, d.LastError));
        var gone = devices[3];
        Assert.True(await host.Simulator.CheckOutAsync(gone, Cancel));
        await BulkRefreshApi.CreateGroupAsync(host.Admin, "floor-2", [.. devices.Select(d => d.Udid)]);

        using var response = await host.Admin.PostAsync("/api/device-groups/floor-2/refresh", null, Cancel);
        var body = await BulkRefreshApi.AcceptedAsync(response);

        Assert.Equal(3, body.GetProperty("queued").GetInt32());
        Assert.Equal(5, body.GetProperty("commands").GetInt32()); // apps + books on iPad and iPhone, apps on the Mac
        Assert.Equal([(gone.Udid, "not-enrolled")], BulkRefreshApi.Skipped(body));
        var taskId = body.GetProperty("taskId").GetString()!;
        Assert.Equal($"/api/tasks/{taskId}", response.Headers.Location?.OriginalString);
        var enrolled = devices.Take(3).ToArray();
        foreach (var device in enrolled)
            await Eventually.TrueAsync(async () => (await host.CommandsAsync(device)) is { Length: > 0 } commands
                && commands.All(c => c.GetProperty("status").GetString() == "acknowledged"), $"{device.Model.ProductName} acknowledged everything");
        Assert.All(enrolled, d => Assert.Equal(1, d.DeviceChannel.PushesReceived));
        Assert.Equal(0, gone.DeviceChannel.PushesReceived);
        Assert.Contains("com.apple.Keynote", await host.AppBundleIdsAsync(enrolled[0]));
        Assert.Equal(3, (await host.GetAsync($"/api/tasks/{taskId}")).GetProperty("task").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task AnUnknownGroupIs404()
    {
        await using var host = new EndToEndHost(azurite, emulator);

        await ProblemAssert.IsProblemAsync(await host.Admin.PostAsync("/api/device-groups/nobody-here/refresh", null, Cancel), HttpStatusCode.NotFound, "not-found");
    }
}
