using ManagedDistribution.AppleEmulator;
using ManagedDistribution.AppleEmulator.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Features.AppsAndBooks;

/// <summary>
/// The Apple-services emulator on a free 127.0.0.1 port and an <see cref="AppsAndBooksClient"/>
/// pointed at it over real HTTP, with a hand-moved clock. One per test: knobs are global.
/// </summary>
internal sealed class AppsAndBooksTestHost : IAsyncDisposable
{
    readonly EmulatorHost host;
    readonly HttpClient http = new();

    AppsAndBooksTestHost(EmulatorHost host, Uri baseUrl, Action<AppsAndBooksOptions>? configure)
    {
        this.host = host;
        Emulator = host.Services.GetRequiredService<AppsAndBooksEmulator>();
        Emulator.Settings.EventProcessingDelay = TimeSpan.FromMilliseconds(5);
        Emulator.Settings.NotificationRetryDelay = TimeSpan.FromMilliseconds(20);
        Options = new AppsAndBooksOptions
        {
            BaseUrl = baseUrl,
            MdmId = "md-test-deployment",
            InitialRetryDelay = TimeSpan.FromMilliseconds(50),
            InitialEventPollDelay = TimeSpan.FromMilliseconds(20),
            MaxEventPollDelay = TimeSpan.FromMilliseconds(100),
        };
        configure?.Invoke(Options);
        Client = new AppsAndBooksClient(http, Microsoft.Extensions.Options.Options.Create(Options), Time, Log);
    }

    public AppsAndBooksEmulator Emulator { get; }
    public AppsAndBooksOptions Options { get; }
    public AppsAndBooksClient Client { get; }
    public TestTimeProvider Time { get; } = new();
    public ListLogger<AppsAndBooksClient> Log { get; } = new();

    public static async Task<AppsAndBooksTestHost> StartAsync(Action<AppsAndBooksOptions>? configure = null)
    {
        var host = await EmulatorHost.StartAsync(["--urls", "http://127.0.0.1:0"], b => b.Logging.ClearProviders());
        var root = host.HttpRoot;
        return new AppsAndBooksTestHost(host, new Uri(root + "/mdm/v2/"), configure);
    }

    /// <summary>A new location with its own token, already holding the given assets.</summary>
    public (EmulatedLocation Location, LocationToken Token) NewLocation(string orgName = "Test School")
    {
        var location = Emulator.AddLocation(orgName);
        return (location, LocationToken.Parse(location.SToken));
    }

    /// <summary>A well-formed sToken the emulator has never issued.</summary>
    public LocationToken NewLocationTokenUnknownToTheEmulator()
    {
        var json = $$"""{"token":"{{Guid.NewGuid():N}}","expDate":"2030-01-01T00:00:00+0000","orgName":"Nobody"}""";
        return LocationToken.Parse(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await host.DisposeAsync();
    }
}
