using ManagedDistribution.Features.Mail;
using ManagedDistribution.Features.Mail.Pickup;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace ManagedDistribution.Tests.Features.Mail;

public sealed class PickupSenderTests : IDisposable
{
    readonly string contentRoot = System.IO.Directory.CreateTempSubdirectory("md-pickup-").FullName;

    PickupSender NewSender(Action<MailOptions>? configure = null) =>
        new(MailTestData.Options(configure), new HostingEnvironment { ContentRootPath = contentRoot }, TimeProvider.System, NullLogger<PickupSender>.Instance);

    [Fact]
    public async Task WritesAnEmlThatPythonsEmailPackageReadsBack()
    {
        var sender = NewSender();
        var id = MailTestData.NewId();

        var result = await sender.SendAsync(MailTestData.Message(id: id), TestContext.Current.CancellationToken);

        Assert.Equal(new MailResult.Sent(id), result);
        Assert.Equal(Path.Combine(contentRoot, ".data", "mail-pickup", id + ".eml"), sender.PathFor(id));
        var mail = PythonMailTools.ParseEml(sender.PathFor(id));
        Assert.Empty(mail.Defects);
        Assert.Equal(MailTestData.Subject, mail.Headers["Subject"]);
        Assert.StartsWith("=?utf-8?B?", mail.RawHeaders["Subject"]);
        Assert.Equal("Gemeente Ødegård <uitnodigingen@gemeente.example>", mail.Headers["From"]);
        Assert.Equal("Jeroen van der Wiel-Ørsted <jeroen.vanderwiel@example.nl>", mail.Headers["To"]);
        Assert.Equal($"<{id}@gemeente.example>", mail.Headers["Message-ID"]);
        Assert.Equal("voorjaar 2026", mail.Headers["X-Campaign"]);
        Assert.Equal("1.0", mail.Headers["MIME-Version"]);
        Assert.True(DateTimeOffset.TryParse(mail.Headers["Date"], out _), mail.Headers["Date"]);
        Assert.Equal("multipart/alternative", mail.ContentType);
        Assert.Equal(["text/plain", "text/html"], mail.Parts.Select(p => p.ContentType));
        Assert.All(mail.Parts, p => Assert.Equal(("utf-8", "quoted-printable"), (p.Charset, p.TransferEncoding)));
        Assert.Equal(MailTestData.TextBody, mail.Part("text/plain").Lf.TrimEnd('\n'));
        Assert.Equal(MailTestData.HtmlBody, mail.Part("text/html").Lf.TrimEnd('\n'));
        Assert.True(mail.Ascii && mail.OnlyCrlf, "7-bit with CRLF line ends");
        Assert.InRange(mail.MaxLineLength, 1, 78);
    }

    [Fact]
    public async Task ResendingAMessageIdReplacesItsFileAtomically()
    {
        var sender = NewSender();
        var id = MailTestData.NewId();
        await sender.SendAsync(MailTestData.Message(id: id), TestContext.Current.CancellationToken);

        var second = MailTestData.Message(id: id) with { Subject = "Tweede versie" };
        Assert.IsType<MailResult.Sent>(await sender.SendAsync(second, TestContext.Current.CancellationToken));

        Assert.Equal([id + ".eml"], System.IO.Directory.EnumerateFileSystemEntries(sender.Directory).Select(Path.GetFileName));
        Assert.Equal("Tweede versie", PythonMailTools.ParseEml(sender.PathFor(id)).Headers["Subject"]);
    }

    [Fact]
    public async Task WithoutAnIdEverySendIsANewFile()
    {
        var sender = NewSender(o => o.PickupDirectory = Path.Combine(contentRoot, "absolute"));
        var first = Assert.IsType<MailResult.Sent>(await sender.SendAsync(MailTestData.Message(), TestContext.Current.CancellationToken));
        var second = Assert.IsType<MailResult.Sent>(await sender.SendAsync(MailTestData.Message(), TestContext.Current.CancellationToken));

        Assert.NotEqual(first.MessageId, second.MessageId);
        Assert.Equal(2, System.IO.Directory.GetFiles(Path.Combine(contentRoot, "absolute"), "*.eml").Length);
    }

    [Fact]
    public async Task SendManyWritesEveryMessageInOrder()
    {
        var sender = NewSender();
        var messages = Enumerable.Range(0, 40).Select(i => MailTestData.Message(id: $"batch-{i}")).ToList();

        var results = await sender.SendManyAsync(messages, maxParallel: 8, TestContext.Current.CancellationToken);

        Assert.Equal(messages.Select(m => (MailResult)new MailResult.Sent(m.MessageId!)), results);
        Assert.Equal(40, System.IO.Directory.GetFiles(sender.Directory, "*.eml").Length);
    }

    [Theory]
    [InlineData("not-an-address", null, "recipient")]
    [InlineData("jeroen@example.nl", "../escape", "Message id")]
    [InlineData("jørgen@example.nl", null, "recipient")]
    public async Task InvalidMessagesFailWithoutWritingAnything(string to, string? id, string reason)
    {
        var sender = NewSender();
        var failed = Assert.IsType<MailResult.Failed>(await sender.SendAsync(MailTestData.Message(to, id), TestContext.Current.CancellationToken));
        Assert.Contains(reason, failed.Reason);
        Assert.False(System.IO.Directory.Exists(sender.Directory) && System.IO.Directory.EnumerateFileSystemEntries(sender.Directory).Any());
    }

    [Fact]
    public async Task StructuralHeadersCannotBeOverridden()
    {
        var message = MailTestData.Message() with { Headers = new Dictionary<string, string> { ["bcc"] = "spy@example.org" } };
        var failed = Assert.IsType<MailResult.Failed>(await NewSender().SendAsync(message, TestContext.Current.CancellationToken));
        Assert.Contains("bcc", failed.Reason);
    }

    public void Dispose() => System.IO.Directory.Delete(contentRoot, recursive: true);
}
