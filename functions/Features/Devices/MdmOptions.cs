using System.ComponentModel.DataAnnotations;

namespace ManagedDistribution.Features.Devices;

/// <summary>How the MDM endpoints (<c>/mdm/checkin</c>, <c>/mdm/connect</c>) check who is talking (<c>Mdm</c> section).</summary>
public sealed class MdmOptions
{
    public const string SectionName = "Mdm";

    /// <summary>Refuse device messages without an <c>Mdm-Signature</c> header (the profile's <c>SignMessage</c>).</summary>
    public bool RequireSignature { get; set; }

    /// <summary>PEM file of the enrolment CA(s) device identity certificates must chain to; empty: any signer is accepted and bound.</summary>
    public string? IdentityCaPath { get; set; }

    /// <summary>Largest check-in or command report accepted, in bytes; larger bodies answer 400 without being read.</summary>
    [Range(4096, 4 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 256 * 1024;
}
