using System.Text.Json;
using System.Threading.Channels;
using ManagedDistribution.Features.AppsAndBooks.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Tests.Features.AppsAndBooks;

/// <summary>A small HTTP server on 127.0.0.1 standing in for our notification endpoint.</summary>
internal sealed class NotificationListener : IAsyncDisposable
{
    public sealed record Received(string? Authorization, AppsAndBooksNotification Notification);

    readonly WebApplication app;
    readonly Channel<Received> received = Channel.CreateUnbounded<Received>();

    NotificationListener(WebApplication app) => this.app = app;

    /// <summary>Status the listener answers with; set to 500 to make Apple's test delivery fail.</summary>
    public int ResponseStatus { get; set; } = 200;

    public Uri Url { get; private set; } = null!;

    public static async Task<NotificationListener> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var listener = new NotificationListener(builder.Build());
        listener.app.MapPost("/api/apple/notifications", async (HttpRequest request) =>
        {
            var notification = await JsonSerializer.DeserializeAsync(request.Body, AppsAndBooksJson.Default.AppsAndBooksNotification);
            await listener.received.Writer.WriteAsync(new Received(request.Headers.Authorization.FirstOrDefault(), notification!));
            return Results.StatusCode(listener.ResponseStatus);
        });
        await listener.app.StartAsync();
        var address = listener.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        listener.Url = new Uri(address.TrimEnd('/') + "/api/apple/notifications");
        return listener;
    }

    /// <summary>The next notification of <paramref name="type"/>; earlier ones of other types are skipped.</summary>
    public async Task<Received> NextAsync(string type, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var item = await received.Reader.ReadAsync(timeout.Token);
            if (item.Notification.NotificationType == type) return item;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
