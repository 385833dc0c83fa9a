namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>
/// Settings of the device simulator, bound from <c>Emulator:Devices</c> (e.g.
/// <c>--Emulator:Devices:ServerUrl=http://127.0.0.1:7071/ --Emulator:Devices:Count=3</c>).
/// </summary>
public sealed class DeviceSimulatorOptions
{
    /// <summary>Base URL of the MDM server; the check-in and connect paths are relative to it.</summary>
    public Uri? ServerUrl { get; set; }

    public string CheckinPath { get; set; } = "mdm/checkin";
    public string ConnectPath { get; set; } = "mdm/connect";

    /// <summary>Polled before the start-up enrolment: any HTTP answer means the server is up.</summary>
    public string HealthPath { get; set; } = "api/health";

    /// <summary>Devices enrolled when the emulator starts (iPad, iPhone, Mac in turn); needs <see cref="ServerUrl"/>.</summary>
    public int Count { get; set; }

    /// <summary>The push topic devices report; null: the emulator's push certificate topic.</summary>
    public string? Topic { get; set; }

    /// <summary>Sign every request with a per-device identity (<c>Mdm-Signature</c>, detached CMS over the body).</summary>
    public bool SignMessages { get; set; }

    /// <summary>Macs also send a user-channel TokenUpdate (own token and push magic), as with per-user connections.</summary>
    public bool MacUserChannels { get; set; } = true;

    /// <summary>Fraction (0..1) of commands answered NotNow, for every request type without its own rates.</summary>
    public double NotNowRate { get; set; }

    /// <summary>Fraction (0..1) of commands answered Error (with an ErrorChain).</summary>
    public double ErrorRate { get; set; }

    /// <summary>Per RequestType overrides of <see cref="NotNowRate"/> and <see cref="ErrorRate"/>.</summary>
    public Dictionary<string, OutcomeRates> RatesByRequestType { get; set; } = [];

    /// <summary>After a session with a NotNow, the device connects again on its own after this delay.</summary>
    public TimeSpan NotNowRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Connections to the server open at once, over all devices (sessions wait for a slot).</summary>
    public int MaxConcurrentConnections { get; set; } = 256;

    /// <summary>A session ends after this many commands even if the server keeps sending (a guard against loops).</summary>
    public int MaxCommandsPerSession { get; set; } = 100;

    /// <summary>Seed for device identities, tokens and outcomes, so a run can be repeated; null: random.</summary>
    public int? Seed { get; set; }

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>How often a request type is answered NotNow or Error; the rest are Acknowledged.</summary>
public sealed class OutcomeRates
{
    public double NotNow { get; set; }
    public double Error { get; set; }
}
