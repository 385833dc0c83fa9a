using System.Diagnostics.CodeAnalysis;

namespace ManagedDistribution.Features.Devices;

/// <summary>Why a device operation was declined; <see cref="DeviceProblems"/> turns each into one HTTP status.</summary>
public enum DeviceError
{
    /// <summary>No device with that id (admin API).</summary>
    NotFound,
    /// <summary>The device exists but is not enrolled (R3).</summary>
    NotEnrolled,
    /// <summary>A user named in the request does not exist.</summary>
    UnknownUser,
    /// <summary>The MDM body is not a message we accept (malformed, oversized, unknown type, bad identifiers).</summary>
    InvalidMessage,
    /// <summary>A device message from a device or channel this server has not enrolled.</summary>
    UnknownDevice,
    /// <summary><c>Mdm:RequireSignature</c> is on and the message is unsigned.</summary>
    SignatureRequired,
    /// <summary>Bad signature, untrusted signer, or a signer other than the one bound at enrolment.</summary>
    IdentityRefused,
    /// <summary>A status for a command that is unknown or belongs to another channel.</summary>
    UnknownCommand,
}

public sealed record DeviceFailure(DeviceError Error, string Detail);

/// <summary>A value, or the <see cref="DeviceFailure"/> that explains why there is none.</summary>
public readonly record struct DeviceOutcome<T>
{
    DeviceOutcome(T? value, DeviceFailure? failure) => (Value, Failure) = (value, failure);

    public T? Value { get; }
    public DeviceFailure? Failure { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    public static implicit operator DeviceOutcome<T>(T value) => new(value, null);
    public static implicit operator DeviceOutcome<T>(DeviceFailure failure) => new(default, failure);
}

public static class DeviceFailures
{
    public static DeviceFailure NotFound(string deviceId) => new(DeviceError.NotFound, $"No device '{deviceId}'.");
    public static DeviceFailure NotEnrolled(string deviceId) => new(DeviceError.NotEnrolled, $"Device '{deviceId}' is not enrolled.");
    public static DeviceFailure UnknownDevice(string channel) => new(DeviceError.UnknownDevice, $"'{channel}' is not enrolled with this server.");
    public static DeviceFailure Invalid(string detail) => new(DeviceError.InvalidMessage, detail);
}
