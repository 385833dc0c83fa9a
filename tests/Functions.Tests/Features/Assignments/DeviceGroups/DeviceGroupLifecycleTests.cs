using System.Net;
using System.Net.Http.Json;
using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Assignments.DeviceGroups;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Tests.Features.LocationTokens;
using ManagedDistribution.Platform.Workflows;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static ManagedDistribution.Tests.Features.Assignments.AssignmentTestKit;
using static ManagedDistribution.Tests.Features.Assignments.DeviceGroups.DeviceGroupTestKit;

namespace ManagedDistribution.Tests.Features.Assignments.DeviceGroups;

/// <summary>Joins, enrolment, install results and checkout around device group assignments.</summary>
public sealed class DeviceGroupLifecycleTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task JoinLicensesInstallAcknowledgedEnrolmentServesPendingAndCheckoutReclaims()
    {
        await using var host = await StartAsync(azurite);
        var location = host.NewLocation();
        var contentId = await InstallAsync(host, location, "8101", 5);
        var (first, unenrolled, direct) = (await EnrolAsync(host), await EnrolAsync(host, state: EnrollmentStates.Authenticated), await EnrolAsync(host));
        var group = await CreateGroupAsync(host);
        await JoinAsync(host, group, unenrolled);
        await host.ReadAsync<DeviceGroupAssignmentDto>(await AssignGroupAsync(host, group, contentId), HttpStatusCode.Created);
        Assert.Equal(MemberReasons.NotEnrolled, (await MembersAsync(host, group, contentId))[unenrolled].Reason);

        // A member joins after the assignment: licensed, install queued.
        await JoinAsync(host, group, first);
        var joined = (await MembersAsync(host, group, contentId))[first];
        Assert.Equal(MemberStates.Licensed, joined.State);
        var command = Assert.Single(await CommandsAsync(host, first));
        Assert.Equal((joined.CommandUuid, "InstallApplication"), (command.CommandUuid, command.RequestType));

        // The device acknowledges the install.
        foreach (var listener in host.App.Services.GetServices<ICommandResultListener>())
            await listener.CommandFinishedAsync(new CommandResult(new ChannelId(first), command.CommandUuid, "InstallApplication", "assignments", "acknowledged", null), Cancel);
        Assert.Equal(MemberStates.Installed, (await MembersAsync(host, group, contentId))[first].State);

        // The unenrolled member enrols: served.
        var store = host.App.Services.GetRequiredService<DeviceStore>();
        await store.UpdateAsync(unenrolled, d => { d!.EnrollmentState = EnrollmentStates.Enrolled; return d; }, Cancel);
        foreach (var listener in host.App.Services.GetServices<IDeviceEnrollmentListener>()) await listener.DeviceEnrolledAsync(unenrolled, Cancel);
        Assert.Equal(MemberStates.Licensed, (await MembersAsync(host, group, contentId))[unenrolled].State);
        Assert.Equal(2, (await CountsAsync(host, contentId)).Assigned);

        // A direct device assignment too; then both devices check out: every device license reclaimed.
        await host.ReadAsync<AssignmentDto>(await AssignmentTestKit.AssignAsync(host, direct, contentId), HttpStatusCode.Created);
        Assert.Equal(3, location.Asset("8101")!.AssignedCount);
        foreach (var id in (string[])[first, direct])
        {
            var serial = (await store.GetAsync(id, Cancel))!.SerialNumber;
            foreach (var listener in host.App.Services.GetServices<IDeviceEnrollmentListener>()) await listener.DeviceCheckedOutAsync(id, serial, Cancel);
        }
        var member = (await MembersAsync(host, group, contentId))[first];
        Assert.Equal((MemberStates.Revoked, MemberReasons.CheckedOut), (member.State, member.Reason));
        var directRow = Assert.Single((await host.ReadAsync<AssignmentList>(await host.Client.GetAsync($"/api/devices/{direct}/assignments", Cancel))).Items);
        Assert.Equal((AssignmentStates.Revoked, false), (directRow.State, directRow.LicenseConsumed));
        Assert.Equal((1, 4), ((await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Available));
        Assert.Equal(1, location.Asset("8101")!.AssignedCount);
        var ledger = host.App.Services.GetRequiredService<LicenseLedger>();
        Assert.Equal(LicenseState.Released, (await ledger.GetTargetAsync(contentId, LicenseTarget.Device((await store.GetAsync(first, Cancel))!.SerialNumber!), Cancel))!.State);
    }

    [Fact]
    public async Task MemberOfTwoGroupsKeepsItsLicenseWhenOneAssignmentIsRevoked()
    {
        await using var host = await StartAsync(azurite);
        var location = host.NewLocation();
        var contentId = await InstallAsync(host, location, "8102", 5);
        var device = await EnrolAsync(host);
        var (a, b) = (await CreateGroupAsync(host), await CreateGroupAsync(host));
        await JoinAsync(host, a, device);
        await JoinAsync(host, b, device);
        await host.ReadAsync<DeviceGroupAssignmentDto>(await AssignGroupAsync(host, a, contentId), HttpStatusCode.Created);
        await host.ReadAsync<DeviceGroupAssignmentDto>(await AssignGroupAsync(host, b, contentId), HttpStatusCode.Created);
        Assert.Contains("held by device-group:" + a, (await MembersAsync(host, b, contentId))[device].Detail, StringComparison.Ordinal);
        Assert.Equal(1, (await CountsAsync(host, contentId)).Assigned);

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/device-groups/{a}/assignments/{contentId}", Cancel)).StatusCode);
        Assert.Equal(1, (await CountsAsync(host, contentId)).Assigned);
        Assert.Equal(1, location.Asset("8102")!.AssignedCount);
        var serial = (await host.App.Services.GetRequiredService<DeviceStore>().GetAsync(device, Cancel))!.SerialNumber!;
        var target = await host.App.Services.GetRequiredService<LicenseLedger>().GetTargetAsync(contentId, LicenseTarget.Device(serial), Cancel);
        Assert.Equal((LicenseState.Committed, "device-group:" + b + ":" + contentId), (target!.State, target.Owner));
    }

    [Fact]
    public async Task LargeGroupIsLicensedByTheWorkflow()
    {
        await using var host = await StartAsync(azurite);
        var (location, contentId, group, devices) = await LargeGroupAsync(host, "8103");

        var assigned = await host.ReadAsync<DeviceGroupAssignmentDto>(await AssignGroupAsync(host, group, contentId), HttpStatusCode.Accepted);
        Assert.NotNull(assigned.TaskId);
        await VppTestHost.EventuallyAsync(async () => (await GetAsync(host, group, contentId)).Members.GetValueOrDefault(MemberStates.Licensed) == devices.Length,
            "every member licensed by the workflow");
        Assert.Equal((devices.Length, 0), ((await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Reserved));
        Assert.Equal(devices.Length, location.Asset("8103")!.AssignedCount);
        Assert.Equal("InstallApplication", Assert.Single(await CommandsAsync(host, devices[^1])).RequestType);
        var task = await host.JsonAsync(await host.Client.GetAsync($"/api/tasks/{assigned.TaskId}", Cancel));
        Assert.Contains("device-group-assignment", task.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARedeliveredLicensingChunkCountsQueuesAndWritesNothingTwice()
    {
        await using var host = await StartAsync(azurite);
        var (location, contentId, group, devices) = await LargeGroupAsync(host, "8106");
        await host.ReadAsync<DeviceGroupAssignmentDto>(await AssignGroupAsync(host, group, contentId), HttpStatusCode.Accepted);
        var engine = host.App.Services.GetRequiredService<WorkflowEngine>();
        var workflow = await CompletedWorkflowAsync(host, GroupWorkflow.Kind, group);

        // The chunk again, as after a crash before the engine recorded it: its target rows exist (its
        // own: claimed, not held), its settlement steps are recorded, its commands keyed by the chunk.
        var items = (await engine.GetItemsAsync(workflow.Id, null, 100, Cancel)).Items.Where(i => i.Chunk == 0)
            .Select(i => i with { State = WorkflowItemStates.Pending, Terminal = false }).ToList();
        await host.App.Services.GetRequiredService<GroupChunkProcessor>().ProcessAsync(new WorkflowChunk(workflow, 0, 0, items), Cancel);

        var counts = await CountsAsync(host, contentId);
        Assert.Equal((devices.Length, 0, 200 - devices.Length), (counts.Assigned, counts.Reserved, counts.Available));
        Assert.Equal(devices.Length, location.Asset("8106")!.AssignedCount);
        var members = await MembersAsync(host, group, contentId);
        Assert.All(devices, id => Assert.Equal(MemberStates.Licensed, members[id].State));
        Assert.All(devices, id => Assert.Null(members[id].Detail));
        foreach (var id in devices[..3].Concat(devices[^3..]))
            Assert.Equal(members[id].CommandUuid, Assert.Single(await CommandsAsync(host, id)).CommandUuid);
    }

    [Fact]
    public async Task DevicesThatLeaveWhileTheWorkflowLicensesThemAreRevokedOnceItsRowsAreWritten()
    {
        await using var host = await StartAsync(azurite);
        var (location, contentId, group, devices) = await LargeGroupAsync(host, "8104");
        // Apple's events take 2 s: the leave below comes while the chunk waits for them, before it writes any member row.
        host.Emulator.Settings.EventProcessingDelay = TimeSpan.FromSeconds(2);

        await host.ReadAsync<DeviceGroupAssignmentDto>(await AssignGroupAsync(host, group, contentId), HttpStatusCode.Accepted);
        var leaving = devices[^2..];
        await LeaveAsync(host, group, leaving);

        await VppTestHost.EventuallyAsync(async () => (await GetAsync(host, group, contentId)).Members.GetValueOrDefault(MemberStates.Revoked) == 2,
            "the departed devices revoked");
        var members = await MembersAsync(host, group, contentId);
        Assert.All(leaving, id => Assert.Equal((MemberStates.Revoked, MemberReasons.LeftGroup), (members[id].State, members[id].Reason)));
        Assert.Equal(devices.Length - 2, members.Values.Count(m => m.State == MemberStates.Licensed));
        Assert.Equal((devices.Length - 2, 0), ((await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Reserved));
        Assert.Equal(devices.Length - 2, location.Asset("8104")!.AssignedCount);
    }

    [Fact]
    public async Task ADeviceThatLeavesDuringAnInlineServeIsRevokedBeforeTheServeAnswers()
    {
        await using var host = await StartAsync(azurite);
        var location = host.NewLocation();
        var contentId = await InstallAsync(host, location, "8105", 10);
        var devices = new[] { await EnrolAsync(host), await EnrolAsync(host), await EnrolAsync(host) };
        var group = await CreateGroupAsync(host);
        await JoinAsync(host, group, devices);
        host.Emulator.Settings.EventProcessingDelay = TimeSpan.FromSeconds(2);

        var assigning = AssignGroupAsync(host, group, contentId);
        await Task.Delay(700, Cancel); // the serve has read the members and waits for Apple's event
        await LeaveAsync(host, group, devices[0]);
        await host.ReadAsync<DeviceGroupAssignmentDto>(await assigning, HttpStatusCode.Created);

        var members = await MembersAsync(host, group, contentId);
        Assert.Equal((MemberStates.Revoked, MemberReasons.LeftGroup), (members[devices[0]].State, members[devices[0]].Reason));
        Assert.Equal((2, 0), ((await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Reserved));
        Assert.Equal(2, location.Asset("8105")!.AssignedCount);
    }

    /// <summary>An item with 200 licenses and a group of InlineLimit + 30 enrolled devices (licensed by a workflow when assigned).</summary>
    static async Task<(AppleEmulator.AppsAndBooks.EmulatedLocation Location, string ContentId, string Group, string[] Devices)> LargeGroupAsync(
        VppTestHost host, string adamId)
    {
        var location = host.NewLocation();
        var contentId = await InstallAsync(host, location, adamId, 200);
        var devices = new string[GroupLicensing.InlineLimit + 30];
        for (var i = 0; i < devices.Length; i++) devices[i] = await EnrolAsync(host);
        var group = await CreateGroupAsync(host);
        Assert.True((await host.Client.PostAsJsonAsync($"/api/device-groups/{group}/members", new { ids = devices }, Cancel)).IsSuccessStatusCode);
        return (location, contentId, group, devices);
    }
}
