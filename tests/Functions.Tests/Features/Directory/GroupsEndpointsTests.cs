using System.Net;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;

namespace ManagedDistribution.Tests.Features.Directory;

/// <summary>User and device groups end to end: CRUD, bulk membership, counts, references.</summary>
public sealed class GroupsEndpointsTests : IAsyncDisposable
{
    readonly FakeGroupReferences references = new();
    readonly DirectoryTestHost host;
    static CancellationToken Cancel => DirectoryTestHost.Cancel;

    public GroupsEndpointsTests(AzuriteFixture azurite) => host = new DirectoryTestHost(azurite, references);

    [Fact]
    public async Task GroupCrudWithValidation()
    {
        var created = await host.ReadAsync<GroupDto>(await host.PostJsonAsync("/api/user-groups", new { id = "teachers", name = "Teachers", description = "All staff" }), HttpStatusCode.Created);
        Assert.Equal(0, created.MemberCount);
        await ProblemAssert.IsProblemAsync(await host.PostJsonAsync("/api/user-groups", new { id = "teachers", name = "Again" }), HttpStatusCode.Conflict, "conflict");
        await ProblemAssert.IsProblemAsync(await host.PostJsonAsync("/api/user-groups", new { id = "a b", name = "" }), HttpStatusCode.BadRequest, "validation");

        var renamed = await host.ReadAsync<GroupDto>(await host.PutJsonAsync("/api/user-groups/teachers", new { name = "Teaching staff" }));
        Assert.Equal("Teaching staff", renamed.Name);
        Assert.Null(renamed.Description);
        Assert.Equal(HttpStatusCode.Created, (await host.PutJsonAsync("/api/user-groups/new-one", new { name = "New" })).StatusCode);

        var list = await host.ReadAsync<Page<GroupDto>>(await host.Client.GetAsync("/api/user-groups?search=teach", Cancel));
        Assert.Equal(["teachers"], list.Items.Select(g => g.Id));
        Assert.Empty((await host.ReadAsync<Page<GroupDto>>(await host.Client.GetAsync("/api/device-groups", Cancel))).Items);

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync("/api/user-groups/teachers", Cancel)).StatusCode);
        await ProblemAssert.IsProblemAsync(await host.Client.GetAsync("/api/user-groups/teachers", Cancel), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task TenThousandMembersAddedAndRemovedInBulk()
    {
        var ids = await host.SeedUsersAsync(10_000);
        await host.CreateGroupAsync("user-groups", "everyone");

        var added = await host.ReadAsync<MembersAdded>(await host.PostJsonAsync("/api/user-groups/everyone/members", new { ids }));
        Assert.Equal(new MembersAdded(10_000, 0, 10_000), added);
        // Adding members again changes nothing, and repeats in one request count once.
        var again = await host.ReadAsync<MembersAdded>(await host.PostJsonAsync("/api/user-groups/everyone/members", new { ids = ids.Take(5).Concat(ids.Take(5)).ToArray() }));
        Assert.Equal(new MembersAdded(0, 5, 10_000), again);

        var listed = new List<string>();
        string? token = null;
        do
        {
            var url = "/api/user-groups/everyone/members?pageSize=1000" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            var page = await host.ReadAsync<Page<MemberDto>>(await host.Client.GetAsync(url, Cancel));
            listed.AddRange(page.Items.Select(m => m.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);
        Assert.Equal(ids, listed);

        var half = ids.Where((_, i) => i % 2 == 0).Append("not-a-member").ToArray();
        var removed = await host.ReadAsync<MembersRemoved>(await host.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Delete, "/api/user-groups/everyone/members") { Content = System.Net.Http.Json.JsonContent.Create(new { ids = half }) }, Cancel));
        Assert.Equal(new MembersRemoved(5_000, 1, 5_000), removed);
        var removedAgain = await host.ReadAsync<MembersRemoved>(await host.PostJsonAsync("/api/user-groups/everyone/members/remove", new { ids = half }));
        Assert.Equal(new MembersRemoved(0, 5_001, 5_000), removedAgain);

        Assert.Equal(5_000, (await host.ReadAsync<GroupDto>(await host.Client.GetAsync("/api/user-groups/everyone", Cancel))).MemberCount);
        Assert.Empty(await host.ReadAsync<MembershipDto[]>(await host.Client.GetAsync($"/api/users/{ids[0]}/groups", Cancel)));
        Assert.Single(await host.ReadAsync<MembershipDto[]>(await host.Client.GetAsync($"/api/users/{ids[1]}/groups", Cancel)));
    }

    [Fact]
    public async Task UnknownOrMalformedIdsChangeNothing()
    {
        await host.SeedUsersAsync(3);
        await host.CreateGroupAsync("user-groups", "g");
        var problem = await ProblemAssert.IsProblemAsync(await host.PostJsonAsync("/api/user-groups/g/members", new { ids = new[] { "u00000", "ghost", "u00001", "phantom" } }),
            HttpStatusCode.BadRequest, "unknown-ids");
        Assert.Equal(["ghost", "phantom"], problem.GetProperty("unknownIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, (await host.ReadAsync<GroupDto>(await host.Client.GetAsync("/api/user-groups/g", Cancel))).MemberCount);

        await ProblemAssert.IsProblemAsync(await host.PostJsonAsync("/api/user-groups/g/members", new { ids = new[] { "ok", "no/slash" } }), HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.IsProblemAsync(await host.PostJsonAsync("/api/user-groups/g/members", new { ids = Array.Empty<string>() }), HttpStatusCode.BadRequest, "validation");
        var tooMany = Enumerable.Range(0, 10_001).Select(i => $"x{i}").ToArray();
        await ProblemAssert.IsProblemAsync(await host.PostJsonAsync("/api/user-groups/g/members", new { ids = tooMany }), HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.IsProblemAsync(await host.PostJsonAsync("/api/user-groups/nope/members", new { ids = new[] { "u00000" } }), HttpStatusCode.NotFound, "not-found");
        Assert.Empty((await host.ReadAsync<Page<MemberDto>>(await host.Client.GetAsync("/api/user-groups/g/members", Cancel))).Items);
    }

    [Fact]
    public async Task AUserBelongsToSeveralGroups()
    {
        await host.SeedUsersAsync(4);
        foreach (var group in new[] { "a", "b", "c" }) await host.CreateGroupAsync("user-groups", group);
        await host.PostJsonAsync("/api/user-groups/a/members", new { ids = new[] { "u00000", "u00001" } });
        await host.PostJsonAsync("/api/user-groups/b/members", new { ids = new[] { "u00000" } });
        await host.PostJsonAsync("/api/user-groups/c/members", new { ids = new[] { "u00000", "u00002", "u00003" } });

        var groups = await host.ReadAsync<MembershipDto[]>(await host.Client.GetAsync("/api/users/u00000/groups", Cancel));
        Assert.Equal(["a", "b", "c"], groups.Select(g => g.GroupId));
        Assert.Equal(new[] { 2, 1, 3 }, await Task.WhenAll(new[] { "a", "b", "c" }.Select(async g =>
            (await host.ReadAsync<GroupDto>(await host.Client.GetAsync($"/api/user-groups/{g}", Cancel))).MemberCount)));

        // Deleting a group takes its memberships with it.
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync("/api/user-groups/b", Cancel)).StatusCode);
        Assert.Equal(["a", "c"], (await host.ReadAsync<MembershipDto[]>(await host.Client.GetAsync("/api/users/u00000/groups", Cancel))).Select(g => g.GroupId));
    }

    [Fact]
    public async Task DeviceGroupsTakeDeviceIdsFromTheDeviceRegistry()
    {
        host.Devices.UserOfDevice["IPAD-1"] = null;
        host.Devices.UserOfDevice["IPAD-2"] = null;
        await host.CreateGroupAsync("device-groups", "carts");
        var problem = await ProblemAssert.IsProblemAsync(await host.PostJsonAsync("/api/device-groups/carts/members", new { ids = new[] { "IPAD-1", "IPAD-9" } }),
            HttpStatusCode.BadRequest, "unknown-ids");
        Assert.Equal(["IPAD-9"], problem.GetProperty("unknownIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(new MembersAdded(2, 0, 2), await host.ReadAsync<MembersAdded>(await host.PostJsonAsync("/api/device-groups/carts/members", new { ids = new[] { "IPAD-1", "IPAD-2" } })));
        // The same id in a user group of the same name is a different thing.
        await ProblemAssert.IsProblemAsync(await host.Client.GetAsync("/api/user-groups/carts/members", Cancel), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task GroupDeleteIsRefusedWhileReferencedUnlessForced()
    {
        await host.SeedUsersAsync(2);
        await host.CreateGroupAsync("user-groups", "pilots");
        await host.PostJsonAsync("/api/user-groups/pilots/members", new { ids = new[] { "u00000", "u00001" } });
        references.References["User:pilots"] = [new GroupReference("assignment", "as-1", "Keynote to pilots")];

        var refused = await ProblemAssert.IsProblemAsync(await host.Client.DeleteAsync("/api/user-groups/pilots", Cancel), HttpStatusCode.Conflict, "conflict");
        Assert.Equal("as-1", refused.GetProperty("references")[0].GetProperty("id").GetString());
        Assert.Equal(2, (await host.ReadAsync<GroupDto>(await host.Client.GetAsync("/api/user-groups/pilots", Cancel))).MemberCount);

        var forced = await host.ReadAsync<GroupDeleted>(await host.Client.DeleteAsync("/api/user-groups/pilots?force=true", Cancel));
        Assert.Equal(2, forced.RemovedMembers);
        Assert.Single(forced.References);
        Assert.Empty(await host.ReadAsync<MembershipDto[]>(await host.Client.GetAsync("/api/users/u00000/groups", Cancel)));
        // Users whose only references were memberships of the deleted group can now be deleted plainly.
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync("/api/users/u00000", Cancel)).StatusCode);
    }

    [Fact]
    public async Task ConcurrentBulkAddsKeepTheCountExact()
    {
        var ids = await host.SeedUsersAsync(600);
        await host.CreateGroupAsync("user-groups", "race");
        var chunks = ids.Chunk(100).Select(c => host.PostJsonAsync("/api/user-groups/race/members", new { ids = c.Concat(ids.Take(50)).ToArray() }));
        foreach (var response in await Task.WhenAll(chunks)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(600, (await host.ReadAsync<GroupDto>(await host.Client.GetAsync("/api/user-groups/race", Cancel))).MemberCount);
    }

    public ValueTask DisposeAsync() => host.DisposeAsync();
}
