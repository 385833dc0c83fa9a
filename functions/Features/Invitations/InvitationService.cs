using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Mail;
using ManagedDistribution.Features.Mail.Templates;
using ManagedDistribution.Features.Invitations.Campaigns;
using ManagedDistribution.Platform.Workflows;
using static ManagedDistribution.Features.Invitations.InvitationPrerequisites;

namespace ManagedDistribution.Features.Invitations;

/// <summary>
/// Sends one user's invitation (R9, R13, R16): by email (the user's address, their language) or as
/// <c>InviteToProgram</c> on the devices assigned to them — the device channel on iOS/iPadOS, the
/// user's channel on macOS. Every unmet prerequisite is named, not just the first.
/// </summary>
public sealed class InvitationService(
    IUserDirectory users, ManagedDistributionStore states, AppleUserRegistration registration, AppsAndBooksClient apple,
    MailTemplates templates, IMailSender mail, DeviceStore devices, CommandQueue commands, WorkflowEngine workflows, TimeProvider time,
    ILogger<InvitationService> logger)
{
    public const string CommandSource = "invitation";

    public async Task<(InvitationResult? Result, Refusal? Refusal)> InviteAsync(string userId, InvitationRequest request, CancellationToken cancellationToken)
    {
        var channel = request.Channel ?? InvitationChannel.Email;
        var missing = new List<string>();
        var user = await users.GetUserAsync(userId, cancellationToken);
        if (user is null) missing.Add(UserExists);
        var location = await registration.InstalledLocationAsync(cancellationToken);
        if (location is null) missing.Add(TokenInstalled);
        var state = await states.GetAsync(userId, cancellationToken);
        if (!state.Enabled) missing.Add(ManagedDistributionEnabled);
        else if (state.InviteCode is null && state.Status != EnrolmentStatus.Enrolled) missing.Add(RegisteredAtApple);
        if (channel == InvitationChannel.Email && user is not null && string.IsNullOrWhiteSpace(user.Email)) missing.Add(UserHasEmail);
        var targets = channel == InvitationChannel.Device && user is not null
            ? await DeviceTargetsAsync(user, request.DeviceId, missing, cancellationToken) : [];
        if (missing.Count > 0) return (null, Refused(missing));
        if (state.Status == EnrolmentStatus.Enrolled || state.InviteCode is null)
            return (null, new Refusal("already-enrolled", "The user is already enrolled in managed distribution; there is nothing to invite to.", []));

        var config = await apple.GetServiceConfigAsync(cancellationToken);
        var url = config.InvitationUrlFor(state.InviteCode)
            ?? throw new InvalidOperationException("Apple's Service Config has no invitationEmail URL template.");
        string? sentTo = null;
        IReadOnlyList<QueuedInvitation> queued = [];
        var sentAt = time.GetUtcNow();
        if (channel == InvitationChannel.Email)
        {
            var failure = await SendMailAsync(user!, location!.Record.OrganizationName ?? location.Record.LocationName ?? "", url, cancellationToken);
            if (failure is not null) return (null, failure);
            sentTo = user!.Email;
        }
        else queued = await QueueAsync(targets, url, cancellationToken);

        var invited = await MarkInvitedAsync(userId, sentAt, cancellationToken);
        var taskId = queued.Count > 0 ? await FollowAsync(user!, targets, queued, cancellationToken) : null;
        logger.LogInformation("Invited {UserId} to managed distribution by {InvitationChannel} ({CommandCount} commands)", userId, channel, queued.Count);
        return (new InvitationResult(userId, channel, invited.ToDto(), sentTo, queued, taskId), null);
    }

    /// <summary>
    /// Invited (as of before sending: a device's answer recorded since counts for this invitation),
    /// unless the user changed meanwhile: sending took seconds, and an acceptance (USER_ASSOCIATED)
    /// or a disable in that window must not be undone by the state read before it.
    /// </summary>
    async Task<ManagedDistributionState> MarkInvitedAsync(string userId, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        var (current, invited) = await states.UpdateAsync(userId, fresh => fresh.Enabled && fresh.Status is EnrolmentStatus.NotInvited or EnrolmentStatus.Invited
            ? fresh with { Status = EnrolmentStatus.Invited, InvitedAt = sentAt, InvitedBy = null }
            : null, cancellationToken);
        return invited ?? current;
    }

    async Task<Refusal?> SendMailAsync(UserSummary user, string organisation, Uri url, CancellationToken cancellationToken)
    {
        var rendered = templates.RenderInvitation(new InvitationMailModel(organisation, user.FullName, url, user.PreferredLanguage));
        var result = await mail.SendAsync(rendered.To(new Mailbox(user.Email!, user.FullName)), cancellationToken);
        return result switch
        {
            MailResult.Sent => null,
            MailResult.RetryLater retry => new Refusal("mail-unavailable", "The mail provider asked to retry later: " + retry.Reason, []),
            MailResult.Failed failed => new Refusal("mail-failed", "The mail provider refused the invitation: " + failed.Reason, []),
            _ => null,
        };
    }

    /// <summary>A one-item campaign that follows the device invitation (delivered, accepted), so active tasks show it (R15).</summary>
    async Task<string> FollowAsync(UserSummary user, IReadOnlyList<ChannelId> targets, IReadOnlyList<QueuedInvitation> queued, CancellationToken cancellationToken)
    {
        var names = new List<RecipientChannel>();
        foreach (var target in targets)
            names.Add(new RecipientChannel(target.ToString(), (await devices.GetAsync(target.DeviceId, cancellationToken)) is { } d ? d.Name ?? d.DeviceName ?? d.Id : target.DeviceId));
        var data = new RecipientData
        {
            Channel = InvitationChannel.Device, Email = user.Email, FullName = user.FullName, Language = user.PreferredLanguage,
            Channels = names, PreSent = true, CommandUuids = [.. queued.Select(q => q.CommandUuid)],
        };
        var workflow = await workflows.StartAsync(new WorkflowStartRequest(CampaignKey.Kind, CampaignKey.QueueName, $"Device invitation of '{user.FullName}'",
            CampaignKey.ForSingle(user.Id, queued[0].CommandUuid), [new WorkflowItemSeed(user.Id, user.FullName, CampaignService.Subtitle(data), data.ToJson())]),
            cancellationToken);
        return workflow.Id;
    }

    async Task<IReadOnlyList<QueuedInvitation>> QueueAsync(IReadOnlyList<ChannelId> targets, Uri url, CancellationToken cancellationToken)
    {
        var queued = new List<QueuedInvitation>();
        var command = new InviteToProgramCommand { InvitationUrl = url.AbsoluteUri };
        foreach (var target in targets)
        {
            var uuid = await commands.EnqueueAsync(target, command, CommandSource, cancellationToken);
            queued.Add(new QueuedInvitation(target.DeviceId, target.ToString(), uuid));
        }
        return queued;
    }

    /// <summary>The channels to send InviteToProgram on; adds the unmet device prerequisites to <paramref name="missing"/>.</summary>
    async Task<IReadOnlyList<ChannelId>> DeviceTargetsAsync(UserSummary user, string? deviceId, List<string> missing, CancellationToken cancellationToken)
    {
        IReadOnlyList<DeviceRecord> records = deviceId is null ? await devices.DevicesOfUserAsync(user.Id, cancellationToken)
            : await devices.GetAsync(deviceId, cancellationToken) is { } named ? [named] : [];
        var enrolled = records.Where(r => r.EnrollmentState == EnrollmentStates.Enrolled).ToList();
        // With no device assigned at all, "enrolled" cannot be judged: only the assignment is named.
        if (enrolled.Count == 0 && (deviceId is not null || records.Count > 0)) missing.Add(DeviceEnrolled);
        var assigned = (deviceId is null ? records : records.Where(r => r.UserId == user.Id)).ToList();
        if (assigned.Count == 0) missing.Add(DeviceAssignedToUser);
        var usable = enrolled.Where(assigned.Contains).ToList();
        var targets = new List<ChannelId>();
        foreach (var device in usable)
        {
            if (!IsMac(device)) targets.Add(new ChannelId(device.Id));
            else if (await MacUserChannelAsync(device, user, cancellationToken) is { } channel) targets.Add(channel);
        }
        if (usable.Count > 0 && targets.Count == 0) missing.Add(MacUserChannel);
        return targets;
    }

    static bool IsMac(DeviceRecord device) => string.Equals(device.Platform, "macOS", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Mac's user channel for this user: the one with the user's short name, else the only one.</summary>
    async Task<ChannelId?> MacUserChannelAsync(DeviceRecord device, UserSummary user, CancellationToken cancellationToken)
    {
        var channels = await devices.ListUserChannelsAsync(device.Id, cancellationToken);
        var match = channels.FirstOrDefault(c => string.Equals(c.UserShortName, user.ShortName, StringComparison.OrdinalIgnoreCase))
            ?? (channels.Count == 1 ? channels[0] : null);
        return match?.Channel;
    }

    static Refusal Refused(IReadOnlyList<string> missing) =>
        new("prerequisites-missing", "The invitation cannot be sent; missing: " + string.Join(", ", missing) + ".", missing);
}
