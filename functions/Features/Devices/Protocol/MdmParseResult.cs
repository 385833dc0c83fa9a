using System.Diagnostics.CodeAnalysis;

namespace ManagedDistribution.Features.Devices.Protocol;

/// <summary>Why an MDM body could not be decoded. Stable values: endpoints map them to HTTP statuses.</summary>
public enum MdmParseErrorCode
{
    /// <summary>Not a well-formed plist (includes DTD/entity tricks and bad base64, integer or date text).</summary>
    MalformedPlist,
    /// <summary>Larger than the caller's byte limit.</summary>
    BodyTooLarge,
    /// <summary>Containers nested deeper than the reader's limit.</summary>
    NestingTooDeep,
    /// <summary>A check-in body without <c>MessageType</c>.</summary>
    MissingMessageType,
    /// <summary>A <c>MessageType</c> or <c>RequestType</c> this server does not handle; see <see cref="MdmParseError.Value"/>.</summary>
    UnknownMessageType,
    /// <summary>A key Apple's schema requires is absent; see <see cref="MdmParseError.Key"/>.</summary>
    MissingKey,
    /// <summary>A key holds the wrong plist type (e.g. <c>&lt;string&gt;</c> where <c>&lt;data&gt;</c> belongs).</summary>
    WrongType,
    /// <summary>A key holds a value outside Apple's list (e.g. an unknown <c>Status</c>).</summary>
    InvalidValue,
}

/// <summary>
/// A decoding failure. <see cref="Value"/> only ever carries protocol vocabulary
/// (a <c>MessageType</c>, <c>Status</c> or <c>RequestType</c>), never tokens, so it is safe to log.
/// </summary>
public sealed record MdmParseError(MdmParseErrorCode Code, string Detail, string? Key = null, string? Value = null);

/// <summary>Either a decoded value or the <see cref="MdmParseError"/> explaining why there is none.</summary>
public readonly record struct MdmParseResult<T> where T : class
{
    MdmParseResult(T? value, MdmParseError? error) => (Value, Error) = (value, error);

    public T? Value { get; }
    public MdmParseError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null;

    public static MdmParseResult<T> Success(T value) => new(value, null);
    public static MdmParseResult<T> Failure(MdmParseError error) => new(null, error);

    public static implicit operator MdmParseResult<T>(T value) => Success(value);
    public static implicit operator MdmParseResult<T>(MdmParseError error) => Failure(error);
}
