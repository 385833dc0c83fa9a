using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using ManagedDistribution.Features.Mail.Mime;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Mail.SendGrid;

/// <summary>
/// Sends through the SendGrid v3 Mail Send API (<c>POST {BaseUrl}v3/mail/send</c>, bearer API
/// key). 202 is success; 429 and 5xx are retried with jittered exponential back-off that honours
/// Retry-After (or X-RateLimit-Reset); any other 4xx is permanent, with SendGrid's error text.
/// </summary>
sealed class SendGridSender : IMailSender
{
    const string ProviderName = nameof(MailProvider.SendGrid);
    static readonly MediaTypeHeaderValue Json = new("application/json");

    readonly HttpClient http;
    readonly MailOptions mailOptions;
    readonly SendGridOptions options;
    readonly Mailbox from;
    readonly Uri endpoint;
    readonly TimeProvider timeProvider;
    readonly ILogger logger;

    public SendGridSender(HttpClient http, IOptions<MailOptions> options, TimeProvider timeProvider, ILogger logger)
    {
        this.http = http;
        mailOptions = options.Value;
        this.options = mailOptions.SendGrid;
        from = new Mailbox(mailOptions.From, mailOptions.FromName);
        endpoint = new Uri(this.options.BaseUrl, "v3/mail/send");
        this.timeProvider = timeProvider;
        this.logger = logger;
    }

    public async Task<MailResult> SendAsync(MailMessage message, CancellationToken cancellationToken = default)
    {
        if (MessageRules.Problem(message) is { } problem) return new MailResult.Failed(problem);
        var id = MessageRules.IdFor(message);
        if (KeyProblem() is { } keyProblem) return MailLog.Outcome(logger, ProviderName, id, message, new MailResult.Failed(keyProblem));
        var body = SendGridPayload.Serialize(message, from, id, MessageRules.MessageIdHeader(id, from));
        for (var attempt = 0; ; attempt++)
        {
            var result = await SendOnceAsync(body, id, cancellationToken);
            if (result is not MailResult.RetryLater retry || attempt >= options.MaxRetries || !TryDelay(retry, attempt, out var delay))
                return MailLog.Outcome(logger, ProviderName, id, message, result);
            MailLog.Retrying(logger, ProviderName, id, retry.Reason, attempt + 1, delay);
            await Task.Delay(delay, timeProvider, cancellationToken);
        }
    }

    public Task<IReadOnlyList<MailResult>> SendManyAsync(IReadOnlyList<MailMessage> messages, int? maxParallel = null,
        CancellationToken cancellationToken = default) =>
        MailBatch.SendManyAsync(messages, maxParallel ?? mailOptions.MaxParallel, () => MailBatch.Stateless(SendAsync), cancellationToken);

    async Task<MailResult> SendOnceAsync(byte[] body, string id, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = Json } },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(options.RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timer.Token);
            if (response.IsSuccessStatusCode) return new MailResult.Sent(id);
            var status = (int)response.StatusCode;
            var reason = $"SendGrid {status}: {SendGridPayload.ErrorText(await response.Content.ReadAsByteArrayAsync(timer.Token))}";
            return status == (int)HttpStatusCode.TooManyRequests || status >= 500
                ? new MailResult.RetryLater(reason, RetryAfterOf(response))
                : new MailResult.Failed(reason);
        }
        catch (HttpRequestException e)
        {
            return new MailResult.RetryLater($"SendGrid unreachable: {e.HttpRequestError} {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new MailResult.RetryLater($"SendGrid did not answer within {options.RequestTimeout}");
        }
    }

    TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var now = timeProvider.GetUtcNow();
        switch (response.Headers.RetryAfter)
        {
            case { Delta: { } delta }: return delta;
            case { Date: { } date }: return date > now ? date - now : TimeSpan.Zero;
        }
        // SendGrid's rate-limit answers carry the reset time as Unix seconds.
        return response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
               && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var reset)
            ? TimeSpan.FromSeconds(Math.Max(0, reset - now.ToUnixTimeSeconds()))
            : null;
    }

    bool TryDelay(MailResult.RetryLater retry, int attempt, out TimeSpan delay)
    {
        var backOff = options.RetryBaseDelay * Math.Pow(2, attempt) * (0.5 + Random.Shared.NextDouble() / 2);
        delay = retry.After is { } after && after > backOff ? after : backOff;
        return delay <= options.MaxRetryDelay;
    }

    string? KeyProblem() => options.ApiKey switch
    {
        null or "" => "Mail:SendGrid:ApiKey is not set.",
        // App Service passes an unresolved Key Vault reference through as the literal text.
        var key when key.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase) =>
            "Mail:SendGrid:ApiKey is an unresolved Key Vault reference: check the secret exists and the app's identity can read it.",
        _ => null,
    };
}
