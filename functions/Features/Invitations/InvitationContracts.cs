using System.Text.Json.Serialization;

namespace ManagedDistribution.Features.Invitations;

/// <summary>How an invitation reaches the user (R9): an email, or InviteToProgram on their devices.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<InvitationChannel>))]
public enum InvitationChannel
{
    [JsonStringEnumMemberName("email")] Email,
    [JsonStringEnumMemberName("device")] Device,
}

/// <summary>Body of <c>PUT /api/users/{id}/managed-distribution</c>.</summary>
public sealed record ManagedDistributionRequest(bool Enabled);

/// <summary>
/// Answer of <c>PUT /api/users/{id}/managed-distribution</c>: the new state and, when disabling
/// retired the user, the user licenses that affected (the list the 409 asked to confirm; empty otherwise).
/// </summary>
public sealed record ManagedDistributionChange(bool Enabled, EnrolmentStatus Status, DateTimeOffset? InvitedAt, DateTimeOffset? EnrolledAt,
    IReadOnlyList<AffectedLicense> AffectedLicenses)
{
    public static ManagedDistributionChange Of(ManagedDistributionState state, IReadOnlyList<AffectedLicense> affected) =>
        new(state.Enabled, state.Status, state.InvitedAt, state.EnrolledAt, affected);
}

/// <summary>Body of <c>POST /api/users/{id}/invitations</c>; <c>deviceId</c> narrows a device invitation to one device.</summary>
public sealed record InvitationRequest(InvitationChannel? Channel, string? DeviceId = null);

/// <summary>One InviteToProgram queued: the device, the channel it went to ("{deviceId}:{userId}" for a Mac user) and the command.</summary>
public sealed record QueuedInvitation(string DeviceId, string Channel, string CommandUuid);

/// <summary>What a single-user invitation did; a device invitation is followed by the task <see cref="TaskId"/> (GET /api/tasks/{taskId}).</summary>
public sealed record InvitationResult(
    string UserId,
    InvitationChannel Channel,
    ManagedDistributionDto ManagedDistribution,
    string? SentTo,
    IReadOnlyList<QueuedInvitation> Commands,
    string? TaskId = null);

/// <summary>The outcome of an operation that may be refused for named reasons.</summary>
public sealed record Refusal(string Code, string Detail, IReadOnlyList<string> Missing);
