using System.Text;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Features.Devices.Registry;

namespace ManagedDistribution.Features.Invitations.Acceptance;

/// <summary>
/// Follows InviteToProgram commands this feature queued (source <see cref="InvitationService.CommandSource"/>):
/// the device's answer is written onto the state of the user the device is assigned to, and the
/// campaign chunk that invited the user is woken to find it (delivered, or failed with the device's
/// error). A user invited on several devices is delivered once one of them acknowledged: another
/// device's error after that (and since the invitation) is not written over it. Short and
/// idempotent: one device read, one state read and conditional write, and the wake.
/// </summary>
public sealed class InvitationDeliveryListener(DeviceStore devices, ManagedDistributionStore states, Campaigns.CampaignWakeups wakeups,
    TimeProvider time) : ICommandResultListener
{
    public async Task CommandFinishedAsync(CommandResult result, CancellationToken cancellationToken)
    {
        if (result.Source != InvitationService.CommandSource || result.RequestType != "InviteToProgram") return;
        if (await devices.GetAsync(result.Channel.DeviceId, cancellationToken) is not { UserId: { } userId }) return;
        var (status, error) = Outcome(result);
        var now = time.GetUtcNow();
        var (before, after) = await states.UpdateAsync(userId, state => state.ETag.IsEmpty || KeepsDelivery(state, status) ? null : state with
        {
            DeliveryStatus = status, DeliveryCommandUuid = result.CommandUuid, DeliveryError = error ?? "", DeliveredAt = now,
        }, cancellationToken);
        await wakeups.WakeAsync(after ?? before, cancellationToken);
    }

    static bool KeepsDelivery(ManagedDistributionState state, string status) =>
        status != "acknowledged" && state.DeliveryStatus == "acknowledged" && state.DeliveredAt >= state.InvitedAt;

    /// <summary>
    /// A device acknowledges InviteToProgram also when it did not issue the invitation: its
    /// <c>InvitationResult</c> then names why (<c>InvalidProgramID</c>, <c>InvalidInvitationURL</c>;
    /// apple.md §3.5), and the invitation failed.
    /// </summary>
    static (string Status, string? Error) Outcome(CommandResult result)
    {
        if (result.Status != "acknowledged" || result.Response is not { Length: > 0 } body) return (result.Status, result.Error);
        var report = CommandReport.Parse(Encoding.UTF8.GetBytes(body));
        if (!report.Succeeded) return (result.Status, result.Error);
        var answer = InviteToProgramResponse.Parse(report.Value);
        return answer.Succeeded && answer.Value.InvitationResult != InviteToProgramResponse.Acknowledged
            ? ("error", $"the device did not issue the invitation (InvitationResult {answer.Value.InvitationResult})")
            : (result.Status, result.Error);
    }
}
