using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Tests.Features.Devices.Protocol;

/// <summary>Device captures from Fixtures/Mdm (nanomdm mdm/testdata) and small plist builders for synthetic messages.</summary>
public static class MdmTestData
{
    public const string Topic = "com.apple.mgmt.External.e0bd1eac-1f17-4c8e-8a63-dd17d3dd35d9";

    public static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Mdm", name);

    public static byte[] Capture(string name) => File.ReadAllBytes(FixturePath(name));

    public static IEnumerable<string> CaptureNames() =>
        System.IO.Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Mdm"), "*.plist").Select(Path.GetFileName).Order()!;

    public static PlistDictionary CaptureDictionary(string name) => PlistReader.ReadDictionary(Capture(name));

    public static PlistDictionary Dict(params (string Key, object Value)[] entries)
    {
        var dict = new PlistDictionary();
        foreach (var (key, value) in entries) dict.Add(key, value);
        return dict;
    }

    public static byte[] Body(params (string Key, object Value)[] entries) => PlistWriter.Write(Dict(entries));

    public static byte[] Without(PlistDictionary dict, string key)
    {
        var copy = Dict(dict.Select(entry => (entry.Key, entry.Value)).ToArray());
        copy.Remove(key);
        return PlistWriter.Write(copy);
    }

    public static byte[] With(PlistDictionary dict, string key, object value)
    {
        var copy = Dict(dict.Select(entry => (entry.Key, entry.Value)).ToArray());
        copy[key] = value;
        return PlistWriter.Write(copy);
    }
}
