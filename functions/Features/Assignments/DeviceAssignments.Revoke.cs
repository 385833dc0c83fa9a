using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments;

public sealed partial class DeviceAssignments
{
    /// <summary>
    /// Revokes a device assignment. The device's license for a purchased app — the ledger's target
    /// row, when this assignment holds it (its own, or handed over by a device group) — goes to a
    /// device group assignment of the same item the device is a member of (the app stays), else it
    /// is disassociated at Apple and returned to the reservation it came from, and what we installed
    /// is removed (RemoveApplication / RemoveMedia) when we can name it. Null when done; a second
    /// call finds nothing (404).
    /// </summary>
    public async Task<Refusal?> RevokeAsync(string deviceId, string contentId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(TargetKinds.Device, deviceId, contentId, cancellationToken) is not { } row)
            return new(ProblemCodes.NotFound, "The device has no assignment of that content.");
        var kind = Enum.TryParse<ContentKind>(row.GetString("ContentKind"), out var k) ? k : ContentKind.InternalApp;
        if (kind == ContentKind.VppBook)
            return new(ProblemCodes.Irrevocable, "Purchased books can never be revoked (R2).");
        var handedTo = kind == ContentKind.VppApp ? await CoveringGroupAsync(deviceId, contentId, cancellationToken) : null;
        if (kind == ContentKind.VppApp && row.GetString("SerialNumber") is { } serial
            && await ledger.GetTargetAsync(contentId, LicenseTarget.Device(serial), cancellationToken) is { State: LicenseState.Committed } held
            && held.Owner == row.GetString("AssignmentId"))
        {
            if (handedTo is not null)
                await ledger.SetTargetStatesAsync(contentId, [held.Target], LicenseState.Committed, handedTo, held.ReservationKey, cancellationToken);
            else if (await ReturnAsync(row, held, cancellationToken) is { } refusal) return refusal;
        }
        if (row.GetString("CommandUuid") is not null && handedTo is null)
        {
            var device = await devices.GetAsync(deviceId, cancellationToken);
            if (device?.IsEnrolled == true && AssignmentCommands.Remove(kind, row) is { } remove)
                await commands.EnqueueAsync(new(deviceId), remove, Source, cancellationToken);
            else
                logger.LogInformation("Revoked {ContentId} from device {DeviceId} without a removal command (bundle id unknown or device gone)", contentId, deviceId);
        }
        await store.DeleteAsync(TargetKinds.Device, deviceId, contentId, cancellationToken);
        logger.LogInformation("Revoked {ContentId} from device {DeviceId}{HandedTo}", contentId, deviceId, handedTo is null ? "" : "; its license handed to " + handedTo);
        return null;
    }

    /// <summary>
    /// Disassociates the license at Apple and returns it to its reservation, once: the step is named
    /// after this assignment's attempt, so a repeated DELETE after a crash returns nothing twice.
    /// </summary>
    async Task<Refusal?> ReturnAsync(TableEntity row, LicenseTargetRow held, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAsync(row.GetString("LocationUId") ?? "", cancellationToken);
        if (token is null || !token.Health.AllowsWrites())
            return new(ProblemCodes.TokenMissing, "The location token of this item is not installed or does not allow writes; the license cannot be returned.");
        if (await AssociateAsync(token, row, held.Target.Id, cancellationToken, disassociate: true) is { } failure)
            return new(AppleRefused, failure);
        var step = row.GetString("ReservationKey") + ":revoke";
        if ((await ledger.ReleaseTargetsOnceAsync(held.ContentId, [held], step, cancellationToken)).Count > 0)
            await ledger.ReturnAsync(held.ContentId, held.ReservationKey, 1, step, cancellationToken);
        await waiting.ServeAsync(held.ContentId, cancellationToken); // R17: the returned license goes to whoever waits
        return null;
    }

    /// <summary>The live device group assignment of the item that the device is a member of, or null.</summary>
    async Task<string?> CoveringGroupAsync(string deviceId, string contentId, CancellationToken cancellationToken)
    {
        var groups = (await memberships.GroupsOfMemberAsync(GroupKind.Device, deviceId, cancellationToken)).Select(m => m.GroupId).ToHashSet(StringComparer.Ordinal);
        if (groups.Count == 0) return null;
        foreach (var index in await store.ByContentAsync(contentId, cancellationToken))
        {
            var (kind, groupId) = AssignmentStore.TargetOf(index);
            if (kind == TargetKinds.DeviceGroup && groups.Contains(groupId) && index.GetString("State") != DeviceGroups.GroupAssignmentStates.Revoking)
                return AssignmentStore.AssignmentId(kind, groupId, contentId);
        }
        return null;
    }
}
