using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Hosting;
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
/// Passes for whatever does not exist yet; the last test proves the checks bite.
/// </summary>
public partial class BindingsContractTests(AzuriteFixture azurite)
{
    static readonly string[] HttpFunctionNames = ["Api", "Mdm"];
    const string Prefix = "md";

    static string BindingsFolder => Path.Combine(RepositoryRoot.Path, "functions", "Bindings");

    [Fact]
    public void Every_queue_and_timer_folder_matches_a_registered_function() =>
        Assert.Empty(UnregisteredOrMismatched(AppRegistry(), Folders(BindingsFolder)));

    [Fact]
    public void Every_registered_function_has_a_folder() =>
        Assert.Empty(MissingFolders(AppRegistry(), Folders(BindingsFolder)));

    [Fact]
    public void Names_follow_feature_and_trigger() => Assert.Empty(BadNames(Folders(BindingsFolder)));

    [Fact]
    public void Http_functions_are_proxied_and_only_reach_api_and_mdm() =>
        Assert.Empty(ExposedHttpFunctions(Folders(BindingsFolder), HostJson()));

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

    [Fact]
    public async Task The_checks_accept_matching_folders_and_name_each_mismatch()
    {
        await using var app = new HostingAppFactory(azurite, new Dictionary<string, string?> { ["Hosting:RunTriggers"] = "false" });
        var registry = app.Services.GetRequiredService<FunctionRegistry>(); // ProbeQueue on "probe", ProbeTimer on Probe:Schedule
        var good = new Dictionary<string, JsonObject>
        {
            ["ProbeQueue"] = Function("""{"name":"message","type":"queueTrigger","direction":"in","queueName":"%Storage:Prefix%probe","connection":"AzureWebJobsStorage"}"""),
            ["ProbeTimer"] = Function("""{"name":"timer","type":"timerTrigger","direction":"in","schedule":"%Probe:Schedule%"}"""),
            ["Api"] = Function("""{"type":"httpTrigger","direction":"in","name":"req","route":"api/{*path}"}""", """{"type":"http","direction":"out","name":"res"}"""),
        };
        // The app's own functions (features register them) come with their real folders.
        foreach (var (name, folder) in Folders(BindingsFolder)) { good.TryAdd(name, folder); }
        Assert.Empty(UnregisteredOrMismatched(registry, good).Concat(MissingFolders(registry, good)).Concat(BadNames(good))
            .Concat(ExposedHttpFunctions(good, JsonNode.Parse("""{"extensions":{"http":{"routePrefix":""}}}"""))));

        var bad = new Dictionary<string, JsonObject>
        {
            ["ProbeQueue"] = Function("""{"name":"message","type":"queueTrigger","direction":"in","queueName":"%Storage__Prefix%probe"}"""),
            ["OrphanQueue"] = Function("""{"name":"message","type":"queueTrigger","direction":"in","queueName":"%Storage:Prefix%orphan"}"""),
            ["Everything"] = Function("""{"type":"httpTrigger","direction":"in","name":"req","route":"{*path}"}""", """{"type":"http","direction":"out","name":"res"}"""),
        };
        foreach (var (name, folder) in Folders(BindingsFolder)) { bad.TryAdd(name, folder); }
        Assert.Equal(2, UnregisteredOrMismatched(registry, bad).Count()); // the __ form does not resolve; OrphanQueue is not registered
        Assert.Equal(["ProbeTimer"], MissingFolders(registry, bad).Select(p => p.Split(' ')[0]));
        Assert.Single(BadNames(bad));
        Assert.Single(ExposedHttpFunctions(bad, JsonNode.Parse("""{"extensions":{"http":{"routePrefix":""}}}""")));
    }

    static IEnumerable<string> UnregisteredOrMismatched(FunctionRegistry registry, Dictionary<string, JsonObject> folders)
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Prefix"] = Prefix,
            ["Probe:Schedule"] = "* * * * * *",
        }).Build();
        foreach (var (name, function) in folders.Where(f => TriggerType(f.Value) != "httpTrigger"))
        {
            var trigger = Trigger(function);
            var problem = registry.Find(name) switch
            {
                null => "has no AddQueueFunction/AddTimerFunction registration",
                var f when f.BindingName != (string?)trigger["name"] => $"trigger binding must be named '{f.BindingName}'",
                QueueFunction q when TriggerType(function) != "queueTrigger" => $"is registered as a queue function on '{q.QueueName}'",
                QueueFunction q when Resolve((string?)trigger["queueName"], settings) != Prefix + q.QueueName =>
                    $"queueName must resolve to Storage:Prefix + '{q.QueueName}'; write %Storage:Prefix%{q.QueueName}",
                QueueFunction when (string?)trigger["connection"] is { Length: > 0 } c && c != "AzureWebJobsStorage" => "must use the AzureWebJobsStorage connection",
                TimerFunction when TriggerType(function) != "timerTrigger" => "is registered as a timer function",
                TimerFunction t when (string?)trigger["schedule"] != $"%{t.ScheduleConfigKey}%" && (string?)trigger["schedule"] != t.DefaultSchedule =>
                    $"schedule must be %{t.ScheduleConfigKey}% (an app setting in Azure) or '{t.DefaultSchedule}'",
                TimerFunction when (bool?)trigger["runOnStartup"] == true => "must not run on startup (it would fire on every scale-out)",
                _ => null,
            };
            if (problem is not null) yield return $"functions/Bindings/{name}: {problem}";
        }
    }

    static IEnumerable<string> MissingFolders(FunctionRegistry registry, Dictionary<string, JsonObject> folders) =>
        registry.Functions.Where(f => !folders.ContainsKey(f.Name))
            .Select(f => $"{f.Name} is registered but functions/Bindings/{f.Name}/function.json is missing");

    static IEnumerable<string> BadNames(Dictionary<string, JsonObject> folders) =>
        from folder in folders
        let type = TriggerType(folder.Value)
        let ok = type switch
        {
            "httpTrigger" => HttpFunctionNames.Contains(folder.Key),
            "queueTrigger" => FeatureName("Queue").IsMatch(folder.Key),
            "timerTrigger" => FeatureName("Timer").IsMatch(folder.Key),
            _ => false,
        }
        where !ok
        select $"functions/Bindings/{folder.Key}: {type} functions are named <Feature>Queue / <Feature>Timer, HTTP ones {string.Join(" or ", HttpFunctionNames)}";

    /// <summary>Exactly httpTrigger in + http out (or the host stops proxying), and a public path under api/ or mdm/.</summary>
    static IEnumerable<string> ExposedHttpFunctions(Dictionary<string, JsonObject> folders, JsonNode? hostJson)
    {
        var routePrefix = hostJson?["extensions"]?["http"]?["routePrefix"]?.GetValue<string>() ?? "api";
        foreach (var (name, function) in folders.Where(f => TriggerType(f.Value) == "httpTrigger"))
        {
            var bindings = Bindings(function).ToList();
            if (bindings.Count != 2 || !bindings.Any(b => (string?)b["type"] == "http" && (string?)b["direction"] == "out"))
                yield return $"{name}: needs exactly one httpTrigger and one http output binding to be proxied";
            var publicPath = $"{routePrefix}/{(string?)Trigger(function)["route"]}".TrimStart('/');
            if (!publicPath.StartsWith("api/", StringComparison.Ordinal) && !publicPath.StartsWith("mdm/", StringComparison.Ordinal))
                yield return $"{name}: exposes /{publicPath}; only /api/** and /mdm/** may be public (invocation routes live at /<FunctionName>)";
        }
    }

    FunctionRegistry AppRegistry()
    {
        using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("AzureWebJobsStorage", azurite.ConnectionString)
            .UseSetting("Storage:Prefix", AzuriteFixture.NewPrefix())
            .UseSetting("Hosting:RunTriggers", "false"));
        return app.Services.GetRequiredService<FunctionRegistry>();
    }

    static Dictionary<string, JsonObject> Folders(string root) =>
        !Directory.Exists(root) ? [] : Directory.GetDirectories(root).ToDictionary(
            dir => Path.GetFileName(dir),
            dir => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "function.json")))!.AsObject());

    static JsonObject Function(params string[] bindings) =>
        new() { ["bindings"] = new JsonArray(bindings.Select(b => (JsonNode?)JsonNode.Parse(b)).ToArray()) };

    static IEnumerable<JsonObject> Bindings(JsonObject function) => function["bindings"]!.AsArray().Select(b => b!.AsObject());

    static JsonObject Trigger(JsonObject function) =>
        Bindings(function).Single(b => ((string)b["type"]!).EndsWith("Trigger", StringComparison.Ordinal) && (string?)b["direction"] == "in");

    static string TriggerType(JsonObject function) => (string)Trigger(function)["type"]!;

    /// <summary>
    /// What the host's name resolver does with <c>%Name%</c>: <c>IConfiguration[Name]</c>, where the app
    /// setting <c>Storage__Prefix</c> appears as key <c>Storage:Prefix</c>. So function.json must say
    /// <c>%Storage:Prefix%</c>: <c>%Storage__Prefix%</c> does not resolve, nor does an empty setting.
    /// </summary>
    static string? Resolve(string? value, IConfiguration settings)
    {
        if (value is null) return null;
        var names = AppSetting().Matches(value).Select(m => m.Groups[1].Value);
        return names.All(n => settings[n] is { Length: > 0 }) ? AppSetting().Replace(value, m => settings[m.Groups[1].Value]!) : null;
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
