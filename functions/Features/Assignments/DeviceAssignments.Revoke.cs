using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Http;

namespace ManagedDistribution.Features.Assignments;

public sealed partial class DeviceAssignments
{
    /// <summary>
    /// Revokes a device assignment: a purchased app is disassociated at Apple and its license
    /// returned to the ledger; what we installed is removed (RemoveApplication / RemoveMedia) when
    /// we can name it. Null when done; a second call finds nothing (404).
    /// </summary>
    public async Task<Refusal?> RevokeAsync(string deviceId, string contentId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(TargetKinds.Device, deviceId, contentId, cancellationToken) is not { } row)
            return new(ProblemCodes.NotFound, "The device has no assignment of that content.");
        var kind = Enum.TryParse<ContentKind>(row.GetString("ContentKind"), out var k) ? k : ContentKind.InternalApp;
        if (kind == ContentKind.VppBook)
            return new(ProblemCodes.Irrevocable, "Purchased books can never be revoked (R2).");
        if (kind == ContentKind.VppApp && row.GetBoolean("LicenseConsumed") == true)
        {
            var token = await tokens.GetAsync(row.GetString("LocationUId") ?? "", cancellationToken);
            if (token is null || !token.Health.AllowsWrites())
                return new(ProblemCodes.TokenMissing, "The location token of this item is not installed or does not allow writes; the license cannot be returned.");
            var serial = row.GetString("SerialNumber")!;
            if (await AssociateAsync(token, row, serial, cancellationToken, disassociate: true) is { } failure)
                return new(AppleRefused, failure);
            var key = row.GetString("ReservationKey")!;
            await ledger.ReturnAsync(contentId, key, cancellationToken: cancellationToken);
            await ledger.SetTargetStatesAsync(contentId, [new LicenseTarget(LicenseTargetKind.Device, serial)], LicenseState.Released,
                row.GetString("AssignmentId")!, key, cancellationToken);
            await waiting.ServeAsync(contentId, cancellationToken); // R17: the returned license goes to whoever waits
        }
        if (row.GetString("CommandUuid") is not null)
        {
            var device = await devices.GetAsync(deviceId, cancellationToken);
            if (device?.IsEnrolled == true && AssignmentCommands.Remove(kind, row) is { } remove)
                await commands.EnqueueAsync(new(deviceId), remove, Source, cancellationToken);
            else
                logger.LogInformation("Revoked {ContentId} from device {DeviceId} without a removal command (bundle id unknown or device gone)", contentId, deviceId);
        }
        await store.DeleteAsync(TargetKinds.Device, deviceId, contentId, cancellationToken);
        logger.LogInformation("Revoked {ContentId} from device {DeviceId}", contentId, deviceId);
        return null;
    }
}
