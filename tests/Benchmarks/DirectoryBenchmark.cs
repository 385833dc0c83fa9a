using System.Diagnostics;
using System.Text;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;
using Microsoft.AspNetCore.Http;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// `directory`: bulk user import (CSV parse, bulk read of existing users, 100-row batches in
/// parallel), re-import (all unchanged), a search scan, and a 10,000-member bulk add and remove,
/// through the same stores the endpoints use, next to the raw storage ceilings of the same run.
/// Options: --users N (default 100000), --quick (20000 users).
/// </summary>
public static class DirectoryBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var users = args.Contains("--quick") ? 20_000 : 100_000;
        var at = Array.IndexOf(args, "--users");
        if (at >= 0 && at + 1 < args.Length) users = int.Parse(args[at + 1]);

        await using var storage = await BenchmarkStorage.StartAsync();
        var ceilings = new StorageCeilings(storage);
        Report.Line("table batched entities/s (4 x 100-entity batches)", await ceilings.TableBatchedEntitiesPerSecondAsync(20_000, 4), "ent/s", "ceiling");
        Report.Line("table single inserts/s (concurrency 16)", await ceilings.TableSingleInsertsPerSecondAsync(3_000, 16), "ent/s", "ceiling");

        var tables = new DirectoryTables(new TableServiceClient(storage.Account, BenchmarkStorage.Prefixed("dirbench")));
        var userStore = new UserStore(tables, TimeProvider.System);
        var groups = new GroupStore(tables, TimeProvider.System);
        var memberships = new MembershipStore(tables, groups, [], TimeProvider.System);
        var import = new UserImport(tables, userStore, TimeProvider.System);

        var csv = Csv(users);
        var clock = Stopwatch.StartNew();
        var first = await import.RunAsync(await RowsAsync(csv), default);
        Report.Line($"import {users:N0} users (CSV, all new)", users / clock.Elapsed.TotalSeconds, "users/s", $"{clock.Elapsed.TotalSeconds:F1} s, created {first.Created:N0}");
        clock.Restart();
        var second = await import.RunAsync(await RowsAsync(csv), default);
        Report.Line($"re-import {users:N0} users (all unchanged)", users / clock.Elapsed.TotalSeconds, "users/s", $"{clock.Elapsed.TotalSeconds:F1} s, unchanged {second.Unchanged:N0}");

        clock.Restart();
        var (found, _) = await userStore.ListAsync("no such name", null, 100, default);
        Report.Line("search scan (no match, one request)", clock.Elapsed.TotalMilliseconds, "ms", $"{found.Count} found, budget {DirectoryPaging.ScanBudget:N0} rows");

        await groups.CreateAsync(GroupKind.User, new GroupFields("bench", "Bench", null), default);
        var ids = Enumerable.Range(0, 10_000).Select(i => $"user{i:D6}").ToList();
        var memberExistence = new MemberExistence(userStore, new NoDevices());
        clock.Restart();
        var known = await memberExistence.ExistingAsync(GroupKind.User, ids, default);
        var checkTime = clock.Elapsed;
        var added = await memberships.AddAsync(GroupKind.User, new Dictionary<string, IReadOnlyCollection<string>> { ["bench"] = ids }, default);
        Report.Line("add 10,000 members (existence check + pairs + count)", 10_000 / clock.Elapsed.TotalSeconds, "members/s",
            $"{clock.Elapsed.TotalSeconds:F1} s (check {checkTime.TotalSeconds:F1} s), known {known.Count:N0}, count {added["bench"].MemberCount:N0}");
        clock.Restart();
        var removed = await memberships.RemoveAsync(GroupKind.User, "bench", ids, default);
        Report.Line("remove 10,000 members", 10_000 / clock.Elapsed.TotalSeconds, "members/s", $"{clock.Elapsed.TotalSeconds:F1} s, count {removed.MemberCount}");
        return 0;
    }

    static string Csv(int users)
    {
        var csv = new StringBuilder("id,shortName,fullName,email,managedAppleId,preferredLanguage\n");
        for (var i = 0; i < users; i++)
            csv.Append($"user{i:D6},user{i},\"Surname{i}, Given{i}\",user{i}@school.example.com,user{i}@appleid.school.example.com,en-GB\n");
        return csv.ToString();
    }

    static async Task<IReadOnlyList<ImportRow>> RowsAsync(string csv)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = "text/csv";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        return await ImportBody.ReadAsync(context.Request, UserImport.Columns, ["id", "shortName", "fullName"], ImportResults.MaxRows, default);
    }

    sealed class NoDevices : IDeviceDirectory
    {
        public Task<bool> ExistsAsync(string deviceId, CancellationToken cancellationToken) => Task.FromResult(false);
        public Task<IReadOnlyList<string>> DeviceIdsForUserAsync(string userId, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);
    }
}
