namespace ManagedDistribution.Features.Devices.Protocol.Plist;

/// <summary>Why a body could not be read as a property list.</summary>
public enum PlistErrorKind
{
    /// <summary>Not well-formed XML, not a plist, or a value that does not parse as its element type.</summary>
    Malformed,
    /// <summary>The body is larger than the caller's limit.</summary>
    TooLarge,
    /// <summary>Containers are nested deeper than the caller's limit.</summary>
    TooDeep,
}

/// <summary>
/// The only exception <see cref="PlistReader"/> throws for bad input, whatever went wrong
/// underneath (XML syntax, a forbidden entity, bad base64, an out-of-range integer).
/// </summary>
public sealed class PlistFormatException(PlistErrorKind kind, string message, Exception? innerException = null)
    : FormatException(message, innerException)
{
    public PlistErrorKind Kind { get; } = kind;
}
