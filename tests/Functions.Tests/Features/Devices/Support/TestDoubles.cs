using System.Collections.Concurrent;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Directory;

namespace ManagedDistribution.Tests.Features.Devices.Support;

/// <summary>Records what the Devices feature asked the push workflow to do (the real one is the pushflow part's).</summary>
public sealed class RecordingPushScheduler : IPushScheduler
{
    public ConcurrentQueue<(IReadOnlyCollection<ChannelId> Channels, string Reason, string Key)> Calls { get; } = new();

    public Task<string> SchedulePushesAsync(IReadOnlyCollection<ChannelId> channels, string reason, string idempotencyKey, CancellationToken cancellationToken)
    {
        Calls.Enqueue((channels.ToArray(), reason, idempotencyKey));
        return Task.FromResult("task-" + Calls.Count);
    }
}

/// <summary>A user directory holding whatever users a test adds (the real one is the Directory part's).</summary>
public sealed class FakeUserDirectory : IUserDirectory
{
    public ConcurrentDictionary<string, UserSummary> Users { get; } = new();

    public void Add(string id) => Users[id] = new UserSummary(id, id, "User " + id, $"{id}@example.com", null, null);

    public Task<UserSummary?> GetUserAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult(Users.TryGetValue(userId, out var user) ? user : null);
}
