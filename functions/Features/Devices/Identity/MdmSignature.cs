using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace ManagedDistribution.Features.Devices.Identity;

/// <summary>Outcome of checking an <c>Mdm-Signature</c> header.</summary>
public enum MdmSignatureStatus
{
    /// <summary>The body is signed by <see cref="MdmSignatureResult.SignerCertificate"/> (and it chains to a trusted root, when roots were given).</summary>
    Valid,
    /// <summary>No header, or an empty one.</summary>
    Missing,
    MalformedBase64,
    /// <summary>Not a detached CMS SignedData with exactly one signer.</summary>
    MalformedCms,
    /// <summary>The CMS does not embed the signer's certificate.</summary>
    NoSignerCertificate,
    /// <summary>The signature does not match these body bytes (tampered body, or signed over something else).</summary>
    SignatureMismatch,
    /// <summary>The signature is good but the signer does not chain to a trusted root at the verification time.</summary>
    UntrustedSigner,
}

/// <summary>
/// The verified signer (for <see cref="MdmSignatureStatus.Valid"/> and <see cref="MdmSignatureStatus.UntrustedSigner"/>)
/// or why there is none. Binding the certificate to the enrollment named in the body is the caller's job:
/// compare <see cref="SignerThumbprintSha256"/> with the one stored for that UDID / EnrollmentID.
/// </summary>
public sealed record MdmSignatureResult(MdmSignatureStatus Status, X509Certificate2? SignerCertificate, string Detail)
{
    public bool IsValid => Status == MdmSignatureStatus.Valid;

    /// <summary>Upper-case hex SHA-256 of the signer certificate's DER, or null without one.</summary>
    public string? SignerThumbprintSha256 => SignerCertificate?.GetCertHashString(HashAlgorithmName.SHA256);
}

/// <summary>
/// Verifies the <c>Mdm-Signature</c> header a device sends when its enrollment profile sets
/// <c>SignMessage</c>: Base64 of a detached CMS (PKCS #7) signature over the exact HTTP body, made with the
/// device identity key, signer certificate embedded. Pure: no I/O, no clock (the caller passes the time).
/// See <see href="https://developer.apple.com/documentation/devicemanagement/mdm">MDM payload (SignMessage)</see>
/// and contracts/apple.md §3.2.
/// </summary>
public static class MdmSignature
{
    public const string HeaderName = "Mdm-Signature";

    /// <summary>Checks the signature only; the signer may be any certificate.</summary>
    public static MdmSignatureResult Verify(string? headerValue, ReadOnlySpan<byte> body) =>
        VerifySignature(headerValue, body, out _);

    /// <summary>Checks the signature, then that the signer chains to one of <paramref name="trustedRoots"/> at <paramref name="verificationTime"/>.</summary>
    public static MdmSignatureResult Verify(string? headerValue, ReadOnlySpan<byte> body,
        X509Certificate2Collection trustedRoots, DateTimeOffset verificationTime)
    {
        var result = VerifySignature(headerValue, body, out var embedded);
        if (!result.IsValid) return result;
        return ChainsToRoot(result.SignerCertificate!, embedded, trustedRoots, verificationTime, out var detail)
            ? result
            : result with { Status = MdmSignatureStatus.UntrustedSigner, Detail = detail };
    }

    static MdmSignatureResult VerifySignature(string? headerValue, ReadOnlySpan<byte> body, out X509Certificate2Collection embedded)
    {
        embedded = [];
        if (string.IsNullOrWhiteSpace(headerValue)) return Failure(MdmSignatureStatus.Missing, $"No {HeaderName} header.");

        byte[] encoded;
        try { encoded = Convert.FromBase64String(headerValue.Trim()); }
        catch (FormatException) { return Failure(MdmSignatureStatus.MalformedBase64, $"{HeaderName} is not Base64."); }

        var cms = new SignedCms(new ContentInfo(body.ToArray()), detached: true);
        try { cms.Decode(encoded); }
        catch (CryptographicException e) { return Failure(MdmSignatureStatus.MalformedCms, "Not a CMS SignedData: " + e.Message); }

        // A CMS carrying its own content would be verified against that content, not our body.
        if (!cms.Detached || cms.SignerInfos.Count != 1)
            return Failure(MdmSignatureStatus.MalformedCms, "Expected a detached signature with exactly one signer.");
        embedded = cms.Certificates;
        var signer = cms.SignerInfos[0];
        if (signer.Certificate is not { } certificate)
            return Failure(MdmSignatureStatus.NoSignerCertificate, "The signer certificate is not embedded.");

        try { signer.CheckSignature(verifySignatureOnly: true); }
        catch (CryptographicException) { return Failure(MdmSignatureStatus.SignatureMismatch, "The signature does not match the body."); }
        return new(MdmSignatureStatus.Valid, certificate, "Signature verified.");
    }

    static bool ChainsToRoot(X509Certificate2 signer, X509Certificate2Collection embedded,
        X509Certificate2Collection trustedRoots, DateTimeOffset verificationTime, out string detail)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(trustedRoots);
        policy.ExtraStore.AddRange(embedded);
        // Enrollment CAs are ours; revocation is the enrollment's state, not a CRL we could fetch here.
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = verificationTime.UtcDateTime;
        policy.VerificationTimeIgnored = false;
        if (chain.Build(signer))
        {
            detail = "Signature verified; signer chains to a trusted root.";
            return true;
        }
        detail = "Signer does not chain to a trusted root: "
            + string.Join("; ", chain.ChainStatus.Select(status => status.Status.ToString()));
        return false;
    }

    static MdmSignatureResult Failure(MdmSignatureStatus status, string detail) => new(status, null, detail);
}
