using ManagedDistribution.Platform.Workflows;

namespace ManagedDistribution.Features.Tasks;

/// <summary>A workflow as the admin sees it: kind, state, why, and item counts per state.</summary>
/// <param name="Progress">Items per state (e.g. pending, pushed, delivered, expired, failed, cancelled).</param>
/// <param name="Open">Items not finished yet.</param>
public sealed record TaskView(
    string Id,
    string Kind,
    string State,
    string? Reason,
    int Total,
    int Open,
    IReadOnlyDictionary<string, int> Progress,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    bool CancelRequested,
    string? Error)
{
    public static TaskView From(WorkflowInfo w, WorkflowProgress p) => new(w.Id, w.Kind, w.State, w.Reason, w.ItemCount, p.Open,
        p.Counts, w.CreatedAt, w.StartedAt, w.CompletedAt, w.CancelRequested, w.Error);
}

/// <summary>One item of a task; <see cref="Title"/>/<see cref="Subtitle"/> are whatever the kind chose to show (names, device).</summary>
public sealed record TaskItemView(
    string Key,
    string State,
    string? Title,
    string? Subtitle,
    int Attempts,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? UpdatedAt,
    string? Error)
{
    public static TaskItemView From(WorkflowItem i) => new(i.Key, i.State, i.Title, i.Subtitle, i.Attempts, i.LastAttemptAt, i.UpdatedAt, i.Error);
}

/// <summary>
/// A page of tasks; pass <see cref="ContinuationToken"/> back for the next one (null: no more).
/// With <c>state=active</c>, <see cref="DeviceInvitations"/> lists the device invitations in flight
/// of the active tasks on the page (R15), at most <see cref="IDeviceInvitationsInFlight.MaxListed"/>;
/// <see cref="DeviceInvitationsTruncated"/> says the list stopped there (each task's own recipients
/// page through <c>GET /api/tasks/{id}</c>, and its progress counts them all).
/// </summary>
public sealed record TaskListView(IReadOnlyList<TaskView> Items, string? ContinuationToken, IReadOnlyList<DeviceInvitationView>? DeviceInvitations = null,
    bool? DeviceInvitationsTruncated = null);

/// <summary>One device invitation in flight (R15): whose, to which devices, and where it stands (pending, sent, delivered, retrying).</summary>
public sealed record DeviceInvitationView(string TaskId, string UserId, string UserFullName, string? DeviceName, string Status, DateTimeOffset? UpdatedAt);

/// <summary>Supplies the device invitations in flight of the listed tasks. Implemented by the Invitations feature; optional.</summary>
public interface IDeviceInvitationsInFlight
{
    const int MaxListed = 500;

    Task<IReadOnlyList<DeviceInvitationView>> ListAsync(IReadOnlyList<WorkflowInfo> activeTasks, CancellationToken cancellationToken);
}

/// <summary>One task with a page of its items.</summary>
public sealed record TaskDetailView(TaskView Task, IReadOnlyList<TaskItemView> Items, string? ContinuationToken);
