using System.Globalization;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary>
/// A device of a user enrols after the user's content was delivered: it gets the install commands
/// of the user's automatic assignments that are served (licensed purchased content, internal
/// content), direct and through the user's groups. Checkout needs nothing here: user licenses
/// belong to the user, not to the device.
/// </summary>
public sealed class UserDeviceEnrolment(DeviceStore devices, AssignmentStore store, AssignmentMemberStore members,
    Directory.MembershipStore memberships, UserContentReader reader, UserDelivery delivery, ILogger<UserDeviceEnrolment> logger)
    : IDeviceEnrollmentListener
{
    public async Task DeviceEnrolledAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (await devices.GetAsync(deviceId, cancellationToken) is not { IsEnrolled: true, UserId: { } userId } device) return;
        var enrolment = (device.EnrolledAt ?? default).UtcTicks.ToString(CultureInfo.InvariantCulture);
        var delivered = 0;
        foreach (var row in await store.ListAsync(TargetKinds.User, userId, cancellationToken))
            if (IsServed(row.GetString("State"), row.GetString("Reason")))
                delivered += await DeliverAsync(row, userId, deviceId, $"{row.GetString("AssignmentId")}:device:{deviceId}:{enrolment}", cancellationToken);
        foreach (var group in await memberships.GroupsOfMemberAsync(Directory.GroupKind.User, userId, cancellationToken))
            foreach (var row in await store.ListAsync(TargetKinds.UserGroup, group.GroupId, cancellationToken))
                if (await members.GetAsync(TargetKinds.UserGroup, group.GroupId, row.RowKey, userId, cancellationToken) is { } member
                    && IsServed(member.State, member.Reason))
                    delivered += await DeliverAsync(row, userId, deviceId, $"{row.GetString("AssignmentId")}:{userId}:device:{deviceId}:{enrolment}", cancellationToken);
        if (delivered > 0) logger.LogInformation("Device {DeviceId} of user {UserId} enrolled: {Count} install commands queued", deviceId, userId, delivered);
    }

    public Task DeviceCheckedOutAsync(string deviceId, string? serialNumber, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Licensed or installed; internal content is pending without a reason once its install was queued.</summary>
    static bool IsServed(string? state, string? reason) =>
        state is AssignmentStates.Licensed or AssignmentStates.Installed || (state == AssignmentStates.Pending && reason is null);

    async Task<int> DeliverAsync(TableEntity row, string userId, string deviceId, string key, CancellationToken cancellationToken)
    {
        if (await reader.ReadForRowAsync(row, cancellationToken) is not { } content) return 0;
        return await delivery.DeliverToDeviceAsync(content, userId, deviceId, key, cancellationToken) is null ? 0 : 1;
    }
}
