using System.Net;
using System.Net.Http.Json;
using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Assignments.DeviceGroups;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Workflows;
using ManagedDistribution.Tests.Features.LocationTokens;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static ManagedDistribution.Tests.Features.Assignments.AssignmentTestKit;
using static ManagedDistribution.Tests.Features.Assignments.DeviceGroups.DeviceGroupTestKit;

namespace ManagedDistribution.Tests.Features.Assignments.DeviceGroups;

/// <summary>Revoking a large device group assignment, and many members leaving at once, run as a workflow.</summary>
public sealed class DeviceGroupRevocationTests(AzuriteFixture azurite)
{
    const int Licenses = 200;
    /// <summary>Small Apple batches, so the workflow has several batches (step keys per batch).</summary>
    const int MaxSerials = 40;

    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LargeGroupDeleteRunsAsWorkflowReturnsEachLicenseOnceAndRemovesTheAssignment()
    {
        await using var host = await StartAsync(azurite);
        var (location, contentId, group, devices) = await LicensedGroupAsync(host, "8201");
        var reservationKey = await ReservationKeyAsync(host, group, contentId);

        // Two DELETEs at once: the same workflow (key = assignment generation + attempt), 202 with its Location.
        var url = $"/api/device-groups/{group}/assignments/{contentId}";
        var responses = await Task.WhenAll(host.Client.DeleteAsync(url, Cancel), host.Client.DeleteAsync(url, Cancel));
        var tasks = new List<DeviceGroupRevocationTask>();
        foreach (var response in responses)
        {
            tasks.Add(await host.ReadAsync<DeviceGroupRevocationTask>(response, HttpStatusCode.Accepted));
            Assert.Equal($"/api/tasks/{tasks[^1].TaskId}", response.Headers.Location?.OriginalString);
        }
        Assert.Equal(tasks[0].TaskId, tasks[1].TaskId);
        var taskId = tasks[0].TaskId;
        var again = await host.Client.DeleteAsync(url, Cancel);
        if (again.StatusCode == HttpStatusCode.Accepted) Assert.Equal(taskId, (await host.ReadAsync<DeviceGroupRevocationTask>(again, HttpStatusCode.Accepted)).TaskId);
        else Assert.Equal(HttpStatusCode.NotFound, again.StatusCode); // already finished and removed

        var engine = host.App.Services.GetRequiredService<WorkflowEngine>();
        await VppTestHost.EventuallyAsync(async () => (await engine.GetAsync(taskId, Cancel))?.State == WorkflowStates.Completed, "revocation workflow completed");
        var workflow = (await engine.GetAsync(taskId, Cancel))!;
        Assert.Equal(GroupRevocationWorkflow.Kind, workflow.Kind);
        Assert.Equal(devices.Length / MaxSerials + 2, workflow.ItemCount); // batches of 40 + the finish item

        // Licenses returned once, one settlement step per batch; removals queued; the assignment gone.
        Assert.Equal((0, Licenses, 0), ((await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Available, (await CountsAsync(host, contentId)).Reserved));
        Assert.Equal(0, location.Asset("8201")!.AssignedCount);
        var steps = (await host.App.Services.GetRequiredService<LicenseLedger>().GetReservationAsync(contentId, reservationKey, Cancel))!.Steps
            .Where(s => s.StartsWith(taskId, StringComparison.Ordinal)).ToList();
        Assert.Equal(workflow.ItemCount - 1, steps.Count);
        Assert.Equal(steps.Count, steps.Distinct().Count());
        Assert.Equal(["InstallApplication", "RemoveApplication"], (await CommandsAsync(host, devices[^1])).Select(c => c.RequestType).Order());
        Assert.DoesNotContain((await host.ReadAsync<DeviceGroupAssignmentList>(await host.Client.GetAsync($"/api/device-groups/{group}/assignments", Cancel))).Items,
            a => a.ContentId == contentId);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"{url}/members", Cancel)).StatusCode);
    }

    [Fact]
    public async Task BulkLeaveRunsAsWorkflowAndARedeliveredChunkReturnsNothingTwice()
    {
        await using var host = await StartAsync(azurite);
        var (location, contentId, group, devices) = await LicensedGroupAsync(host, "8202");
        var leaving = devices[..(GroupRevocation.InlineLimit + 10)];
        var staying = devices.Length - leaving.Length;
        await LeaveAsync(host, group, leaving);

        var engine = host.App.Services.GetRequiredService<WorkflowEngine>();
        var workflow = await CompletedWorkflowAsync(host, GroupRevocationWorkflow.Kind, group);
        var members = await MembersAsync(host, group, contentId);
        Assert.All(leaving, id => Assert.Equal((MemberStates.Revoked, MemberReasons.LeftGroup), (members[id].State, members[id].Reason)));
        Assert.Equal(staying, members.Values.Count(m => m.State == MemberStates.Licensed));
        var counts = await CountsAsync(host, contentId);
        Assert.Equal((staying, Licenses - staying), (counts.Assigned, counts.Available));
        Assert.Equal(staying, location.Asset("8202")!.AssignedCount);
        Assert.Contains("RemoveApplication", (await CommandsAsync(host, leaving[0])).Select(c => c.RequestType));

        // A redelivery of chunk 0 after a crash between the ledger return and the rows: the target
        // rows and member rows as they were before, the same items again. The licenses were
        // returned already (same step keys): the ledger does not move, though the reservation still
        // holds the staying members' licenses (a new step would return them).
        var processor = host.App.Services.GetRequiredService<GroupRevocationProcessor>();
        var ledger = host.App.Services.GetRequiredService<LicenseLedger>();
        var memberStore = host.App.Services.GetRequiredService<AssignmentMemberStore>();
        var deviceStore = host.App.Services.GetRequiredService<DeviceStore>();
        var reservationKey = await ReservationKeyAsync(host, group, contentId);
        var owner = $"device-group:{group}:{contentId}";
        var serials = new List<string>();
        foreach (var id in leaving) serials.Add((await deviceStore.GetAsync(id, Cancel))!.SerialNumber!);
        await ledger.SetTargetStatesAsync(contentId, serials.Select(LicenseTarget.Device), LicenseState.Committed, owner, reservationKey, Cancel);
        var before = new List<AssignmentMember>();
        foreach (var id in leaving)
            before.Add((await memberStore.GetAsync(TargetKinds.DeviceGroup, group, contentId, id, Cancel))! with { State = MemberStates.Licensed, Reason = null });
        await memberStore.SaveManyAsync(before, Cancel);
        var items = (await engine.GetItemsAsync(workflow.Id, null, 100, Cancel)).Items.Where(i => i.Chunk == 0)
            .Select(i => i with { State = WorkflowItemStates.Pending, Terminal = false }).ToList();
        await processor.ProcessAsync(new WorkflowChunk(workflow, 0, 0, items), Cancel);

        counts = await CountsAsync(host, contentId);
        Assert.Equal((staying, Licenses - staying), (counts.Assigned, counts.Available));
        members = await MembersAsync(host, group, contentId);
        Assert.All(leaving, id => Assert.Equal(MemberStates.Revoked, members[id].State));
        Assert.Equal(LicenseState.Released, (await ledger.GetTargetAsync(contentId, LicenseTarget.Device(serials[0]), Cancel))!.State);

        // The same devices rejoin (licensed again), then leave again: a new change, revoked again.
        var rejoin = await host.Client.PostAsJsonAsync($"/api/device-groups/{group}/members", new { ids = leaving }, Cancel);
        Assert.True(rejoin.IsSuccessStatusCode);
        // Licensed again = counted AND their member rows say so (the licensing writes the rows after
        // the count; a leave that reads the rows before would skip a member it still sees revoked).
        await VppTestHost.EventuallyAsync(async () => (await CountsAsync(host, contentId)).Assigned == devices.Length
            && (await MembersAsync(host, group, contentId)) is var rows && leaving.All(id => rows[id].State == MemberStates.Licensed),
            "the rejoined devices licensed again");
        await LeaveAsync(host, group, leaving);
        await VppTestHost.EventuallyAsync(async () => (await engine.ListAsync(WorkflowFilter.All, null, 100, Cancel)).Workflows
            .Count(w => w.Kind == GroupRevocationWorkflow.Kind && w.IdempotencyKey!.Contains(group, StringComparison.Ordinal) && w.State == WorkflowStates.Completed) == 2,
            "a second leave workflow completed");
        counts = await CountsAsync(host, contentId);
        Assert.Equal((staying, Licenses - staying), (counts.Assigned, counts.Available));
        Assert.Equal(staying, location.Asset("8202")!.AssignedCount);
    }

    [Fact]
    public async Task TwoRevocationsOfTheSameMembersAtOnceReturnEachLicenseOnce()
    {
        await using var host = await StartAsync(azurite);
        var location = host.NewLocation();
        var contentId = await InstallAsync(host, location, "8203", 20);
        var devices = new string[12];
        for (var i = 0; i < devices.Length; i++) devices[i] = await EnrolAsync(host);
        var group = await CreateGroupAsync(host);
        await JoinAsync(host, group, devices);
        await host.ReadAsync<DeviceGroupAssignmentDto>(await AssignGroupAsync(host, group, contentId), HttpStatusCode.Created);
        Assert.Equal(12, (await CountsAsync(host, contentId)).Assigned);

        // As when a leave is seen by the membership listener and by a licensing chunk's departed check at once:
        // two revokers, their own step keys, the same 8 members read as licensed by both.
        var context = (await host.App.Services.GetRequiredService<GroupContexts>().LoadAsync(group, contentId, Cancel))!;
        var revocation = host.App.Services.GetRequiredService<GroupRevocation>();
        var leaving = (await revocation.MemberRowsAsync(context, devices[..8], Cancel)).Values.ToList();
        await Task.WhenAll(
            revocation.RevokeAsync(context, leaving, MemberReasons.LeftGroup, "leave-a", null, Cancel),
            revocation.RevokeAsync(context, leaving, MemberReasons.LeftGroup, "leave-b", null, Cancel));

        var counts = await CountsAsync(host, contentId);
        Assert.Equal((4, 16), (counts.Assigned, counts.Available));
        Assert.Equal(4, location.Asset("8203")!.AssignedCount);
    }

    /// <summary>A group of InlineLimit + 30 enrolled devices with the item assigned and licensed by the workflow.</summary>
    static async Task<(AppleEmulator.AppsAndBooks.EmulatedLocation Location, string ContentId, string Group, string[] Devices)> LicensedGroupAsync(
        VppTestHost host, string adamId)
    {
        host.Emulator.Settings.Limits["maxSerialNumbers"] = MaxSerials;
        var location = host.NewLocation();
        var contentId = await InstallAsync(host, location, adamId, Licenses);
        var devices = new string[GroupRevocation.InlineLimit + 30];
        for (var i = 0; i < devices.Length; i++) devices[i] = await EnrolAsync(host);
        var group = await CreateGroupAsync(host);
        var response = await host.Client.PostAsJsonAsync($"/api/device-groups/{group}/members", new { ids = devices }, Cancel);
        Assert.True(response.IsSuccessStatusCode);
        await host.ReadAsync<DeviceGroupAssignmentDto>(await AssignGroupAsync(host, group, contentId), HttpStatusCode.Accepted);
        await VppTestHost.EventuallyAsync(async () => (await GetAsync(host, group, contentId)).Members.GetValueOrDefault(MemberStates.Licensed) == devices.Length,
            "every member licensed by the workflow");
        // And the workflow done: after its member rows a chunk looks at the membership again (DepartedMembers); a leave
        // before that look is seen by both, and two revocations of the same members at once are not what these tests test.
        var engine = host.App.Services.GetRequiredService<WorkflowEngine>();
        await VppTestHost.EventuallyAsync(async () => (await engine.ListAsync(WorkflowFilter.All, null, 100, Cancel)).Workflows
            .Any(w => w.Kind == GroupWorkflow.Kind && w.IdempotencyKey!.Contains(group, StringComparison.Ordinal) && w.State == WorkflowStates.Completed),
            "the licensing workflow completed");
        Assert.Equal(devices.Length, location.Asset(adamId)!.AssignedCount);
        // The emulator's assets have no bundle id; with one, revocation queues RemoveApplication where we installed.
        var store = host.App.Services.GetRequiredService<AssignmentStore>();
        var row = (await store.GetAsync(TargetKinds.DeviceGroup, group, contentId, Cancel))!;
        row["BundleId"] = "com.example." + adamId;
        await store.SaveAsync(row, Cancel);
        return (location, contentId, group, devices);
    }

    static async Task<string> ReservationKeyAsync(VppTestHost host, string group, string contentId) =>
        (await host.App.Services.GetRequiredService<AssignmentStore>().GetAsync(TargetKinds.DeviceGroup, group, contentId, Cancel))!.GetString("ReservationKey")!;
}
