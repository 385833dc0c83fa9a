using System.Net;
using System.Security.Authentication;
using ManagedDistribution.AppleEmulator.Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace ManagedDistribution.AppleEmulator.Apns;

/// <summary>
/// The emulated APNs: its own Kestrel listener on 127.0.0.1, HTTP/2 only, TLS with the emulator's
/// server certificate, a client certificate required (checked per request against the push CA,
/// 403 BadCertificate otherwise, as APNs answers a revoked or foreign certificate).
/// </summary>
public sealed class ApnsEmulator : IAsyncDisposable
{
    readonly WebApplication app;

    ApnsEmulator(WebApplication app, ApnsRegistry registry, int port)
    {
        this.app = app;
        Registry = registry;
        Port = port;
    }

    public ApnsRegistry Registry { get; }
    public int Port { get; }

    /// <summary>The base URL to configure as the app's <c>Apns:BaseUrl</c>.</summary>
    public Uri BaseUrl => new($"https://127.0.0.1:{Port}/");

    public static async Task<ApnsEmulator> StartAsync(EmulatorOptions options, TestPki pki, TimeProvider? timeProvider = null)
    {
        var registry = new ApnsRegistry(timeProvider ?? TimeProvider.System, options.ApnsLogCapacity);
        var handler = new ApnsRequestHandler(registry, new ClientCertificateCheck(pki.PushCa));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        // Per-request logging would cost more than the request itself under benchmark load.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.Http2.MaxStreamsPerConnection = options.ApnsMaxStreamsPerConnection;
            kestrel.Listen(IPAddress.Loopback, options.ApnsPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = pki.ServerCertificate,
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    // Accept any certificate at TLS; the handler answers 403 BadCertificate like APNs.
                    ClientCertificateValidation = (_, _, _) => true,
                });
            });
        });
        var app = builder.Build();
        app.Run(handler.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ApnsEmulator(app, registry, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
