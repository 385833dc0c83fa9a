namespace ManagedDistribution.Features.Directory;

/// <summary>Something that refers to a group (an assignment, an invitation campaign, ...).</summary>
public sealed record GroupReference(string Kind, string Id, string? Description = null);

/// <summary>
/// Extensibility point for features that refer to groups: deleting a group answers 409 listing
/// what every registered source reports, unless <c>?force=true</c>. A forced delete does not
/// clean up the references; each source owns its own data and must cope with a missing group.
/// Register with <c>services.AddSingleton&lt;IGroupReferenceSource, MySource&gt;()</c>.
/// </summary>
public interface IGroupReferenceSource
{
    Task<IReadOnlyList<GroupReference>> FindReferencesAsync(GroupKind kind, string groupId, CancellationToken cancellationToken);
}
