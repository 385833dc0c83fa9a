using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ManagedDistribution.AppleEmulator;
using ManagedDistribution.AppleEmulator.AppsAndBooks;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// `group-enable`: managed distribution turned on for a user group of N members (default 20,000;
/// users and memberships seeded in batches), the Apps and Books emulator registering them (create
/// calls of its live limit, events, Get Users). Measured from the PUT until the task
/// (<c>group-managed-distribution</c>) completed, next to the batched-entities/s ceiling of the
/// same run. No DESIGN.md target: the time is mostly Apple's (calls and event waits), here the
/// emulator's. Options: --members N, --others N (users already at the location, default 0).
/// </summary>
public static class GroupEnableBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = BenchmarkOptions.Int(args, "--members", 20_000);
        var others = BenchmarkOptions.Int(args, "--others", 0);
        await using var storage = await BenchmarkStorage.StartAsync();
        var batched = await new StorageCeilings(storage).TableBatchedEntitiesPerSecondAsync(20_000, 8);

        await using var emulatorHost = await EmulatorHost.StartAsync(["--urls", "http://127.0.0.1:0"], b => b.Logging.ClearProviders());
        var emulator = emulatorHost.Services.GetRequiredService<AppsAndBooksEmulator>();
        emulator.Settings.EventProcessingDelay = TimeSpan.FromMilliseconds(5);
        var location = emulator.AddLocation("Benchmark School", "Main");
        // Users registered earlier by someone else: a listing of the whole location pages through them too.
        for (var i = 0; i < others; i++) location.AddUser($"other{i:D7}");

        var prefix = $"gen{Environment.ProcessId % 10000}";
        const string adminKey = "benchmark-admin-key";
        await using var app = await BenchmarkApp.StartAsync(BenchmarkApp.WithAppsAndBooksEmulator(storage.ConnectionString, prefix, adminKey, emulatorHost.HttpRoot));
        using var http = app.AdminClient(adminKey);
        (await http.PostAsJsonAsync("api/vpp/tokens", new { sToken = location.SToken })).EnsureSuccessStatusCode();

        var clock = Stopwatch.StartNew();
        await SeedAsync(new TableServiceClient(storage.Account, BenchmarkStorage.Prefixed(prefix)), "school", count);
        Report.Line($"seeded {count} users + memberships (batched writes)", clock.Elapsed.TotalSeconds, "s");

        var (appCpu, azuriteCpu) = (app.ProcessorTime, storage.ProcessorTime);
        clock.Restart();
        using var put = await http.PutAsJsonAsync("api/user-groups/school/managed-distribution", new { enabled = true });
        var body = await put.Content.ReadAsStringAsync();
        if (!put.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)put.StatusCode}: {body}");
        var answered = clock.Elapsed.TotalSeconds;
        var taskId = JsonDocument.Parse(body).RootElement.GetProperty("taskId").GetString()!;
        var task = await BenchmarkApp.WaitForTaskAsync(http, taskId, TimeSpan.FromMinutes(20));
        var state = task?.GetProperty("state").GetString() ?? "timed out";
        var progress = task is { } done ? string.Join(", ", done.GetProperty("progress").EnumerateObject().Select(p => $"{p.Name} {p.Value}")) : "";
        var seconds = clock.Elapsed.TotalSeconds;
        var registered = location.UsersSnapshot().Count(u => u.Status == "Registered" && !u.ClientUserId.StartsWith("other", StringComparison.Ordinal));

        Report.Line("table batched entities/s (100 per transaction)", batched, "entities/s", "ceiling, same run");
        Report.Line($"PUT answered ({(int)put.StatusCode}: task started)", answered, "s");
        Report.Line($"group-enable {count} members ({others} other users at the location): PUT → task done", seconds, "s",
            $"task {state} ({progress}), {registered} registered at Apple, {count / seconds:F0} members/s");
        Report.Line("  CPU from PUT to completion: Azurite", (storage.ProcessorTime - azuriteCpu).TotalSeconds, "CPU-s",
            $"(app {(app.ProcessorTime - appCpu).TotalSeconds:N1} CPU-s)");
        return state == "completed" && registered == count ? 0 : 1;
    }

    static async Task SeedAsync(TableServiceClient service, string group, int count)
    {
        var directory = new DirectoryTables(service);
        await directory.EnsureCreatedAsync(default);
        await new GroupStore(directory, TimeProvider.System).CreateAsync(GroupKind.User, new GroupFields(group, group, null), default);
        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, count).Select(i => $"pupil{i:D6}").ToList();
        await CampaignBenchmark.InsertAsync(directory.Users,
            ids.Select(id => UserEntity.Apply(null, new UserFields(id, id, $"Given {id} Surname", $"{id}@school.example.com", null, "en"), now)));
        await CampaignBenchmark.InsertAsync(directory.GroupMembers, ids.Select(id => MembershipEntity.Member(GroupKind.User, group, id, now)));
    }
}
