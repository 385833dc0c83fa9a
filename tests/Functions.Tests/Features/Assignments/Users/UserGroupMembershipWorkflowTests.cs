using System.Globalization;
using System.Net;
using System.Text.Json;
using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Assignments.Users;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Tasks;
using ManagedDistribution.Platform.Storage;
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
    const int InlineLimit = 3;

    static Task<VppTestHost> StartHostAsync(AzuriteFixture azurite, string inlineRescueAfter = "00:05:00") => VppTestHost.StartAsync(azurite, settings: new()
    {
        ["AppleAppsAndBooks:InitialEventPollDelay"] = "00:00:00.020",
        ["UserGroupMembership:InlineLimit"] = InlineLimit.ToString(CultureInfo.InvariantCulture),
        ["UserGroupMembership:ChunkSize"] = "2",
        ["UserGroupMembership:InlineRescueAfter"] = inlineRescueAfter,
    });

    [Fact]
    public async Task ASmallChangeIsServedInItsRequestAndItsHeldBackMessageChangesNothing()
    {
        await using var host = await StartHostAsync(azurite, inlineRescueAfter: "00:00:01");
        var (location, app, users, group) = await EmptyGroupWithAppAsync(host, "9821");
        var device = await DeviceOfAsync(host, users[0]);

        await AddMembersAsync(host, group, users); // inline: served when the request answers
        var members = await MembersAsync(host, group, app);
        Assert.All(users, u => Assert.Equal(MemberStates.Licensed, members[u].State));
        var task = Assert.Single(await TasksOfAsync(host, group));
        Assert.Equal((WorkflowStates.Completed, 2), (task.State, task.Progress["joined"]));

        // The held-back message (1 s here) finds the chunk done: no second license, no second command.
        var queue = host.App.Services.GetRequiredService<QueueServiceClient>().GetQueueClient(UserGroupMembershipWorkflow.QueueName);
        await Task.Delay(TimeSpan.FromSeconds(1), Cancel);
        await VppTestHost.EventuallyAsync(async () => await queue.GetApproximateCountAsync(Cancel) == 0, "the held-back message to be handled");
        var counts = await CountsAsync(host, app);
        Assert.Equal((2, 0), (counts.Assigned, counts.Reserved));
        Assert.Equal(2, location.Asset("9821")!.AssignedCount);
        Assert.Single(await CommandsAsync(host, device));
        Assert.Equal(WorkflowStates.Completed, Assert.Single(await TasksOfAsync(host, group)).State);
    }

    [Fact]
    public async Task ASmallChangeWhoseRequestDiedIsFinishedByItsHeldBackMessage()
    {
        await using var host = await StartHostAsync(azurite, inlineRescueAfter: "00:00:01");
        var (location, app, users, group) = await EmptyGroupWithAppAsync(host, "9831");

        // The request wrote the members and started the change's workflow, then died before running it.
        var services = host.App.Services;
        var silent = new MembershipStore(services.GetRequiredService<DirectoryTables>(), services.GetRequiredService<GroupStore>(), [],
            TimeProvider.System);
        await silent.AddAsync(GroupKind.User, new Dictionary<string, IReadOnlyCollection<string>> { [group] = users }, Cancel);
        var change = new GroupMembershipChange(GroupKind.User, group, users, []);
        await services.GetRequiredService<UserGroupMembershipWorkflow>().StartAsync(change, TimeSpan.FromSeconds(2), Cancel);
        Assert.Equal(0, location.Asset("9831")!.AssignedCount); // nobody served yet

        var task = await FinishedTaskAsync(host, group, total: 2);
        Assert.Equal((WorkflowStates.Completed, 2), (task.State, task.Progress["joined"]));
        var members = await MembersAsync(host, group, app);
        Assert.All(users, u => Assert.Equal(MemberStates.Licensed, members[u].State));
        Assert.Equal(2, location.Asset("9831")!.AssignedCount);
    }

    /// <summary>An app (10 licenses) assigned to a group without members, and two enrolled users to add.</summary>
    static async Task<(AppleEmulator.AppsAndBooks.EmulatedLocation Location, string App, string[] Users, string Group)> EmptyGroupWithAppAsync(
        VppTestHost host, string adamId)
    {
        var location = await LocationAsync(host, (adamId, 10, "App"));
        var app = ContentId(location, adamId);
        string[] users = [await AddUserAsync(host), await AddUserAsync(host)];
        foreach (var user in users) await EnrolUserAsync(host, location, user, DateTimeOffset.UtcNow);
        var group = await AddGroupAsync(host);
        await host.ReadAsync<AssignmentDto>(await AssignGroupAsync(host, group, app), HttpStatusCode.Created);
        return (location, app, users, group);
    }

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
        await AddMembersAsync(host, group, users[2..]);
        // Two inline changes: each ran in its request as a workflow whose (held back) messages only rescue a request that died.
        Assert.Equal([WorkflowStates.Completed, WorkflowStates.Completed], (await TasksOfAsync(host, group)).Select(t => t.State));
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

    /// <summary>The group's one membership workflow of more than <paramref name="total"/> members (default: over the inline limit), once finished.</summary>
    static async Task<TaskView> FinishedTaskAsync(VppTestHost host, string group, int total = InlineLimit + 1)
    {
        TaskView? task = null;
        await VppTestHost.EventuallyAsync(async () =>
            (task = (await TasksOfAsync(host, group)).SingleOrDefault(t => t.Total >= total)) is { } t && !WorkflowStates.IsActive(t.State),
            "the membership workflow to finish");
        return task!;
    }
}
