using System.Security.Cryptography.X509Certificates;
using ManagedDistribution.Features.Devices.Identity;
using ManagedDistribution.Features.Devices.Registry;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Devices.Checkin;

/// <summary>Who signed a device message: the SHA-256 thumbprint of the signer certificate, or null when unsigned.</summary>
public sealed record MessageSigner(string? Thumbprint)
{
    public static readonly MessageSigner Unsigned = new((string?)null);
}

/// <summary>
/// Checks the <c>Mdm-Signature</c> header (contracts/apple.md §3.2) and the binding of a device to
/// the identity certificate seen at enrolment. Rules:
/// <list type="bullet">
/// <item>A header, when present, must verify (and chain to <c>Mdm:IdentityCaPath</c> when set): else 403.</item>
/// <item><c>Mdm:RequireSignature</c>: a message without the header is 401.</item>
/// <item>A device bound to a certificate accepts only messages signed by it (unsigned ones too are
/// refused, or dropping the header would bypass the binding). Authenticate may bind a new
/// certificate only when the device is not enrolled (first enrolment, or re-enrolment after CheckOut).</item>
/// </list>
/// </summary>
public sealed class DeviceIdentity
{
    readonly MdmOptions options;
    readonly TimeProvider time;
    readonly X509Certificate2Collection? trustedRoots;

    public DeviceIdentity(IOptions<MdmOptions> options, TimeProvider time)
    {
        this.options = options.Value;
        this.time = time;
        if (!string.IsNullOrWhiteSpace(this.options.IdentityCaPath))
        {
            trustedRoots = [];
            trustedRoots.ImportFromPemFile(this.options.IdentityCaPath);
        }
    }

    public DeviceOutcome<MessageSigner> Verify(string? header, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrWhiteSpace(header))
            return options.RequireSignature
                ? new DeviceFailure(DeviceError.SignatureRequired, $"Send the {MdmSignature.HeaderName} header (SignMessage in the enrolment profile).")
                : MessageSigner.Unsigned;
        var result = trustedRoots is null
            ? MdmSignature.Verify(header, body)
            : MdmSignature.Verify(header, body, trustedRoots, time.GetUtcNow());
        return result.IsValid
            ? new MessageSigner(result.SignerThumbprintSha256)
            : new DeviceFailure(DeviceError.IdentityRefused, $"{MdmSignature.HeaderName} refused: {result.Status}.");
    }

    /// <summary>Null when <paramref name="signer"/> may speak for <paramref name="device"/>, else why not.</summary>
    public static DeviceFailure? CheckBinding(DeviceRecord device, MessageSigner signer, bool mayRebind = false)
    {
        if (device.IdentityThumbprint is null) return null;
        if (string.Equals(device.IdentityThumbprint, signer.Thumbprint, StringComparison.OrdinalIgnoreCase)) return null;
        if (mayRebind && signer.Thumbprint is not null && !device.IsEnrolled) return null;
        return new DeviceFailure(DeviceError.IdentityRefused, signer.Thumbprint is null
            ? $"Device '{device.Id}' is bound to an identity certificate; unsigned messages are refused."
            : $"Device '{device.Id}' is bound to another identity certificate.");
    }
}
