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
public sealed class UserDeviceEnrolment(DeviceStore devices, AssignmentMemberStore members, UserEntitlements entitlements,
    UserContentReader reader, UserDelivery delivery, ILogger<UserDeviceEnrolment> logger)
    : IDeviceEnrollmentListener
{
    public async Task DeviceEnrolledAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (await devices.GetAsync(deviceId, cancellationToken) is not { IsEnrolled: true, UserId: { } userId } device) return;
        var enrolment = (device.EnrolledAt ?? default).UtcTicks.ToString(CultureInfo.InvariantCulture);
        var delivered = 0;
        await foreach (var (row, groupId) in entitlements.AssignmentsOfAsync(userId, cancellationToken))
        {
            var member = groupId is null ? null : await members.GetAsync(TargetKinds.UserGroup, groupId, row.RowKey, userId, cancellationToken);
            var (state, reason) = groupId is null ? (row.GetString("State"), row.GetString("Reason")) : (member?.State, member?.Reason);
            // A group assignment serves many users: its key names the user too.
            var key = $"{row.GetString("AssignmentId")}:{(groupId is null ? "" : userId + ":")}device:{deviceId}:{enrolment}";
            if (IsServed(state, reason)) delivered += await DeliverAsync(row, userId, deviceId, key, cancellationToken);
        }
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
