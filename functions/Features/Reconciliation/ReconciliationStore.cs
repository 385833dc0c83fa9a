using System.Text.Json;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary>
/// Runs and their reports (table <c>reconciliationruns</c>): partition <c>runs</c> holds one header
/// row per run (row key = run id, newest first); partition = run id holds the details
/// (<c>loc|{uId}</c>: a location's drift as JSON; <c>item|{contentId}</c>: an item's counts).
/// The cursors, the running-run lock and per-item orphan counts are in <see cref="ReconciliationState"/>.
/// </summary>
public sealed class ReconciliationStore(TableServiceClient service, TimeProvider time)
{
    public const string TableName = "reconciliationruns";
    const string RunsPartition = "runs";
    const string LocationPrefix = "loc|";
    const string ItemPrefix = "item|";
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    readonly TableOnFirstUse runs = new(service, TableName);

    /// <summary>Newest first: the row key is the inverted start time, then a random suffix.</summary>
    public string NewRunId() =>
        $"{DateTimeOffset.MaxValue.UtcTicks - time.GetUtcNow().UtcTicks:D19}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";

    public async Task<ReconciliationRunRow> AddRunAsync(string runId, string trigger, bool full, CancellationToken cancellationToken)
    {
        var table = await runs.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        var row = new ReconciliationRunRow(runId, RunStates.Running, trigger, full, now, null, now, 0, 0, null, DriftTotals.Zero, default);
        var etag = await table.AddEntityAsync(row.ToEntity(RunsPartition), cancellationToken);
        return row with { ETag = etag };
    }

    public async Task<ReconciliationRunRow?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        var table = await runs.GetAsync(cancellationToken);
        var row = await table.GetEntityAsync(RunsPartition, LicenseKeys.SafeKey(runId), cancellationToken: cancellationToken);
        return row is null ? null : ReconciliationRunRow.Read(row);
    }

    /// <summary>Unconditional: one run has one writer at a time (its queue message).</summary>
    public async Task SaveRunAsync(ReconciliationRunRow run, CancellationToken cancellationToken)
    {
        var table = await runs.GetAsync(cancellationToken);
        await table.UpsertEntityAsync((run with { UpdatedAt = time.GetUtcNow() }).ToEntity(RunsPartition), cancellationToken: cancellationToken);
    }

    public async Task<IReadOnlyList<ReconciliationRunRow>> ListRunsAsync(int count, CancellationToken cancellationToken)
    {
        var table = await runs.GetAsync(cancellationToken);
        var list = new List<ReconciliationRunRow>();
        await foreach (var row in table.QueryAsync(TableFilter.PartitionKey.Eq(RunsPartition), maxResults: count, cancellationToken: cancellationToken))
            list.Add(ReconciliationRunRow.Read(row));
        return list;
    }

    /// <summary>Saves a finished location's drift; its items go in 100-row batches first, so a saved location is complete.</summary>
    public async Task SaveLocationAsync(string runId, LocationDrift drift, CancellationToken cancellationToken)
    {
        var table = await runs.GetAsync(cancellationToken);
        var partition = LicenseKeys.SafeKey(runId);
        var items = drift.Items.Select(i => new TableEntity(partition, ItemPrefix + LicenseKeys.SafeKey(i.ContentId))
        {
            ["LocationUId"] = drift.LocationUId,
            ["Item"] = JsonSerializer.Serialize(i, Json),
        });
        foreach (var chunk in items.Chunk(100))
            await table.SubmitTransactionAsync([.. chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e))], cancellationToken);
        await table.UpsertEntityAsync(new TableEntity(partition, LocationPrefix + LicenseKeys.SafeKey(drift.LocationUId))
        {
            ["Drift"] = Shrink(drift with { Items = [] }),
        }, cancellationToken: cancellationToken);
    }

    /// <summary>The locations a run has finished, with their items.</summary>
    public async Task<IReadOnlyList<LocationDrift>> GetLocationsAsync(string runId, CancellationToken cancellationToken)
    {
        var table = await runs.GetAsync(cancellationToken);
        var locations = new List<LocationDrift>();
        var items = new Dictionary<string, List<ItemDrift>>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync(TableFilter.PartitionKey.Eq(LicenseKeys.SafeKey(runId)), cancellationToken: cancellationToken))
        {
            if (row.RowKey.StartsWith(LocationPrefix, StringComparison.Ordinal))
                locations.Add(JsonSerializer.Deserialize<LocationDrift>(row.GetString("Drift") ?? "{}", Json)!);
            else if (row.RowKey.StartsWith(ItemPrefix, StringComparison.Ordinal) && row.GetString("LocationUId") is { } uId)
                (items.TryGetValue(uId, out var list) ? list : items[uId] = []).Add(JsonSerializer.Deserialize<ItemDrift>(row.GetString("Item") ?? "{}", Json)!);
        }
        return [.. locations.Select(l => l with { Items = items.GetValueOrDefault(l.LocationUId) ?? [] })];
    }

    public async Task<bool> HasLocationAsync(string runId, string uId, CancellationToken cancellationToken)
    {
        var table = await runs.GetAsync(cancellationToken);
        return await table.GetEntityAsync(LicenseKeys.SafeKey(runId), LocationPrefix + LicenseKeys.SafeKey(uId), ["RowKey"], cancellationToken) is not null;
    }

    /// <summary>A table string holds 32K characters: lists are cut further until the JSON fits.</summary>
    static string Shrink(LocationDrift drift)
    {
        var text = JsonSerializer.Serialize(drift, Json);
        for (var keep = 25; text.Length > 30_000 && keep >= 0; keep = keep == 0 ? -1 : keep / 2)
        {
            drift = drift with
            {
                Orphans = Cut(drift.Orphans, keep), Lost = Cut(drift.Lost, keep), Duplicates = Cut(drift.Duplicates, keep),
                RetiredUsersHoldingLicenses = Cut(drift.RetiredUsersHoldingLicenses, keep), StaleReservations = Cut(drift.StaleReservations, keep),
            };
            text = JsonSerializer.Serialize(drift, Json);
        }
        return text;
    }

    static DriftList<T> Cut<T>(DriftList<T> list, int keep) => list with { First = [.. list.First.Take(keep)] };
}

/// <summary>The header row of a run.</summary>
public sealed record ReconciliationRunRow(
    string RunId, string State, string Trigger, bool FullRequested, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt,
    DateTimeOffset UpdatedAt, int LocationsTotal, int LocationsDone, string? Error, DriftTotals Totals, ETag ETag)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public ReconciliationRunSummary ToSummary() =>
        new(RunId, State, Trigger, FullRequested, StartedAt, CompletedAt, LocationsTotal, LocationsDone, Error, Totals);

    internal TableEntity ToEntity(string partition)
    {
        var e = new TableEntity(partition, LicenseKeys.SafeKey(RunId))
        {
            ["RunId"] = RunId, ["State"] = State, ["Trigger"] = Trigger, ["FullRequested"] = FullRequested,
            ["StartedAt"] = StartedAt, ["UpdatedAt"] = UpdatedAt, ["LocationsTotal"] = LocationsTotal,
            ["LocationsDone"] = LocationsDone, ["Totals"] = JsonSerializer.Serialize(Totals, Json),
        };
        if (CompletedAt is { } completed) e["CompletedAt"] = completed;
        if (Error is { } error) e["Error"] = error.Length > 2000 ? error[..2000] : error;
        return e;
    }

    internal static ReconciliationRunRow Read(TableEntity e) => new(
        e.GetString("RunId") ?? e.RowKey, e.GetString("State") ?? RunStates.Running, e.GetString("Trigger") ?? "api",
        e.GetBoolean("FullRequested") ?? false, e.GetDateTimeOffset("StartedAt") ?? DateTimeOffset.MinValue, e.GetDateTimeOffset("CompletedAt"),
        e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue, e.GetInt32("LocationsTotal") ?? 0, e.GetInt32("LocationsDone") ?? 0,
        e.GetString("Error"), e.GetString("Totals") is { } t ? JsonSerializer.Deserialize<DriftTotals>(t, Json) ?? DriftTotals.Zero : DriftTotals.Zero, e.ETag);
}
