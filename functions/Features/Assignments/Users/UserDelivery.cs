using System.Globalization;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Features.Directory;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary>What delivery did for one user: the first queued command (if any) and a note for the admin.</summary>
public sealed record UserDelivered(string? CommandUuid, string? Note);

/// <summary>
/// Delivers user assignments to the users' enrolled devices (R6). Automatic: the install command
/// on each enrolled device of the user (purchased apps: InstallApplication iTunesStoreID +
/// PurchaseMethod 1; internal apps: ManifestURL; books: InstallMedia on iOS/iPadOS only), on the
/// device channel for iOS/iPadOS and, on a Mac, on the user's own channel when the user has one
/// there (a user-licensed app belongs on the user channel, contracts/apple.md §3.5), else the device
/// channel. All users' commands go through ONE EnqueueManyAsync (one push wave). Manual: nothing is
/// queued, the item shows up in the user's purchases.
/// </summary>
public sealed class UserDelivery(IDeviceDirectory directory, DeviceStore devices, IUserDirectory users, CommandQueue commands)
{
    const string Source = InstallResults.Source;

    public async Task<IReadOnlyDictionary<string, UserDelivered>> DeliverAsync(UserContent content, IReadOnlyCollection<string> userIds,
        string idempotencyKey, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, UserDelivered>(StringComparer.Ordinal);
        if (userIds.Count == 0) return result;
        if (content.Mode == InstallModes.Manual)
        {
            foreach (var userId in userIds) result[userId] = new(null, ManualNote(content.Kind));
            return result;
        }
        var payload = Payload(content);
        var channelsByUser = new Dictionary<string, List<ChannelId>>(StringComparer.Ordinal);
        var macNote = false;
        foreach (var userId in userIds)
        {
            var (channels, skippedMac) = await ChannelsAsync(content.Kind, userId, cancellationToken);
            channelsByUser[userId] = channels;
            macNote |= skippedMac;
        }
        var all = channelsByUser.Values.SelectMany(c => c).Distinct().ToList();
        var queued = payload is null || all.Count == 0 ? []
            : (await commands.EnqueueManyAsync(all, payload, Source, idempotencyKey, cancellationToken)).Commands;
        foreach (var (userId, channels) in channelsByUser)
        {
            var uuid = queued.FirstOrDefault(q => channels.Contains(q.Channel))?.CommandUuid;
            result[userId] = new(uuid, Note(content, payload, channels.Count, macNote));
        }
        return result;
    }

    /// <summary>
    /// Installs the user's content on ONE device that enrolled after the assignment was delivered
    /// (the user's other devices already have their command). Key it per enrolment of the device,
    /// so a repeated TokenUpdate queues nothing twice and a re-enrolled device gets it again.
    /// </summary>
    public async Task<string?> DeliverToDeviceAsync(UserContent content, string userId, string deviceId, string idempotencyKey,
        CancellationToken cancellationToken)
    {
        if (content.Mode == InstallModes.Manual || Payload(content) is not { } payload) return null;
        var (channels, _) = await ChannelsAsync(content.Kind, userId, cancellationToken);
        var mine = channels.Where(c => c.DeviceId == deviceId).ToList();
        if (mine.Count == 0) return null;
        var queued = await commands.EnqueueManyAsync(mine, payload, Source, idempotencyKey, cancellationToken);
        return queued.Commands.FirstOrDefault()?.CommandUuid;
    }

    /// <summary>Queues the removal (RemoveApplication / RemoveMedia) on the user's enrolled devices when we can name what to remove.</summary>
    public async Task RemoveAsync(ContentKind kind, Platform.Storage.TableEntity assignment, string userId, CancellationToken cancellationToken)
    {
        if (assignment.GetString("CommandUuid") is null || AssignmentCommands.Remove(kind, assignment) is not { } remove) return;
        var (channels, _) = await ChannelsAsync(kind, userId, cancellationToken);
        // RemoveApplication runs on the device channel on macOS too (contracts/apple.md §3.5); RemoveMedia is iOS only.
        var deviceChannels = channels.Select(c => new ChannelId(c.DeviceId)).Distinct().ToList();
        if (deviceChannels.Count > 0) await commands.EnqueueManyAsync(deviceChannels, remove, Source, null, cancellationToken);
    }

    /// <summary>The channels to install on; <c>SkippedMac</c> when a Mac gets no command (books).</summary>
    async Task<(List<ChannelId> Channels, bool SkippedMac)> ChannelsAsync(ContentKind kind, string userId, CancellationToken cancellationToken)
    {
        var channels = new List<ChannelId>();
        var skippedMac = false;
        UserSummary? user = null;
        foreach (var deviceId in await directory.DeviceIdsForUserAsync(userId, cancellationToken))
        {
            if (await devices.GetAsync(deviceId, cancellationToken) is not { IsEnrolled: true } device) continue;
            var family = AssignmentRules.FamilyOf(device.Platform);
            if (family == "iOS") channels.Add(new ChannelId(device.Id));
            else if (family == "macOS" && kind is ContentKind.VppBook or ContentKind.InternalBook) skippedMac = true;
            else if (family == "macOS")
            {
                user ??= await users.GetUserAsync(userId, cancellationToken);
                var own = (await devices.ListUserChannelsAsync(device.Id, cancellationToken))
                    .FirstOrDefault(c => user is not null && string.Equals(c.UserShortName, user.ShortName, StringComparison.OrdinalIgnoreCase));
                channels.Add(own?.Channel ?? new ChannelId(device.Id));
            }
        }
        return (channels, skippedMac);
    }

    static MdmCommandPayload? Payload(UserContent content) => content.Kind switch
    {
        ContentKind.VppBook when long.TryParse(content.Content.GetString("AdamId"), NumberStyles.None, CultureInfo.InvariantCulture, out var adamId) =>
            InstallMediaCommand.ForStoreBook(adamId),
        _ => AssignmentCommands.Install(content.Kind, content.Content),
    };

    static string? Note(UserContent content, MdmCommandPayload? payload, int channels, bool skippedMac)
    {
        var notes = new List<string>();
        if (payload is null) notes.Add("No install command can be built for this item (no manifest or media URL).");
        else if (channels == 0) notes.Add("The user has no enrolled device this item installs on: no install command was queued.");
        if (skippedMac)
            notes.Add(content.Kind == ContentKind.VppBook
                ? "On Macs no command is needed: the user-licensed book appears in the user's Books app."
                : "Internal books cannot go to Macs (R1): the user's Macs get nothing.");
        return notes.Count == 0 ? null : string.Join(" ", notes);
    }

    static string ManualNote(ContentKind kind) => kind is ContentKind.VppBook or ContentKind.InternalBook
        ? "Manual install mode: no command was queued; the book shows up in the user's Books purchases."
        : "Manual install mode: no command was queued; the app shows up in the user's App Store purchases.";
}
