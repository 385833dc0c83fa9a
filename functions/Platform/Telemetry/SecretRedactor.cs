using System.Text.RegularExpressions;

namespace ManagedDistribution.Platform.Telemetry;

/// <summary>
/// Masks secrets in text bound for logs: bearer credentials, storage account keys and SAS
/// signatures, Apple sTokens, MDM push magic and unlock/bootstrap tokens (as <c>name=value</c>,
/// <c>"name": "value"</c> or plist <c>&lt;key&gt;name&lt;/key&gt;&lt;string|data&gt;</c>), and any
/// long base64 run. Applied to every log message, property and exception by
/// <see cref="RedactingLoggerFactory"/>; code should still not log secrets in the first place.
/// </summary>
public static partial class SecretRedactor
{
    public const string Mask = "***";

    /// <summary>True for property names whose values are secrets outright (<c>SToken</c>, <c>PushMagic</c>, <c>ApiKey</c>, ...).</summary>
    public static bool IsSecretName(string name) => SecretName().IsMatch(name);

    public static string Redact(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        text = PlistSecret().Replace(text, m => m.Groups["open"].Value + Mask + m.Groups["close"].Value);
        text = Bearer().Replace(text, m => m.Groups["scheme"].Value + Mask);
        text = NamedSecret().Replace(text, m => m.Groups["prefix"].Value + Mask);
        text = UnmistakableSecret().Replace(text, m => m.Groups["prefix"].Value + Mask);
        return LongBase64().Replace(text, Mask);
    }

    const string SecretNames =
        @"[A-Za-z_]*(?:token|magic|secret|password|passwd|apikey|api_key|accountkey|sharedaccesskey|sharedaccesssignature|connectionstring|authorization|sig)";

    [GeneratedRegex("^" + SecretNames + "s?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(?<scheme>\b(?:Bearer|Basic|SharedKey|SharedKeyLite)\s+)(?:[A-Za-z0-9_]+:)?[A-Za-z0-9\-._~+/]+=*",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Bearer();

    // name=value, name: value, "name": "value", name='value' (values end at a quote, separator or whitespace).
    [GeneratedRegex(@"(?<prefix>\b" + SecretNames + @"[""']?\s*[:=]\s*[""']?)(?!\*\*\*)[^\s""'<>;,&}\]]+",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NamedSecret();

    // Names that only ever precede a secret may be followed by a plain space ("sToken eyJ...").
    [GeneratedRegex(@"(?<prefix>\b(?:sToken|PushMagic|UnlockToken|BootstrapToken|AccountKey|ApiKey)s?\s+)(?!\*\*\*)[A-Za-z0-9+/=_\-.]{8,}",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UnmistakableSecret();

    [GeneratedRegex(@"(?<open><key>\s*(?:[A-Za-z]*Token|PushMagic|Challenge)\s*</key>\s*<(?<tag>string|data)>)[^<]*(?<close></\k<tag>>)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PlistSecret();

    [GeneratedRegex(@"[A-Za-z0-9+/_\-]{100,}={0,2}", RegexOptions.CultureInvariant)]
    private static partial Regex LongBase64();
}
