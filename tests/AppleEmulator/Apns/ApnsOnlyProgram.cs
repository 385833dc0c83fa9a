using ManagedDistribution.AppleEmulator.Certificates;

namespace ManagedDistribution.AppleEmulator.Apns;

/// <summary>
/// <c>AppleEmulator --apns-only [--Emulator:ApnsPort=…] [--Emulator:CertificateFolder=…]</c>: just the
/// APNs endpoint, e.g. in its own process for the push benchmark. Prints one line
/// <c>APNs emulator listening on &lt;url&gt; …</c> once ready; runs until Ctrl+C or the process is killed.
/// </summary>
public static class ApnsOnlyProgram
{
    public const string Flag = "--apns-only";
    public const string ReadyLinePrefix = "APNs emulator listening on ";

    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(args.Where(a => a != Flag).ToArray()).Build();
        var options = configuration.GetSection(EmulatorOptions.SectionName).Get<EmulatorOptions>() ?? new();
        var folder = TestPkiFolder.LoadOrCreate(options.CertificateFolder ?? Path.Combine(Path.GetTempPath(), "md-emulator-certificates"));
        await using var apns = await ApnsEmulator.StartAsync(options, folder.Pki);
        Console.WriteLine($"{ReadyLinePrefix}{apns.BaseUrl} topic={folder.Pki.PushTopic} certificates={folder.Path}");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        await stop.Task;
        return 0;
    }
}
