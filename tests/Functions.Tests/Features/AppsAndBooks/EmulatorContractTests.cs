using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ManagedDistribution.Features.AppsAndBooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Tests.Features.AppsAndBooks;

/// <summary>Edges of the emulated API the client never exercises on purpose, plus the
/// registration and log hygiene of the client.</summary>
public class EmulatorContractTests
{
    static async Task<(HttpStatusCode Status, int? ErrorNumber)> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        using var json = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
        return (response.StatusCode, json.RootElement.TryGetProperty("errorNumber", out var n) ? n.GetInt32() : null);
    }

    [Fact]
    public async Task WrongMethodContentTypeAndAuthorizationGetApplesErrors()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (_, token) = test.NewLocation();
        using var http = new HttpClient { BaseAddress = test.Options.BaseUrl };
        HttpRequestMessage Authorized(HttpMethod method, string path, HttpContent? content = null)
        {
            var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
            return request;
        }

        Assert.Equal((HttpStatusCode.MethodNotAllowed, 9726), await SendAsync(http, Authorized(HttpMethod.Get, "assets/associate"), ct));
        Assert.Equal((HttpStatusCode.UnsupportedMediaType, 9727),
            await SendAsync(http, Authorized(HttpMethod.Post, "users/create", new StringContent("{}", Encoding.UTF8, "text/plain")), ct));
        Assert.Equal((HttpStatusCode.BadRequest, 9719),
            await SendAsync(http, Authorized(HttpMethod.Post, "assets/associate", JsonContent("""{"assets":[{"adamId":"1","pricingParam":"STDQ"}]}""")), ct));
        Assert.Equal((HttpStatusCode.BadRequest, 9718),
            await SendAsync(http, Authorized(HttpMethod.Post, "assets/associate", JsonContent("""{"serialNumbers":["A"]}""")), ct));
        Assert.Equal((HttpStatusCode.BadRequest, 9705),
            await SendAsync(http, Authorized(HttpMethod.Post, "assets/associate", JsonContent("""{"assets":[{"adamId":"1"}],"serialNumbers":["A","A"]}""")), ct));
        Assert.Equal((HttpStatusCode.BadRequest, 9650), await SendAsync(http, Authorized(HttpMethod.Get, "assets?pageIndex=3"), ct));
        Assert.Equal((HttpStatusCode.Unauthorized, 9722), await SendAsync(http, new HttpRequestMessage(HttpMethod.Get, "client/config"), ct));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, new HttpRequestMessage(HttpMethod.Get, "service/config"), ct)).Status);
    }

    static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task TheSTokenNeverReachesTheLogs()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (location, token) = test.NewLocation();
        location.ClaimByOtherMdm("other");
        test.Emulator.Faults.Inject(new ManagedDistribution.AppleEmulator.AppsAndBooks.InjectedFault(429, 9646, Count: 2));

        await test.Client.GetClientConfigAsync(token, ct);
        await Assert.ThrowsAsync<AppsAndBooksException>(() => test.Client.GetClientConfigAsync(test.NewLocationTokenUnknownToTheEmulator(), ct));

        Assert.NotEmpty(test.Log.Lines);
        Assert.All(test.Log.Lines, line => Assert.DoesNotContain(token.Value, line));
        Assert.All(test.Log.Lines, line => Assert.DoesNotContain(token.LocationId!, line));
    }

    [Fact]
    public void RegistersTheClientFromConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AppleAppsAndBooks:BaseUrl"] = "http://127.0.0.1:5999/mdm/v2",
            ["AppleAppsAndBooks:MdmId"] = "deployment-42",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();

        services.AddAppsAndBooks();
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<AppsAndBooksClient>();

        Assert.Equal("http://127.0.0.1:5999/mdm/v2/", client.Endpoint.AbsoluteUri);
        Assert.Equal("deployment-42", client.OurMdmInfo.Id);
        Assert.Same(client, provider.GetRequiredService<AppsAndBooksClient>());
    }
}
