using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Platform.Hosting;

/// <summary>
/// The Functions host's side of the contract (contracts/azure.md §1.4-1.5), driven by POSTing the
/// envelopes the host sends. Standalone triggers are off so only these requests invoke handlers.
/// </summary>
public class InvocationEndpointsTests(AzuriteFixture azurite)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    HostingAppFactory NewApp(string environment = "Development") =>
        new(azurite, new Dictionary<string, string?> { ["Hosting:RunTriggers"] = "false" }, environment);

    /// <summary>A queue invocation as the host builds it: the message text serialized once more into Data.</summary>
    static JsonObject QueueEnvelope(string messageText, int dequeueCount) => new()
    {
        ["Data"] = new JsonObject { ["message"] = JsonSerializer.Serialize(messageText) },
        ["Metadata"] = new JsonObject
        {
            ["DequeueCount"] = dequeueCount,
            ["ExpirationTime"] = "2026-11-28T10:00:00+00:00",
            ["Id"] = "6f2a0c7e-4d4b-4f7e-9c57-0b3c1f6f2d11",
            ["InsertionTime"] = "2026-11-21T10:00:00+00:00",
            ["NextVisibleTime"] = "2026-11-21T10:10:00+00:00",
            ["PopReceipt"] = "AgAAAAMAAAAAAAAA",
            ["sys"] = new JsonObject { ["MethodName"] = "ProbeQueue", ["UtcNow"] = "2026-11-21T10:00:01Z", ["RandGuid"] = Guid.NewGuid().ToString() },
        },
    };

    static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, JsonNode body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Azure-Functions-InvocationId", "3b1f0d6e-0000-4000-8000-000000000001");
        return client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task A_queue_envelope_reaches_the_handler_with_decoded_text_and_dequeue_count()
    {
        await using var app = NewApp();
        using var client = app.CreateClient();
        const string text = "{\"v\":1,\"workflow\":\"w1\",\"chunk\":3,\"note\":\"\\\"quoted\\\" Zoë\"}";

        using var response = await PostAsync(client, "/ProbeQueue", QueueEnvelope(text, dequeueCount: 3));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = Assert.Single(app.Probe.QueueCalls);
        Assert.Equal(text, call.MessageText);
        Assert.Equal(3, call.DequeueCount);
        Assert.Equal("6f2a0c7e-4d4b-4f7e-9c57-0b3c1f6f2d11", call.MessageId);
        Assert.Equal(DateTimeOffset.Parse("2026-11-21T10:00:00+00:00"), call.InsertionTime);
        Assert.Equal("3b1f0d6e-0000-4000-8000-000000000001", call.InvocationId);
        await AssertResultShapeAsync(response);
    }

    [Fact]
    public async Task A_failing_handler_answers_500_with_the_result_shape_and_no_details()
    {
        await using var app = NewApp();
        using var client = app.CreateClient();
        app.Probe.OnQueue = (_, _) => throw new InvalidOperationException("secret-ish detail");

        using var response = await PostAsync(client, "/ProbeQueue", QueueEnvelope("{\"v\":1}", dequeueCount: 5));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var logs = await AssertResultShapeAsync(response);
        var log = Assert.Single(logs);
        Assert.Contains("InvalidOperationException", log);
        Assert.DoesNotContain("secret-ish detail", log);
        Assert.DoesNotContain(" at ", log);
    }

    [Fact]
    public async Task A_timer_envelope_carries_past_due_and_schedule_status()
    {
        await using var app = NewApp();
        using var client = app.CreateClient();
        var envelope = JsonNode.Parse("""
            {"Data":{"timer":{"Schedule":{"AdjustForDST":true},
              "ScheduleStatus":{"Last":"2026-11-21T09:00:00+00:00","Next":"2026-11-21T11:00:00+00:00","LastUpdated":"2026-11-21T10:00:03+00:00"},
              "IsPastDue":true}},
             "Metadata":{"sys":{"MethodName":"ProbeTimer","UtcNow":"2026-11-21T10:00:03Z","RandGuid":"0c1d"}}}
            """)!;

        using var response = await PostAsync(client, "/ProbeTimer", envelope);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = Assert.Single(app.Probe.TimerCalls);
        Assert.True(call.IsPastDue);
        Assert.Equal(DateTimeOffset.Parse("2026-11-21T09:00:00+00:00"), call.ScheduleStatus?.Last);
        Assert.Equal(DateTimeOffset.Parse("2026-11-21T11:00:00+00:00"), call.ScheduleStatus?.Next);
        await AssertResultShapeAsync(response);
    }

    [Fact]
    public async Task A_timer_without_monitor_has_no_schedule_status()
    {
        await using var app = NewApp();
        using var client = app.CreateClient();
        var envelope = JsonNode.Parse("""{"Data":{"timer":{"Schedule":{},"ScheduleStatus":null,"IsPastDue":false}},"Metadata":{}}""")!;

        using var response = await PostAsync(client, "/ProbeTimer", envelope);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = Assert.Single(app.Probe.TimerCalls);
        Assert.False(call.IsPastDue);
        Assert.Null(call.ScheduleStatus);
    }

    [Fact]
    public async Task An_unknown_function_is_404_and_a_malformed_envelope_is_400()
    {
        await using var app = NewApp();
        using var client = app.CreateClient();

        using var unknown = await PostAsync(client, "/NoSuchQueue", QueueEnvelope("x", 1));
        using var malformed = await PostAsync(client, "/ProbeQueue", JsonNode.Parse("""{"Metadata":{}}""")!);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Empty(app.Probe.QueueCalls);
    }

    [Fact]
    public async Task Standalone_outside_development_maps_no_invocation_routes_but_answers_readiness()
    {
        await using var app = NewApp(environment: "Production");
        using var client = app.CreateClient();

        using var invocation = await PostAsync(client, "/ProbeQueue", QueueEnvelope("x", 1));
        using var readiness = await client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.NotFound, invocation.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readiness.StatusCode);
        Assert.Empty(app.Probe.QueueCalls);
    }

    static async Task<IReadOnlyList<string>> AssertResultShapeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.NotNull(body);
        Assert.Equal(["Outputs", "Logs", "ReturnValue"], body.Select(p => p.Key));
        Assert.Empty(body["Outputs"]!.AsObject());
        Assert.Null(body["ReturnValue"]);
        return body["Logs"]!.AsArray().Select(l => l!.GetValue<string>()).ToList();
    }
}
