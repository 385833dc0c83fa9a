using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Registry;

namespace ManagedDistribution.Features.Invitations.Acceptance;

/// <summary>
/// Follows InviteToProgram commands this feature queued (source <see cref="InvitationService.CommandSource"/>):
/// the device's answer is written onto the state of the user the device is assigned to, and the
/// campaign chunk that invited the user is woken to find it (delivered, or failed with the device's
/// error). Short and idempotent: one device read, one merge, one state read and the wake.
/// </summary>
public sealed class InvitationDeliveryListener(DeviceStore devices, ManagedDistributionStore states, Campaigns.CampaignWakeups wakeups) : ICommandResultListener
{
    public async Task CommandFinishedAsync(CommandResult result, CancellationToken cancellationToken)
    {
        if (result.Source != InvitationService.CommandSource || result.RequestType != "InviteToProgram") return;
        if (await devices.GetAsync(result.Channel.DeviceId, cancellationToken) is not { UserId: { } userId }) return;
        await states.MergeAsync(userId, new Dictionary<string, object?>
        {
            ["DeliveryStatus"] = result.Status,
            ["DeliveryCommandUuid"] = result.CommandUuid,
            ["DeliveryError"] = result.Error ?? "",
        }, cancellationToken);
        await wakeups.WakeAsync(await states.GetAsync(userId, cancellationToken), cancellationToken);
    }
}
