using ManagedDistribution.AppleEmulator.Devices;

namespace ManagedDistribution.AppleEmulator;

/// <summary>
/// Settings of the emulator as a whole, bound from the <c>Emulator</c> section (e.g.
/// <c>--Emulator:ApnsPort=2197</c>) or passed to <see cref="EmulatorHost.StartAsync(string[], EmulatorOptions?, Action{WebApplicationBuilder}?)"/>.
/// Each emulator part adds its own properties here.
/// </summary>
public sealed class EmulatorOptions
{
    public const string SectionName = "Emulator";

    /// <summary>
    /// Folder holding the emulator's certificates (see <c>Certificates/TestPkiFolder</c>); reused
    /// when present so the app keeps trusting them across runs. Null: a fresh temporary folder.
    /// </summary>
    public string? CertificateFolder { get; set; }

    /// <summary>Port of the APNs endpoint (HTTP/2 + TLS + client certificate); 0 picks a free port.</summary>
    public int ApnsPort { get; set; }

    /// <summary>HTTP/2 streams Kestrel allows per APNs connection (APNs itself advertises up to about 1,000).</summary>
    public int ApnsMaxStreamsPerConnection { get; set; } = 1000;

    /// <summary>How many delivered pushes the APNs endpoint keeps in its log (oldest dropped first).</summary>
    public int ApnsLogCapacity { get; set; } = 100_000;

    /// <summary>The device simulator (<c>Emulator:Devices:…</c>), see <c>Devices/DeviceSimulatorOptions</c>.</summary>
    public DeviceSimulatorOptions Devices { get; set; } = new();
}
