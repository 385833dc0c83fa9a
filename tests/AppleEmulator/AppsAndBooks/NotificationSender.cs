using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

public static class NotificationTypes
{
    public const string Test = "TEST_NOTIFICATION";
    public const string AssetCount = "ASSET_COUNT";
    public const string AssetManagement = "ASSET_MANAGEMENT";
    public const string UserManagement = "USER_MANAGEMENT";
    public const string UserAssociated = "USER_ASSOCIATED";

    public static IReadOnlyList<string> All { get; } = [AssetManagement, UserManagement, UserAssociated, AssetCount];
}

/// <summary>A notification waiting to be sent; <see cref="Body"/> is the inner <c>notification</c> object.</summary>
public sealed record OutgoingNotification(string Type, object Body);

/// <summary>One delivery attempt as the emulator made it.</summary>
public sealed record DeliveryAttempt(string NotificationId, string Type, string Url, int Attempt, int Status, string? Error);

/// <summary>
/// POSTs notifications to a location's <c>notificationUrl</c> with <c>Authorization: Bearer
/// &lt;notificationAuthToken&gt;</c>; any 2xx counts as delivered, else a few more tries.
/// </summary>
public sealed class NotificationSender(HttpClient http, EmulatorSettings settings)
{
    readonly object sync = new();
    readonly List<DeliveryAttempt> attempts = [];

    public IReadOnlyList<DeliveryAttempt> Attempts
    {
        get { lock (sync) return [.. attempts]; }
    }

    /// <summary>Fire and forget, like Apple: only subscribed types, only when a URL is configured.</summary>
    internal void Send(EmulatedLocation location, IEnumerable<OutgoingNotification> notifications)
    {
        string? url, token;
        IReadOnlyList<string> subscribed;
        lock (location.Sync) (url, token, subscribed) = (location.NotificationUrl, location.NotificationAuthToken, location.SubscribedNotificationTypes);
        if (url is null || token is null) return;
        foreach (var n in notifications.Where(n => subscribed.Contains(n.Type)))
            _ = DeliverAsync(location.UId, url, token, n, settings.NotificationAttempts, CancellationToken.None);
    }

    /// <summary>Delivers one notification; true when some attempt got a 2xx.</summary>
    internal async Task<bool> DeliverAsync(
        string uId, string url, string token, OutgoingNotification notification, int maxAttempts, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString();
        var envelope = new { notification = notification.Body, notificationId = id, notificationType = notification.Type, uId };
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            var (status, error) = await PostAsync(url, token, envelope, cancellationToken);
            lock (sync) attempts.Add(new DeliveryAttempt(id, notification.Type, url, attempt, status, error));
            if (status is >= 200 and < 300) return true;
            if (attempt < maxAttempts) await Task.Delay(settings.NotificationRetryDelay, cancellationToken);
        }
        return false;
    }

    async Task<(int Status, string? Error)> PostAsync(string url, string token, object envelope, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(envelope, options: WireJson.Options) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, cancellationToken);
            return ((int)response.StatusCode, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException or InvalidOperationException)
        {
            return (0, e.Message);
        }
    }
}
