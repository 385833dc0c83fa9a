using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>One device group assignment with what its work needs: the assignment row, the item, its kind and the location token.</summary>
public sealed record GroupContext(string GroupId, TableEntity Content, ContentKind Kind, string Mode, LocationTokenRecord? Token, TableEntity Row)
{
    public string ContentId => Content.RowKey;
    public string AssignmentId => AssignmentStore.AssignmentId(TargetKinds.DeviceGroup, GroupId, ContentId);
    public bool NeedsLicense => Kind == ContentKind.VppApp;
    public AssetKey Asset => new(Content.GetString("AdamId") ?? "", Content.GetString("PricingParam") ?? AssetKey.Standard);

    /// <summary>Owner string → (group id, content id); null when it is not a device group assignment id.</summary>
    public static (string GroupId, string ContentId)? ParseAssignmentId(string assignmentId)
    {
        var prefix = TargetKinds.DeviceGroup + ":";
        if (!assignmentId.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var rest = assignmentId[prefix.Length..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? null : (rest[..colon], rest[(colon + 1)..]);
    }

    /// <summary>Reservation keys are <c>{assignmentId}:{ticks}</c>: the assignment they belong to.</summary>
    public static string AssignmentIdOf(string reservationKey) => reservationKey[..reservationKey.LastIndexOf(':')];
}

/// <summary>Loads a <see cref="GroupContext"/>: null when the assignment or the item is gone.</summary>
public sealed class GroupContexts(AssignmentStore store, ContentStore catalog, LocationTokenStore tokens)
{
    public async Task<GroupContext?> LoadAsync(string groupId, string contentId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(TargetKinds.DeviceGroup, groupId, contentId, cancellationToken) is not { } row) return null;
        if (await catalog.GetAsync(contentId, cancellationToken) is not { } content) return null;
        return await ForAsync(groupId, content, row, cancellationToken);
    }

    public Task<TableEntity?> ContentAsync(string contentId, CancellationToken cancellationToken) => catalog.GetAsync(contentId, cancellationToken);

    public async Task<GroupContext> ForAsync(string groupId, TableEntity content, TableEntity row, CancellationToken cancellationToken)
    {
        var kind = AssignmentRules.KindOf(content);
        var token = kind is ContentKind.VppApp or ContentKind.VppBook
            ? await tokens.GetAsync(content.GetString("LocationUId") ?? "", cancellationToken)
            : null;
        return new(groupId, content, kind, row.GetString("InstallMode") ?? InstallModes.Automatic, token, row);
    }
}
