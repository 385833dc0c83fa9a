using System.Security.Cryptography;
using System.Text;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Features.Directory;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Invitations.Campaigns;

/// <summary>One member of the group as a campaign sees it.</summary>
public sealed record PlannedRecipient(UserSummary? User, string UserId, ManagedDistributionState State, RecipientData Data)
{
    public bool Skipped => Data.Skip is not null;
}

/// <summary>A campaign's members in bucket order (so a chunk's state writes share partitions), recipients and skips alike.</summary>
public sealed record CampaignPlan(IReadOnlyList<PlannedRecipient> Members)
{
    public IEnumerable<PlannedRecipient> Recipients => Members.Where(m => !m.Skipped);

    public IReadOnlyDictionary<string, int> SkippedCounts =>
        Members.Where(m => m.Skipped).GroupBy(m => m.Data.Skip!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Digest of who is invited and who is skipped why: the same plan started twice is the same campaign.</summary>
    public string Digest()
    {
        var text = string.Join('\n', Members.Select(m => m.UserId + "\t" + m.Data.Skip).Order(StringComparer.Ordinal));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 16);
    }
}

/// <summary>
/// Reads everything a group campaign needs in bulk — members (one partition), users and their
/// managed-distribution states (one range scan per bucket), and for the device channel the
/// enrolled devices assigned to them (one scan of the device registry) — and applies
/// <see cref="CampaignRules"/> to each member.
/// </summary>
public sealed partial class CampaignPlanner(MembershipStore memberships, UserStore users, ManagedDistributionStore states, DeviceStore devices,
    IOptions<InvitationsOptions> options, TimeProvider time, ILogger<CampaignPlanner> logger)
{
    /// <summary>What <see cref="UserEntity.ToSummary"/> reads: the search and audit columns stay behind.</summary>
    static readonly string[] SummaryColumns = ["ShortName", "FullName", "Email", "ManagedAppleId", "PreferredLanguage"];

    public async Task<CampaignPlan> PlanAsync(string groupId, InvitationAudience audience, InvitationChannel channel, TimeSpan? resendOlderThan,
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var memberIds = await memberships.MemberIdsAsync(GroupKind.User, groupId, cancellationToken);
        var membersRead = time.GetTimestamp();
        var userRows = users.ReadManyAsync(memberIds, SummaryColumns, cancellationToken);
        var stateRows = states.ReadManyAsync(memberIds, cancellationToken);
        var channels = channel == InvitationChannel.Device ? DeviceChannelsAsync(memberIds, cancellationToken) : Task.FromResult(new Dictionary<string, List<RecipientChannel>>());
        await Task.WhenAll(userRows, stateRows, channels);
        var summaries = (await userRows).ToDictionary(p => p.Key, p => UserEntity.ToSummary(p.Value), StringComparer.Ordinal);
        var macChannels = await MacChannelsAsync(await channels, summaries, cancellationToken);
        var stateMap = await stateRows;
        var rowsRead = time.GetTimestamp();
        var cutoff = resendOlderThan is { } older ? time.GetUtcNow() - older : (DateTimeOffset?)null;
        var members = memberIds
            .OrderBy(ManagedDistributionLayout.PartitionKeyFor, StringComparer.Ordinal).ThenBy(id => id, StringComparer.Ordinal)
            .Select(id =>
            {
                var user = summaries.GetValueOrDefault(id);
                var state = stateMap.GetValueOrDefault(id) ?? ManagedDistributionState.NotEnabled(id);
                var mine = macChannels.GetValueOrDefault(id) ?? [];
                var skip = CampaignRules.SkipReason(user, state, audience, channel, mine.Count, cutoff);
                var data = new RecipientData
                {
                    Channel = channel, Email = user?.Email, FullName = user?.FullName ?? id, Language = user?.PreferredLanguage,
                    Channels = channel == InvitationChannel.Device ? mine : [], Skip = skip,
                    Planned = skip is null ? PlannedState.From(state) : null,
                };
                return new PlannedRecipient(user, id, state, data);
            }).ToList();
        LogPlanned(groupId, members.Count, Ms(started, membersRead), Ms(membersRead, rowsRead), Ms(rowsRead, time.GetTimestamp()));
        return new CampaignPlan(members);
    }

    int Ms(long from, long to) => (int)time.GetElapsedTime(from, to).TotalMilliseconds;

    [LoggerMessage(LogLevel.Information, "Campaign plan for group {GroupId}: {Members} members ({MembersMs} ms reading member ids, {RowsMs} ms users, states and devices, {DecideMs} ms deciding)")]
    partial void LogPlanned(string groupId, int members, int membersMs, int rowsMs, int decideMs);

    /// <summary>What <see cref="DeviceChannelsAsync"/> reads of a device row: every enrolled device is read, its other ~20 columns stay behind.</summary>
    static readonly string[] DeviceColumns = ["UserId", "Name", "DeviceName", "Platform"];

    /// <summary>Enrolled devices assigned to the members, by user, in device id order (<see cref="InvitationsOptions.IndexedDeviceLookupMaxMembers"/>).</summary>
    async Task<Dictionary<string, List<RecipientChannel>>> DeviceChannelsAsync(HashSet<string> memberIds, CancellationToken cancellationToken)
    {
        var byUser = new Dictionary<string, List<RecipientChannel>>(StringComparer.Ordinal);
        var enrolled = memberIds.Count <= options.Value.IndexedDeviceLookupMaxMembers
            ? await DevicesOfMembersAsync(memberIds, cancellationToken)
            : await devices.ReadAllAsync(new DeviceQuery(EnrollmentState: EnrollmentStates.Enrolled), DeviceColumns, cancellationToken);
        foreach (var device in enrolled.OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            if (device.UserId is not { } userId || !memberIds.Contains(userId)) continue;
            var name = device.Name ?? device.DeviceName ?? device.Id;
            // A Mac's user channel is resolved below; mark it with the bare device id for now.
            var entry = new RecipientChannel(IsMac(device) ? "mac:" + device.Id : device.Id, name);
            (byUser.TryGetValue(userId, out var list) ? list : byUser[userId] = []).Add(entry);
        }
        return byUser;
    }

    async Task<IReadOnlyCollection<DeviceRecord>> DevicesOfMembersAsync(HashSet<string> memberIds, CancellationToken cancellationToken)
    {
        var found = new System.Collections.Concurrent.ConcurrentBag<DeviceRecord>();
        await Platform.Storage.TableBulk.ForEachAsync(memberIds, async (userId, ct) =>
        {
            foreach (var device in await devices.DevicesOfUserAsync(userId, ct))
                if (device.IsEnrolled) found.Add(device);
        }, cancellationToken);
        return found;
    }

    /// <summary>Replaces each Mac by the user's channel on it (the one with their short name, else the only one), dropping Macs without one.</summary>
    async Task<Dictionary<string, List<RecipientChannel>>> MacChannelsAsync(Dictionary<string, List<RecipientChannel>> byUser,
        Dictionary<string, UserSummary> summaries, CancellationToken cancellationToken)
    {
        foreach (var (userId, list) in byUser)
        {
            for (var i = list.Count - 1; i >= 0; i--)
            {
                if (!list[i].Channel.StartsWith("mac:", StringComparison.Ordinal)) continue;
                var deviceId = list[i].Channel[4..];
                var userChannels = await devices.ListUserChannelsAsync(deviceId, cancellationToken);
                var shortName = summaries.GetValueOrDefault(userId)?.ShortName;
                var match = userChannels.FirstOrDefault(c => string.Equals(c.UserShortName, shortName, StringComparison.OrdinalIgnoreCase))
                    ?? (userChannels.Count == 1 ? userChannels[0] : null);
                if (match is null) list.RemoveAt(i);
                else list[i] = list[i] with { Channel = match.Channel.ToString() };
            }
        }
        return byUser;
    }

    static bool IsMac(DeviceRecord device) => string.Equals(device.Platform, "macOS", StringComparison.OrdinalIgnoreCase);
}
