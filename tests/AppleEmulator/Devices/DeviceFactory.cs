using ManagedDistribution.AppleEmulator.Certificates;

namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>
/// Makes plausible device identities: iPhone/iPad UDIDs like <c>00008101-001A2D3E3C12802E</c>,
/// Mac UDIDs as hardware UUIDs, 12-character serial numbers, 32-byte push tokens, push magic
/// GUIDs. Deterministic for a given seed. Thread-safe.
/// </summary>
sealed class DeviceFactory(int? seed, string topic, TestPki pki)
{
    const string SerialAlphabet = "0123456789CDFGHJKLMNPQRTVWXY";
    readonly Random random = seed is { } s ? new Random(s) : new Random();
    readonly Lock gate = new();
    readonly int[] numbers = new int[Enum.GetValues<DeviceKind>().Length];
    int users;

    public SimulatedDevice Create(DeviceKind kind, bool withIdentity)
    {
        var model = DeviceModel.For(kind);
        SimulatedDevice device;
        lock (gate)
        {
            var udid = kind == DeviceKind.Mac
                ? new Guid(Bytes(16)).ToString("D").ToUpperInvariant()
                : "00008101-" + Convert.ToHexString(Bytes(8));
            var serial = new string(Enumerable.Range(0, 12).Select(_ => SerialAlphabet[random.Next(SerialAlphabet.Length)]).ToArray());
            var name = $"Simulated {model.ModelName} {++numbers[(int)kind]}";
            device = new SimulatedDevice(udid, serial, name, model, topic);
            device.DeviceChannel = new SimulatedChannel(device, Bytes(32), NewPushMagic());
        }
        // Issuing a certificate costs a key pair: only for devices that sign.
        if (withIdentity) device.Identity = pki.IssueDeviceIdentity(device.Udid);
        return device;
    }

    public SimulatedChannel CreateUserChannel(SimulatedDevice device)
    {
        lock (gate)
        {
            var number = ++users;
            var user = new SimulatedUser(new Guid(Bytes(16)).ToString("D").ToUpperInvariant(), $"user{number}", $"Simulated User {number}");
            return new SimulatedChannel(device, Bytes(32), NewPushMagic(), user);
        }
    }

    /// <summary>A new token and push magic (as after a restore or a re-registration with APNs).</summary>
    public (byte[] Token, string PushMagic) NewToken()
    {
        lock (gate) return (Bytes(32), NewPushMagic());
    }

    public byte[] UnlockToken()
    {
        lock (gate) return Bytes(64);
    }

    string NewPushMagic() => new Guid(Bytes(16)).ToString("D").ToUpperInvariant();

    byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
