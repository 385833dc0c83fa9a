using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ManagedDistribution.AppleEmulator.Certificates;

/// <summary>
/// The emulator's certificates, made in memory with ECDSA P-256: a local CA that issues the
/// emulator's TLS server certificate (127.0.0.1, ::1, localhost) and device identities, and a
/// second CA standing in for Apple's push CA, which issues the MDM push client certificate whose
/// subject UID is the push topic (<c>com.apple.mgmt.External.&lt;uuid&gt;</c>). Every certificate
/// with a key has been round-tripped through PKCS#12 so TLS stacks accept it on every platform.
/// </summary>
public sealed class TestPki
{
    /// <summary>Password of every PKCS#12 file the emulator writes. Test material only.</summary>
    public const string Password = "emulator";

    /// <summary>OID of the LDAP <c>UID</c> attribute that carries the MDM topic in a push certificate subject.</summary>
    public const string UidOid = "0.9.2342.19200300.100.1.1";

    internal TestPki(X509Certificate2 localCa, X509Certificate2 pushCa, X509Certificate2 server, X509Certificate2 push)
    {
        LocalCa = localCa;
        PushCa = pushCa;
        ServerCertificate = server;
        PushCertificate = push;
        PushTopic = TopicOf(push) ?? throw new InvalidOperationException("Push certificate subject has no UID.");
    }

    /// <summary>Issues TLS server and device identity certificates (has its private key).</summary>
    public X509Certificate2 LocalCa { get; }

    /// <summary>The "Apple" push CA stand-in (has its private key).</summary>
    public X509Certificate2 PushCa { get; }

    /// <summary>TLS server certificate for 127.0.0.1, ::1 and localhost, with private key.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>MDM push client certificate with private key; subject UID = <see cref="PushTopic"/>.</summary>
    public X509Certificate2 PushCertificate { get; }

    /// <summary>The MDM push topic, e.g. <c>com.apple.mgmt.External.3f1c…</c>.</summary>
    public string PushTopic { get; }

    /// <summary>A fresh PKI with a new random topic.</summary>
    public static TestPki Create()
    {
        var localCa = CreateCa("Managed Distribution Emulator Local CA");
        var pushCa = CreateCa("Managed Distribution Emulator Push CA (Apple stand-in)");
        return new TestPki(localCa, pushCa, IssueServer(localCa), IssuePushCertificate(pushCa, NewTopic()));
    }

    public static string NewTopic() => "com.apple.mgmt.External." + Guid.NewGuid().ToString("D");

    /// <summary>A device identity certificate (client auth) issued by the local CA, like a SCEP-issued identity.</summary>
    public X509Certificate2 IssueDeviceIdentity(string commonName) =>
        Issue(LocalCa, Subject(b => b.AddCommonName(commonName)), [ClientAuth], san: null, days: 365);

    /// <summary>A push certificate for another topic from the same push CA (e.g. to test topic mismatches).</summary>
    public X509Certificate2 IssuePushCertificate(string topic) => IssuePushCertificate(PushCa, topic);

    /// <summary>The UID attribute of a push certificate subject, i.e. its MDM topic; null if absent.</summary>
    public static string? TopicOf(X509Certificate2 certificate)
    {
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
            if (rdn.GetSingleElementType().Value == UidOid)
                return rdn.GetSingleElementValue();
        return null;
    }

    static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(b => b.AddCommonName(name)), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var ca = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        return RoundTrip(ca);
    }

    static X509Certificate2 IssueServer(X509Certificate2 ca)
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        return Issue(ca, Subject(b => b.AddCommonName("localhost")), [ServerAuth], san, days: 825);
    }

    static X509Certificate2 IssuePushCertificate(X509Certificate2 pushCa, string topic) =>
        Issue(pushCa, Subject(b =>
        {
            b.Add(UidOid, topic, System.Formats.Asn1.UniversalTagNumber.UTF8String);
            b.AddCommonName("APSP:" + topic["com.apple.mgmt.External.".Length..]);
            b.AddCountryOrRegion("US");
        }), [ClientAuth], san: null, days: 365);

    static X509Certificate2 Issue(X509Certificate2 ca, X500DistinguishedName subject, string[] usages,
        SubjectAlternativeNameBuilder? san, int days)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var oids = new OidCollection();
        foreach (var usage in usages) oids.Add(new Oid(usage));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (san is not null) request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        var notAfter = now.AddDays(days) < ca.NotAfter ? now.AddDays(days) : ca.NotAfter.ToUniversalTime();
        using var issued = request.Create(ca, now.AddDays(-1), notAfter, RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        return RoundTrip(withKey);
    }

    /// <summary>Exports as PKCS#12 (AES-256, password <see cref="Password"/>).</summary>
    public static byte[] ExportPkcs12(X509Certificate2 certificate) =>
        certificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, Password);

    /// <summary>Exports the certificate only (no key) as PEM.</summary>
    public static string ExportPem(X509Certificate2 certificate) => certificate.ExportCertificatePem();

    // Ephemeral keys from CopyWithPrivateKey are fine for SslStream on Linux but not for SChannel;
    // a PKCS#12 round trip gives a key every TLS stack and Kestrel accept.
    internal static X509Certificate2 RoundTrip(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(ExportPkcs12(certificate), Password);

    static X500DistinguishedName Subject(Action<X500DistinguishedNameBuilder> build)
    {
        var builder = new X500DistinguishedNameBuilder();
        build(builder);
        return builder.Build();
    }

    const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    const string ClientAuth = "1.3.6.1.5.5.7.3.2";
}
