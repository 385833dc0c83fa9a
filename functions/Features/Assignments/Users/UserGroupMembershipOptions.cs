using System.ComponentModel.DataAnnotations;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary>When a user-group membership change runs as a workflow instead of inside the directory's request.</summary>
public sealed class UserGroupMembershipOptions
{
    public const string SectionName = "UserGroupMembership";

    /// <summary>Changes of at most this many members (joined + left) run inline; larger ones start workflow <c>user-group-membership</c>.</summary>
    [Range(0, int.MaxValue)]
    public int InlineLimit { get; set; } = 100;

    /// <summary>
    /// A change run inline is a workflow too (<see cref="UserGroupMembershipWorkflow.RunInlineAsync"/>):
    /// its chunks' queue messages wait this long and then finish whatever the request did not (it
    /// died, or failed). Longer than an inline run takes (Apple's events included); at most 7 days.
    /// </summary>
    public TimeSpan InlineRescueAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Members per chunk message: one reservation, one install wave and one member-row write per chunk and assignment.</summary>
    [Range(1, 5000)]
    public int ChunkSize { get; set; } = 500;
}
