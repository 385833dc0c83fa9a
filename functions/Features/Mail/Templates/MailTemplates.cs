using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Mail.Templates;

/// <summary>
/// The mail texts: built-in templates (embedded, English and Dutch) that a folder
/// (<c>Mail:TemplateDirectory</c>, laid out <c>&lt;language&gt;/&lt;template&gt;.subject.txt|.txt|.html</c>)
/// can replace file by file or extend with languages. Files are read once and cached. Singleton.
/// </summary>
public sealed class MailTemplates
{
    public const string DefaultLanguage = "en";
    const string ResourcePrefix = "MailTemplates/";
    static readonly string[] Parts = ["subject.txt", "txt", "html"];
    static readonly Lazy<Dictionary<string, string>> BuiltIns = new(LoadBuiltIns);

    readonly string? directory;
    readonly ConcurrentDictionary<string, string?> cache = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<(string Language, string Part), CompiledTemplate> compiled = new();
    readonly ConcurrentDictionary<string, string> languages = new(StringComparer.Ordinal);

    public MailTemplates(IOptions<MailOptions> options, IHostEnvironment environment)
        : this(ResolveDirectory(options.Value.TemplateDirectory, environment.ContentRootPath)) { }

    /// <param name="directory">Override folder, or null for the built-in templates only.</param>
    public MailTemplates(string? directory) => this.directory = directory;

    /// <summary>Languages the built-in templates ship in.</summary>
    public static IReadOnlyList<string> BuiltInLanguages { get; } =
        BuiltIns.Value.Keys.Select(k => k.Split('/')[0]).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The template language for a user's preferred language (a BCP 47 tag such as <c>nl-BE</c>):
    /// the full tag if templates exist for it, else its primary language, else English.
    /// </summary>
    public string LanguageFor(string? preferredLanguage) =>
        preferredLanguage is null || languages.Count >= MaxCachedLanguages ? FindLanguage(preferredLanguage) : languages.GetOrAdd(preferredLanguage, FindLanguage);

    /// <summary>Preferred-language tags are user data: the cache of their template language stays bounded.</summary>
    const int MaxCachedLanguages = 1000;

    string FindLanguage(string? preferredLanguage)
    {
        var tag = (preferredLanguage ?? "").Split(',', ';')[0].Trim().Replace('_', '-').ToLowerInvariant();
        foreach (var candidate in new[] { tag, tag.Split('-')[0] })
            if (candidate.Length > 0 && IsSafeSegment(candidate) && Find(candidate, $"{InvitationMailModel.TemplateName}.subject.txt") is not null)
                return candidate;
        return DefaultLanguage;
    }

    /// <exception cref="KeyNotFoundException">A template uses a placeholder the model has no value for.</exception>
    public RenderedMail RenderInvitation(InvitationMailModel model)
    {
        var language = LanguageFor(model.PreferredLanguage);
        var values = model.Values;
        string Render(string part, bool html) =>
            compiled.GetOrAdd((language, part), key => TemplateRenderer.Compile(Load(key.Language, $"{InvitationMailModel.TemplateName}.{key.Part}")))
                .Render(values, html);
        return new RenderedMail(language, Render("subject.txt", html: false).Trim(), Render("txt", html: false), Render("html", html: true));
    }

    /// <summary>The template text for a language, falling back to the built-in English one.</summary>
    public string Load(string language, string file) =>
        Find(language, file) ?? Find(DefaultLanguage, file) ?? throw new FileNotFoundException($"No mail template {file}.");

    string? Find(string language, string file) => cache.GetOrAdd($"{language}/{file}", key =>
    {
        if (directory is not null && Path.Combine(directory, language, file) is var path && File.Exists(path))
            return File.ReadAllText(path);
        return BuiltIns.Value.GetValueOrDefault(key);
    });

    /// <summary>
    /// What is wrong with an override folder: unknown placeholders, or a language folder without
    /// all three parts of a template. Checked at startup by <see cref="MailOptionsValidator"/>.
    /// </summary>
    public static IEnumerable<string> ProblemsIn(string directory)
    {
        foreach (var languageFolder in System.IO.Directory.EnumerateDirectories(directory))
        {
            var language = Path.GetFileName(languageFolder);
            foreach (var part in Parts)
            {
                var file = Path.Combine(languageFolder, $"{InvitationMailModel.TemplateName}.{part}");
                if (!File.Exists(file))
                {
                    if (!BuiltIns.Value.ContainsKey($"{language}/{InvitationMailModel.TemplateName}.{part}"))
                        yield return $"{file} is missing (every language needs subject.txt, txt and html).";
                    continue;
                }
                foreach (var name in TemplateRenderer.PlaceholdersIn(File.ReadAllText(file)).Except(InvitationMailModel.Placeholders))
                    yield return $"{file} uses {{{{{name}}}}}, which is not one of {string.Join(", ", InvitationMailModel.Placeholders)}.";
            }
        }
    }

    public static string? ResolveDirectory(string? configured, string contentRoot) =>
        string.IsNullOrWhiteSpace(configured) ? null : Path.GetFullPath(Path.Combine(contentRoot, configured));

    static bool IsSafeSegment(string language) => language.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    static Dictionary<string, string> LoadBuiltIns()
    {
        var assembly = typeof(MailTemplates).Assembly;
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            var normalised = name.Replace('\\', '/');
            if (!normalised.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            templates[normalised[ResourcePrefix.Length..]] = reader.ReadToEnd();
        }
        return templates;
    }
}
