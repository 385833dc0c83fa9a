using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace ManagedDistribution.Tests.Features.Mail;

/// <summary>
/// A real SMTP server (aiosmtpd, run by smtp_server.py) on a free 127.0.0.1 port, saving what it
/// accepts to a temporary folder. Optional STARTTLS (PEM certificate and key) and AUTH. Stops when
/// disposed (its stdin closes; it is killed if it lingers).
/// </summary>
sealed class SmtpTestServer : IAsyncDisposable
{
    readonly Process process;

    SmtpTestServer(Process process, string folder, int port)
    {
        this.process = process;
        Folder = folder;
        Port = port;
    }

    public string Folder { get; }
    public int Port { get; }

    public static async Task<SmtpTestServer> StartAsync(TlsFiles? tls = null, bool requireTls = false, string? auth = null)
    {
        var folder = System.IO.Directory.CreateTempSubdirectory("md-smtp-").FullName;
        var arguments = new List<string> { folder };
        if (tls is not null) arguments.AddRange(["--cert", tls.CertificatePath, "--key", tls.KeyPath]);
        if (requireTls) arguments.Add("--require-tls");
        if (auth is not null) arguments.AddRange(["--auth", auth]);
        var process = Process.Start(PythonMailTools.StartInfo(PythonMailTools.Script("smtp_server.py"), [.. arguments]))!;
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("READY ", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            string output;
            lock (errors) output = errors.ToString();
            throw new InvalidOperationException(
                "The test SMTP server did not start (python3-aiosmtpd is installed by scripts/test.sh; " +
                $"or apt-get install python3-aiosmtpd). Its output: {line}\n{output}");
        }
        return new SmtpTestServer(process, folder, int.Parse(line["READY ".Length..]));
    }

    /// <summary>The accepted messages in order of arrival (complete ones only).</summary>
    public IReadOnlyList<ReceivedMail> Received =>
        System.IO.Directory.EnumerateFiles(Folder, "*.json")
            .Select(path => (Number: int.Parse(Path.GetFileNameWithoutExtension(path)), Path: path))
            .OrderBy(f => f.Number)
            .Select(f => new ReceivedMail(
                JsonSerializer.Deserialize<Envelope>(File.ReadAllText(f.Path), new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!,
                Path.ChangeExtension(f.Path, ".eml")))
            .ToList();

    public async ValueTask DisposeAsync()
    {
        try
        {
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            process.Kill(entireProcessTree: true);
        }
        process.Dispose();
        try { System.IO.Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    public sealed record Envelope(string MailFrom, List<string> RcptTos, bool Tls, string? Login, int PeerPort);

    public sealed record ReceivedMail(Envelope Envelope, string EmlPath)
    {
        public ParsedMail Parse() => PythonMailTools.ParseEml(EmlPath);
    }
}

/// <summary>A TLS server certificate and key as PEM files, plus the CA that issued them.</summary>
sealed record TlsFiles(string CertificatePath, string KeyPath, string CaPath);
