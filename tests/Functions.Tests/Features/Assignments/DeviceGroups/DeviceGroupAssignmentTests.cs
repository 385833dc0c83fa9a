using System.Net;
using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Assignments.DeviceGroups;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Tests.Infrastructure;
using static ManagedDistribution.Tests.Features.Assignments.AssignmentTestKit;
using static ManagedDistribution.Tests.Features.Assignments.DeviceGroups.DeviceGroupTestKit;

namespace ManagedDistribution.Tests.Features.Assignments.DeviceGroups;

/// <summary>Purchased apps on device groups, end to end against Azurite and the Apps and Books emulator.</summary>
public sealed class DeviceGroupAssignmentTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MixedMembersGetPerMemberStatesPreviewMatchesRepeatIsIdempotentAndRevokeReturnsAll()
    {
        await using var host = await StartAsync(azurite);
        var location = host.NewLocation();
        var contentId = await InstallAsync(host, location, "8001", 10);
        var (ios, mac, old, unenrolled, tv) = (await EnrolAsync(host), await EnrolAsync(host, "macOS", "14.5"), await EnrolAsync(host, "iOS", "8.4"),
            await EnrolAsync(host, state: EnrollmentStates.Authenticated), await EnrolAsync(host, "tvOS", "17.0"));
        var group = await CreateGroupAsync(host);
        await JoinAsync(host, group, ios, mac, old, unenrolled, tv);

        var preview = await PreviewGroupAsync(host, group, contentId);
        Assert.Equal((5, 2, 2, 10, 0, null), (preview.MemberCount, preview.WouldLicense, preview.LicensesNeeded, preview.LicensesAvailable, preview.AlreadyLicensed, preview.Refusal));
        Assert.Equal([(MemberReasons.NotEligible, 1), (MemberReasons.NotEnrolled, 1), (MemberReasons.OsTooOld, 1)],
            preview.LeftOut.Select(l => (l.Reason, l.Count)).Order());
        Assert.Equal(old, Assert.Single(preview.LeftOut, l => l.Reason == MemberReasons.OsTooOld).FirstMemberIds.Single());

        var assigned = await host.ReadAsync<DeviceGroupAssignmentDto>(await AssignGroupAsync(host, group, contentId), HttpStatusCode.Created);
        Assert.Equal((GroupAssignmentStates.Active, 2, 0, null), (assigned.State, assigned.LicensesGranted, assigned.Waiting, assigned.TaskId));
        var members = await MembersAsync(host, group, contentId);
        Assert.Equal((MemberStates.Licensed, MemberStates.Licensed), (members[ios].State, members[mac].State));
        Assert.Equal((MemberStates.Pending, MemberReasons.OsTooOld), (members[old].State, members[old].Reason));
        Assert.Equal((MemberStates.Pending, MemberReasons.NotEnrolled), (members[unenrolled].State, members[unenrolled].Reason));
        Assert.Equal((MemberStates.Pending, MemberReasons.NotEligible), (members[tv].State, members[tv].Reason));
        Assert.Equal((2, 0, 8), ((await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Reserved, (await CountsAsync(host, contentId)).Available));
        Assert.Equal(2, location.Asset("8001")!.AssignedCount);
        Assert.Equal(members[ios].CommandUuid, Assert.Single(await CommandsAsync(host, ios)).CommandUuid);
        Assert.Equal("InstallApplication", Assert.Single(await CommandsAsync(host, mac)).RequestType);
        Assert.Empty(await CommandsAsync(host, old));
        Assert.Equal(preview.WouldLicense, members.Values.Count(m => m.State == MemberStates.Licensed));

        // Repeat: the same assignment, nothing reserved or queued twice.
        var again = await host.ReadAsync<DeviceGroupAssignmentDto>(await AssignGroupAsync(host, group, contentId));
        Assert.Equal((assigned.Id, 2), (again.Id, again.Members[MemberStates.Licensed]));
        Assert.Equal(2, (await CountsAsync(host, contentId)).Assigned);
        Assert.Single(await CommandsAsync(host, ios));
        Assert.True((await PreviewGroupAsync(host, group, contentId)).AlreadyAssigned);

        var deleted = await host.Client.DeleteAsync($"/api/device-groups/{group}/assignments/{contentId}", Cancel);
        Assert.True(deleted.StatusCode == HttpStatusCode.NoContent, await deleted.Content.ReadAsStringAsync(Cancel));
        Assert.Equal((0, 10), ((await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Available));
        Assert.Equal(0, location.Asset("8001")!.AssignedCount);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.DeleteAsync($"/api/device-groups/{group}/assignments/{contentId}", Cancel)).StatusCode);

        // Assigned again: the devices' released rows are taken over by the new reservation.
        var reassigned = await host.ReadAsync<DeviceGroupAssignmentDto>(await AssignGroupAsync(host, group, contentId), HttpStatusCode.Created);
        Assert.Equal(2, reassigned.LicensesGranted);
        Assert.Equal((2, 0, 8), ((await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Reserved, (await CountsAsync(host, contentId)).Available));
        Assert.Equal(2, location.Asset("8001")!.AssignedCount);
        Assert.Equal((MemberStates.Licensed, null), ((await MembersAsync(host, group, contentId))[ios].State, (await MembersAsync(host, group, contentId))[ios].Detail));
    }

    [Fact]
    public async Task ShortfallWaitsInJoinOrderAndFreedLicensesServeTheFirstWaiter()
    {
        await using var host = await LocationTokens.VppTestHost.StartAsync(azurite, notifications: true,
            settings: new() { ["AppleAppsAndBooks:InitialEventPollDelay"] = "00:00:00.020" });
        var location = host.NewLocation();
        var contentId = await InstallAsync(host, location, "8002", 2);
        var devices = new[] { await EnrolAsync(host), await EnrolAsync(host), await EnrolAsync(host), await EnrolAsync(host) };
        var group = await CreateGroupAsync(host);
        await JoinAsync(host, group, devices);

        var assigned = await host.ReadAsync<DeviceGroupAssignmentDto>(await AssignGroupAsync(host, group, contentId), HttpStatusCode.Created);
        Assert.Equal((2, 2), (assigned.LicensesGranted, assigned.Waiting));
        var members = await MembersAsync(host, group, contentId);
        Assert.Equal([MemberStates.Licensed, MemberStates.Licensed, MemberStates.Pending, MemberStates.Pending], devices.Select(d => members[d].State));
        Assert.Equal(MemberReasons.NoLicense, members[devices[2]].Reason);
        Assert.Equal((2, 0), ((await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Available));

        // The first member leaves: revoked, its license returned and handed to the first waiter (join order).
        await LeaveAsync(host, group, devices[0]);
        members = await MembersAsync(host, group, contentId);
        Assert.Equal((MemberStates.Revoked, MemberReasons.LeftGroup), (members[devices[0]].State, members[devices[0]].Reason));
        Assert.Equal((MemberStates.Licensed, MemberStates.Pending), (members[devices[2]].State, members[devices[3]].State));
        Assert.Equal("InstallApplication", Assert.Single(await CommandsAsync(host, devices[2])).RequestType);
        Assert.Equal((2, 0), ((await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Available));
        Assert.Equal(2, location.Asset("8002")!.AssignedCount);

        // One more license bought (ASSET_COUNT +1): the last waiter is served.
        location.AdjustAssetCount("8002", 1);
        await LocationTokens.VppTestHost.EventuallyAsync(async () => (await MembersAsync(host, group, contentId))[devices[3]].State == MemberStates.Licensed,
            "the last waiter to be licensed after ASSET_COUNT");
        Assert.Equal((3, 3, 0), ((await CountsAsync(host, contentId)).Total, (await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Available));
        Assert.Equal(0, (await GetAsync(host, group, contentId)).Waiting);
    }

    [Fact]
    public async Task AppleRefusalsFailThoseMembersReleaseTheirLicensesAndBatchesFollowTheLimits()
    {
        await using var host = await StartAsync(azurite);
        host.Emulator.Settings.Limits["maxSerialNumbers"] = 2;
        var location = host.NewLocation();
        var contentId = await InstallAsync(host, location, "8003", 5);
        location.AddOrphanAssignment("8003", serialNumber: "ORPHAN1"); // Apple has 2 licenses fewer than our ledger knows
        location.AddOrphanAssignment("8003", serialNumber: "ORPHAN2");
        var devices = new[] { await EnrolAsync(host), await EnrolAsync(host), await EnrolAsync(host), await EnrolAsync(host), await EnrolAsync(host) };
        var group = await CreateGroupAsync(host);
        await JoinAsync(host, group, devices);
        host.Emulator.Requests.Clear();

        var assigned = await host.ReadAsync<DeviceGroupAssignmentDto>(await AssignGroupAsync(host, group, contentId), HttpStatusCode.Created);
        Assert.Equal(5, assigned.LicensesGranted);
        Assert.Equal(3, host.Emulator.Requests.To("assets/associate").Count);
        var members = await MembersAsync(host, group, contentId);
        Assert.Equal(3, members.Values.Count(m => m.State == MemberStates.Licensed));
        var failed = members.Values.Where(m => m.State == MemberStates.Failed).ToList();
        Assert.Equal(2, failed.Count);
        Assert.All(failed, m => Assert.Equal(MemberReasons.AppleRefused, m.Reason));
        Assert.All(failed, m => Assert.Contains("9709", m.Detail, StringComparison.Ordinal));
        var counts = await CountsAsync(host, contentId);
        Assert.Equal((3, 0), (counts.Assigned, counts.Reserved));
        Assert.Equal(5, location.Asset("8003")!.AssignedCount);
        Assert.All(failed, m => Assert.Null(m.CommandUuid));
    }

    [Fact]
    public async Task TwoGroupsLicensingTheSameDevicesAtOnceCountEachDeviceOnce()
    {
        await using var host = await StartAsync(azurite);
        var location = host.NewLocation();
        var contentId = await InstallAsync(host, location, "8004", 10);
        var devices = new List<string>();
        for (var i = 0; i < 6; i++) devices.Add(await EnrolAsync(host));
        var (a, b) = (await CreateGroupAsync(host), await CreateGroupAsync(host));
        await JoinAsync(host, a, [.. devices[..4]]);
        await JoinAsync(host, b, [.. devices[2..]]);

        // Both reserve before Apple answers either (no target rows yet), so both associate the two shared
        // devices; Apple answers the second association of each 9616 "already assigned" (as v1 did).
        host.Emulator.Settings.ManualEventProcessing = true;
        host.Emulator.Settings.AlreadyAssignedFails = true;
        host.Emulator.Requests.Clear();
        var assigning = new[] { AssignGroupAsync(host, a, contentId), AssignGroupAsync(host, b, contentId) };
        while (host.Emulator.Requests.To("assets/associate").Count < 2) await Task.Delay(5, Cancel);
        await host.Emulator.ProcessPendingEventsAsync();
        foreach (var response in await Task.WhenAll(assigning))
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Cancel));

        var counts = await CountsAsync(host, contentId);
        Assert.Equal((6, 0, 4), (counts.Assigned, counts.Reserved, counts.Available));
        Assert.Equal(6, location.Asset("8004")!.AssignedCount);
        foreach (var device in devices) Assert.Single(await CommandsAsync(host, device));
        var (inA, inB) = (await MembersAsync(host, a, contentId), await MembersAsync(host, b, contentId));
        Assert.All(inA.Values.Concat(inB.Values), m => Assert.Equal(MemberStates.Licensed, m.State));
        foreach (var shared in devices[2..4])
        {
            var rows = new[] { inA[shared], inB[shared] };
            Assert.Single(rows, m => m.Detail?.Contains("License held by", StringComparison.Ordinal) == true && m.CommandUuid is null);
            Assert.Single(rows, m => m.CommandUuid is not null);
        }
    }

    [Fact]
    public async Task ADeviceLicensedThroughAGroupAndDirectlyUsesOneLicenseAndKeepsItUntilBothAreGone()
    {
        await using var host = await StartAsync(azurite);
        var location = host.NewLocation();
        var contentId = await InstallAsync(host, location, "8005", 10);
        var (both, groupOnly, directFirst) = (await EnrolAsync(host), await EnrolAsync(host), await EnrolAsync(host));
        var group = await CreateGroupAsync(host);
        await JoinAsync(host, group, both, groupOnly);
        await host.ReadAsync<DeviceGroupAssignmentDto>(await AssignGroupAsync(host, group, contentId), HttpStatusCode.Created);

        // Direct on a device the group licensed: no second license (the preview says so too), noted.
        Assert.Equal(0, (await AssignmentTestKit.PreviewAsync(host, both, contentId)).LicensesNeeded);
        var direct = await host.ReadAsync<AssignmentDto>(await AssignmentTestKit.AssignAsync(host, both, contentId), HttpStatusCode.Created);
        Assert.Equal((AssignmentStates.Licensed, false), (direct.State, direct.LicenseConsumed));
        Assert.Contains("through device-group:" + group, direct.Note, StringComparison.Ordinal);
        Assert.Equal((2, 2), ((await CountsAsync(host, contentId)).Assigned, location.Asset("8005")!.AssignedCount));

        // Direct first, then the device joins: the group finds it held; revoking the direct assignment hands it to the group.
        await host.ReadAsync<AssignmentDto>(await AssignmentTestKit.AssignAsync(host, directFirst, contentId), HttpStatusCode.Created);
        await JoinAsync(host, group, directFirst);
        Assert.Equal((3, 3), ((await CountsAsync(host, contentId)).Assigned, location.Asset("8005")!.AssignedCount));
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/devices/{directFirst}/assignments/{contentId}", Cancel)).StatusCode);
        Assert.Equal((3, 3), ((await CountsAsync(host, contentId)).Assigned, location.Asset("8005")!.AssignedCount));
        Assert.DoesNotContain("RemoveApplication", (await CommandsAsync(host, directFirst)).Select(c => c.RequestType));

        // The group goes: the device it shares with the direct assignment keeps its license (handed over), the others return theirs.
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/device-groups/{group}/assignments/{contentId}", Cancel)).StatusCode);
        Assert.Equal((1, 1), ((await CountsAsync(host, contentId)).Assigned, location.Asset("8005")!.AssignedCount));

        // Then the direct assignment: the last holder, so the license goes back to Apple and the ledger.
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/devices/{both}/assignments/{contentId}", Cancel)).StatusCode);
        Assert.Equal((0, 10), ((await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Available));
        Assert.Equal(0, location.Asset("8005")!.AssignedCount);
    }
}
