using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>
/// One simulated device: what it reports at enrolment, its channels (device, and on a Mac a user
/// channel), the managed apps and books it holds and the invitations it was shown. Thread-safe.
/// </summary>
public sealed class SimulatedDevice
{
    readonly ConcurrentQueue<ReceivedInvitation> invitations = new();

    internal SimulatedDevice(string udid, string serialNumber, string deviceName, DeviceModel model, string topic)
    {
        Udid = udid;
        SerialNumber = serialNumber;
        DeviceName = deviceName;
        Model = model;
        Topic = topic;
        Inventory = DeviceInventory.Preloaded(model);
    }

    public string Udid { get; }
    public string SerialNumber { get; }
    public string DeviceName { get; }
    public DeviceModel Model { get; }
    public string Topic { get; }

    /// <summary>Signs every request when set (<c>Mdm-Signature</c>); replace it to act as an impostor.</summary>
    public X509Certificate2? Identity { get; set; }

    public SimulatedChannel DeviceChannel { get; internal set; } = null!;

    /// <summary>The macOS user channel, once its TokenUpdate was sent.</summary>
    public SimulatedChannel? UserChannel { get; internal set; }

    public IEnumerable<SimulatedChannel> Channels => UserChannel is null ? [DeviceChannel] : [DeviceChannel, UserChannel];

    public DeviceInventory Inventory { get; }

    /// <summary>Set once Authenticate and the device TokenUpdate were accepted (200).</summary>
    public bool Enrolled { get; internal set; }

    /// <summary>Set by a CheckOut the server accepted.</summary>
    public bool CheckedOut { get; internal set; }

    /// <summary>Why the last check-in or connection failed (status and body start), if one did.</summary>
    public string? LastError { get; internal set; }

    /// <summary>Invitations (<c>InviteToProgram</c>) this device acknowledged, oldest first.</summary>
    public IReadOnlyList<ReceivedInvitation> Invitations => invitations.ToArray();

    internal void RecordInvitation(ReceivedInvitation invitation) => invitations.Enqueue(invitation);

    public override string ToString() => $"{Model.ProductName} {Udid}";
}

/// <summary>An <c>InviteToProgram</c> the device showed its user; a later step may accept it at Apple.</summary>
public sealed record ReceivedInvitation(string ProgramId, string InvitationUrl, string ChannelId, DateTimeOffset ReceivedAt);
