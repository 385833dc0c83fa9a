using System.ComponentModel.DataAnnotations;

namespace ManagedDistribution.Features.Invitations;

/// <summary>
/// Invitation campaign settings (section <c>Invitations</c>): chunking, how often and how long a
/// campaign follows its sent invitations (delivered, accepted), and mail parallelism.
/// </summary>
public sealed class InvitationsOptions
{
    public const string SectionName = "Invitations";

    /// <summary>
    /// Recipients per chunk of an email campaign (one queue message, one table partition and one
    /// manifest each). 1,000 measured the same as 299 once items stayed in their chunk's manifest
    /// (Platform/Workflows README); 299 keeps more chunks in flight side by side.
    /// </summary>
    [Range(1, 2000)]
    public int ChunkSize { get; set; } = 299;

    /// <summary>
    /// Recipients per chunk of a device campaign. Bigger than <see cref="ChunkSize"/> because each
    /// recipient queues a command in one of 256 command buckets (Devices/Commands README): 299
    /// recipients put ~1 row in each bucket's transaction, 10,000 put ~40; and each chunk's push
    /// workflow reads its devices' push targets with one range query per device bucket, which
    /// returns most of the bucket whatever the chunk's share of it, so every chunk costs a read of
    /// (nearly) every device row. 100,000 device recipients: 3,197 inv/s with 10,000, 2,092–2,383
    /// with 5,000, 1,272 with 2,000. A chunk's items stay in one manifest (≤ 2.5 MB compressed, ~1 MB
    /// for 10,000 recipients with their command UUIDs); bigger ones are written as rows, slowly.
    /// </summary>
    [Range(1, 10000)]
    public int DeviceChunkSize { get; set; } = 10000;

    /// <summary>
    /// Device chunks one instance sends at once; the others wait their turn, loaded. One chunk
    /// already keeps the storage busy (claims and commands, 16 transactions in flight), so ten at
    /// once only queue there: every chunk then finished together, the first device's invitation
    /// came as late as the last, and a progress read waited ~20 s behind the queue. Five at a time
    /// measured the same rate with the first invitations out ~20 s sooner (Invitations README);
    /// three cost ~10 % (a lone last chunk, push snapshots read again between rounds).
    /// </summary>
    [Range(1, 32)]
    public int DeviceChunksAtOnce { get; set; } = 5;

    /// <summary>
    /// A device campaign for a group of at most this many members finds their devices through the
    /// devices-by-user index (a partition query and a point read per device, ~2 requests a member);
    /// a larger group reads every enrolled device once (one query per device bucket), which costs
    /// the same whatever the group's size. A class of 30 in a registry of 500,000 devices read the
    /// whole registry before. 0 always reads the registry.
    /// </summary>
    [Range(0, 10000)]
    public int IndexedDeviceLookupMaxMembers { get; set; } = 500;

    /// <summary>
    /// A user group's managed distribution turned on or off for at most this many members (those
    /// not yet in the asked state) is done within the request; more run as a task
    /// (<see cref="GroupManagedDistributionWorkflow"/>): every 100 members are a call to Apple and an
    /// event to follow, minutes for a school's worth, longer than a request should be held.
    /// </summary>
    [Range(1, 100000)]
    public int GroupInlineLimit { get; set; } = 500;

    /// <summary>Members per chunk of that task: each chunk registers or retires its members at Apple and saves them before the next.</summary>
    [Range(1, 10000)]
    public int GroupChunkSize { get; set; } = 1000;

    /// <summary>
    /// Between a chunk's sending and its first look at the sent invitations (device acknowledged,
    /// user accepted); each later look waits twice as long, up to <see cref="FollowIntervalMax"/>.
    /// A retry (mail provider busy) always comes after this interval. Whole seconds (queue timers).
    /// </summary>
    public TimeSpan FollowInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest wait between two looks. Why a back-off: each look re-reads every open
    /// recipient's state, and a 100,000-recipient campaign followed every 30 s for a day was up to
    /// 288 million reads; backing off to 15 minutes makes it at most ~10 million (~100 looks).
    /// </summary>
    public TimeSpan FollowIntervalMax { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long to wait after wave <paramref name="wave"/> when only following: <see cref="FollowInterval"/> doubled per wave, at most <see cref="FollowIntervalMax"/>.</summary>
    public TimeSpan FollowDelayAfter(int wave)
    {
        var doubled = FollowInterval.Ticks * Math.Pow(2, Math.Clamp(wave, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(doubled, Math.Max(FollowIntervalMax.Ticks, FollowInterval.Ticks)));
    }

    /// <summary>How long after sending an invitation the campaign keeps following it; then the item closes in its last state.</summary>
    public TimeSpan FollowFor { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Mails in flight per chunk (pickup files written, SMTP sessions, SendGrid requests).</summary>
    [Range(1, 256)]
    public int MailParallel { get; set; } = 32;

    /// <summary>Sends per recipient when the mail provider asks to retry later; then the item fails.</summary>
    [Range(1, 20)]
    public int MaxMailAttempts { get; set; } = 3;

    internal bool IsValid() => FollowInterval >= TimeSpan.FromSeconds(1) && FollowIntervalMax >= FollowInterval && FollowFor >= TimeSpan.Zero;
}
