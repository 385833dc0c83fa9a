using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ManagedDistribution.Platform.Security;

namespace ManagedDistribution.Features.Devices.Push;

/// <summary>
/// The HTTP/2 connection pool to APNs, authenticated by the MDM push certificate (apple.md §4.1,
/// §4.5): several connections when the server's stream limit is reached, reused for hours, kept
/// alive by HTTP/2 PINGs; optionally one extra trusted CA for a local stand-in.
/// </summary>
sealed class ApnsTransport : IDisposable
{
    const string UidOid = "0.9.2342.19200300.100.1.1";

    ApnsTransport(HttpClient http, X509Certificate2 certificate)
    {
        Http = http;
        Certificate = certificate;
    }

    public HttpClient Http { get; }
    public X509Certificate2 Certificate { get; }

    /// <summary>The MDM topic: the UID attribute of the certificate subject.</summary>
    public string? Topic => TopicOf(Certificate);

    /// <summary>Loads the certificate and builds the pool; throws if a file cannot be read or decrypted.</summary>
    public static ApnsTransport Create(ApnsOptions options)
    {
        var certificate = LoadCertificate(options);
        var trustedCa = options.TrustedCaPath is { Length: > 0 } path ? X509CertificateLoader.LoadCertificateFromFile(path) : null;
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            MaxConnectionsPerServer = options.MaxConnections ?? int.MaxValue,
            PooledConnectionIdleTimeout = options.ConnectionIdleTimeout,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            // APNs never redirects; without redirects and cookies the handler pipeline is one layer shorter.
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificates = [certificate],
                // Offer the push certificate whatever issuers the server lists.
                LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate,
                RemoteCertificateValidationCallback = trustedCa is null ? null : (_, server, _, errors) => CustomCaTrust.IsTrusted(server, errors, trustedCa),
            },
        };
        var http = new HttpClient(handler) { Timeout = options.RequestTimeout };
        return new ApnsTransport(http, certificate);
    }

    /// <summary>From the file if configured, else from base64; throws <see cref="CryptographicException"/> or an I/O exception.</summary>
    static X509Certificate2 LoadCertificate(ApnsOptions options)
    {
        if (!string.IsNullOrEmpty(options.CertificatePath))
            return X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath, options.CertificatePassword);
        var base64 = options.CertificateBase64!;
        // App Service passes an unresolved Key Vault reference through as the literal text.
        if (base64.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
            throw new CryptographicException("Apns:CertificateBase64 is an unresolved Key Vault reference.");
        var bytes = new byte[base64.Length * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(base64, bytes, out var length))
            throw new CryptographicException("Apns:CertificateBase64 is not valid base64.");
        return X509CertificateLoader.LoadPkcs12(bytes.AsSpan(0, length), options.CertificatePassword);
    }

    public static string? TopicOf(X509Certificate2 certificate)
    {
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
            if (rdn.GetSingleElementType().Value == UidOid)
                return rdn.GetSingleElementValue();
        return null;
    }


    public void Dispose()
    {
        Http.Dispose();
        Certificate.Dispose();
    }
}
