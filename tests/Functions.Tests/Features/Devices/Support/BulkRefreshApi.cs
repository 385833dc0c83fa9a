using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ManagedDistribution.Tests.Features.Devices.Support;

/// <summary>Admin-side helpers for the bulk refresh tests: a device group with members, the 202 body and its skips.</summary>
public static class BulkRefreshApi
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task CreateGroupAsync(HttpClient admin, string id, string[] members)
    {
        using var created = await admin.PostAsJsonAsync("/api/device-groups", new { id, name = "Group " + id }, Token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var added = await admin.PostAsJsonAsync($"/api/device-groups/{id}/members", new { ids = members }, Token);
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(Token));
    }

    public static async Task<JsonElement> AcceptedAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static (string, string)[] Skipped(JsonElement body) =>
        [.. body.GetProperty("skipped").EnumerateArray().Select(s => (s.GetProperty("deviceId").GetString()!, s.GetProperty("reason").GetString()!))
            .OrderBy(s => s.Item1, StringComparer.Ordinal)];
}
