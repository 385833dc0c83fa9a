using System.Text.Json;
using System.Text.RegularExpressions;
using ManagedDistribution.Platform;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Infra;

/// <summary>
/// Every key the app reads (options classes + <see cref="ConfigurationKeys"/>) must be set in the
/// Azure app settings (infra/**/*.bicep, as <c>Section__Prop</c>) or documented in
/// local.settings.sample.json, so a deployment or a new developer is never missing a setting.
/// Options classes added later are picked up automatically.
/// </summary>
public class ConfigurationKeysTests
{
    static readonly Lazy<string> BicepText = new(() => string.Join('\n',
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "infra"), "*.bicep", SearchOption.AllDirectories)
            .Select(File.ReadAllText)));

    static readonly Lazy<HashSet<string>> SampleKeys = new(() =>
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "local.settings.sample.json")));
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .Select(p => p.Name.Replace("__", ":"))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
    });

    public static TheoryData<string> AllKeys()
    {
        var assembly = typeof(ConfigurationKeys).Assembly;
        var keys = OptionsKeys.OptionsTypes(assembly).SelectMany(OptionsKeys.KeysOf)
            .Concat(ConfigurationKeys.All)
            .Where(k => !ConfigurationKeys.ProvidedByRuntime.ContainsKey(k))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal);
        return new TheoryData<string>(keys);
    }

    [Theory]
    [MemberData(nameof(AllKeys))]
    public void KeyIsSetInBicepOrDocumentedInLocalSettingsSample(string key)
    {
        Assert.True(InBicep(key) || InSample(key),
            $"Configuration key '{key}' is read by the app but neither set in infra/**/*.bicep (as " +
            $"'{key.Replace(":", "__")}') nor listed in local.settings.sample.json. Add it to one of them " +
            "(or, if the platform sets it, to ConfigurationKeys.ProvidedByRuntime with the reason).");
    }

    [Fact]
    public void OptionsClassesAreFound()
    {
        var sections = OptionsKeys.OptionsTypes(typeof(ConfigurationKeys).Assembly).Select(OptionsKeys.SectionNameOf);
        Assert.Contains(StorageOptions.SectionName, sections);
        Assert.Contains("Storage:Prefix", OptionsKeys.KeysOf(typeof(StorageOptions)));
    }

    [Fact]
    public void NestedObjectsListsAndDictionariesBecomeKeys()
    {
        Assert.Equal(
            ["Sample:Name", "Sample:Keys:0", "Sample:Smtp:Host", "Sample:Smtp:Port", "Sample:Servers:0:Host", "Sample:Servers:0:Port", "Sample:Topics:*"],
            OptionsKeys.KeysOf(typeof(SampleOptions)));
    }

    [Fact]
    public void RuntimeProvidedKeysSayWhy()
    {
        Assert.All(ConfigurationKeys.ProvidedByRuntime, entry => Assert.False(string.IsNullOrWhiteSpace(entry.Value), entry.Key));
    }

    static bool InBicep(string key)
    {
        var pattern = string.Join("__", key.Split(':').Select(s => s == "*" ? "[A-Za-z0-9_]+?" : Regex.Escape(s)));
        return Regex.IsMatch(BicepText.Value, $"(?<![A-Za-z0-9_]){pattern}(?![A-Za-z0-9_])", RegexOptions.IgnoreCase);
    }

    static bool InSample(string key)
    {
        if (!key.Contains('*')) return SampleKeys.Value.Contains(key);
        var pattern = "^" + string.Join(":", key.Split(':').Select(s => s == "*" ? "[^:]+" : Regex.Escape(s))) + "$";
        return SampleKeys.Value.Any(k => Regex.IsMatch(k, pattern, RegexOptions.IgnoreCase));
    }

    // Shapes the key walker must handle; not in the functions assembly, so not checked above.
    sealed class SampleOptions
    {
        public const string SectionName = "Sample";
        public string Name { get; set; } = "";
        public List<string> Keys { get; } = [];
        public SmtpSample Smtp { get; set; } = new();
        public SmtpSample[] Servers { get; set; } = [];
        public Dictionary<string, string> Topics { get; } = [];
        public string Computed => Name.ToUpperInvariant();
    }

    sealed class SmtpSample
    {
        public string Host { get; set; } = "";
        public int Port { get; set; }
    }
}
