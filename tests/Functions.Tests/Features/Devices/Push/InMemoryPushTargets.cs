using System.Collections.Concurrent;
using ManagedDistribution.Features.Devices;

namespace ManagedDistribution.Tests.Features.Devices.Push;

/// <summary>
/// Test double of the Devices feature's <see cref="IPushTargets"/>: channels with a token, a number
/// of waiting commands and a last check-in. <see cref="CheckIn"/> is what a device fetching its
/// commands does. Thread-safe. Also used by the <c>pushflow</c> benchmark.
/// </summary>
public sealed class InMemoryPushTargets(TimeProvider? time = null) : IPushTargets
{
    readonly TimeProvider clock = time ?? TimeProvider.System;
    readonly ConcurrentDictionary<ChannelId, Channel> channels = new();
    readonly ConcurrentDictionary<string, ChannelId> byToken = new(StringComparer.OrdinalIgnoreCase);

    public sealed class Channel(byte[] token, string topic, string pushMagic, int waiting)
    {
        public byte[] Token { get; } = token;
        public string TokenHex => Convert.ToHexStringLower(Token);
        public string Topic { get; } = topic;
        public string PushMagic { get; } = pushMagic;
        public int Waiting { get; set; } = waiting;
        public bool TokenUsable { get; set; } = true;
        public DateTimeOffset? LastCheckinAt { get; set; }
        public string? UnusableReason { get; set; }
        public int ExpiredCommands { get; set; }
        public int ExpireCalls { get; set; }
    }

    /// <summary>A new enrolled channel with <paramref name="waiting"/> queued commands.</summary>
    public ChannelId Add(string topic, int waiting = 1, string? userId = null)
    {
        var id = new ChannelId("dev-" + Guid.NewGuid().ToString("N")[..12], userId);
        var token = Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray();
        var channel = new Channel(token, topic, Guid.NewGuid().ToString("D").ToUpperInvariant(), waiting);
        channels[id] = channel;
        byToken[channel.TokenHex] = id;
        return id;
    }

    public Channel this[ChannelId id] => channels[id];

    public ChannelId? ChannelForToken(string tokenHex) => byToken.TryGetValue(tokenHex, out var id) ? id : null;

    /// <summary>The device connected: it fetched (and acknowledged) everything that waited.</summary>
    public void CheckIn(ChannelId id)
    {
        var channel = channels[id];
        lock (channel)
        {
            channel.Waiting = 0;
            channel.LastCheckinAt = clock.GetUtcNow();
        }
    }

    public Task<PushTargetInfo?> GetAsync(ChannelId channel, CancellationToken cancellationToken)
    {
        if (!channels.TryGetValue(channel, out var c)) return Task.FromResult<PushTargetInfo?>(null);
        lock (c) return Task.FromResult<PushTargetInfo?>(new PushTargetInfo(channel, c.Token, c.PushMagic, c.Topic, c.TokenUsable, c.LastCheckinAt));
    }

    public Task MarkTokenUnusableAsync(ChannelId channel, byte[] token, string reason, CancellationToken cancellationToken)
    {
        var c = channels[channel];
        lock (c)
        {
            if (!c.Token.AsSpan().SequenceEqual(token)) return Task.CompletedTask;
            c.TokenUsable = false;
            c.UnusableReason = reason;
        }
        return Task.CompletedTask;
    }

    public Task<bool> HasWaitingCommandsAsync(ChannelId channel, CancellationToken cancellationToken)
    {
        var c = channels[channel];
        lock (c) return Task.FromResult(c.Waiting > 0);
    }

    public Task<int> ExpireWaitingCommandsAsync(ChannelId channel, CancellationToken cancellationToken)
    {
        var c = channels[channel];
        lock (c)
        {
            var expired = c.Waiting;
            c.Waiting = 0;
            c.ExpiredCommands += expired;
            c.ExpireCalls++;
            return Task.FromResult(expired);
        }
    }
}
