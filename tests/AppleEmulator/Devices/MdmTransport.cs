using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;

namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>Which MDM endpoint a device talks to.</summary>
public enum MdmEndpoint
{
    /// <summary><c>CheckInURL</c>, <c>Content-Type: application/x-apple-aspen-mdm-checkin</c>.</summary>
    Checkin,
    /// <summary><c>ServerURL</c>, <c>Content-Type: application/x-apple-aspen-mdm</c>.</summary>
    Connect,
}

/// <summary>The server's answer to one device request.</summary>
public sealed record MdmExchange(int Status, byte[] Body)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>Status and the start of the body, for <see cref="SimulatedDevice.LastError"/>.</summary>
    public string Describe() => $"{Status}: {System.Text.Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 300)))}";
}

/// <summary>
/// PUTs device plists to the MDM server, signed with the device identity when it has one: the
/// <c>Mdm-Signature</c> header carries a Base64 detached CMS signature over the exact body (apple.md §3.2).
/// </summary>
sealed class MdmTransport(HttpClient http, Uri checkinUrl, Uri connectUrl)
{
    public const string SignatureHeader = "Mdm-Signature";
    static readonly MediaTypeHeaderValue CheckinType = new("application/x-apple-aspen-mdm-checkin");
    static readonly MediaTypeHeaderValue ConnectType = new("application/x-apple-aspen-mdm");

    public async Task<MdmExchange> PutAsync(MdmEndpoint endpoint, byte[] body, X509Certificate2? identity, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, endpoint == MdmEndpoint.Checkin ? checkinUrl : connectUrl)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = endpoint == MdmEndpoint.Checkin ? CheckinType : ConnectType;
        if (identity is not null) request.Headers.TryAddWithoutValidation(SignatureHeader, MdmMessages.Sign(body, identity));
        using var response = await http.SendAsync(request, cancellationToken);
        return new MdmExchange((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken));
    }
}
