namespace ManagedDistribution.Features.Mail.Smtp;

/// <summary>
/// The SMTP DATA transparency rule (RFC 5321 §4.5.2): a line that starts with "." gets a second
/// one, and the message ends with <c>CRLF . CRLF</c>. Pure.
/// </summary>
static class DotStuffing
{
    public static byte[] Encode(ReadOnlySpan<byte> content)
    {
        var output = new List<byte>(content.Length + 64);
        var atLineStart = true;
        foreach (var b in content)
        {
            if (atLineStart && b == (byte)'.') output.Add((byte)'.');
            output.Add(b);
            atLineStart = b == (byte)'\n';
        }
        if (!atLineStart) output.AddRange("\r\n"u8);
        output.AddRange(".\r\n"u8);
        return [.. output];
    }
}
