namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>
/// Per-request limits from Service Config <c>limits</c>. Never hard-code them: the defaults here
/// are Apple's documented example values, used only when the service leaves a key out.
/// </summary>
public sealed record ServiceLimits(
    int MaxAssets,
    int MaxClientUserIds,
    int MaxSerialNumbers,
    int MaxRevokeClientUserIds,
    int MaxRevokeSerialNumbers,
    int MaxUsers,
    int MaxNotificationLength,
    int MaxMdmIdLength,
    int MaxMdmNameLength,
    int MaxMdmMetadataLength)
{
    /// <summary>The example values from Apple's Service Config page.</summary>
    public static ServiceLimits Documented { get; } = new(25, 1000, 1000, 100, 100, 100, 512, 100, 100, 255);

    public static ServiceLimits From(IReadOnlyDictionary<string, int>? limits)
    {
        var d = Documented;
        int Read(string key, int fallback) =>
            limits is not null && limits.TryGetValue(key, out var value) && value > 0 ? value : fallback;
        return new ServiceLimits(
            Read("maxAssets", d.MaxAssets),
            Read("maxClientUserIds", d.MaxClientUserIds),
            Read("maxSerialNumbers", d.MaxSerialNumbers),
            Read("maxRevokeClientUserIds", d.MaxRevokeClientUserIds),
            Read("maxRevokeSerialNumbers", d.MaxRevokeSerialNumbers),
            Read("maxUsers", d.MaxUsers),
            Read("maxNotificationLength", d.MaxNotificationLength),
            Read("maxMdmIdLength", d.MaxMdmIdLength),
            Read("maxMdmNameLength", d.MaxMdmNameLength),
            Read("maxMdmMetadataLength", d.MaxMdmMetadataLength));
    }
}
