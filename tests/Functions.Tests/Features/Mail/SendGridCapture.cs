using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Tests.Features.Mail;

/// <summary>
/// A stand-in for SendGrid's <c>POST /v3/mail/send</c> on a real local port: checks the bearer
/// key and the JSON shape as SendGrid does (401/400 with an <c>errors</c> body), records every
/// request, answers 202, or the next scripted answer (429 with Retry-After, 500 …).
/// </summary>
sealed class SendGridCapture : IAsyncDisposable
{
    public const string ApiKey = "SG.test-key.0123456789abcdefghijklmnopqrstuvwxyz";

    readonly WebApplication app;
    readonly ConcurrentQueue<Answer> script = new();

    SendGridCapture(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = null!;
    public ConcurrentQueue<Captured> Requests { get; } = new();

    public sealed record Answer(int Status, string? Body = null, string? RetryAfter = null);
    public sealed record Captured(string? Authorization, string? ContentType, JsonElement Body);

    public static async Task<SendGridCapture> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var capture = new SendGridCapture(app);
        app.MapPost("/v3/mail/send", capture.MailSendAsync);
        await app.StartAsync();
        capture.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");
        return capture;
    }

    /// <summary>The next requests get these answers, in order; after them, 202 again.</summary>
    public void Then(params Answer[] answers)
    {
        foreach (var answer in answers) script.Enqueue(answer);
    }

    async Task MailSendAsync(HttpContext context)
    {
        using var document = await JsonDocument.ParseAsync(context.Request.Body);
        var body = document.RootElement.Clone();
        Requests.Enqueue(new Captured(context.Request.Headers.Authorization, context.Request.ContentType, body));
        var answer = context.Request.Headers.Authorization != "Bearer " + ApiKey
            ? new Answer(401, Errors("The provided authorization grant is invalid, expired, or revoked", null))
            : ShapeProblem(body) is { } problem
                ? new Answer(400, Errors(problem.Message, problem.Field))
                : script.TryDequeue(out var scripted) ? scripted : new Answer(202);
        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfter is not null) context.Response.Headers.RetryAfter = answer.RetryAfter;
        if (answer.Body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer.Body);
        }
    }

    /// <summary>The checks SendGrid makes that our payload could get wrong.</summary>
    static (string Message, string Field)? ShapeProblem(JsonElement body)
    {
        if (!body.TryGetProperty("personalizations", out var p) || p.GetArrayLength() == 0
            || !p[0].TryGetProperty("to", out var to) || to.GetArrayLength() == 0 || !to[0].TryGetProperty("email", out _))
            return ("The personalizations field is required and must have at least one personalization.", "personalizations");
        if (!body.TryGetProperty("from", out var from) || !from.TryGetProperty("email", out _))
            return ("The from object must be provided for every email send.", "from");
        if (!body.TryGetProperty("subject", out var subject) || subject.GetString() is not { Length: > 0 })
            return ("The subject is required.", "subject");
        if (!body.TryGetProperty("content", out var content) || content.GetArrayLength() == 0
            || content[0].GetProperty("type").GetString() != "text/plain")
            return ("If present, text/plain content must be first, followed by text/html.", "content");
        return null;
    }

    public static string Errors(string message, string? field) =>
        JsonSerializer.Serialize(new { errors = new[] { new { message, field, help = (string?)null } } });

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
