using ManagedDistribution.Features.Mail;
using ManagedDistribution.Features.Mail.SendGrid;
using ManagedDistribution.Tests.Features.AppsAndBooks;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Answer = ManagedDistribution.Tests.Features.Mail.SendGridCapture.Answer;

namespace ManagedDistribution.Tests.Features.Mail;

/// <summary>The SendGrid provider against a local capture of the v3 Mail Send endpoint.</summary>
public sealed class SendGridSenderTests : IAsyncLifetime
{
    readonly CapturingLoggerProvider logs = new();
    readonly TestTimeProvider time = new();
    readonly HttpClient http = new();
    SendGridCapture capture = null!;

    public async ValueTask InitializeAsync() => capture = await SendGridCapture.StartAsync();

    SendGridSender NewSender(string apiKey = SendGridCapture.ApiKey, int maxRetries = 3) =>
        new(http, MailTestData.Options(o =>
        {
            o.Provider = MailProvider.SendGrid;
            o.SendGrid.BaseUrl = capture.BaseUrl;
            o.SendGrid.ApiKey = apiKey;
            o.SendGrid.MaxRetries = maxRetries;
            o.SendGrid.RetryBaseDelay = TimeSpan.FromMilliseconds(200);
            o.SendGrid.MaxRetryDelay = TimeSpan.FromSeconds(30);
        }), time, logs.CreateLogger(nameof(SendGridSender)));

    [Fact]
    public async Task PostsTheV3JsonWithTheBearerKeyAndTakes202AsSent()
    {
        var id = MailTestData.NewId();

        var result = await NewSender().SendAsync(MailTestData.Message(id: id), TestContext.Current.CancellationToken);

        Assert.Equal(new MailResult.Sent(id), result);
        var request = Assert.Single(capture.Requests);
        Assert.Equal("Bearer " + SendGridCapture.ApiKey, request.Authorization);
        Assert.StartsWith("application/json", request.ContentType);
        var body = request.Body;
        var to = body.GetProperty("personalizations")[0].GetProperty("to")[0];
        Assert.Equal(("jeroen.vanderwiel@example.nl", "Jeroen van der Wiel-Ørsted"), (to.GetProperty("email").GetString(), to.GetProperty("name").GetString()));
        Assert.Equal("uitnodigingen@gemeente.example", body.GetProperty("from").GetProperty("email").GetString());
        Assert.Equal("Gemeente Ødegård", body.GetProperty("from").GetProperty("name").GetString());
        Assert.Equal(MailTestData.Subject, body.GetProperty("subject").GetString());
        Assert.Equal(
            [("text/plain", MailTestData.TextBody), ("text/html", MailTestData.HtmlBody)],
            body.GetProperty("content").EnumerateArray().Select(c => (c.GetProperty("type").GetString(), c.GetProperty("value").GetString())));
        Assert.Equal($"<{id}@gemeente.example>", body.GetProperty("headers").GetProperty("Message-ID").GetString());
        Assert.Equal("voorjaar 2026", body.GetProperty("headers").GetProperty("X-Campaign").GetString());
        Assert.Equal(id, body.GetProperty("custom_args").GetProperty("message_id").GetString());
    }

    [Fact]
    public async Task A429IsRetriedAfterItsRetryAfter()
    {
        capture.Then(new Answer(429, SendGridCapture.Errors("too many requests", null), RetryAfter: "7"));

        Assert.IsType<MailResult.Sent>(await NewSender().SendAsync(MailTestData.Message(), TestContext.Current.CancellationToken));

        Assert.Equal(2, capture.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(7)], time.RequestedDelays);
    }

    [Fact]
    public async Task ServerErrorsAreRetriedWithGrowingBackOffThenLeftForLater()
    {
        capture.Then(new Answer(500), new Answer(503), new Answer(502, "Bad gateway"));

        var retry = Assert.IsType<MailResult.RetryLater>(await NewSender(maxRetries: 2).SendAsync(MailTestData.Message(), TestContext.Current.CancellationToken));

        Assert.Equal(3, capture.Requests.Count);
        Assert.Equal("SendGrid 502: Bad gateway", retry.Reason);
        var delays = time.RequestedDelays;
        Assert.Equal(2, delays.Count);
        Assert.InRange(delays[0], TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
        Assert.InRange(delays[1], TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public async Task ARetryAfterBeyondTheLimitIsHandedBackToTheCaller()
    {
        capture.Then(new Answer(429, RetryAfter: "3600"));

        var retry = Assert.IsType<MailResult.RetryLater>(await NewSender().SendAsync(MailTestData.Message(), TestContext.Current.CancellationToken));

        Assert.Equal(TimeSpan.FromHours(1), retry.After);
        Assert.Single(capture.Requests);
        Assert.Empty(time.RequestedDelays);
    }

    [Fact]
    public async Task OtherClientErrorsArePermanentWithSendGridsErrorText()
    {
        capture.Then(new Answer(400, SendGridCapture.Errors("Does not contain a valid address.", "personalizations.0.to.0.email")));

        var failed = Assert.IsType<MailResult.Failed>(await NewSender().SendAsync(MailTestData.Message(), TestContext.Current.CancellationToken));

        Assert.Equal("SendGrid 400: Does not contain a valid address. (personalizations.0.to.0.email)", failed.Reason);
        Assert.Single(capture.Requests);
    }

    [Fact]
    public async Task AWrongKeyIsPermanentAndNeitherKeyNorBodyIsLogged()
    {
        const string wrongKey = "SG.wrong-key-that-must-not-be-logged";

        var failed = Assert.IsType<MailResult.Failed>(await NewSender(wrongKey).SendAsync(MailTestData.Message(), TestContext.Current.CancellationToken));

        Assert.StartsWith("SendGrid 401: The provided authorization grant is invalid", failed.Reason);
        Assert.NotEmpty(logs.Entries);
        Assert.DoesNotContain(logs.Entries, e => e.AllText.Contains(wrongKey) || e.AllText.Contains("SG.test-key") || e.AllText.Contains("Klik op de link"));
    }

    [Fact]
    public async Task AnUnresolvedKeyVaultReferenceFailsWithoutCallingSendGrid()
    {
        var sender = NewSender("@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/sendgrid-api-key/)");

        var failed = Assert.IsType<MailResult.Failed>(await sender.SendAsync(MailTestData.Message(), TestContext.Current.CancellationToken));

        Assert.Contains("unresolved Key Vault reference", failed.Reason);
        Assert.Empty(capture.Requests);
    }

    [Fact]
    public async Task SendManyPostsEachMessageOnce()
    {
        capture.Then(new Answer(500));
        var messages = Enumerable.Range(0, 20).Select(i => MailTestData.Message($"user{i}@example.nl", $"many-{i}")).ToList();

        var results = await NewSender().SendManyAsync(messages, 4, TestContext.Current.CancellationToken);

        Assert.All(results, r => Assert.IsType<MailResult.Sent>(r));
        Assert.Equal(21, capture.Requests.Count);
        Assert.Equal(20, capture.Requests.Select(r => r.Body.GetProperty("custom_args").GetProperty("message_id").GetString()).Distinct().Count());
    }

    public async ValueTask DisposeAsync()
    {
        await capture.DisposeAsync();
        http.Dispose();
        logs.Dispose();
    }
}
