using System.Collections.Concurrent;
using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Invitations;

/// <summary>
/// One user license that retiring the user touches: an app's license is released (Apple frees it,
/// the assignment goes), a book's stays consumed for good (R2: books are never revocable).
/// </summary>
public sealed record AffectedLicense(string UserId, string ContentId, string? Name, string Type, string Outcome)
{
    public const string Released = "released";
    public const string Kept = "kept";
}

/// <summary>Reads the users' own assignments (table <c>assignments</c>, partition <c>user|{id}</c>) to say what disabling them does to their licenses.</summary>
public sealed class AffectedLicenses(AssignmentStore assignments, ContentStore content)
{
    public async Task<IReadOnlyList<AffectedLicense>> ForUsersAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        var found = new ConcurrentBag<(string UserId, string ContentId)>();
        await TableBulk.ForEachAsync(userIds, async (id, token) =>
        {
            foreach (var row in await assignments.ListAsync(TargetKinds.User, id, token)) found.Add((id, row.RowKey));
        }, cancellationToken);
        var items = new ConcurrentDictionary<string, (string? Name, string Type)>(StringComparer.Ordinal);
        await TableBulk.ForEachAsync(found.Select(f => f.ContentId).Distinct(StringComparer.Ordinal), async (id, token) =>
        {
            var row = await content.GetAsync(id, token);
            items[id] = (row?.GetString("Name"), row?.GetString("Type") ?? ContentRecord.App);
        }, cancellationToken);
        return [.. found.OrderBy(f => f.UserId, StringComparer.Ordinal).ThenBy(f => f.ContentId, StringComparer.Ordinal).Select(f =>
        {
            var (name, type) = items[f.ContentId];
            return new AffectedLicense(f.UserId, f.ContentId, name, type, type == ContentRecord.Book ? AffectedLicense.Kept : AffectedLicense.Released);
        })];
    }
}
