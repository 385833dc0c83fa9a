using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using ManagedDistribution.AppleEmulator.AppsAndBooks;
using ManagedDistribution.AppleEmulator.Devices;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Mail;
using ManagedDistribution.Features.Tasks;
using ManagedDistribution.Tests.Features.Devices.Push;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ManagedDistribution.Tests.Features.Invitations;

/// <summary>
/// Everything real for group invitations: the app on Kestrel (so the Apps and Books emulator can
/// POST notifications back) on Azurite, the real directory, mail to a pickup folder (one address
/// can be made to fail permanently), APNs and Apps and Books from one emulator, and on demand a
/// device simulator whose users accept the InviteToProgram they get. Several instances can run
/// one after another on the same storage prefix and pickup folder (restarts).
/// </summary>
internal sealed class CampaignTestHost : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    public const string FailingAddress = "bounce@example.com";

    CampaignTestHost(ApnsEmulatorFixture emulator, AppFactory app, int port, string pickup)
    {
        Emulator = emulator;
        App = app;
        Port = port;
        PickupDirectory = pickup;
        Admin = app.CreateAdminClient();
    }

    public ApnsEmulatorFixture Emulator { get; }
    public AppsAndBooksEmulator Apple => Emulator.Host.Services.GetRequiredService<AppsAndBooksEmulator>();
    public AppFactory App { get; }
    public int Port { get; }
    public HttpClient Admin { get; }
    public string PickupDirectory { get; }
    public RecordingEnrollmentListener Enrolments { get; } = new();
    public DeviceSimulator? Simulator { get; private set; }
    IDisposable? accepting;
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static CampaignTestHost Start(AzuriteFixture azurite, ApnsEmulatorFixture emulator, string? prefix = null, string? pickup = null,
        Dictionary<string, string?>? settings = null)
    {
        var port = FreePort();
        pickup ??= Path.Combine(Path.GetTempPath(), "md-campaigns-" + Guid.NewGuid().ToString("N"));
        var root = emulator.Host.HttpRoot;
        var all = emulator.AppSettings(checkinWindow: "00:00:02");
        all["AppleAppsAndBooks:BaseUrl"] = root + "/mdm/v2/";
        all["AppleAppsAndBooks:MdmId"] = "md-test";
        all["AppleAppsAndBooks:InitialRetryDelay"] = "00:00:00.050";
        all["AppleAppsAndBooks:InitialEventPollDelay"] = "00:00:00.020";
        all["AppleAppsAndBooks:MaxRetries"] = "1";
        all["AppleAppsAndBooks:NotificationUrl"] = $"http://127.0.0.1:{port}/api/apple/notifications";
        all["LocationTokens:EncryptionKey"] = SharedKey;
        all["LocationTokens:HealthCacheDuration"] = "00:00:00";
        all["Mail:Provider"] = "Pickup";
        all["Mail:PickupDirectory"] = pickup;
        all["Invitations:FollowInterval"] = "00:00:01";
        all["Invitations:FollowIntervalMax"] = "00:00:02";
        all["Invitations:ChunkSize"] = "3";
        all["Invitations:DeviceChunkSize"] = "3";
        foreach (var (key, value) in settings ?? []) all[key] = value;
        CampaignTestHost? host = null;
        var app = new AppFactory(azurite, prefix)
        {
            Settings = all,
            ConfigureServices = services =>
            {
                services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
                services.AddSingleton<IUserEnrollmentListener>(_ => host!.Enrolments);
                var mail = services.Last(d => d.ServiceType == typeof(IMailSender));
                services.Remove(mail);
                services.AddSingleton<IMailSender>(sp => new FailingFor(FailingAddress, (IMailSender)mail.ImplementationFactory!(sp), () => host!.BeforeSend));
            },
        };
        app.UseKestrel(port);
        app.StartServer();
        host = new CampaignTestHost(emulator, app, port, pickup);
        host.Apple.Settings.EventProcessingDelay = TimeSpan.FromMilliseconds(5);
        host.Apple.Settings.NotificationRetryDelay = TimeSpan.FromMilliseconds(50);
        return host;
    }

    /// <summary>The same token encryption key for every instance, so a restarted app reads the installed token.</summary>
    static readonly string SharedKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public async Task<EmulatedLocation> InstallLocationAsync(string org = "Lincoln High")
    {
        var location = Apple.AddLocation(org, org + " Campus", null);
        var response = await Admin.PostAsJsonAsync("/api/vpp/tokens", new { sToken = location.SToken }, Json, Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return location;
    }

    public async Task AddUserAsync(string id, string? email = null, string? managedAppleId = null)
    {
        var response = await Admin.PostAsJsonAsync("/api/users",
            new { id, shortName = id, fullName = "User " + id, email, managedAppleId }, Json, Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Cancel));
    }

    public async Task AddGroupAsync(string id, params string[] members)
    {
        Assert.Equal(HttpStatusCode.Created, (await Admin.PostAsJsonAsync("/api/user-groups", new { id, name = id }, Json, Cancel)).StatusCode);
        var added = await Admin.PostAsJsonAsync($"/api/user-groups/{id}/members", new { ids = members }, Json, Cancel);
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(Cancel));
    }

    public Task<HttpResponseMessage> SetUserEnabledAsync(string userId, bool enabled, bool confirm = false) =>
        Admin.PutAsJsonAsync($"/api/users/{userId}/managed-distribution{(confirm ? "?confirm=true" : "")}", new { enabled }, Json, Cancel);

    public Task<HttpResponseMessage> SetGroupEnabledAsync(string groupId, bool enabled, bool confirm = false) =>
        Admin.PutAsJsonAsync($"/api/user-groups/{groupId}/managed-distribution{(confirm ? "?confirm=true" : "")}", new { enabled }, Json, Cancel);

    public async Task<JsonElement> PreviewAsync(string groupId, string audience, string channel) =>
        await OkAsync(await Admin.PostAsJsonAsync($"/api/user-groups/{groupId}/invitations/preview", new { audience, channel }, Json, Cancel));

    public async Task<(string TaskId, int Count, JsonElement Body)> StartCampaignAsync(string groupId, string audience, string channel,
        string? resendOlderThan = null)
    {
        var response = await Admin.PostAsJsonAsync($"/api/user-groups/{groupId}/invitations", new { audience, channel, resendOlderThan }, Json, Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {body}");
        var json = JsonDocument.Parse(body).RootElement.Clone();
        return (json.GetProperty("taskId").GetString()!, json.GetProperty("count").GetInt32(), json);
    }

    public async Task<string> StatusOfAsync(string userId) =>
        (await OkAsync(await Admin.GetAsync($"/api/users/{userId}/managed-distribution", Cancel))).GetProperty("status").GetString()!;

    public Task<TaskDetailView> WaitForTaskAsync(string taskId, Func<TaskView, bool> condition, string what) =>
        Admin.WaitForAsync(taskId, condition, what, 60);

    /// <summary>Starts the device simulator against this instance; its users accept invitations when <paramref name="accept"/>.</summary>
    public DeviceSimulator StartSimulator(bool accept = true, Action<DeviceSimulatorOptions>? configure = null)
    {
        var options = new DeviceSimulatorOptions { ServerUrl = new Uri($"http://127.0.0.1:{Port}/"), NotNowRetryDelay = TimeSpan.FromMilliseconds(300) };
        configure?.Invoke(options);
        Simulator = new DeviceSimulator(options, Emulator.Host.Apns.Registry, Emulator.Certificates.Pki);
        if (accept) accepting = Simulator.AcceptInvitationsWith(Apple);
        return Simulator;
    }

    /// <summary>
    /// Users (address <c>{id}@example.com</c>) in a group with managed distribution enabled, the
    /// simulator started (accepting invitations) and an iPad enrolled for each: a device campaign's setting.
    /// </summary>
    public async Task<SimulatedDevice[]> EnabledGroupWithIPadsAsync(string groupId, params string[] userIds)
    {
        foreach (var user in userIds) await AddUserAsync(user, user + "@example.com");
        await AddGroupAsync(groupId, userIds);
        await OkAsync(await SetGroupEnabledAsync(groupId, true));
        StartSimulator(accept: true);
        var devices = new SimulatedDevice[userIds.Length];
        for (var i = 0; i < userIds.Length; i++) devices[i] = await EnrolDeviceForAsync(userIds[i]);
        return devices;
    }

    /// <summary>Enrols a simulated device through /mdm and assigns it to <paramref name="userId"/>.</summary>
    public async Task<SimulatedDevice> EnrolDeviceForAsync(string userId, DeviceKind kind = DeviceKind.IPad)
    {
        var device = (await Simulator!.EnrolAsync(1, kind, cancellationToken: Cancel)).Single();
        Assert.True(device.Enrolled, device.LastError);
        var assigned = await Admin.PutAsJsonAsync($"/api/devices/{device.Udid}/user", new { userId }, Json, Cancel);
        Assert.True(assigned.IsSuccessStatusCode, await assigned.Content.ReadAsStringAsync(Cancel));
        return device;
    }

    public string[] PickupFiles() =>
        System.IO.Directory.Exists(PickupDirectory) ? System.IO.Directory.GetFiles(PickupDirectory, "*.eml") : [];

    public static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        accepting?.Dispose();
        if (Simulator is not null) await Simulator.DisposeAsync();
        Admin.Dispose();
        await App.DisposeAsync();
    }

    public void DeletePickup()
    {
        if (System.IO.Directory.Exists(PickupDirectory)) System.IO.Directory.Delete(PickupDirectory, recursive: true);
    }

    /// <summary>Runs before a single mail is handed to the provider (something that happens while it is sent).</summary>
    public Func<MailMessage, Task>? BeforeSend { get; set; }

    /// <summary>The real provider, except that one address is refused for good (a bounce), to test failures.</summary>
    sealed class FailingFor(string address, IMailSender inner, Func<Func<MailMessage, Task>?> beforeSend) : IMailSender
    {
        public async Task<MailResult> SendAsync(MailMessage message, CancellationToken cancellationToken = default)
        {
            if (beforeSend() is { } hook) await hook(message);
            return message.To.Address == address ? new MailResult.Failed("550 mailbox unavailable") : await inner.SendAsync(message, cancellationToken);
        }

        public async Task<IReadOnlyList<MailResult>> SendManyAsync(IReadOnlyList<MailMessage> messages, int? maxParallel = null,
            CancellationToken cancellationToken = default)
        {
            var results = new MailResult[messages.Count];
            var passing = messages.Select((m, i) => (m, i)).Where(p => p.m.To.Address != address).ToList();
            var sent = await inner.SendManyAsync([.. passing.Select(p => p.m)], maxParallel, cancellationToken);
            for (var k = 0; k < passing.Count; k++) results[passing[k].i] = sent[k];
            for (var i = 0; i < results.Length; i++) results[i] ??= new MailResult.Failed("550 mailbox unavailable");
            return results;
        }
    }
}

/// <summary>Records what Invitations tells the user-enrolment listeners.</summary>
internal sealed class RecordingEnrollmentListener : IUserEnrollmentListener
{
    public ConcurrentQueue<string> Enrolled { get; } = new();
    public ConcurrentQueue<string> Retired { get; } = new();

    public Task UserEnrolledAsync(string userId, DateTimeOffset enrolledAt, CancellationToken cancellationToken)
    {
        Enrolled.Enqueue(userId);
        return Task.CompletedTask;
    }

    public Task UserRetiredAsync(string userId, CancellationToken cancellationToken)
    {
        Retired.Enqueue(userId);
        return Task.CompletedTask;
    }
}
