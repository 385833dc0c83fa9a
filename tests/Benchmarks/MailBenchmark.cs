using System.Diagnostics;
using ManagedDistribution.Features.Mail;
using ManagedDistribution.Features.Mail.Mime;
using ManagedDistribution.Features.Mail.Pickup;
using ManagedDistribution.Features.Mail.Templates;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// Invitation mails/s through the mail layer without storage: rendering the Dutch template plus
/// the MIME message (CPU only), and the pickup provider writing one .eml per message (temp file +
/// rename) to a temporary folder. Options: <c>--count 20000 --parallel 8</c>. The campaign target
/// is ≥ 5,000 invitations/s end to end (DESIGN.md §5); mail must not be the bottleneck.
/// </summary>
public static class MailBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = BenchmarkOptions.Int(args, "--count", 20_000);
        var parallel = BenchmarkOptions.Int(args, "--parallel", 8);
        var templates = new MailTemplates(directory: null);
        var from = new Mailbox("uitnodigingen@gemeente.example", "Gemeente Ødegård");
        var messages = Enumerable.Range(0, count).Select(i => templates
            .RenderInvitation(new InvitationMailModel("Gemeente Ødegård", $"Gebruiker {i} van der Wiel", new Uri($"https://vpp.itunes.apple.com/invitation/{i:x8}"), "nl-NL"))
            .To(new Mailbox($"user{i}@example.nl", $"Gebruiker {i}"), $"invitation-bench-{i}")).ToList();

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var model = new InvitationMailModel("Gemeente Ødegård", $"Gebruiker {i}", new Uri($"https://vpp.itunes.apple.com/invitation/{i:x8}"), "nl-NL");
            var message = templates.RenderInvitation(model).To(new Mailbox($"user{i}@example.nl"), $"id-{i}");
            MimeWriter.Write(message, from, MessageRules.MessageIdHeader($"id-{i}", from), DateTimeOffset.UtcNow);
        }
        Report.Line("mail: render template + MIME, one thread", count / clock.Elapsed.TotalSeconds, "mails/s");

        var folder = Directory.CreateTempSubdirectory("md-mail-benchmark-").FullName;
        try
        {
            var sender = new PickupSender(Options.Create(new MailOptions { From = from.Address, FromName = from.DisplayName, PickupDirectory = folder }),
                new HostingEnvironment { ContentRootPath = folder }, TimeProvider.System, NullLogger<PickupSender>.Instance);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Restart();
            var results = await sender.SendManyAsync(messages, parallel);
            var rate = count / clock.Elapsed.TotalSeconds;
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var sent = results.Count(r => r is MailResult.Sent);
            Report.Line($"mail: pickup .eml files, {parallel} in flight", rate, "mails/s", $"({sent:N0}/{count:N0} written; campaign target >= 5,000/s)");
            // The machine is often shared; CPU per mail says what an idle machine would do.
            Report.Line("mail: pickup CPU per mail (MIME + write + rename)", cpu.TotalMicroseconds / count, "µs",
                $"(CPU-bound ceiling ~{count / cpu.TotalSeconds * Environment.ProcessorCount:N0} mails/s on {Environment.ProcessorCount} cores)");
            return sent == count ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
