using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Bindings;

/// <summary>
/// functions/Bindings/&lt;Name&gt;/function.json (what the Functions host reads) against the app's
/// real <see cref="FunctionRegistry"/> (what the app serves): same functions, same triggers, same
/// queues, names <c>&lt;Feature&gt;Queue</c>/<c>&lt;Feature&gt;Timer</c>, and HTTP functions that only
/// forward <c>/api/**</c> and <c>/mdm/**</c>, so the invocation routes stay private (STYLE.md).
/// Passes vacuously for whatever does not exist yet.
/// </summary>
public partial class BindingsContractTests(AzuriteFixture azurite)
{
    static readonly string[] HttpFunctionNames = ["Api", "Mdm"];
    const string Prefix = "md";

    static string BindingsFolder => Path.Combine(RepositoryRoot.Path, "functions", "Bindings");

    /// <summary>Folder name → the function.json's trigger binding.</summary>
    static Dictionary<string, JsonObject> Folders() =>
        !Directory.Exists(BindingsFolder) ? [] : Directory.GetDirectories(BindingsFolder).ToDictionary(
            dir => Path.GetFileName(dir),
            dir => Trigger(JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "function.json")))!.AsObject()));

    static JsonObject Trigger(JsonObject function) =>
        Bindings(function).Single(b => ((string)b["type"]!).EndsWith("Trigger", StringComparison.Ordinal) && (string?)b["direction"] == "in");

    static IEnumerable<JsonObject> Bindings(JsonObject function) => function["bindings"]!.AsArray().Select(b => b!.AsObject());

    FunctionRegistry AppRegistry()
    {
        using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("AzureWebJobsStorage", azurite.ConnectionString)
            .UseSetting("Storage:Prefix", AzuriteFixture.NewPrefix())
            .UseSetting("Hosting:RunTriggers", "false"));
        return app.Services.GetRequiredService<FunctionRegistry>();
    }

    /// <summary>
    /// What the host's name resolver does with <c>%Name%</c>: <c>IConfiguration[Name]</c>, where the app
    /// setting <c>Storage__Prefix</c> appears as key <c>Storage:Prefix</c>. So function.json must say
    /// <c>%Storage:Prefix%</c>; <c>%Storage__Prefix%</c> would not resolve, nor would an empty setting.
    /// </summary>
    static string ResolveAppSettings(string value, IConfiguration settings) => AppSetting().Replace(value, m =>
        settings[m.Groups[1].Value] is { Length: > 0 } resolved ? resolved
            : throw new Xunit.Sdk.XunitException($"'%{m.Groups[1].Value}%' does not resolve (write nested settings as %Section:Key%)."));

    [Fact]
    public void Every_queue_and_timer_folder_matches_a_registered_function()
    {
        var registry = AppRegistry();
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Prefix"] = Prefix }).Build();
        foreach (var (name, trigger) in Folders().Where(f => (string)f.Value["type"]! != "httpTrigger"))
        {
            var function = registry.Find(name);
            Assert.True(function is not null, $"functions/Bindings/{name} has no AddQueueFunction/AddTimerFunction registration.");
            Assert.Equal(function.BindingName, (string?)trigger["name"]);
            switch (function)
            {
                case QueueFunction queue:
                    Assert.Equal("queueTrigger", (string?)trigger["type"]);
                    Assert.Equal(Prefix + queue.QueueName, ResolveAppSettings((string)trigger["queueName"]!, settings));
                    Assert.Contains((string?)trigger["connection"], new string?[] { null, "", "AzureWebJobsStorage" });
                    break;
                case TimerFunction timer:
                    Assert.Equal("timerTrigger", (string?)trigger["type"]);
                    var schedule = (string)trigger["schedule"]!;
                    Assert.True(schedule == $"%{timer.ScheduleConfigKey}%" || schedule == timer.DefaultSchedule,
                        $"{name}: schedule should be %{timer.ScheduleConfigKey}% (set the app setting in Azure) or '{timer.DefaultSchedule}'.");
                    Assert.NotEqual(true, (bool?)trigger["runOnStartup"]);
                    break;
            }
        }
    }

    [Fact]
    public void Every_registered_function_has_a_folder()
    {
        var folders = Folders();
        foreach (var function in AppRegistry().Functions)
            Assert.True(folders.ContainsKey(function.Name), $"{function.Name} is registered but functions/Bindings/{function.Name}/function.json is missing.");
    }

    [Fact]
    public void Names_follow_feature_and_trigger()
    {
        foreach (var (name, trigger) in Folders())
        {
            var expected = (string)trigger["type"]! switch
            {
                "httpTrigger" => HttpFunctionNames.Contains(name),
                "queueTrigger" => FeatureName("Queue").IsMatch(name),
                "timerTrigger" => FeatureName("Timer").IsMatch(name),
                var other => throw new Xunit.Sdk.XunitException($"{name}: trigger type {other} is not one we serve."),
            };
            Assert.True(expected, $"functions/Bindings/{name} does not follow <Feature><Trigger> (HTTP functions: {string.Join(", ", HttpFunctionNames)}).");
        }
    }

    [Fact]
    public void Http_functions_are_proxied_and_only_reach_api_and_mdm()
    {
        var routePrefix = HostJson()?["extensions"]?["http"]?["routePrefix"]?.GetValue<string>() ?? "api";
        foreach (var name in Folders().Where(f => (string)f.Value["type"]! == "httpTrigger").Select(f => f.Key))
        {
            var function = JsonNode.Parse(File.ReadAllText(Path.Combine(BindingsFolder, name, "function.json")))!.AsObject();
            var bindings = Bindings(function).ToList();
            Assert.Equal(2, bindings.Count); // exactly httpTrigger in + http out, or the host stops proxying
            Assert.Single(bindings, b => (string?)b["type"] == "http" && (string?)b["direction"] == "out");
            var route = (string)bindings.Single(b => (string?)b["type"] == "httpTrigger")["route"]!;
            var publicPath = $"{routePrefix}/{route}".TrimStart('/');
            Assert.True(publicPath.StartsWith("api/", StringComparison.Ordinal) || publicPath.StartsWith("mdm/", StringComparison.Ordinal),
                $"{name} would expose /{publicPath}; only /api/** and /mdm/** may be public (invocation routes live at /<FunctionName>).");
        }
    }

    [Fact]
    public void Host_json_queue_settings_match_the_standalone_defaults()
    {
        if (HostJson()?["extensions"]?["queues"] is not JsonObject queues) return;
        var defaults = new HostingOptions();
        Assert.Equal(defaults.BatchSize, (int?)queues["batchSize"] ?? 16);
        Assert.Equal(defaults.NewBatchThreshold, (int?)queues["newBatchThreshold"] ?? defaults.NewBatchThreshold);
        Assert.Equal(defaults.MaxDequeueCount, (int?)queues["maxDequeueCount"] ?? 5);
        Assert.Equal(defaults.RetryDelay, TimeSpan.Parse((string?)queues["visibilityTimeout"] ?? "00:00:00"));
        Assert.Equal(defaults.MaxPollingInterval, TimeSpan.Parse((string?)queues["maxPollingInterval"] ?? "00:01:00"));
        Assert.Equal("base64", (string?)queues["messageEncoding"] ?? "base64"); // QueueClient always base64-encodes
    }

    static JsonNode? HostJson()
    {
        var path = Path.Combine(RepositoryRoot.Path, "host.json");
        return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) : null;
    }

    static Regex FeatureName(string trigger) => new($"^[A-Z][A-Za-z0-9]*{trigger}$");

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex AppSetting();
}
