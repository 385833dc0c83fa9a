using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ManagedDistribution.AppleEmulator;
using ManagedDistribution.AppleEmulator.AppsAndBooks;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// `assign-group`: a purchased app assigned to a device group of N enrolled devices (default
/// 50,000; seeded straight into the devices and membership tables in batches, not enrolled
/// through MDM), the Apps and Books emulator holding N licenses. Measured from the POST until
/// the licensing workflow completed (every license committed, every install command queued) and
/// the ledger shows N assigned; printed next to the batched-entities/s ceiling of the same run.
/// Options: --devices N.
/// </summary>
public static class AssignGroupBenchmark
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(string[] args)
    {
        var count = BenchmarkOptions.Int(args, "--devices", 50_000);
        await using var storage = await BenchmarkStorage.StartAsync();
        var ceilings = new StorageCeilings(storage);
        var batched = await ceilings.TableBatchedEntitiesPerSecondAsync(20_000, 8);

        await using var emulatorHost = await EmulatorHost.StartAsync(["--urls", "http://127.0.0.1:0"], b => b.Logging.ClearProviders());
        var emulator = emulatorHost.Services.GetRequiredService<AppsAndBooksEmulator>();
        emulator.Settings.EventProcessingDelay = TimeSpan.FromMilliseconds(5);
        var emulatorRoot = emulatorHost.HttpRoot;
        var location = emulator.AddLocation("Benchmark School", "Main");
        location.AddAsset("9001", count);

        var prefix = $"agb{Environment.ProcessId % 10000}";
        var appLog = PhaseLog.Attach();
        const string adminKey = "benchmark-admin-key";
        var settings = BenchmarkApp.WithAppsAndBooksEmulator(storage.ConnectionString, prefix, adminKey, emulatorRoot);
        settings["Logging__LogLevel__ManagedDistribution.Features.Assignments.DeviceGroups.LicenseBatch"] = "Debug";
        settings["Logging__LogLevel__ManagedDistribution.Features.Assignments.DeviceGroups.GroupLicensing"] = "Information";
        await using var app = await BenchmarkApp.StartAsync(settings);
        using var http = app.AdminClient(adminKey);
        (await http.PostAsJsonAsync("api/vpp/tokens", new { sToken = location.SToken })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("api/device-groups", new { id = "bench", name = "Benchmark" })).EnsureSuccessStatusCode();

        var clock = Stopwatch.StartNew();
        await SeedAsync(new TableServiceClient(storage.Account, BenchmarkStorage.Prefixed(prefix)), "bench", count);
        Report.Line($"seeded {count} enrolled devices + memberships (batched writes)", clock.Elapsed.TotalSeconds, "s");

        var contentId = $"vpp-{location.UId}-9001-STDQ";
        var (appCpu, azuriteCpu) = (app.ProcessorTime, storage.ProcessorTime);
        clock.Restart();
        using var posted = await http.PostAsJsonAsync("api/device-groups/bench/assignments", new { contentId });
        var body = await posted.Content.ReadAsStringAsync();
        if (!posted.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)posted.StatusCode}: {body}");
        var postSeconds = clock.Elapsed.TotalSeconds;
        var taskId = JsonDocument.Parse(body).RootElement.GetProperty("taskId").GetString();
        var state = taskId is null ? "completed"
            : (await BenchmarkApp.WaitForTaskAsync(http, taskId, TimeSpan.FromMinutes(3)))?.GetProperty("state").GetString() ?? "timed out";
        var assigned = (await http.GetFromJsonAsync<JsonElement>($"api/content/{contentId}", Json)).GetProperty("licenses").GetProperty("assigned").GetInt32();
        var seconds = clock.Elapsed.TotalSeconds;

        Report.Line("table batched entities/s (100 per transaction)", batched, "entities/s", "ceiling, same run");
        Report.Line($"POST answered ({(int)posted.StatusCode}, reserve + member checks)", postSeconds, "s");
        Report.Line($"assign-group {count} devices: POST → all licenses committed + install commands queued", seconds, "s",
            $"workflow {state}, ledger assigned {assigned}, Apple assigned {location.Asset("9001")!.AssignedCount}, " +
            $"{count / seconds:F0} devices/s; target ≤ 15 s at 50,000");
        var scaled = ScaledTargetSeconds(count, batched);
        Report.Line($"  target at this run's ceiling (≥ {100 * TargetShareOfCeiling:F1} % of it in devices/s)", scaled, "s",
            $"{(seconds <= scaled ? "met" : "missed")}: {100 * count / seconds / batched:F1} % of the ceiling");
        Report.Line("  CPU from POST to completion: Azurite", (storage.ProcessorTime - azuriteCpu).TotalSeconds, "CPU-s",
            $"(app {(app.ProcessorTime - appCpu).TotalSeconds:N1} CPU-s, push workflows included)");
        PhaseLog.Print(appLog, seconds - postSeconds);
        return state == "completed" && assigned == count ? 0 : 1;
    }

    /// <summary>
    /// DESIGN.md §5 sets its targets on a machine whose storage does ~25,000 batched entities/s and
    /// makes them ratios to the ceiling measured in the same run: 50,000 devices in 15 s there is
    /// 3,333 devices/s, 13.3 % of that ceiling. The same ratio on this run's ceiling gives its target.
    /// </summary>
    static double ScaledTargetSeconds(int devices, double batchedCeiling) => devices / (TargetShareOfCeiling * batchedCeiling);

    /// <summary>Devices/s the target asks for, as a share of the batched-entities/s ceiling: (50,000 / 15 s) / 25,000.</summary>
    const double TargetShareOfCeiling = 50_000 / 15.0 / 25_000;

    static async Task SeedAsync(TableServiceClient service, string groupId, int count)
    {
        var devices = new DeviceTables(service);
        await devices.EnsureCreatedAsync(CancellationToken.None);
        var directory = new DirectoryTables(service);
        await directory.EnsureCreatedAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, count).Select(i => new Guid(i, 0, 0, new byte[8]).ToString("D").ToUpperInvariant()).ToList();
        var clock = Stopwatch.StartNew();
        await InsertAsync(devices.Devices, ids.Select((id, i) => new DeviceRecord
        {
            Id = id, SerialNumber = $"BN{i:D8}", Platform = "iOS", OSVersion = "17.4", EnrollmentState = EnrollmentStates.Enrolled, CreatedAt = now,
        }.ToEntity()));
        Report.Line("  seed: device records", clock.Elapsed.TotalSeconds, "s");
        clock.Restart();
        await InsertAsync(directory.GroupMembers, ids.Select((id, i) => MembershipEntity.Member(GroupKind.Device, groupId, id, now.AddTicks(i))));
        Report.Line("  seed: group members", clock.Elapsed.TotalSeconds, "s");
        clock.Restart();
        await InsertAsync(directory.MemberGroups, ids.Select(id => MembershipEntity.Index(GroupKind.Device, id, groupId, now)));
        Report.Line("  seed: member index", clock.Elapsed.TotalSeconds, "s");
    }

    /// <summary>
    /// Inserts (fresh tables) as 100-row transactions per partition (device records and group members are in 64 bucket tables, one partition each),
    /// <see cref="SeedConcurrency"/> in flight; a batch whose answer was lost is retried as upserts.
    /// </summary>
    /// <summary>Rows of bucket tables (<see cref="BucketTables"/>): each bucket's rows into its own table.</summary>
    static async Task InsertAsync(BucketTables tables, IEnumerable<TableEntity> rows)
    {
        foreach (var bucket in rows.GroupBy(r => tables.BucketOf(r.PartitionKey)))
            await InsertAsync(await tables.BucketAsync(bucket.Key, CancellationToken.None), bucket);
    }

    static Task InsertAsync(TableClient table, IEnumerable<TableEntity> rows) =>
        Parallel.ForEachAsync(rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal).SelectMany(p => p.Chunk(TableBulk.BatchSize)),
            new ParallelOptions { MaxDegreeOfParallelism = SeedConcurrency }, async (batch, token) =>
            {
                for (var attempt = 1; ; attempt++)
                {
                    var type = attempt == 1 ? TableTransactionActionType.Add : TableTransactionActionType.UpsertReplace;
                    try
                    {
                        await table.SubmitTransactionAsync([.. batch.Select(e => new TableTransactionAction(type, e))], token);
                        return;
                    }
                    catch (Exception e) when (attempt < 3 && e is HttpRequestException or TaskCanceledException or StorageRequestFailedException)
                    {
                        await Task.Delay(1000 * attempt, token);
                    }
                }
            });

    const int SeedConcurrency = 6;
}
