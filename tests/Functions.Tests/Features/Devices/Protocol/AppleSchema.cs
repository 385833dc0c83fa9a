using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Features.Devices.Protocol;

/// <summary>One key of an Apple schema (<c>payloadkeys</c> / <c>responsekeys</c> / <c>subkeys</c> item); see docs/schema.md.</summary>
public sealed record SchemaKey(
    string Key,
    string Type,
    bool Required,
    IReadOnlyList<string> RangeList,
    IReadOnlyList<SchemaKey> SubKeys,
    IReadOnlyDictionary<string, object?> SupportedOS)
{
    /// <summary>
    /// Required on every OS, channel and enrollment type: presence required and no per-key
    /// supportedOS override that narrows where it appears (an "n/a" OS, a channel it is absent from,
    /// or a User Enrollment / Shared iPad mode). E.g. <c>DeviceName</c> (macOS only) is not.
    /// </summary>
    public bool RequiredEverywhere => Required && !SupportedOS.Values.OfType<Dictionary<string, object?>>().Any(Narrows);

    static bool Narrows(Dictionary<string, object?> os) =>
        Equals(os.GetValueOrDefault("introduced"), "n/a")
        || Equals(os.GetValueOrDefault("devicechannel"), "false")
        || Equals(os.GetValueOrDefault("userchannel"), "false")
        || os.GetValueOrDefault("userenrollment") is Dictionary<string, object?> ue && ue.GetValueOrDefault("mode") is "required" or "forbidden"
        || os.GetValueOrDefault("sharedipad") is Dictionary<string, object?> si && si.GetValueOrDefault("mode") is "required" or "forbidden";
}

/// <summary>An MDM command or check-in schema from github.com/apple/device-management (mdm/commands, mdm/checkin).</summary>
public sealed record AppleSchema(string Title, string RequestType, IReadOnlyList<SchemaKey> PayloadKeys, IReadOnlyList<SchemaKey> ResponseKeys)
{
    public static AppleSchema Load(params string[] relativePath)
    {
        var path = RepositoryRoot.Shared(["apple-device-management", .. relativePath]);
        var root = (Dictionary<string, object?>)MiniYaml.Parse(File.ReadAllText(path));
        var payload = (Dictionary<string, object?>)root["payload"]!;
        return new AppleSchema(
            (string)root["title"]!,
            (string)payload["requesttype"]!,
            Keys(root.GetValueOrDefault("payloadkeys")),
            Keys(root.GetValueOrDefault("responsekeys")));
    }

    public SchemaKey? Find(string key) => PayloadKeys.FirstOrDefault(k => k.Key == key);

    static List<SchemaKey> Keys(object? node) =>
        (node as List<object?> ?? []).Cast<Dictionary<string, object?>>().Select(Key).ToList();

    static SchemaKey Key(Dictionary<string, object?> map) => new(
        (string)map["key"]!,
        (string)map["type"]!,
        map.GetValueOrDefault("presence") as string == "required",
        (map.GetValueOrDefault("rangelist") as List<object?> ?? []).Select(v => (string)v!).ToList(),
        Keys(map.GetValueOrDefault("subkeys")),
        map.GetValueOrDefault("supportedOS") as Dictionary<string, object?> ?? []);
}
