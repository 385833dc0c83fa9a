using System.Collections.Concurrent;

namespace ManagedDistribution.AppleEmulator.Apns;

/// <summary>A push the emulated APNs accepted (200). Holds the push magic: test data only.</summary>
public sealed record DeliveredPush(
    string DeviceToken, string Topic, string PushMagic, int Priority, long Expiration, string ApnsId, DateTimeOffset DeliveredAt);

/// <summary>An error the emulated APNs answers instead of delivering: status, reason, optional Retry-After.</summary>
public sealed record ApnsFailure(int Status, string Reason, TimeSpan? RetryAfter = null, DateTimeOffset? Timestamp = null);

/// <summary>
/// The emulated APNs' state: device tokens it refuses (unregistered, bad), injected failures,
/// the log of delivered pushes, and per-token subscriptions so a simulated device wakes up when
/// a push for its token arrives. Tokens are lowercase hex. Thread-safe.
/// </summary>
public sealed class ApnsRegistry(TimeProvider timeProvider, int logCapacity = 100_000)
{
    readonly ConcurrentDictionary<string, ApnsFailure> refusedTokens = new(StringComparer.OrdinalIgnoreCase);
    readonly ConcurrentDictionary<string, ConcurrentQueue<ApnsFailure>> nextFailuresByToken = new(StringComparer.OrdinalIgnoreCase);
    readonly ConcurrentQueue<ApnsFailure> nextFailures = new();
    readonly ConcurrentDictionary<string, Action<DeliveredPush>> subscribers = new(StringComparer.OrdinalIgnoreCase);
    readonly ConcurrentQueue<DeliveredPush> log = new();
    (double Rate, ApnsFailure Failure)? randomFailure;
    int logCount;
    long deliveredCount;

    /// <summary>Raised for every delivered push, on the request's thread: hand work off, don't block.</summary>
    public event Action<DeliveredPush>? PushDelivered;

    public TimeProvider TimeProvider => timeProvider;
    public long DeliveredCount => Interlocked.Read(ref deliveredCount);

    /// <summary>The most recent delivered pushes (up to the log capacity), oldest first.</summary>
    public IReadOnlyList<DeliveredPush> Delivered => log.ToArray();

    public IReadOnlyList<DeliveredPush> DeliveredTo(string deviceToken) =>
        log.Where(p => string.Equals(p.DeviceToken, deviceToken, StringComparison.OrdinalIgnoreCase)).ToArray();

    /// <summary>From now on the token gets 410 Unregistered with <paramref name="since"/> (default now) as timestamp.</summary>
    public void MarkUnregistered(string deviceToken, DateTimeOffset? since = null) =>
        refusedTokens[deviceToken] = new ApnsFailure(410, "Unregistered", Timestamp: since ?? timeProvider.GetUtcNow());

    /// <summary>From now on the token gets 400 BadDeviceToken.</summary>
    public void MarkBadToken(string deviceToken) => refusedTokens[deviceToken] = new ApnsFailure(400, "BadDeviceToken");

    /// <summary>The token is deliverable again.</summary>
    public void Forget(string deviceToken) => refusedTokens.TryRemove(deviceToken, out _);

    /// <summary>The next <paramref name="count"/> requests (for one token, or any) fail with the given status and reason.</summary>
    public void FailNext(int count, int status, string reason, TimeSpan? retryAfter = null, string? deviceToken = null)
    {
        var queue = deviceToken is null ? nextFailures : nextFailuresByToken.GetOrAdd(deviceToken, _ => new());
        for (var i = 0; i < count; i++) queue.Enqueue(new ApnsFailure(status, reason, retryAfter));
    }

    /// <summary>A fraction (0..1) of all requests fail with the given status; 0 turns it off.</summary>
    public void FailRandomly(double rate, int status = 503, string reason = "ServiceUnavailable") =>
        randomFailure = rate <= 0 ? null : (rate, new ApnsFailure(status, reason));

    /// <summary>Calls <paramref name="onPush"/> for each push delivered to the token until disposed.</summary>
    public IDisposable Subscribe(string deviceToken, Action<DeliveredPush> onPush)
    {
        subscribers.AddOrUpdate(deviceToken, onPush, (_, existing) => existing + onPush);
        return new Subscription(() =>
        {
            while (subscribers.TryGetValue(deviceToken, out var current))
            {
                var remaining = current - onPush;
                if (remaining is null ? subscribers.TryRemove(new(deviceToken, current)) : subscribers.TryUpdate(deviceToken, remaining, current))
                    return;
            }
        });
    }

    /// <summary>Completes with the next push delivered to the token.</summary>
    public async Task<DeliveredPush> WaitForPushAsync(string deviceToken, CancellationToken cancellationToken)
    {
        var next = new TaskCompletionSource<DeliveredPush>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = Subscribe(deviceToken, push => next.TrySetResult(push));
        return await next.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The failure to answer for this token instead of delivering, if any.</summary>
    internal ApnsFailure? FailureFor(string deviceToken)
    {
        if (refusedTokens.TryGetValue(deviceToken, out var refused)) return refused;
        if (nextFailuresByToken.TryGetValue(deviceToken, out var queue) && queue.TryDequeue(out var forToken)) return forToken;
        if (nextFailures.TryDequeue(out var next)) return next;
        return randomFailure is { } random && Random.Shared.NextDouble() < random.Rate ? random.Failure : null;
    }

    internal void Record(DeliveredPush push)
    {
        Interlocked.Increment(ref deliveredCount);
        log.Enqueue(push);
        if (Interlocked.Increment(ref logCount) > logCapacity && log.TryDequeue(out _)) Interlocked.Decrement(ref logCount);
        PushDelivered?.Invoke(push);
        if (subscribers.TryGetValue(push.DeviceToken, out var onPush)) onPush(push);
    }

    sealed class Subscription(Action dispose) : IDisposable
    {
        int disposed;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) dispose();
        }
    }
}
