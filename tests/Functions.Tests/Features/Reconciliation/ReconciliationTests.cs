using System.Net;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.Reconciliation;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;
using Microsoft.Extensions.DependencyInjection;
using static ManagedDistribution.Tests.Features.Reconciliation.ReconciliationTestKit;

namespace ManagedDistribution.Tests.Features.Reconciliation;

/// <summary>Reconciliation end to end: HTTP API, queue function, Azurite and the Apps and Books emulator.</summary>
public sealed class ReconciliationTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LostLicensesAreReassociatedOrphansReportedAndTotalsTakenFromApple()
    {
        await using var host = await StartAsync(azurite);
        var location = await InstallAsync(host, ("8001", 10, "App"));
        var contentId = ContentId(location, "8001");
        await SeedOursAsync(host, location, "8001", Serials("SN1", "SN2", "SN3", "SN4"));
        location.DropAssignment("8001", serialNumber: "SN2");       // gone at Apple behind our back
        location.AddOrphanAssignment("8001", serialNumber: "SN9");  // another MDM's
        location.Asset("8001")!.TotalCount = 12;                    // bought more, no notification

        var drift = await RunAsync(host);

        Assert.Equal((ReadModes.Full, 1, 1, 1, 0), (drift.ReadMode, drift.Totals.Lost, drift.Totals.Reassociated, drift.Totals.Orphans, drift.Totals.OrphansReleased));
        Assert.Equal(new TargetDrift(contentId, "8001", TargetKinds.Device, "SN2", true), Assert.Single(drift.Lost.First));
        Assert.Equal(new TargetDrift(contentId, "8001", TargetKinds.Device, "SN9"), Assert.Single(drift.Orphans.First));
        Assert.True(AppleHas(location, "8001", serial: "SN2"));
        Assert.True(AppleHas(location, "8001", serial: "SN9"));
        var item = Assert.Single(drift.Items);
        Assert.Equal((12, 4, 4, 1, 1, 0, true), (item.AppleTotal, item.AppleAssigned, item.OurCommitted, item.Orphans, item.Lost, item.Difference, item.ComparedInFull));
        var counts = await CountsAsync(host, contentId);
        Assert.Equal((12, 4, 1, 7), (counts.Total, counts.Assigned, counts.External, counts.Available)); // the orphan counts as External

        // Repaired: the next run finds nothing lost, the orphan still reported (not released by default).
        var again = await RunAsync(host, full: true);
        Assert.Equal((0, 1), (again.Totals.Lost, again.Totals.Orphans));
    }

    [Fact]
    public async Task OrphansAreReleasedOnlyWhenConfigured()
    {
        await using var host = await StartAsync(azurite, settings: new() { ["Reconciliation:ReleaseOrphans"] = "true" });
        var location = await InstallAsync(host, ("8002", 5, "App"));
        var contentId = ContentId(location, "8002");
        await SeedOursAsync(host, location, "8002", Serials("SN1"));
        location.AddOrphanAssignment("8002", serialNumber: "SN-OTHER");

        var drift = await RunAsync(host);

        Assert.Equal((1, 1), (drift.Totals.Orphans, drift.Totals.OrphansReleased));
        Assert.True(Assert.Single(drift.Orphans.First).Repaired);
        Assert.False(AppleHas(location, "8002", serial: "SN-OTHER"));
        Assert.True(AppleHas(location, "8002", serial: "SN1"));
        var counts = await CountsAsync(host, contentId);
        Assert.Equal((1, 0, 4), (counts.Assigned, counts.External, counts.Available));
    }

    [Fact]
    public async Task OrphansAreNotReleasedWhileLicensesOfTheItemAreInFlight()
    {
        await using var host = await StartAsync(azurite, settings: new() { ["Reconciliation:ReleaseOrphans"] = "true" });
        var location = await InstallAsync(host, ("8005", 5, "App"));
        var contentId = ContentId(location, "8005");
        // A device group's licensing between Apple and its target rows: a count reserved, the device associated, no row yet.
        var ledger = host.App.Services.GetRequiredService<LicenseLedger>();
        await ledger.ReserveAsync(new(contentId, 1, "device-group:g:" + contentId, "in-flight", ReservationMode.UpTo), Cancel);
        location.AddOrphanAssignment("8005", serialNumber: "SN-IN-FLIGHT");

        var during = await RunAsync(host);
        Assert.Equal((1, 0), (during.Totals.Orphans, during.Totals.OrphansReleased));
        Assert.True(AppleHas(location, "8005", serial: "SN-IN-FLIGHT"));

        await ledger.ReleaseAsync(contentId, "in-flight", cancellationToken: Cancel);
        var after = await RunAsync(host, full: true);
        Assert.Equal((1, 1), (after.Totals.Orphans, after.Totals.OrphansReleased));
        Assert.False(AppleHas(location, "8005", serial: "SN-IN-FLIGHT"));
    }

    [Fact]
    public async Task LaterRunsReadOnlyChangesSinceTheSavedVersionAndStillSeeLostLicenses()
    {
        await using var host = await StartAsync(azurite);
        var location = await InstallAsync(host, ("8003", 10, "App"), ("8004", 10, "App"));
        await SeedOursAsync(host, location, "8003", Serials("A1", "A2", "A3"));
        await SeedOursAsync(host, location, "8004", Serials("B1"));

        var first = await RunAsync(host);
        Assert.Equal((ReadModes.Full, 4L, 0, 0), (first.ReadMode, first.AppleAssignmentsRead, first.Totals.Orphans, first.Totals.Lost));
        host.Emulator.Requests.Clear();

        location.AddOrphanAssignment("8004", serialNumber: "B-OTHER");
        var second = await RunAsync(host);
        Assert.Equal((ReadModes.SinceVersionId, first.VersionId, 1L), (second.ReadMode, second.SinceVersionId, second.AppleAssignmentsRead));
        Assert.Equal("B-OTHER", Assert.Single(second.Orphans.First).TargetId);
        var reads = host.Emulator.Requests.To("/assignments");
        Assert.Contains(reads, r => r.Query.Contains("sinceVersionId=" + first.VersionId, StringComparison.Ordinal));
        Assert.Equal(0, second.ItemsComparedInFull); // Apple's counts match ours + known orphans + changes

        // A drop is invisible in a delta; Apple's count gives it away and that item is compared in full.
        location.DropAssignment("8003", serialNumber: "A2");
        var third = await RunAsync(host);
        Assert.Equal((ReadModes.SinceVersionId, 1, 1, 0), (third.ReadMode, third.ItemsComparedInFull, third.Totals.Lost, third.Totals.Orphans));
        Assert.True(Assert.Single(third.Lost.First).Repaired);
        Assert.True(AppleHas(location, "8003", serial: "A2"));

        // A cursor Apple does not know (9721): back to a full read.
        await host.App.Services.GetRequiredService<ReconciliationState>().SaveCursorAsync(
            new AssignmentCursor(location.UId, "v999999", DateTimeOffset.UtcNow), Cancel);
        var fourth = await RunAsync(host);
        Assert.Equal((ReadModes.Full, 1), (fourth.ReadMode, fourth.Totals.Orphans));
    }

    [Fact]
    public async Task RetiredUsersStillHoldingLicensesAreReported()
    {
        await using var host = await StartAsync(azurite);
        var location = await InstallAsync(host, ("9001", 5, "Book"));
        location.AddUser("user-retired", "Associated");
        location.AddUser("user-active", "Associated");
        await SeedOursAsync(host, location, "9001", [LicenseTarget.User("user-retired"), LicenseTarget.User("user-active")]);
        Assert.True(location.RetireUser("user-retired")); // book licenses stay with a retired user

        var drift = await RunAsync(host);

        var retired = Assert.Single(drift.RetiredUsersHoldingLicenses.First);
        Assert.Equal((TargetKinds.User, "user-retired"), (retired.TargetKind, retired.TargetId));
        Assert.Equal((0, 0), (drift.Totals.Lost, drift.Totals.Orphans));
    }

    [Fact]
    public async Task StaleReservationsAreCommittedWhenAppleHasThemAndReleasedOtherwise()
    {
        await using var host = await StartAsync(azurite, settings: new() { ["Reconciliation:StaleReservationAge"] = "00:00:00.001" });
        var location = await InstallAsync(host, ("8005", 10, "App"));
        var contentId = ContentId(location, "8005");
        await SeedOursAsync(host, location, "8005", Serials("S1", "S2"), atApple: false, commit: false); // reserved, never settled
        location.SeedAssignments("8005", ["S1"]);                                                          // Apple did associate S1
        await Task.Delay(20, Cancel);

        var drift = await RunAsync(host);

        var stale = Assert.Single(drift.StaleReservations.First);
        Assert.Equal((1, 1), (stale.Committed, stale.Released));
        Assert.Equal((0, 0), (drift.Totals.Orphans, drift.Totals.Lost));
        var counts = await CountsAsync(host, contentId);
        Assert.Equal((1, 0, 0, 9), (counts.Assigned, counts.Reserved, counts.External, counts.Available));
        Assert.Equal(LicenseState.Committed, (await TargetAsync(host, contentId, LicenseTarget.Device("S1")))!.State);
        Assert.Equal(LicenseState.Released, (await TargetAsync(host, contentId, LicenseTarget.Device("S2")))!.State);

        // An incremental run finds stale reservations too (one query over the location's reservation records).
        await SeedOursAsync(host, location, "8005", Serials("S3"), atApple: false, commit: false);
        await Task.Delay(20, Cancel);
        var incremental = await RunAsync(host);
        Assert.Equal((ReadModes.SinceVersionId, 1), (incremental.ReadMode, incremental.ItemsComparedInFull));
        var third = Assert.Single(incremental.StaleReservations.First);
        Assert.Equal((0, 1), (third.Committed, third.Released));
        Assert.Equal((1, 0), ((await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Reserved));
    }

    [Fact]
    public async Task ASecondStartWhileOneRunsAnswersTheRunningOneAndUnknownRunsAre404()
    {
        await using var host = await StartAsync(azurite);
        await InstallAsync(host, ("8006", 3, "App"));
        host.Emulator.Settings.Latency = TimeSpan.FromMilliseconds(300); // keeps the run going for a while

        var first = await StartRunAsync(host);
        var second = await StartRunAsync(host, full: true);
        Assert.Equal((first.RunId, false, true), (second.RunId, first.AlreadyRunning, second.AlreadyRunning));
        var report = await WaitAsync(host, first.RunId);
        Assert.Equal((RunStates.Completed, 1, 1), (report.Run.State, report.Run.LocationsTotal, report.Run.LocationsDone));
        Assert.NotNull(report.Run.CompletedAt);

        host.Emulator.Settings.Latency = TimeSpan.Zero;
        var third = await StartRunAsync(host);
        Assert.NotEqual(first.RunId, third.RunId);
        await WaitAsync(host, third.RunId);
        var list = await host.ReadAsync<ReconciliationRunList>(await host.Client.GetAsync("/api/reconciliation", Cancel));
        Assert.Equal([third.RunId, first.RunId], list.Items.Select(r => r.RunId));

        await ProblemAssert.IsProblemAsync(await host.Client.GetAsync("/api/reconciliation/nope", Cancel), HttpStatusCode.NotFound, "not-found");
    }
}
