namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary>Settings of the <c>AppsAndBooksEmulator</c> configuration section.</summary>
public sealed class AppsAndBooksEmulatorOptions
{
    public const string SectionName = "AppsAndBooksEmulator";

    /// <summary>Where the API is served, like Apple's <c>https://vpp.itunes.apple.com/mdm/v2/</c>.</summary>
    public string BasePath { get; set; } = "/mdm/v2";

    /// <summary>Optional JSON seed (locations, assets, users) loaded at start; see seed.sample.json.</summary>
    public string? SeedFile { get; set; }
}
