namespace ManagedDistribution.Features.Devices.Push;

/// <summary>
/// The outcome of one push, as the backend needs to act on it (apple.md §4.3). A closed set:
/// switch over the nested records.
/// </summary>
public abstract record PushResult
{
    PushResult() { }

    /// <summary>APNs accepted the push (200).</summary>
    public sealed record Delivered(string ApnsId) : PushResult;

    /// <summary>400 BadDeviceToken/DeviceTokenNotForTopic: the token is unusable until the device's next TokenUpdate.</summary>
    public sealed record BadToken(string Reason) : PushResult;

    /// <summary>410: the device left; stop pushing unless a TokenUpdate arrived after <see cref="Since"/>.</summary>
    public sealed record Unregistered(string Reason, DateTimeOffset? Since) : PushResult;

    /// <summary>429/5xx or no connection, still so after the bounded retries: try again later.</summary>
    public sealed record RetryLater(int Status, string Reason, TimeSpan? RetryAfter) : PushResult;

    /// <summary>403 or a failed TLS handshake or an unloadable certificate: configuration, not the device. See <see cref="ApnsHealth"/>.</summary>
    public sealed record CertificateProblem(string Reason) : PushResult;

    /// <summary>Any other refusal (bad topic, priority, payload …): a bug or misconfiguration; retrying won't help.</summary>
    public sealed record OtherPermanentError(int Status, string Reason) : PushResult;

    /// <summary>Neither <c>Apns:CertificatePath</c> nor <c>Apns:CertificateBase64</c> is set; nothing was sent.</summary>
    public sealed record NotConfigured() : PushResult;
}
