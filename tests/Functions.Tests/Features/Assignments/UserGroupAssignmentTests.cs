using System.Net;
using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;
using Microsoft.Extensions.DependencyInjection;
using static ManagedDistribution.Tests.Features.Assignments.AssignmentTestKit;
using static ManagedDistribution.Tests.Features.Assignments.UserAssignmentTestKit;

namespace ManagedDistribution.Tests.Features.Assignments;

/// <summary>Content assigned to user groups: per-member state, licenses in enrolment order (R17), joins and leaves.</summary>
public sealed class UserGroupAssignmentTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ShortLicensesGoInEnrolmentOrderAndTheRestWaitUntilOneFrees()
    {
        await using var host = await StartAsync(azurite);
        var location = await LocationAsync(host, ("9401", 2, "App"));
        var app = ContentId(location, "9401");
        var (a, b, c, d) = (await AddUserAsync(host), await AddUserAsync(host), await AddUserAsync(host), await AddUserAsync(host, enable: false));
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        await EnrolUserAsync(host, location, c, start);
        await EnrolUserAsync(host, location, a, start.AddMinutes(1));
        await EnrolUserAsync(host, location, b, start.AddMinutes(2));
        var group = await AddGroupAsync(host, b, a, d, c);
        var device = await DeviceOfAsync(host, c);

        var preview = await PreviewAsync(host, "user-groups", group, app);
        Assert.Equal((true, 2, 2), (preview.Allowed, preview.LicensesNeeded, preview.LicensesAvailable));
        Assert.Equal(new Dictionary<string, int> { ["userNotEnrolled"] = 1, ["wouldLicense"] = 2, ["wouldWait"] = 1 }, preview.Members);

        var assigned = await host.ReadAsync<AssignmentDto>(await AssignGroupAsync(host, group, app), HttpStatusCode.Created);
        Assert.Equal(new Dictionary<string, int> { ["licensed"] = 2, ["pending"] = 2 }, assigned.MemberCounts);
        Assert.Equal(("user", "appleId", AssignmentStates.Pending), (assigned.LicenseType, assigned.AssignmentMode, assigned.State));
        var members = await MembersAsync(host, group, app);
        // c and a enrolled first: licensed; b enrolled last: waits; d never enrolled: pending without a license.
        Assert.Equal((MemberStates.Licensed, MemberStates.Licensed), (members[c].State, members[a].State));
        Assert.Equal((MemberStates.Pending, MemberReasons.NoLicense), (members[b].State, members[b].Reason));
        Assert.Equal((MemberStates.Pending, MemberReasons.UserNotEnrolled), (members[d].State, members[d].Reason));
        Assert.True(AtApple(location, "9401", c) && AtApple(location, "9401", a) && !AtApple(location, "9401", b));
        Assert.Equal(members[c].CommandUuid, Assert.Single(await CommandsAsync(host, device)).CommandUuid);
        Assert.Equal(new[] { b, d }.Order(), (await MembersAsync(host, group, app, MemberStates.Pending)).Keys.Order());
        var counts = await CountsAsync(host, app);
        Assert.Equal((2, 0), (counts.Assigned, counts.Available));
        // Repeat POST: the same assignment, nothing more consumed.
        Assert.Equal(assigned.Id, (await host.ReadAsync<AssignmentDto>(await AssignGroupAsync(host, group, app))).Id);
        Assert.Equal(2, (await CountsAsync(host, app)).Assigned);

        // a leaves: disassociated, returned; the waiting list then serves b.
        await RemoveMembersAsync(host, group, a);
        members = await MembersAsync(host, group, app);
        Assert.Equal((MemberStates.Revoked, MemberReasons.LeftGroup), (members[a].State, members[a].Reason));
        Assert.False(AtApple(location, "9401", a));
        Assert.Equal(MemberStates.Licensed, (await MembersAsync(host, group, app))[b].State);
        Assert.True(AtApple(location, "9401", b));
        Assert.Equal((2, 0), ((await CountsAsync(host, app)).Assigned, (await CountsAsync(host, app)).Available));

        // Retire c: license returned, member revoked / user-retired.
        await RetireUserAsync(host, c);
        Assert.Equal("user-retired", (await MembersAsync(host, group, app))[c].Reason);
        Assert.Equal(1, (await CountsAsync(host, app)).Assigned);
    }

    [Fact]
    public async Task MembersEnrollingLaterAreLicensedInTheOrderTheyEnrol()
    {
        await using var host = await StartAsync(azurite);
        var location = await LocationAsync(host, ("9501", 1, "App"), ("9502", 5, "Book"));
        var (app, book) = (ContentId(location, "9501"), ContentId(location, "9502"));
        var (x, y, z) = (await AddUserAsync(host), await AddUserAsync(host), await AddUserAsync(host));
        var group = await AddGroupAsync(host, x, y);

        Assert.Equal(new Dictionary<string, int> { ["userNotEnrolled"] = 2 }, (await PreviewAsync(host, "user-groups", group, app)).Members);
        var assigned = await host.ReadAsync<AssignmentDto>(await AssignGroupAsync(host, group, app), HttpStatusCode.Created);
        Assert.Equal(new Dictionary<string, int> { ["pending"] = 2 }, assigned.MemberCounts);
        await host.ReadAsync<AssignmentDto>(await AssignGroupAsync(host, group, book), HttpStatusCode.Created);
        Assert.Equal(0, (await CountsAsync(host, app)).Reserved + (await CountsAsync(host, app)).Assigned);

        await EnrolUserAsync(host, location, y, DateTimeOffset.UtcNow);
        await EnrolUserAsync(host, location, x, DateTimeOffset.UtcNow);
        var members = await MembersAsync(host, group, app);
        Assert.Equal(MemberStates.Licensed, members[y].State);
        Assert.Equal((MemberStates.Pending, MemberReasons.NoLicense), (members[x].State, members[x].Reason));
        Assert.Equal(2, (await CountsAsync(host, book)).Assigned);

        // z joins enrolled: gets the book; the app has none left, z waits.
        await EnrolUserAsync(host, location, z, DateTimeOffset.UtcNow);
        await AddMembersAsync(host, group, z);
        Assert.Equal(MemberStates.Licensed, (await MembersAsync(host, group, book))[z].State);
        Assert.Equal(MemberReasons.NoLicense, (await MembersAsync(host, group, app))[z].Reason);
        Assert.Equal(new Dictionary<string, int> { ["licensed"] = 1, ["pending"] = 2 }, (await GroupAssignmentAsync(host, group, app)).MemberCounts);

        // y leaves: the app goes back and straight to x, the first waiter (R17); the book stays with y (R2) and the member row says so.
        await RemoveMembersAsync(host, group, y);
        var bookMember = (await MembersAsync(host, group, book))[y];
        Assert.Equal(MemberStates.Revoked, bookMember.State);
        Assert.Contains("keeps the book", bookMember.Detail, StringComparison.Ordinal);
        Assert.True(AtApple(location, "9502", y));
        Assert.Equal(3, (await CountsAsync(host, book)).Assigned);
        var appMembers = await MembersAsync(host, group, app);
        Assert.Equal((MemberStates.Licensed, MemberReasons.NoLicense), (appMembers[x].State, appMembers[z].Reason));
        Assert.True(AtApple(location, "9501", x));
        Assert.Equal(1, (await CountsAsync(host, app)).Assigned);

        // The group's book cannot be revoked; the app can (its waiting members leave the list).
        await ProblemAssert.IsProblemAsync(await host.Client.DeleteAsync($"/api/user-groups/{group}/assignments/{book}", Cancel), HttpStatusCode.Conflict, "irrevocable");
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/user-groups/{group}/assignments/{app}", Cancel)).StatusCode);
        Assert.Equal(0, (await host.JsonAsync(await host.Client.GetAsync($"/api/content/{app}/licenses", Cancel))).GetProperty("waitingTotal").GetInt32());
        await ProblemAssert.IsProblemAsync(await host.Client.GetAsync($"/api/user-groups/{group}/assignments/{app}/members", Cancel), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task AUserKeepsAnAppTheyAlsoHaveDirectly()
    {
        await using var host = await StartAsync(azurite);
        var location = await LocationAsync(host, ("9601", 3, "App"));
        var app = ContentId(location, "9601");
        var user = await AddUserAsync(host);
        await EnrolUserAsync(host, location, user, DateTimeOffset.UtcNow);
        var group = await AddGroupAsync(host, user);
        await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, user, app), HttpStatusCode.Created);
        await host.ReadAsync<AssignmentDto>(await AssignGroupAsync(host, group, app), HttpStatusCode.Created);
        Assert.Equal(1, (await CountsAsync(host, app)).Assigned); // one license per user and item

        await RemoveMembersAsync(host, group, user);
        Assert.True(AtApple(location, "9601", user));
        Assert.Equal(1, (await CountsAsync(host, app)).Assigned);
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/users/{user}/assignments/{app}", Cancel)).StatusCode);
        Assert.False(AtApple(location, "9601", user));
        Assert.Equal(0, (await CountsAsync(host, app)).Assigned);
    }

    [Fact]
    public async Task AMemberWhoLeavesHasTheInternalAppRemovedFromTheirDevices()
    {
        await using var host = await StartAsync(azurite);
        var app = await AddInternalAsync(host, new
        {
            type = "app", name = "Timetable", bundleId = "com.example.timetable", manifestUrl = "https://apps.example.org/t.plist", platforms = new[] { "iOS" },
        });
        var (stays, leaves) = (await AddUserAsync(host, enable: false), await AddUserAsync(host, enable: false)); // internal content needs no managed distribution
        var (kept, cleared) = (await DeviceOfAsync(host, stays), await DeviceOfAsync(host, leaves));
        var group = await AddGroupAsync(host, stays, leaves);
        await host.ReadAsync<AssignmentDto>(await AssignGroupAsync(host, group, app), HttpStatusCode.Created);
        Assert.Equal("InstallApplication", Assert.Single(await CommandsAsync(host, cleared)).RequestType);

        await RemoveMembersAsync(host, group, leaves);
        Assert.Equal(["InstallApplication", "RemoveApplication"], (await CommandsAsync(host, cleared)).Select(c => c.RequestType).Order());
        Assert.Equal("InstallApplication", Assert.Single(await CommandsAsync(host, kept)).RequestType);
        Assert.Equal(MemberStates.Revoked, (await MembersAsync(host, group, app))[leaves].State);
    }

    [Fact]
    public async Task LicensesBoughtWithoutANotificationServeTheWaitingMembersAtTheNextReconciliation()
    {
        await using var host = await StartAsync(azurite);
        var location = await LocationAsync(host, ("9601", 1, "App"));
        var app = ContentId(location, "9601");
        var (first, second) = (await AddUserAsync(host), await AddUserAsync(host));
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        await EnrolUserAsync(host, location, first, start);
        await EnrolUserAsync(host, location, second, start.AddMinutes(1));
        var group = await AddGroupAsync(host, first, second);
        await host.ReadAsync<AssignmentDto>(await AssignGroupAsync(host, group, app), HttpStatusCode.Created);
        Assert.Equal(MemberReasons.NoLicense, (await MembersAsync(host, group, app))[second].Reason);

        // One more license bought in Apple School Manager; no notification reaches us (none registered).
        location.Asset("9601")!.TotalCount += 1;
        await Reconciliation.ReconciliationTestKit.RunAsync(host);

        Assert.Equal(MemberStates.Licensed, (await MembersAsync(host, group, app))[second].State);
        Assert.True(AtApple(location, "9601", second));
        Assert.Equal(2, (await CountsAsync(host, app)).Assigned);
    }
}

