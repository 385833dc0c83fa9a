using System.Net;
using System.Net.Http.Json;
using ManagedDistribution.AppleEmulator.AppsAndBooks;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Features.Reconciliation;
using ManagedDistribution.Tests.Features.LocationTokens;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Features.Reconciliation;

/// <summary>An app + emulator host for reconciliation, ledger seeding, and the run/report HTTP calls.</summary>
internal static class ReconciliationTestKit
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static Task<VppTestHost> StartAsync(AzuriteFixture azurite, bool notifications = false, Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["AppleAppsAndBooks:InitialEventPollDelay"] = "00:00:00.020",
            ["Hosting:MaxPollingInterval"] = "00:00:00.200",
            ["Reconciliation:Schedule"] = "0 0 0 1 1 *", // never during a test: runs start by POST only
            ["Reconciliation:RepairEventWait"] = "00:00:10",
        };
        foreach (var (key, value) in settings ?? []) all[key] = value;
        return VppTestHost.StartAsync(azurite, notifications, all);
    }

    /// <summary>A location with the given assets, its token installed (the catalogue sync creates the ledgers).</summary>
    public static async Task<EmulatedLocation> InstallAsync(VppTestHost host, params (string AdamId, int Total, string Type)[] assets)
    {
        var location = host.NewLocation();
        foreach (var (adamId, total, type) in assets) location.AddAsset(adamId, total, type);
        await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(location.SToken), HttpStatusCode.Created);
        return location;
    }

    public static string ContentId(EmulatedLocation location, string adamId) => ContentRecord.VppId(location.UId, adamId, "STDQ");

    /// <summary>Licenses we handed out (reserved, committed, target rows committed) and Apple holds.</summary>
    public static async Task SeedOursAsync(VppTestHost host, EmulatedLocation location, string adamId, IReadOnlyList<LicenseTarget> targets,
        bool atApple = true, bool commit = true)
    {
        var ledger = host.App.Services.GetRequiredService<LicenseLedger>();
        var contentId = ContentId(location, adamId);
        var key = "seed-" + Guid.NewGuid().ToString("N");
        var reserved = await ledger.ReserveAsync(new ReservationRequest(contentId, targets.Count, "test:" + adamId, key, ReservationMode.UpTo, targets), Cancel);
        Assert.Equal(targets.Count, reserved.Granted);
        if (commit)
        {
            await ledger.CommitAsync(contentId, key, cancellationToken: Cancel);
            await ledger.SetTargetStatesAsync(contentId, targets, LicenseState.Committed, "test:" + adamId, key, Cancel);
        }
        if (atApple)
            location.SeedAssignments(adamId,
                targets.Where(t => t.Kind == LicenseTargetKind.Device).Select(t => t.Id),
                targets.Where(t => t.Kind == LicenseTargetKind.User).Select(t => t.Id),
                "STDQ");
    }

    public static LicenseTarget[] Serials(params string[] serials) => [.. serials.Select(LicenseTarget.Device)];

    public static async Task<ReconciliationStarted> StartRunAsync(VppTestHost host, bool? full = null)
    {
        var response = full is null ? await host.Client.PostAsync("/api/reconciliation", null, Cancel)
            : await host.Client.PostAsJsonAsync("/api/reconciliation", new { full }, Cancel);
        return await host.ReadAsync<ReconciliationStarted>(response, HttpStatusCode.Accepted);
    }

    public static async Task<ReconciliationReport> ReportAsync(VppTestHost host, string runId) =>
        await host.ReadAsync<ReconciliationReport>(await host.Client.GetAsync($"/api/reconciliation/{runId}", Cancel));

    /// <summary>Starts a run and waits for it to finish; returns its only location's drift.</summary>
    public static async Task<LocationDrift> RunAsync(VppTestHost host, bool? full = null)
    {
        var started = await StartRunAsync(host, full);
        var report = await WaitAsync(host, started.RunId);
        Assert.Equal(RunStates.Completed, report.Run.State);
        return Assert.Single(report.Locations);
    }

    public static async Task<ReconciliationReport> WaitAsync(VppTestHost host, string runId)
    {
        ReconciliationReport? report = null;
        await VppTestHost.EventuallyAsync(async () => (report = await ReportAsync(host, runId)).Run.State != RunStates.Running, "run " + runId);
        return report!;
    }

    public static async Task<LicenseCountsDto> CountsAsync(VppTestHost host, string contentId) =>
        (await host.ReadAsync<ContentDto>(await host.Client.GetAsync($"/api/content/{contentId}", Cancel))).Licenses!;

    public static Task<LicenseTargetRow?> TargetAsync(VppTestHost host, string contentId, LicenseTarget target) =>
        host.App.Services.GetRequiredService<LicenseLedger>().GetTargetAsync(contentId, target, Cancel);

    public static bool AppleHas(EmulatedLocation location, string adamId, string? serial = null, string? user = null) =>
        location.AssignmentsSnapshot().Any(a => a.AdamId == adamId && a.SerialNumber == serial && a.ClientUserId == user);
}
