using ManagedDistribution.Features.Tasks;
using ManagedDistribution.Platform.Workflows;

namespace ManagedDistribution.Features.Invitations.Campaigns;

/// <summary>
/// R15's "active tasks": the open items of active invitation workflows that go to devices, with
/// the user's full name (item title) and the device names (item subtitle), read from the item rows
/// (one filtered query per task, bounded in total).
/// </summary>
public sealed class DeviceInvitationsInFlight(WorkflowEngine engine) : IDeviceInvitationsInFlight
{
    public async Task<IReadOnlyList<DeviceInvitationView>> ListAsync(IReadOnlyList<WorkflowInfo> activeTasks, CancellationToken cancellationToken)
    {
        var views = new List<DeviceInvitationView>();
        // Email campaigns follow their recipients for a day: reading their open items (chunk manifests) on every poll would find no device among them.
        foreach (var task in activeTasks.Where(t => t.Kind == CampaignKey.Kind && !CampaignKey.IsEmail(t)))
        {
            var remaining = IDeviceInvitationsInFlight.MaxListed - views.Count;
            if (remaining <= 0) break;
            foreach (var item in await engine.GetOpenItemsAsync(task, remaining, cancellationToken))
            {
                var data = RecipientData.Parse(item.Data);
                if (data.Channel != InvitationChannel.Device || data.Skip is not null) continue;
                views.Add(new DeviceInvitationView(task.Id, item.Key, item.Title ?? item.Key, item.Subtitle, item.State, item.UpdatedAt));
            }
        }
        return views;
    }
}
