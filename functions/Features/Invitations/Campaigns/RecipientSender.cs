using System.Security.Cryptography;
using System.Text;
using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Features.Mail;
using ManagedDistribution.Features.Mail.Templates;
using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Invitations.Campaigns;

/// <summary>
/// Hands a chunk's claimed recipients to the mail provider (all at once, bounded parallel) or
/// queues InviteToProgram on their channels (one queue call, one push workflow for the chunk).
/// Idempotent per campaign and user: the mail's Message-Id is <c>invitation-{campaign}-{user}</c>
/// (the pickup provider overwrites its file) and command UUIDs derive from the campaign.
/// A permanently failed mail gives the user's state back its previous invitation.
/// </summary>
public sealed class RecipientSender(AppleUserRegistration registration, AppsAndBooksClient apple, MailTemplates templates, IMailSender mail,
    CommandQueue commands, ManagedDistributionStore states, IOptions<InvitationsOptions> options)
{
    public const string CommandSource = InvitationService.CommandSource;

    public async Task<IReadOnlyList<WorkflowItem>> SendAsync(string campaignId,
        IReadOnlyList<(WorkflowItem Item, RecipientData Data, ManagedDistributionState Before)> recipients, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (recipients.Count == 0) return [];
        var config = await apple.GetServiceConfigAsync(cancellationToken);
        var urls = recipients.Select(r => config.InvitationUrlFor(r.Before.InviteCode!)
            ?? throw new InvalidOperationException("Apple's Service Config has no invitationEmail URL template.")).ToList();
        return recipients[0].Data.Channel == InvitationChannel.Email
            ? await MailAsync(campaignId, recipients, urls, now, cancellationToken)
            : await QueueAsync(campaignId, recipients, urls, now, cancellationToken);
    }

    async Task<IReadOnlyList<WorkflowItem>> MailAsync(string campaignId,
        IReadOnlyList<(WorkflowItem Item, RecipientData Data, ManagedDistributionState Before)> recipients, List<Uri> urls, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var organisation = await registration.OrganisationNameAsync(cancellationToken);
        var messages = recipients.Select((r, i) => templates.RenderInvitation(new InvitationMailModel(organisation, r.Data.FullName, urls[i], r.Data.Language))
            .To(new Mailbox(r.Data.Email!, r.Data.FullName), MessageIdFor(campaignId, r.Item.Key))).ToList();
        var results = await mail.SendManyAsync(messages, options.Value.MailParallel, cancellationToken);
        var items = new List<WorkflowItem>(recipients.Count);
        for (var i = 0; i < recipients.Count; i++)
        {
            var (item, _, before) = recipients[i];
            var attempted = item with { Attempts = item.Attempts + 1, LastAttemptAt = now };
            switch (results[i])
            {
                case MailResult.Sent:
                    items.Add(attempted with { State = RecipientStates.Sent, Error = null });
                    break;
                case MailResult.RetryLater retry when attempted.Attempts < options.Value.MaxMailAttempts:
                    items.Add(attempted with { State = RecipientStates.Retrying, Error = retry.Reason });
                    break;
                default:
                    var reason = results[i] is MailResult.Failed failed ? failed.Reason : ((MailResult.RetryLater)results[i]).Reason;
                    await GiveBackAsync(campaignId, before, cancellationToken);
                    items.Add(attempted with { State = RecipientStates.Failed, Terminal = true, Error = reason });
                    break;
            }
        }
        return items;
    }

    async Task<IReadOnlyList<WorkflowItem>> QueueAsync(string campaignId,
        IReadOnlyList<(WorkflowItem Item, RecipientData Data, ManagedDistributionState Before)> recipients, List<Uri> urls, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var work = recipients.SelectMany((r, i) => r.Data.Channels.Select(c =>
            new ChannelCommands(ChannelId.Parse(c.Channel), [new InviteToProgramCommand { InvitationUrl = urls[i].AbsoluteUri }]))).ToList();
        var queued = await commands.EnqueueManyAsync(work, CommandSource, "invitation:" + campaignId, cancellationToken);
        var uuidByChannel = queued.Commands.ToDictionary(c => c.Channel.ToString(), c => c.CommandUuid, StringComparer.Ordinal);
        return [.. recipients.Select(r => r.Item with
        {
            State = RecipientStates.Sent, Attempts = r.Item.Attempts + 1, LastAttemptAt = now, Error = null,
            Data = (r.Data with { CommandUuids = [.. r.Data.Channels.Select(c => uuidByChannel.GetValueOrDefault(c.Channel)).OfType<string>()] }).ToJson(),
        })];
    }

    /// <summary>The mail never left: the user is as invited as before this campaign claimed them.</summary>
    Task GiveBackAsync(string campaignId, ManagedDistributionState before, CancellationToken cancellationToken) =>
        states.UpdateAsync(before.UserId, s => s.InvitedBy == campaignId && s.Status == EnrolmentStatus.Invited
            ? s with { Status = before.Status, InvitedAt = before.InvitedAt, InvitedBy = before.InvitedBy, InvitedChunk = null } : null, cancellationToken);

    /// <summary>Stable per campaign and user; user ids outside the Message-Id alphabet are hashed.</summary>
    public static string MessageIdFor(string campaignId, string userId)
    {
        var safe = userId.Length <= 100 && userId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
        return $"invitation-{campaignId}-" + (safe ? userId : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId)), 0, 16));
    }
}
