using System.Net.Http.Headers;
using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Tests.Infrastructure;

/// <summary>
/// The real app (<c>Program</c>) on the test server, pointed at a storage account with its own
/// name prefix and one or more admin keys. Environment "Testing" unless told otherwise. Extra
/// configuration, services, logging and test-only endpoints go in through the init properties,
/// before the first client or <c>Services</c> call:
/// <code>
/// await using var app = new AppFactory(azurite) { Settings = { ["Apns:BaseUrl"] = emulator.Url } };
/// using var client = app.CreateAdminClient();
/// </code>
/// </summary>
public sealed class AppFactory : WebApplicationFactory<Program>
{
    /// <param name="storageConnectionString">Connection string written to <c>AzureWebJobsStorage</c>.</param>
    /// <param name="storagePrefix">Table/queue prefix; a fresh <see cref="AzuriteFixture.NewPrefix"/> when null.</param>
    /// <param name="adminKeys">Accepted admin keys; one random key when null; pass an empty list for none.</param>
    public AppFactory(string storageConnectionString, string? storagePrefix = null, IEnumerable<string>? adminKeys = null)
    {
        StorageConnectionString = storageConnectionString;
        StoragePrefix = storagePrefix ?? AzuriteFixture.NewPrefix();
        AdminKeys = adminKeys?.ToList() ?? [NewAdminKey()];
    }

    public AppFactory(AzuriteFixture azurite, string? storagePrefix = null, IEnumerable<string>? adminKeys = null)
        : this(azurite.ConnectionString, storagePrefix, adminKeys) { }

    public string StorageConnectionString { get; }
    public string StoragePrefix { get; }
    public IReadOnlyList<string> AdminKeys { get; }

    /// <summary>Host environment name: "Testing", or "Development"/"Production" to test what differs.</summary>
    public string EnvironmentName { get; init; } = "Testing";

    /// <summary>More configuration ("Section:Key" → value); wins over every other source.</summary>
    public Dictionary<string, string?> Settings { get; init; } = [];

    /// <summary>Runs after the app's own registrations, so it can replace services.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Test-only endpoints, mapped behind the app's real middleware (auth, problem details, limits).</summary>
    public Action<IEndpointRouteBuilder>? MapEndpoints { get; init; }

    public static string NewAdminKey() => "test-admin-key-" + Guid.NewGuid().ToString("N");

    /// <summary>A client that sends <c>Authorization: Bearer</c> with <paramref name="key"/> (default: the first admin key).</summary>
    public HttpClient CreateAdminClient(string? key = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key ?? AdminKeys[0]);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(AllSettings()));
        if (ConfigureLogging is not null) builder.ConfigureLogging(ConfigureLogging);
        builder.ConfigureServices(services =>
        {
            if (MapEndpoints is not null) services.AddSingleton(new AdditionalEndpoints(MapEndpoints));
            ConfigureServices?.Invoke(services);
        });
    }

    IEnumerable<KeyValuePair<string, string?>> AllSettings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = StorageConnectionString,
            ["Storage:Prefix"] = StoragePrefix,
        };
        for (var i = 0; i < AdminKeys.Count; i++) settings[$"Auth:AdminApiKeys:{i}"] = AdminKeys[i];
        foreach (var (key, value) in Settings) settings[key] = value;
        return settings;
    }
}
