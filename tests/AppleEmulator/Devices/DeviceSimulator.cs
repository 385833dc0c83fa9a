using System.Collections.Concurrent;
using ManagedDistribution.AppleEmulator.Apns;
using ManagedDistribution.AppleEmulator.Certificates;
using Microsoft.Extensions.Logging.Abstractions;

namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>
/// Simulated Apple devices against an MDM server: enrols them through the check-in endpoint,
/// listens to the emulated APNs, and on a push for one of its tokens (right topic and push
/// magic) connects to the command endpoint and answers commands until the server sends an
/// empty body. Scales to thousands of devices with a bounded number of connections.
/// </summary>
public sealed partial class DeviceSimulator : IAsyncDisposable
{
    readonly ConcurrentDictionary<string, SimulatedDevice> devices = new(StringComparer.OrdinalIgnoreCase);
    readonly ConcurrentDictionary<string, SimulatedChannel> channelsByToken = new(StringComparer.OrdinalIgnoreCase);
    readonly ApnsRegistry apns;
    readonly DeviceFactory factory;
    readonly HttpClient http;
    readonly SemaphoreSlim connections;
    readonly CancellationTokenSource stopping = new();
    readonly TimeProvider timeProvider;
    readonly ILogger logger;
    MdmTransport? transport;
    int activeTasks;

    /// <param name="handler">How to reach the server (e.g. a test server's handler); null: sockets, up to MaxConcurrentConnections.</param>
    public DeviceSimulator(DeviceSimulatorOptions options, ApnsRegistry apns, TestPki pki, HttpMessageHandler? handler = null,
        TimeProvider? timeProvider = null, ILogger<DeviceSimulator>? logger = null)
    {
        Options = options;
        this.apns = apns;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        factory = new DeviceFactory(options.Seed, options.Topic ?? pki.PushTopic, pki);
        Outcomes = new OutcomePolicy(options);
        Responder = new CommandResponder(Outcomes, this.timeProvider);
        connections = new SemaphoreSlim(options.MaxConcurrentConnections);
        http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.MaxConcurrentConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        }, disposeHandler: handler is null) { Timeout = options.RequestTimeout };
        apns.PushDelivered += OnPushDelivered;
    }

    public DeviceSimulatorOptions Options { get; }
    public DeviceSimulatorCounters Counters { get; } = new();
    public OutcomePolicy Outcomes { get; }
    public CommandResponder Responder { get; }

    public IReadOnlyCollection<SimulatedDevice> Devices => devices.Values.ToArray();

    /// <summary>Sessions and delayed reconnections under way.</summary>
    public int ActiveTasks => Volatile.Read(ref activeTasks);

    /// <summary>Raised when the server accepted a device's answer to a command (on the session's thread).</summary>
    public event Action<SimulatedChannel, CommandAnswer>? CommandAnswered;

    public SimulatedDevice? Find(string udid) => devices.GetValueOrDefault(udid);

    /// <summary>The channel a push token (hex, any case) belongs to.</summary>
    public SimulatedChannel? FindByToken(string tokenHex) => channelsByToken.GetValueOrDefault(tokenHex);

    /// <summary>A new device, not yet enrolled: change its <see cref="SimulatedDevice.Identity"/> first if needed.</summary>
    public SimulatedDevice CreateDevice(DeviceKind kind, bool? sign = null) => factory.Create(kind, sign ?? Options.SignMessages);

    /// <summary>Creates and enrols <paramref name="count"/> devices (iPad, iPhone, Mac in turn unless <paramref name="kind"/> is given).</summary>
    public async Task<IReadOnlyList<SimulatedDevice>> EnrolAsync(int count, DeviceKind? kind = null, bool? sign = null, CancellationToken cancellationToken = default)
    {
        var kinds = Enum.GetValues<DeviceKind>();
        var created = Enumerable.Range(0, count).Select(i => CreateDevice(kind ?? kinds[i % kinds.Length], sign)).ToArray();
        await Parallel.ForEachAsync(created, new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, Math.Min(Options.MaxConcurrentConnections, 128)),
            CancellationToken = cancellationToken,
        }, async (device, ct) => await EnrolAsync(device, ct));
        return created;
    }

    /// <summary>Authenticate, then the device TokenUpdate (and a user-channel one on a Mac). False (see LastError) when the server refused.</summary>
    public async Task<bool> EnrolAsync(SimulatedDevice device, CancellationToken cancellationToken = default)
    {
        devices[device.Udid] = device;
        // Listen before the TokenUpdate: the server may push as soon as it has the token.
        channelsByToken[device.DeviceChannel.TokenHex] = device.DeviceChannel;
        var unlockToken = device.Model.IsMac ? null : factory.UnlockToken();
        if (!await CheckinAsync(device, "Authenticate", MdmMessages.Authenticate(device), cancellationToken)
            || !await CheckinAsync(device, "TokenUpdate", MdmMessages.TokenUpdate(device.DeviceChannel, unlockToken), cancellationToken))
        {
            Counters.CountEnrolFailure();
            return false;
        }
        device.Enrolled = true;
        device.CheckedOut = false;
        Counters.CountEnrolled();
        DeviceSimulatorLog.Enrolled(logger, device.Udid, device.Model.ProductName);
        if (device.Model.IsMac && Options.MacUserChannels && device.UserChannel is null)
        {
            var user = factory.CreateUserChannel(device);
            device.UserChannel = user;
            channelsByToken[user.TokenHex] = user;
            await CheckinAsync(device, "TokenUpdate (user)", MdmMessages.TokenUpdate(user), cancellationToken);
        }
        return true;
    }

    /// <summary>A new token and push magic for the channel, announced with a TokenUpdate.</summary>
    public async Task<bool> UpdateTokenAsync(SimulatedChannel channel, CancellationToken cancellationToken = default)
    {
        var (token, magic) = factory.NewToken();
        channelsByToken.TryRemove(channel.TokenHex, out _);
        channel.SetToken(token, magic);
        channelsByToken[channel.TokenHex] = channel;
        return await CheckinAsync(channel.Device, "TokenUpdate", MdmMessages.TokenUpdate(channel), cancellationToken);
    }

    /// <summary>Sends CheckOut; the device stops answering pushes.</summary>
    public async Task<bool> CheckOutAsync(SimulatedDevice device, CancellationToken cancellationToken = default)
    {
        foreach (var channel in device.Channels) channelsByToken.TryRemove(channel.TokenHex, out _);
        device.Enrolled = false;
        device.CheckedOut = await CheckinAsync(device, "CheckOut", MdmMessages.CheckOut(device), cancellationToken);
        return device.CheckedOut;
    }

    /// <summary>Sends any body as <paramref name="device"/> (signed with its identity if it has one), e.g. a malformed plist.</summary>
    public Task<MdmExchange> SendAsync(SimulatedDevice device, MdmEndpoint endpoint, byte[] body, CancellationToken cancellationToken = default) =>
        Transport.PutAsync(endpoint, body, device.Identity, cancellationToken);

    MdmTransport Transport => transport ??= CreateTransport();

    MdmTransport CreateTransport()
    {
        var server = Options.ServerUrl ?? throw new InvalidOperationException("The device simulator has no ServerUrl (Emulator:Devices:ServerUrl).");
        var baseUrl = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        return new MdmTransport(http, new Uri(baseUrl, Options.CheckinPath.TrimStart('/')), new Uri(baseUrl, Options.ConnectPath.TrimStart('/')));
    }

    async Task<bool> CheckinAsync(SimulatedDevice device, string step, byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await Transport.PutAsync(MdmEndpoint.Checkin, body, device.Identity, cancellationToken);
            if (reply.IsSuccess) return true;
            Fail(device, step, reply.Describe());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Fail(device, step, e.Message);
        }
        return false;
    }

    void Fail(SimulatedDevice device, string step, string error)
    {
        device.LastError = $"{step}: {error}";
        DeviceSimulatorLog.StepFailed(logger, device.Udid, step, error);
    }

    public async ValueTask DisposeAsync()
    {
        apns.PushDelivered -= OnPushDelivered;
        await stopping.CancelAsync();
        var deadline = timeProvider.GetUtcNow().AddSeconds(10);
        while (ActiveTasks > 0 && timeProvider.GetUtcNow() < deadline) await Task.Delay(10);
        http.Dispose();
        stopping.Dispose();
    }
}
