using System.ComponentModel.DataAnnotations;

namespace ManagedDistribution.Platform.Http;

/// <summary>Limits of the HTTP edge (<c>Http</c> section).</summary>
public sealed class HttpOptions
{
    public const string SectionName = "Http";

    /// <summary>Largest request body accepted, in bytes; larger bodies get 413 <c>payload-too-large</c>.</summary>
    [Range(1024, 1L << 30)]
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;
}
