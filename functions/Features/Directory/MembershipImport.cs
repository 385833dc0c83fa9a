using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// <c>POST /api/user-groups/import</c> (rows <c>{groupId, userId}</c>) and
/// <c>POST /api/device-groups/import</c> (rows <c>{groupId, deviceId}</c>): adds up to 100,000
/// memberships across any number of existing groups, in JSON or CSV like the user import. Rows
/// naming an unknown group or member are rejected with the reason; the rest are added. Additive
/// and idempotent: memberships already present (or repeated in the body) count as unchanged.
/// </summary>
public sealed class MembershipImport(GroupStore groups, MembershipStore memberships, MemberExistence members)
{
    public static string MemberColumn(GroupKind kind) => kind == GroupKind.User ? "userId" : "deviceId";

    public async Task<ImportResult> RunAsync(GroupKind kind, IReadOnlyList<ImportRow> rows, CancellationToken cancellationToken)
    {
        var memberColumn = MemberColumn(kind);
        var errors = new List<ImportError>();
        var pairs = new List<(int Row, string GroupId, string MemberId)>();
        foreach (var row in rows)
        {
            var groupId = row["groupId"]?.Trim();
            var memberId = row[memberColumn]?.Trim();
            var reasons = new List<string>();
            if (row.Problem is not null) reasons.Add(row.Problem);
            if (!DirectoryIds.IsValid(groupId)) reasons.Add(DirectoryIds.Describe("groupId"));
            if (!DirectoryIds.IsValid(memberId)) reasons.Add(DirectoryIds.Describe(memberColumn));
            if (reasons.Count > 0) errors.Add(new(row.Row, memberId, reasons));
            else pairs.Add((row.Row, groupId!, memberId!));
        }

        var groupIds = pairs.Select(p => p.GroupId).Distinct(StringComparer.Ordinal).ToList();
        var knownGroups = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        await TableBulk.ForEachAsync(groupIds, async (id, token) =>
        {
            if (await groups.GetAsync(kind, id, token) is not null) knownGroups[id] = true;
        }, cancellationToken);
        var knownMembers = await members.ExistingAsync(kind, [.. pairs.Select(p => p.MemberId).Distinct(StringComparer.Ordinal)], cancellationToken);

        var byGroup = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var repeated = 0;
        foreach (var (row, groupId, memberId) in pairs)
        {
            var reasons = new List<string>();
            if (!knownGroups.ContainsKey(groupId)) reasons.Add($"No {kind.MemberNoun()} group has the id '{groupId}'.");
            if (!knownMembers.Contains(memberId)) reasons.Add($"No {kind.MemberNoun()} has the id '{memberId}'.");
            if (reasons.Count > 0) { errors.Add(new(row, memberId, reasons)); continue; }
            if (!byGroup.TryGetValue(groupId, out var set)) byGroup[groupId] = set = new HashSet<string>(StringComparer.Ordinal);
            if (!set.Add(memberId)) repeated++;
        }

        var added = await memberships.AddAsync(kind, byGroup.ToDictionary(g => g.Key, g => (IReadOnlyCollection<string>)g.Value, StringComparer.Ordinal), cancellationToken);
        return ImportResults.From(added.Values.Sum(a => a.Added), 0, added.Values.Sum(a => a.AlreadyMembers) + repeated, errors);
    }

    public static RouteHandlerBuilder Map(RouteGroupBuilder group, GroupKind kind) =>
        group.MapPost("/import", async Task<Results<Ok<ImportResult>, ProblemHttpResult>> (HttpRequest request, MembershipImport import, CancellationToken cancellationToken) =>
            {
                IReadOnlyList<ImportRow> rows;
                try
                {
                    rows = await ImportBody.ReadAsync(request, ["groupId", MemberColumn(kind)], ["groupId", MemberColumn(kind)], ImportResults.MaxRows, cancellationToken);
                }
                catch (ImportBodyException e)
                {
                    return Problems.Result(e.Type, e.Message);
                }
                return TypedResults.Ok(await import.RunAsync(kind, rows, cancellationToken));
            })
            .WithName(kind == GroupKind.User ? "ImportUserGroupMembers" : "ImportDeviceGroupMembers")
            .WithSummary($"Adds up to 100,000 memberships from a JSON array of {{groupId, {MemberColumn(kind)}}} or CSV with those columns. Idempotent; answers counts (created = added) and the reasons for rejected rows.")
            .Accepts<MembershipImportRow[]>("application/json", "text/csv")
            .WithMetadata(new RequestSizeLimitAttribute(ImportBody.MaxBytes))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
}

/// <summary>One membership import row (the member column is userId or deviceId).</summary>
public sealed record MembershipImportRow(string GroupId, string? UserId, string? DeviceId);
