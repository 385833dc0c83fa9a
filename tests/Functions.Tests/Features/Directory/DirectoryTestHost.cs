using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManagedDistribution.Tests.Features.Directory;

/// <summary>
/// The real app on Azurite with a stand-in device registry (<see cref="FakeDevices"/>, owned by
/// the Devices feature in the app) and an optional group reference source.
/// </summary>
sealed class DirectoryTestHost : IAsyncDisposable
{
    public DirectoryTestHost(AzuriteFixture azurite, IGroupReferenceSource? references = null)
    {
        App = new AppFactory(azurite)
        {
            ConfigureServices = services =>
            {
                services.RemoveAll<IDeviceDirectory>();
                services.AddSingleton<IDeviceDirectory>(Devices);
                if (references is not null) services.AddSingleton(references);
            },
        };
        Client = App.CreateAdminClient();
        Client.Timeout = TimeSpan.FromMinutes(5);
    }

    public AppFactory App { get; }
    public HttpClient Client { get; }
    public FakeDevices Devices { get; } = new();

    public static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.Clone();

    public async Task<T> ReadAsync<T>(HttpResponseMessage response, System.Net.HttpStatusCode status = System.Net.HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, Json)!;
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, object body) => Client.PostAsJsonAsync(path, body, Json, Cancel);

    public Task<HttpResponseMessage> PutJsonAsync(string path, object body) => Client.PutAsJsonAsync(path, body, Json, Cancel);

    public Task<HttpResponseMessage> PostCsvAsync(string path, string csv, bool bom = false)
    {
        var bytes = Encoding.UTF8.GetBytes(csv);
        if (bom) bytes = [.. Encoding.UTF8.Preamble, .. bytes];
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("text/csv");
        return Client.PostAsync(path, content, Cancel);
    }

    /// <summary>Creates users u0000…u{count-1} through the import endpoint (fast) and returns their ids.</summary>
    public async Task<List<string>> SeedUsersAsync(int count, string prefix = "u")
    {
        var users = Enumerable.Range(0, count).Select(i => new { id = $"{prefix}{i:D5}", shortName = $"{prefix}{i}", fullName = $"User {i}" }).ToList();
        var result = await ReadAsync<ImportResult>(await PostJsonAsync("/api/users/import", users));
        Assert.Equal(0, result.Rejected);
        return [.. users.Select(u => u.id)];
    }

    public async Task CreateGroupAsync(string kind, string id, string name = "Group")
    {
        var response = await PostJsonAsync($"/api/{kind}", new { id, name });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>A device registry double: devices and the user each is associated with.</summary>
sealed class FakeDevices : IDeviceDirectory
{
    public ConcurrentDictionary<string, string?> UserOfDevice { get; } = new(StringComparer.Ordinal);

    public Task<bool> ExistsAsync(string deviceId, CancellationToken cancellationToken) => Task.FromResult(UserOfDevice.ContainsKey(deviceId));

    public Task<IReadOnlyList<string>> DeviceIdsForUserAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. UserOfDevice.Where(d => d.Value == userId).Select(d => d.Key).Order(StringComparer.Ordinal)]);
}

/// <summary>A group reference source double: group id → references.</summary>
sealed class FakeGroupReferences : IGroupReferenceSource
{
    public ConcurrentDictionary<string, GroupReference[]> References { get; } = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<GroupReference>> FindReferencesAsync(GroupKind kind, string groupId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<GroupReference>>(References.GetValueOrDefault($"{kind}:{groupId}") ?? []);
}
