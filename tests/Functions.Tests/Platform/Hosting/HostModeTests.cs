using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Platform.Hosting;

/// <summary>
/// With <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set the Functions host owns the triggers: the app only
/// answers on 127.0.0.1:&lt;port&gt; and never consumes queues itself (contracts/azure.md §1.2).
/// </summary>
public class HostModeTests(AzuriteFixture azurite)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_real_app_listens_on_the_handler_port_on_loopback_and_nowhere_else()
    {
        var port = FreePort();
        var urlsPort = FreePort();
        using var app = StartApp(new()
        {
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(),
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{urlsPort}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Auth__AdminApiKeys__0"] = AppFactory.NewAdminKey(),
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage__Prefix"] = AzuriteFixture.NewPrefix(),
        }, out var output);
        try
        {
            using var http = new HttpClient();
            await Eventually.TrueAsync(async () =>
            {
                Assert.False(app.HasExited, "the app exited:\n" + output);
                try { return (await http.GetAsync($"http://127.0.0.1:{port}/", Ct)).StatusCode == HttpStatusCode.OK; }
                catch (HttpRequestException) { return false; }
            }, "GET / answers on the handler port");

            using var unknown = await http.PostAsync($"http://127.0.0.1:{port}/NoSuchQueue", new StringContent("{}"), Ct);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{urlsPort}/", Ct));
        }
        finally
        {
            app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync(Ct);
        }
    }

    [Fact]
    public async Task Under_the_host_no_listener_consumes_the_queue_and_invocations_still_work()
    {
        await using var app = new HostingAppFactory(azurite, new Dictionary<string, string?>
        {
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7071",
            ["Probe:Schedule"] = "* * * * * *",
        }, environment: "Production");
        var queues = app.NewQueueServiceClient();
        var queue = queues.GetQueueClient("probe");
        await queue.CreateIfNotExistsAsync(Ct);
        await queue.SendMessageAsync("{\"v\":1,\"host\":\"owns it\"}", cancellationToken: Ct);
        using var client = app.CreateClient();

        using var readiness = await client.GetAsync("/", Ct);
        using var invocation = await client.PostAsync("/ProbeQueue",
            new StringContent("""{"Data":{"message":"\"direct\""},"Metadata":{"DequeueCount":1}}""", Encoding.UTF8, "application/json"), Ct);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct); // several polling intervals for a listener that should not exist

        Assert.Equal(HttpStatusCode.OK, readiness.StatusCode);
        Assert.Equal(HttpStatusCode.OK, invocation.StatusCode);
        Assert.Equal("direct", Assert.Single(app.Probe.QueueCalls).MessageText);
        Assert.Empty(app.Probe.TimerCalls);
        Assert.Equal(1, Assert.Single(await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), Ct)).DequeueCount);
        var poison = await Assert.ThrowsAsync<StorageRequestFailedException>(() => queues.GetQueueClient("probe-poison").GetApproximateCountAsync(Ct));
        Assert.True(poison.IsNotFound, "no listener created the poison queue");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs the app's own dll (copied next to the tests by the project reference) as the host would.</summary>
    static Process StartApp(Dictionary<string, string> environment, out StringBuilder output)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ManagedDistribution.Functions.dll"));
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var log = output = new StringBuilder();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
