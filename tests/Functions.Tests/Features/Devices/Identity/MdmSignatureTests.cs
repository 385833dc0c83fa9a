using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ManagedDistribution.Features.Devices.Identity;

namespace ManagedDistribution.Tests.Features.Devices.Identity;

public sealed class MdmSignatureTests : IDisposable
{
    static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    readonly byte[] body = Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><plist version=\"1.0\"><dict><key>Status</key><string>Idle</string></dict></plist>");
    readonly X509Certificate2 ca = CreateCa("CN=Test Enrollment CA");
    readonly X509Certificate2 device;
    readonly X509Certificate2 otherDevice;

    public MdmSignatureTests()
    {
        device = Issue(ca, "CN=device-1");
        otherDevice = Issue(ca, "CN=device-2");
    }

    public void Dispose()
    {
        ca.Dispose();
        device.Dispose();
        otherDevice.Dispose();
    }

    [Fact]
    public void A_valid_signature_returns_the_signer_and_its_SHA256_thumbprint()
    {
        var result = MdmSignature.Verify(Sign(body, device), body, [ca], Now);

        Assert.Equal(MdmSignatureStatus.Valid, result.Status);
        Assert.Equal(device.Thumbprint, result.SignerCertificate!.Thumbprint);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(device.RawData)), result.SignerThumbprintSha256);
    }

    [Fact]
    public void RSA_signers_work_too()
    {
        using var rsaDevice = Issue(ca, "CN=rsa-device", rsa: true);

        Assert.True(MdmSignature.Verify(Sign(body, rsaDevice), body, [ca], Now).IsValid);
    }

    [Fact]
    public void A_tampered_body_is_SignatureMismatch()
    {
        var header = Sign(body, device);
        var tampered = (byte[])body.Clone();
        tampered[^10] ^= 1;

        var result = MdmSignature.Verify(header, tampered);

        Assert.Equal(MdmSignatureStatus.SignatureMismatch, result.Status);
        Assert.Null(result.SignerCertificate);
    }

    [Fact]
    public void Another_devices_signature_reports_that_devices_thumbprint()
    {
        var result = MdmSignature.Verify(Sign(body, otherDevice), body, [ca], Now);

        Assert.True(result.IsValid);
        Assert.Equal(otherDevice.GetCertHashString(HashAlgorithmName.SHA256), result.SignerThumbprintSha256);
        Assert.NotEqual(device.GetCertHashString(HashAlgorithmName.SHA256), result.SignerThumbprintSha256);
    }

    [Fact]
    public void A_signer_outside_the_trusted_CA_is_UntrustedSigner()
    {
        using var rogueCa = CreateCa("CN=Rogue CA");
        using var rogue = Issue(rogueCa, "CN=device-1");
        var header = Sign(body, rogue);

        Assert.True(MdmSignature.Verify(header, body).IsValid, "without roots only the signature is checked");
        var result = MdmSignature.Verify(header, body, [ca], Now);
        Assert.Equal(MdmSignatureStatus.UntrustedSigner, result.Status);
        Assert.Equal(rogue.GetCertHashString(HashAlgorithmName.SHA256), result.SignerThumbprintSha256);
    }

    [Fact]
    public void An_expired_signer_is_UntrustedSigner_at_the_given_time()
    {
        var header = Sign(body, device);

        Assert.Equal(MdmSignatureStatus.UntrustedSigner, MdmSignature.Verify(header, body, [ca], Now.AddYears(5)).Status);
        Assert.Equal(MdmSignatureStatus.Valid, MdmSignature.Verify(header, body, [ca], Now).Status);
    }

    public static TheoryData<string?, MdmSignatureStatus> BadHeaders => new()
    {
        { null, MdmSignatureStatus.Missing },
        { "", MdmSignatureStatus.Missing },
        { "   ", MdmSignatureStatus.Missing },
        { "not base64 at all!", MdmSignatureStatus.MalformedBase64 },
        { Convert.ToBase64String(Encoding.UTF8.GetBytes("definitely not DER")), MdmSignatureStatus.MalformedCms },
        { Convert.ToBase64String([0x30, 0x03, 0x02, 0x01, 0x01]), MdmSignatureStatus.MalformedCms },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Garbage_headers_are_typed_failures(string? header, MdmSignatureStatus expected)
    {
        var result = MdmSignature.Verify(header, body, [ca], Now);

        Assert.Equal(expected, result.Status);
        Assert.Null(result.SignerCertificate);
    }

    [Fact]
    public void A_signature_carrying_other_content_does_not_verify_this_body()
    {
        var cms = new SignedCms(new ContentInfo(Encoding.UTF8.GetBytes("something else")), detached: false);
        cms.ComputeSignature(new CmsSigner(device));

        var result = MdmSignature.Verify(Convert.ToBase64String(cms.Encode()), body);

        Assert.False(result.IsValid);
        Assert.Null(result.SignerCertificate);
    }

    [Fact]
    public void A_signature_without_the_signer_certificate_is_NoSignerCertificate()
    {
        var cms = new SignedCms(new ContentInfo(body), detached: true);
        cms.ComputeSignature(new CmsSigner(device) { IncludeOption = X509IncludeOption.None });

        Assert.Equal(MdmSignatureStatus.NoSignerCertificate, MdmSignature.Verify(Convert.ToBase64String(cms.Encode()), body).Status);
    }

    static string Sign(byte[] content, X509Certificate2 signer)
    {
        var cms = new SignedCms(new ContentInfo(content), detached: true);
        cms.ComputeSignature(new CmsSigner(signer) { IncludeOption = X509IncludeOption.EndCertOnly });
        return Convert.ToBase64String(cms.Encode());
    }

    static X509Certificate2 CreateCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(10));
    }

    static X509Certificate2 Issue(X509Certificate2 issuer, string subject, bool rsa = false)
    {
        using AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA rsaKey
            ? new CertificateRequest(subject, rsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var issuerKey = issuer.GetECDsaPrivateKey()!;
        using var certificate = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), Now.AddDays(-1), Now.AddYears(1), serial);
        return key is RSA r ? certificate.CopyWithPrivateKey(r) : certificate.CopyWithPrivateKey((ECDsa)key);
    }
}
