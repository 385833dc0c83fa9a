using System.Net;
using System.Text.Json;
using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Assignments.Users;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Tasks;
using ManagedDistribution.Platform.Workflows;
using ManagedDistribution.Tests.Features.LocationTokens;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static ManagedDistribution.Tests.Features.Assignments.AssignmentTestKit;
using static ManagedDistribution.Tests.Features.Assignments.UserAssignmentTestKit;

namespace ManagedDistribution.Tests.Features.Assignments.Users;

/// <summary>
/// Membership changes over the inline limit (3 here) run as workflow <c>user-group-membership</c>
/// on queue <c>usergroups</c>, 2 members per chunk: end to end against Azurite and the Apple emulator.
/// </summary>
public sealed class UserGroupMembershipWorkflowTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    static Task<VppTestHost> StartHostAsync(AzuriteFixture azurite) => VppTestHost.StartAsync(azurite, settings: new()
    {
        ["AppleAppsAndBooks:InitialEventPollDelay"] = "00:00:00.020",
        ["UserGroupMembership:InlineLimit"] = "3",
        ["UserGroupMembership:ChunkSize"] = "2",
    });

    [Fact]
    public async Task ABulkJoinRunsAsAWorkflowAndLicensesTheEnrolledMembersOnce()
    {
        await using var host = await StartHostAsync(azurite);
        var location = await LocationAsync(host, ("9801", 10, "App"), ("9802", 10, "Book"));
        var (app, book) = (ContentId(location, "9801"), ContentId(location, "9802"));
        string[] enrolled = [await AddUserAsync(host), await AddUserAsync(host), await AddUserAsync(host), await AddUserAsync(host)];
        string[] notEnrolled = [await AddUserAsync(host), await AddUserAsync(host, enable: false)];
        foreach (var user in enrolled) await EnrolUserAsync(host, location, user, DateTimeOffset.UtcNow);
        var device = await DeviceOfAsync(host, enrolled[0]);
        var group = await AddGroupAsync(host);
        await host.ReadAsync<AssignmentDto>(await AssignGroupAsync(host, group, app), HttpStatusCode.Created);
        await host.ReadAsync<AssignmentDto>(await AssignGroupAsync(host, group, book), HttpStatusCode.Created);

        await AddMembersAsync(host, group, [.. enrolled, .. notEnrolled]);
        var task = await FinishedTaskAsync(host, group);
        Assert.Equal((WorkflowStates.Completed, 6), (task.State, task.Total));
        Assert.Equal(new Dictionary<string, int> { ["joined"] = 6 }, task.Progress);
        foreach (var content in (string[])[app, book])
        {
            var members = await MembersAsync(host, group, content);
            Assert.All(enrolled, u => Assert.Equal(MemberStates.Licensed, members[u].State));
            Assert.All(notEnrolled, u => Assert.Equal((MemberStates.Pending, MemberReasons.UserNotEnrolled), (members[u].State, members[u].Reason)));
        }
        await AssertLicensedOnceAsync(host, location, app, book, enrolled);
        Assert.Equal(2, (await CommandsAsync(host, device)).Count); // the app and the book

        // The chunks again, as after a crash between their side effects and the commit: nothing changes.
        var engine = host.App.Services.GetRequiredService<WorkflowEngine>();
        var workflow = (await engine.GetAsync(task.Id, Cancel))!;
        var items = (await engine.GetItemsAsync(task.Id, null, 100, Cancel)).Items;
        var processor = host.App.Services.GetRequiredService<UserGroupMembershipProcessor>();
        foreach (var chunk in items.GroupBy(i => i.Chunk))
            await processor.ProcessAsync(new WorkflowChunk(workflow, chunk.Key, 0, [.. chunk]), Cancel);
        await AssertLicensedOnceAsync(host, location, app, book, enrolled);
        Assert.Equal(2, (await CommandsAsync(host, device)).Count);

        // The same change raised again (the same members re-added later) runs again, and serves nobody twice.
        var change = new GroupMembershipChange(GroupKind.User, group, [.. enrolled, .. notEnrolled], []);
        foreach (var listener in host.App.Services.GetServices<IGroupMembershipListener>()) await listener.MembersChangedAsync(change, Cancel);
        Assert.Equal(2, (await TasksOfAsync(host, group)).Count);
        await VppTestHost.EventuallyAsync(async () => (await TasksOfAsync(host, group)).All(t => t.State == WorkflowStates.Completed), "the second workflow");
        await AssertLicensedOnceAsync(host, location, app, book, enrolled);
        Assert.Equal(2, (await CommandsAsync(host, device)).Count);
    }

    [Fact]
    public async Task ABulkLeaveRevokesAppLicensesAndLeavesTheBooks()
    {
        await using var host = await StartHostAsync(azurite);
        var location = await LocationAsync(host, ("9811", 10, "App"), ("9812", 10, "Book"));
        var (app, book) = (ContentId(location, "9811"), ContentId(location, "9812"));
        string[] users = [await AddUserAsync(host), await AddUserAsync(host), await AddUserAsync(host), await AddUserAsync(host)];
        foreach (var user in users) await EnrolUserAsync(host, location, user, DateTimeOffset.UtcNow);
        var group = await AddGroupAsync(host, users[..2]);
        await AddMembersAsync(host, group, users[2..]); // two inline changes: no workflow
        Assert.Empty(await TasksOfAsync(host, group));
        await host.ReadAsync<AssignmentDto>(await AssignGroupAsync(host, group, app), HttpStatusCode.Created);
        await host.ReadAsync<AssignmentDto>(await AssignGroupAsync(host, group, book), HttpStatusCode.Created);
        Assert.Equal((4, 4), ((await CountsAsync(host, app)).Assigned, (await CountsAsync(host, book)).Assigned));

        await RemoveMembersAsync(host, group, users);
        var task = await FinishedTaskAsync(host, group);
        Assert.Equal(new Dictionary<string, int> { ["left"] = 4 }, task.Progress);
        var appMembers = await MembersAsync(host, group, app);
        var bookMembers = await MembersAsync(host, group, book);
        foreach (var user in users)
        {
            Assert.Equal((MemberStates.Revoked, MemberReasons.LeftGroup), (appMembers[user].State, appMembers[user].Reason));
            Assert.False(AtApple(location, "9811", user));
            Assert.Equal(MemberStates.Revoked, bookMembers[user].State);
            Assert.Contains("keeps the book", bookMembers[user].Detail, StringComparison.Ordinal);
            Assert.True(AtApple(location, "9812", user)); // R2
        }
        var (appCounts, bookCounts) = (await CountsAsync(host, app), await CountsAsync(host, book));
        Assert.Equal((0, 0, 10), (appCounts.Assigned, appCounts.Reserved, appCounts.Available));
        Assert.Equal((4, 0), (bookCounts.Assigned, bookCounts.Reserved));
        Assert.Equal((0, 4), (location.Asset("9811")!.AssignedCount, location.Asset("9812")!.AssignedCount));
    }

    /// <summary>Each enrolled member holds one committed license of each item; nothing left reserved; Apple agrees.</summary>
    static async Task AssertLicensedOnceAsync(VppTestHost host, AppleEmulator.AppsAndBooks.EmulatedLocation location, string app, string book,
        string[] enrolled)
    {
        foreach (var (content, adamId) in new[] { (app, "9801"), (book, "9802") })
        {
            var counts = await CountsAsync(host, content);
            Assert.Equal((enrolled.Length, 0, 10 - enrolled.Length), (counts.Assigned, counts.Reserved, counts.Available));
            Assert.Equal(enrolled.Length, location.Asset(adamId)!.AssignedCount);
        }
    }

    static async Task<List<TaskView>> TasksOfAsync(VppTestHost host, string group)
    {
        var page = await host.JsonAsync(await host.Client.GetAsync("/api/tasks?state=all", Cancel));
        return [.. page.GetProperty("items").Deserialize<List<TaskView>>(VppTestHost.Json)!
            .Where(t => t.Kind == UserGroupMembershipWorkflow.Kind && t.Reason?.Contains(group, StringComparison.Ordinal) == true)];
    }

    static async Task<TaskView> FinishedTaskAsync(VppTestHost host, string group)
    {
        TaskView? task = null;
        await VppTestHost.EventuallyAsync(async () =>
            (task = (await TasksOfAsync(host, group)).SingleOrDefault()) is { } t && !WorkflowStates.IsActive(t.State), "the membership workflow to finish");
        return task!;
    }
}
