using System.Collections.Concurrent;
using System.Net;
using ManagedDistribution.Features.Devices.Identity;
using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Tests.Emulator;

/// <summary>
/// The smallest MDM server the device simulator can talk to, on real sockets: it records check-ins
/// (with the verified Mdm-Signature signer, if any), keeps a FIFO of commands per channel, hands
/// them out on connect, and keeps NotNow commands for the channel's next session. Protocol code is
/// the app's; everything else is a test double of the Devices feature.
/// </summary>
sealed class FakeMdmServer : IAsyncDisposable
{
    readonly WebApplication app;
    readonly ConcurrentDictionary<string, ConcurrentQueue<MdmCommand>> queues = new();
    readonly ConcurrentDictionary<string, ConcurrentQueue<MdmCommand>> deferred = new();
    readonly ConcurrentDictionary<string, MdmCommand> sent = new();

    FakeMdmServer(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = null!;
    public ConcurrentQueue<(CheckinMessage Message, string? SignerThumbprint)> Checkins { get; } = new();
    public ConcurrentQueue<CommandReport> Reports { get; } = new();
    public ConcurrentQueue<MdmSignatureResult> Signatures { get; } = new();

    /// <summary>When set, the connect endpoint answers with this status (no command) instead.</summary>
    public HttpStatusCode? ConnectFailure { get; set; }

    /// <summary>When set, the next connect answers with these raw bytes instead of a queued command.</summary>
    public byte[]? NextRawCommand { get; set; }

    public static async Task<FakeMdmServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeMdmServer(app);
        app.MapPut("/mdm/checkin", server.CheckinAsync);
        app.MapPut("/mdm/connect", server.ConnectAsync);
        await app.StartAsync();
        server.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");
        return server;
    }

    public void Enqueue(string channelId, params MdmCommandPayload[] commands)
    {
        var queue = queues.GetOrAdd(channelId, _ => new());
        foreach (var command in commands) queue.Enqueue(command.ToCommand(Guid.NewGuid().ToString("D").ToUpperInvariant()));
    }

    public IEnumerable<T> CheckinsOf<T>() where T : CheckinMessage => Checkins.Select(c => c.Message).OfType<T>();

    async Task<IResult> CheckinAsync(HttpRequest request)
    {
        var (body, signer) = await ReadAsync(request);
        var parsed = CheckinMessage.Parse(body);
        if (!parsed.Succeeded) return Results.BadRequest(parsed.Error.Detail);
        Checkins.Enqueue((parsed.Value, signer));
        return Results.Ok();
    }

    async Task<IResult> ConnectAsync(HttpRequest request)
    {
        var (body, _) = await ReadAsync(request);
        if (ConnectFailure is { } failure) return Results.StatusCode((int)failure);
        var parsed = CommandReport.Parse(body);
        if (!parsed.Succeeded) return Results.BadRequest(parsed.Error.Detail);
        var report = parsed.Value;
        var channel = report.Identity.UserChannelId is { } user ? $"{report.Identity.DeviceChannelId}:{user}" : report.Identity.DeviceChannelId;
        if (report.Status == CommandStatus.Idle) Requeue(channel);
        else
        {
            Reports.Enqueue(report);
            if (sent.TryRemove(report.CommandUuid!, out var command) && report.Status == CommandStatus.NotNow)
                deferred.GetOrAdd(channel, _ => new()).Enqueue(command);
        }
        if (NextRawCommand is { } raw)
        {
            NextRawCommand = null;
            return Results.Bytes(raw, "application/x-apple-aspen-mdm");
        }
        if (!queues.TryGetValue(channel, out var queue) || !queue.TryDequeue(out var next)) return Results.Ok();
        sent[next.CommandUuid] = next;
        return Results.Bytes(next.Encode(), "application/xml");
    }

    /// <summary>NotNow commands go back to the front of the queue when the channel starts a new session.</summary>
    void Requeue(string channel)
    {
        if (!deferred.TryRemove(channel, out var waiting)) return;
        var queue = queues.GetOrAdd(channel, _ => new());
        var rest = queue.ToArray();
        queue.Clear();
        foreach (var command in waiting.Concat(rest)) queue.Enqueue(command);
    }

    async Task<(byte[] Body, string? Signer)> ReadAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var header = request.Headers[MdmSignature.HeaderName].ToString();
        if (header.Length == 0) return (body, null);
        var result = MdmSignature.Verify(header, body);
        Signatures.Enqueue(result);
        return (body, result.SignerThumbprintSha256);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
