namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary>
/// A canned failure for the next <see cref="Count"/> API calls whose path contains
/// <see cref="PathContains"/> (all calls when null). <see cref="Status"/> 200 with an
/// <see cref="ErrorNumber"/> reproduces Apple's HTTP-200-with-error-body quirk.
/// </summary>
public sealed record InjectedFault(int Status, int? ErrorNumber, int Count = 1, string? RetryAfter = null, string? PathContains = null);

/// <summary>Faults queued by tests; consumed in order by matching requests.</summary>
public sealed class FaultInjector
{
    readonly object sync = new();
    readonly List<(InjectedFault Fault, int Remaining)> queue = [];

    public void Inject(InjectedFault fault)
    {
        lock (sync) queue.Add((fault, fault.Count));
    }

    public void Clear()
    {
        lock (sync) queue.Clear();
    }

    public bool TryTake(string path, out InjectedFault fault)
    {
        lock (sync)
        {
            for (var i = 0; i < queue.Count; i++)
            {
                var (candidate, remaining) = queue[i];
                if (candidate.PathContains is { } part && !path.Contains(part, StringComparison.Ordinal)) continue;
                if (remaining <= 1) queue.RemoveAt(i);
                else queue[i] = (candidate, remaining - 1);
                fault = candidate;
                return true;
            }
        }
        fault = null!;
        return false;
    }
}

/// <summary>One API call as the emulator saw it, so tests can count and inspect requests.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string Body, string? LocationUId, DateTimeOffset At);

public sealed class RequestLog
{
    readonly object sync = new();
    readonly List<RecordedRequest> requests = [];

    public void Add(RecordedRequest request)
    {
        lock (sync) requests.Add(request);
    }

    public IReadOnlyList<RecordedRequest> All
    {
        get { lock (sync) return [.. requests]; }
    }

    /// <summary>Calls whose path ends with <paramref name="pathSuffix"/>, e.g. <c>assets/associate</c>.</summary>
    public IReadOnlyList<RecordedRequest> To(string pathSuffix) =>
        All.Where(r => r.Path.EndsWith(pathSuffix, StringComparison.Ordinal)).ToList();

    public void Clear()
    {
        lock (sync) requests.Clear();
    }
}
