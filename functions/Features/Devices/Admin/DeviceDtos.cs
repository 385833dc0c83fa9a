using System.ComponentModel.DataAnnotations;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Inventory;
using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Registry;

namespace ManagedDistribution.Features.Devices.Admin;

/// <summary>
/// A device as admins see it. Push token, push magic and unlock token are never part of it;
/// <c>reachable</c> says whether a push can be sent, <c>identityBound</c> whether messages must be
/// signed by the certificate seen at enrolment.
/// </summary>
public sealed record DeviceDto(
    string Id, string? Name, string? DeviceName, string? SerialNumber, string? ProductName, string? Model, string? ModelName,
    string Platform, string? OSVersion, string? BuildVersion, string EnrollmentState, bool IsUserEnrollment, bool Reachable,
    bool IdentityBound, string? UserId, DateTimeOffset? CreatedAt, DateTimeOffset? EnrolledAt, DateTimeOffset? UnenrolledAt,
    DateTimeOffset? LastCheckinAt, IReadOnlyList<UserChannelDto>? UserChannels = null)
{
    public static DeviceDto From(DeviceRecord d, IReadOnlyList<UserChannelRecord>? channels = null) => new(
        d.Id, d.Name, d.DeviceName, d.SerialNumber, d.ProductName, d.Model, d.ModelName, d.Platform, d.OSVersion, d.BuildVersion,
        d.EnrollmentState, d.IsUserEnrollment, d.IsEnrolled && d.TokenUsable, d.IdentityThumbprint is not null, d.UserId,
        d.CreatedAt, d.EnrolledAt, d.UnenrolledAt, d.LastCheckinAt, channels?.Select(UserChannelDto.From).ToList());
}

/// <summary>A macOS or Shared iPad user channel of a device.</summary>
public sealed record UserChannelDto(string UserId, string? ShortName, string? LongName, bool Reachable, DateTimeOffset? LastCheckinAt)
{
    public static UserChannelDto From(UserChannelRecord c) => new(c.UserId, c.UserShortName, c.UserLongName, c.TokenUsable, c.LastCheckinAt);
}

public sealed record DevicePage(IReadOnlyList<DeviceDto> Items, string? ContinuationToken);

/// <summary>A command of a device's queue and what became of it.</summary>
public sealed record CommandDto(
    string CommandUuid, string Channel, string RequestType, string Status, string? ReportedStatus, int Attempts, string? Source,
    DateTimeOffset EnqueuedAt, DateTimeOffset? SentAt, DateTimeOffset? CompletedAt, IReadOnlyList<MdmErrorChainEntry>? ErrorChain)
{
    static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    public static CommandDto From(CommandRecord c) => new(
        c.CommandUuid, c.Channel.ToString(), c.RequestType, c.Status, c.ReportedStatus, c.Attempts, c.Source, c.EnqueuedAt, c.SentAt,
        c.CompletedAt, c.ErrorChain is null ? null : System.Text.Json.JsonSerializer.Deserialize<List<MdmErrorChainEntry>>(c.ErrorChain, Json));
}

public sealed record DeviceCommands(string DeviceId, IReadOnlyList<CommandDto> Items);

/// <summary>Managed apps and books the device last reported (through ManagedApplicationList / ManagedMediaList).</summary>
public sealed record DeviceApps(string DeviceId, IReadOnlyList<InventoryApp> Apps, IReadOnlyList<InventoryBook> Books);

/// <summary>The inventory queries queued by a refresh, and the push task that wakes the device.</summary>
public sealed record RefreshAccepted(string DeviceId, IReadOnlyList<string> CommandUuids, string TaskId);

/// <summary>Devices to refresh at once (at most <see cref="DeviceRefresh.MaxDevices"/>).</summary>
public sealed record BulkRefreshRequest([Required, MinLength(1), MaxLength(DeviceRefresh.MaxDevices)] IReadOnlyList<string> DeviceIds);

/// <summary>Values of <see cref="RefreshSkip.Reason"/>.</summary>
public static class RefreshSkipReasons
{
    /// <summary>No device with that id.</summary>
    public const string NotFound = "not-found";
    /// <summary>The device has not finished enrolling, or has checked out (R3).</summary>
    public const string NotEnrolled = "not-enrolled";
}

/// <summary>A device a bulk refresh left out, and why (<see cref="RefreshSkipReasons"/>).</summary>
public sealed record RefreshSkip(string DeviceId, string Reason);

/// <summary>
/// A bulk refresh: the one push task that wakes every queued device (null when none was queued),
/// how many devices and commands were queued, and the devices skipped.
/// </summary>
public sealed record BulkRefreshAccepted(string? TaskId, int Queued, int Commands, IReadOnlyList<RefreshSkip> Skipped);

public sealed record RenameDeviceRequest([StringLength(200)] string? Name);

public sealed record AssociateUserRequest(
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,128}$", ErrorMessage = "A user id is 1-128 of A-Z a-z 0-9 . _ -")] string UserId);
