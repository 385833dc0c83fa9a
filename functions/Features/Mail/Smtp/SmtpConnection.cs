using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace ManagedDistribution.Features.Mail.Smtp;

/// <summary>
/// One SMTP connection: CRLF lines and multi-line replies over a socket that STARTTLS can upgrade
/// in place. Each command waits for its reply within the configured timeout. Knows nothing about
/// the mail dialogue beyond that; see <see cref="SmtpHandshake"/> and <see cref="SmtpSession"/>.
/// </summary>
sealed class SmtpConnection : IAsyncDisposable
{
    const int MaxLineLength = 4096; // RFC 5321 §4.5.3.1.5 allows 512; servers' text can be longer.

    readonly TcpClient tcp;
    readonly TimeSpan timeout;
    readonly byte[] buffer = new byte[MaxLineLength * 2];
    Stream stream;
    int start, end;

    SmtpConnection(TcpClient tcp, TimeSpan timeout)
    {
        this.tcp = tcp;
        this.timeout = timeout;
        stream = tcp.GetStream();
    }

    public bool IsEncrypted => stream is SslStream;

    public static async Task<SmtpConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            using var timer = Timer(timeout, cancellationToken);
            await tcp.ConnectAsync(host, port, timer.Token);
            return new SmtpConnection(tcp, timeout);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command line (never logged: AUTH lines carry credentials) and reads the reply.</summary>
    public async Task<SmtpReply> CommandAsync(string command, CancellationToken cancellationToken)
    {
        using var timer = Timer(timeout, cancellationToken);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), timer.Token);
        await stream.FlushAsync(timer.Token);
        return await ReadReplyCoreAsync(timer.Token);
    }

    public async Task<SmtpReply> ReadReplyAsync(CancellationToken cancellationToken)
    {
        using var timer = Timer(timeout, cancellationToken);
        return await ReadReplyCoreAsync(timer.Token);
    }

    /// <summary>Sends a message after DATA's 354: dot-stuffed (RFC 5321 §4.5.2), ended by <c>CRLF.CRLF</c>.</summary>
    public async Task<SmtpReply> SendDataAsync(byte[] content, CancellationToken cancellationToken)
    {
        using var timer = Timer(timeout, cancellationToken);
        await stream.WriteAsync(DotStuffing.Encode(content), timer.Token);
        await stream.FlushAsync(timer.Token);
        return await ReadReplyCoreAsync(timer.Token);
    }

    /// <summary>Upgrades to TLS after the server's 220 to STARTTLS.</summary>
    public async Task StartTlsAsync(SslClientAuthenticationOptions tls, CancellationToken cancellationToken)
    {
        // Anything the server sent after its 220 arrived in clear text and could have been injected
        // by a man in the middle (the STARTTLS command-injection attacks): refuse rather than use it.
        if (start != end) throw SmtpRefusedException.Permanent("SMTP server sent data after agreeing to STARTTLS.");
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        using var timer = Timer(timeout, cancellationToken);
        await ssl.AuthenticateAsClientAsync(tls, timer.Token);
        stream = ssl;
    }

    async Task<SmtpReply> ReadReplyCoreAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), out var code) || (line.Length > 3 && line[3] is not (' ' or '-')))
                throw new IOException("Malformed SMTP reply line.");
            lines.Add(line.Length > 4 ? line[4..] : "");
            if (line.Length == 3 || line[3] == ' ') return new SmtpReply(code, lines);
        }
    }

    async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            if (newline >= 0)
            {
                var length = newline - start;
                if (length > 0 && buffer[newline - 1] == '\r') length--;
                var line = Encoding.UTF8.GetString(buffer, start, length);
                start = newline + 1;
                return line;
            }
            if (end - start >= MaxLineLength) throw new IOException("SMTP reply line too long.");
            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
            if (read == 0) throw new IOException("The SMTP server closed the connection.");
            end += read;
        }
    }

    static CancellationTokenSource Timer(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        return timer;
    }

    public async ValueTask DisposeAsync()
    {
        await stream.DisposeAsync();
        tcp.Dispose();
    }
}
