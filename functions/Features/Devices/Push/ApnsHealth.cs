namespace ManagedDistribution.Features.Devices.Push;

/// <summary>What <c>/api/health</c> can show about APNs.</summary>
public sealed record ApnsHealthSnapshot(
    string? Topic,
    DateTimeOffset? CertificateNotAfter,
    string? LastCertificateError,
    DateTimeOffset? LastCertificateErrorAt,
    DateTimeOffset? LastDeliveredAt);

/// <summary>
/// The push certificate's state as the <see cref="ApnsClient"/> last saw it (singleton). A
/// certificate error newer than the last delivery means pushes are failing for configuration reasons.
/// </summary>
public sealed class ApnsHealth
{
    volatile ApnsHealthSnapshot snapshot = new(null, null, null, null, null);
    long lastDeliveredUnixMs;

    public ApnsHealthSnapshot Current
    {
        get
        {
            var delivered = Volatile.Read(ref lastDeliveredUnixMs);
            return snapshot with { LastDeliveredAt = delivered == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(delivered) };
        }
    }

    internal void CertificateLoaded(string? topic, DateTimeOffset notAfter) =>
        snapshot = snapshot with { Topic = topic, CertificateNotAfter = notAfter };

    internal void CertificateFailed(string reason, DateTimeOffset at) =>
        snapshot = snapshot with { LastCertificateError = reason, LastCertificateErrorAt = at };

    internal void Delivered(DateTimeOffset at) => Volatile.Write(ref lastDeliveredUnixMs, at.ToUnixTimeMilliseconds());
}
