using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace ManagedDistribution.Tests.Features.Mail;

/// <summary>
/// Runs the Python helpers next to these tests with Debian's interpreter (which sees
/// python3-aiosmtpd, installed by scripts/test.sh): the SMTP server and an independent .eml parser.
/// </summary>
static class PythonMailTools
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>/usr/bin/python3 where it exists: a pyenv or venv python3 on PATH would not see Debian's packages.</summary>
    public static string Interpreter { get; } = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Features", "Mail", name);

    /// <summary>Parses an .eml file with Python's email package.</summary>
    public static ParsedMail ParseEml(string path)
    {
        using var process = Process.Start(StartInfo(Script("eml_to_json.py"), path))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"eml_to_json.py failed on {path}: {stderr.Result}");
        return JsonSerializer.Deserialize<ParsedMail>(stdout, Json)!;
    }

    public static ProcessStartInfo StartInfo(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        return info;
    }
}

/// <summary>What Python's email package made of a message (see eml_to_json.py).</summary>
sealed record ParsedMail(
    Dictionary<string, string> Headers,
    Dictionary<string, string> RawHeaders,
    string ContentType,
    List<string> Defects,
    List<ParsedPart> Parts,
    int MaxLineLength,
    bool OnlyCrlf,
    bool Ascii)
{
    public ParsedPart Part(string contentType) => Parts.Single(p => p.ContentType == contentType);
}

sealed record ParsedPart(string ContentType, string? Charset, string? TransferEncoding, string Text, List<string> Defects)
{
    /// <summary>The text with CRLF/LF line ends folded to LF, as tests write their expectations.</summary>
    public string Lf => Text.ReplaceLineEndings("\n");
}
