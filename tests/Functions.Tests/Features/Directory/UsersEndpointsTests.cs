using System.Net;
using System.Net.Http.Json;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;

namespace ManagedDistribution.Tests.Features.Directory;

/// <summary>/api/users end to end on Azurite: CRUD, validation, ETags, paging, search, delete with references.</summary>
public sealed class UsersEndpointsTests(AzuriteFixture azurite) : IAsyncDisposable
{
    readonly DirectoryTestHost host = new(azurite);
    static CancellationToken Cancel => DirectoryTestHost.Cancel;

    [Fact]
    public async Task CreateReadReplaceDelete()
    {
        var created = await host.PostJsonAsync("/api/users",
            new { id = "ada", shortName = "ada", fullName = "Ada Lovelace", email = "Ada@Example.com", preferredLanguage = "en-gb" });
        var user = await host.ReadAsync<UserDto>(created, HttpStatusCode.Created);
        Assert.Equal("/api/users/ada", created.Headers.Location?.OriginalString);
        Assert.NotNull(created.Headers.ETag);
        Assert.Equal("en-GB", user.PreferredLanguage);
        Assert.Equal(user.CreatedAt, user.UpdatedAt);

        var read = await host.Client.GetAsync("/api/users/ada", Cancel);
        Assert.Equal("Ada Lovelace", (await host.ReadAsync<UserDto>(read)).FullName);
        Assert.Equal(created.Headers.ETag, read.Headers.ETag);

        var replaced = await host.PutJsonAsync("/api/users/ada", new { shortName = "ada", fullName = "Augusta Ada King", managedAppleId = "ada@appleid.example.com" });
        var updated = await host.ReadAsync<UserDto>(replaced);
        Assert.Equal("Augusta Ada King", updated.FullName);
        Assert.Null(updated.Email);
        Assert.Equal(user.CreatedAt, updated.CreatedAt);
        Assert.NotEqual(read.Headers.ETag, replaced.Headers.ETag);

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync("/api/users/ada", Cancel)).StatusCode);
        await ProblemAssert.IsProblemAsync(await host.Client.GetAsync("/api/users/ada", Cancel), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblemAsync(await host.Client.DeleteAsync("/api/users/ada", Cancel), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task IdIsGeneratedWhenAbsentAndATakenIdIsAConflict()
    {
        var user = await host.ReadAsync<UserDto>(await host.PostJsonAsync("/api/users", new { shortName = "x", fullName = "X" }), HttpStatusCode.Created);
        Assert.True(DirectoryIds.IsValid(user.Id));
        await ProblemAssert.IsProblemAsync(await host.PostJsonAsync("/api/users", new { id = user.Id, shortName = "y", fullName = "Y" }),
            HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task PutCreatesThenIsIdempotent()
    {
        var body = new { shortName = "bob", fullName = "Bob", email = "bob@example.com" };
        var first = await host.PutJsonAsync("/api/users/bob", body);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var again = await host.PutJsonAsync("/api/users/bob", body);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first.Headers.ETag, again.Headers.ETag); // nothing changed, nothing written
    }

    [Fact]
    public async Task IfMatchGuardsReplaceAndDelete()
    {
        var created = await host.PostJsonAsync("/api/users", new { id = "carol", shortName = "carol", fullName = "Carol" });
        var etag = created.Headers.ETag!;
        var changed = await host.PutJsonAsync("/api/users/carol", new { shortName = "carol", fullName = "Carol C" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        var stale = new HttpRequestMessage(HttpMethod.Put, "/api/users/carol") { Content = JsonContent.Create(new { shortName = "carol", fullName = "Stale" }) };
        stale.Headers.IfMatch.Add(etag);
        await ProblemAssert.IsProblemAsync(await host.Client.SendAsync(stale, Cancel), HttpStatusCode.PreconditionFailed, "precondition-failed");

        var fresh = new HttpRequestMessage(HttpMethod.Put, "/api/users/carol") { Content = JsonContent.Create(new { shortName = "carol", fullName = "Fresh" }) };
        fresh.Headers.IfMatch.Add(changed.Headers.ETag!);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(fresh, Cancel)).StatusCode);

        var createOnly = new HttpRequestMessage(HttpMethod.Put, "/api/users/carol") { Content = JsonContent.Create(new { shortName = "carol", fullName = "New" }) };
        createOnly.Headers.IfNoneMatch.Add(System.Net.Http.Headers.EntityTagHeaderValue.Any);
        await ProblemAssert.IsProblemAsync(await host.Client.SendAsync(createOnly, Cancel), HttpStatusCode.PreconditionFailed, "precondition-failed");

        var staleDelete = new HttpRequestMessage(HttpMethod.Delete, "/api/users/carol");
        staleDelete.Headers.IfMatch.Add(etag);
        await ProblemAssert.IsProblemAsync(await host.Client.SendAsync(staleDelete, Cancel), HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.Equal("Fresh", (await host.ReadAsync<UserDto>(await host.Client.GetAsync("/api/users/carol", Cancel))).FullName);
    }

    [Fact]
    public async Task InvalidFieldsAreValidationProblemsAndNothingIsWritten()
    {
        var response = await host.PostJsonAsync("/api/users",
            new { id = "bad id!", shortName = " ", email = "not-an-email", managedAppleId = "x@", preferredLanguage = "english please" });
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "id", "shortName", "fullName", "email", "managedAppleId", "preferredLanguage" })
            Assert.True(errors.TryGetProperty(field, out _), $"{field} missing in {errors}");

        var mismatch = await host.PutJsonAsync("/api/users/dave", new { id = "eve", shortName = "d", fullName = "D" });
        await ProblemAssert.IsProblemAsync(mismatch, HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.IsProblemAsync(await host.Client.GetAsync("/api/users/dave", Cancel), HttpStatusCode.NotFound, "not-found");

        var wrongType = new StringContent("""{"shortName": 5, "fullName": "F"}""", System.Text.Encoding.UTF8, "application/json");
        await ProblemAssert.IsProblemAsync(await host.Client.PostAsync("/api/users", wrongType, Cancel), HttpStatusCode.BadRequest, "malformed-json");
    }

    [Fact]
    public async Task ListingPagesThroughEveryUserOnce()
    {
        var ids = await host.SeedUsersAsync(250);
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var url = "/api/users?pageSize=100" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            var page = await host.ReadAsync<Page<UserDto>>(await host.Client.GetAsync(url, Cancel));
            Assert.True(page.Items.Count <= 100);
            seen.AddRange(page.Items.Select(u => u.Id));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);
        Assert.Equal(3, pages);
        // Key order is bucket, then id (UserEntity): every user exactly once.
        Assert.Equal(ids, seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BadPagingParametersAreValidationProblems()
    {
        await ProblemAssert.IsProblemAsync(await host.Client.GetAsync("/api/users?pageSize=0", Cancel), HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.IsProblemAsync(await host.Client.GetAsync("/api/users?pageSize=5000", Cancel), HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.IsProblemAsync(await host.Client.GetAsync("/api/users?continuationToken=garbage!", Cancel), HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.IsProblemAsync(await host.Client.GetAsync("/api/users?pageSize=ten", Cancel), HttpStatusCode.BadRequest, "bad-request");
    }

    [Fact]
    public async Task SearchMatchesNamesAndEmailCaseInsensitivelyAcrossPages()
    {
        await host.SeedUsersAsync(120, "filler");
        foreach (var (id, shortName, fullName, email) in new[]
        {
            ("s1", "jdoe", "John Doe", "john@example.com"),
            ("s2", "mary", "Mary Johnson", "mary@example.com"),
            ("s3", "pat", "Pat Smith", "PAT.JOHNS@example.org"),
            ("s4", "kim", "Kim Lee", "kim@example.com"),
        })
            Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/api/users", new { id, shortName, fullName, email })).StatusCode);

        var found = new List<string>();
        string? token = null;
        do
        {
            var url = "/api/users?search=JOHN&pageSize=2" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            var page = await host.ReadAsync<Page<UserDto>>(await host.Client.GetAsync(url, Cancel));
            found.AddRange(page.Items.Select(u => u.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);
        Assert.Equal(["s1", "s2", "s3"], found.Order(StringComparer.Ordinal));

        var byEmail = await host.ReadAsync<Page<UserDto>>(await host.Client.GetAsync("/api/users?search=example.org", Cancel));
        Assert.Equal(["s3"], byEmail.Items.Select(u => u.Id));
    }

    [Fact]
    public async Task DeleteIsRefusedWhileDevicesAndGroupsReferToTheUserUnlessForced()
    {
        await host.PostJsonAsync("/api/users", new { id = "frank", shortName = "frank", fullName = "Frank" });
        await host.CreateGroupAsync("user-groups", "staff");
        await host.CreateGroupAsync("user-groups", "admins");
        foreach (var group in new[] { "staff", "admins" })
            Assert.Equal(HttpStatusCode.OK, (await host.PostJsonAsync($"/api/user-groups/{group}/members", new { ids = new[] { "frank" } })).StatusCode);
        host.Devices.UserOfDevice["DEVICE-1"] = "frank";

        var refused = await ProblemAssert.IsProblemAsync(await host.Client.DeleteAsync("/api/users/frank", Cancel), HttpStatusCode.Conflict, "conflict");
        Assert.Equal(["DEVICE-1"], refused.GetProperty("devices").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["admins", "staff"], refused.GetProperty("userGroups").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/api/users/frank", Cancel)).StatusCode);

        var forced = await host.ReadAsync<UserDeleted>(await host.Client.DeleteAsync("/api/users/frank?force=true", Cancel));
        Assert.Equal(["admins", "staff"], forced.RemovedFromUserGroups.Order());
        Assert.Equal(["DEVICE-1"], forced.AssociatedDevices);
        Assert.NotNull(forced.Note);
        await ProblemAssert.IsProblemAsync(await host.Client.GetAsync("/api/users/frank", Cancel), HttpStatusCode.NotFound, "not-found");
        var staff = await host.ReadAsync<GroupDto>(await host.Client.GetAsync("/api/user-groups/staff", Cancel));
        Assert.Equal(0, staff.MemberCount);
        var members = await host.ReadAsync<Page<MemberDto>>(await host.Client.GetAsync("/api/user-groups/staff/members", Cancel));
        Assert.Empty(members.Items);
    }

    [Fact]
    public async Task UserDirectoryContractReadsTheStoredUser()
    {
        await host.PostJsonAsync("/api/users", new { id = "gina", shortName = "gina", fullName = "Gina", email = "gina@example.com", preferredLanguage = "nl-nl" });
        var directory = (IUserDirectory)host.App.Services.GetService(typeof(IUserDirectory))!;
        Assert.Equal(new UserSummary("gina", "gina", "Gina", "gina@example.com", null, "nl-NL"), await directory.GetUserAsync("gina", Cancel));
        Assert.Null(await directory.GetUserAsync("nobody", Cancel));
        Assert.Null(await directory.GetUserAsync("not valid/id", Cancel));
    }

    public ValueTask DisposeAsync() => host.DisposeAsync();
}
