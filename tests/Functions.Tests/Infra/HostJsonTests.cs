using System.Text.Json;
using System.Text.Json.Nodes;
using ManagedDistribution.Platform;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Infra;

/// <summary>
/// host.json and the HTTP function.json files: what the Functions host needs to launch the
/// custom handler and to proxy only /api/** and /mdm/** to it (contracts/azure.md §1.2, §1.3, §1.10).
/// </summary>
public class HostJsonTests
{
    static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    static JsonNode Load(params string[] path) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine([RepositoryRoot.Path, .. path])), documentOptions: Lenient)!;

    [Fact]
    public void CustomHandlerLaunchesThePublishedExecutable()
    {
        var handler = Load("host.json")["customHandler"]!;
        var assemblyName = typeof(ConfigurationKeys).Assembly.GetName().Name;

        Assert.Equal($"bin/{assemblyName}", (string?)handler["description"]!["defaultExecutablePath"]);
        Assert.Equal("bin", (string?)handler["description"]!["workingDirectory"]); // content root = appsettings.json
        Assert.True((bool?)handler["enableProxyingHttpRequest"]);
    }

    [Fact]
    public void QueueSettingsMatchWhatTheAppAssumes()
    {
        var host = Load("host.json");
        var queues = host["extensions"]!["queues"]!;

        Assert.Equal("2.0", (string?)host["version"]);
        Assert.Equal(5, (int?)queues["maxDequeueCount"]);
        // Our queue client writes Base64(UTF-8) messages; with "none" the host would read them as raw text.
        Assert.Equal("base64", (string?)queues["messageEncoding"]);
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", (string?)host["extensionBundle"]!["id"]);
    }

    [Fact]
    public void OnlyApiAndMdmPathsArePublic()
    {
        Assert.Equal("", (string?)Load("host.json")["extensions"]!["http"]!["routePrefix"]);

        var httpFunctions = Directory.GetDirectories(Path.Combine(RepositoryRoot.Path, "functions", "Bindings"))
            .Select(dir => (Name: Path.GetFileName(dir), Bindings: Load("functions", "Bindings", Path.GetFileName(dir), "function.json")["bindings"]!.AsArray()))
            .Where(f => f.Bindings.Any(b => (string?)b!["type"] == "httpTrigger"))
            .ToDictionary(f => f.Name, f => f.Bindings);

        Assert.Equal(["Api", "Mdm"], httpFunctions.Keys.Order());
        Assert.Equal("api/{*path}", (string?)httpFunctions["Api"].Single(b => (string?)b!["type"] == "httpTrigger")!["route"]);
        Assert.Equal("mdm/{*path}", (string?)httpFunctions["Mdm"].Single(b => (string?)b!["type"] == "httpTrigger")!["route"]);

        foreach (var (name, bindings) in httpFunctions)
        {
            // Exactly one httpTrigger in + one http out, or the host falls back to the JSON payload mode.
            Assert.Equal(["http:out", "httpTrigger:in"], bindings.Select(b => $"{b!["type"]}:{b["direction"]}").Order());
            // The app checks its own bearer keys (/api) and device identities (/mdm).
            Assert.Equal("anonymous", (string?)bindings.Single(b => (string?)b!["type"] == "httpTrigger")!["authLevel"]);
            Assert.True(name is "Api" or "Mdm");
        }
    }
}
