namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

// Associate / disassociate / revoke: synchronous validation (9700–9707, 9718, 9719), then an
// event that grants or releases licenses later and reports 9709 / 9609 per identifier.
public sealed partial class EmulatedLocation
{
    internal EmulatedEvent Manage(ManageAssetsBody body, bool associate, EmulatorSettings settings)
    {
        var assets = (body.Assets ?? []).Select(a => new AssetId(a.AdamId ?? throw new AppleErrorException(9602), a.PricingParam ?? "STDQ")).ToList();
        var users = body.ClientUserIds ?? [];
        var serials = body.SerialNumbers ?? [];
        if (assets.Count == 0) throw new AppleErrorException(9718);
        if (users.Count + serials.Count == 0) throw new AppleErrorException(9719);
        Check(assets.Count > settings.Limit("maxAssets"), 9700);
        Check(users.Count > settings.Limit("maxClientUserIds"), 9701);
        Check(serials.Count > settings.Limit("maxSerialNumbers"), 9702);
        Check(assets.Distinct().Count() != assets.Count, 9703);
        Check(users.Distinct().Count() != users.Count, 9704);
        Check(serials.Distinct().Count() != serials.Count, 9705);
        lock (Sync)
        {
            var known = assets.Select(a => Assets.GetValueOrDefault(a)).OfType<EmulatedAsset>().ToList();
            if (serials.Count > 0) Reject(known.Where(a => !a.DeviceAssignable), 9707);
            if (!associate) Reject(known.Where(a => !a.Revocable), 9706);
            var type = associate ? "ASSOCIATE" : "DISASSOCIATE";
            return NewEvent(type, assets.Count * (users.Count + serials.Count), evt => Apply(evt, type, assets, users, serials, associate, settings));
        }
    }

    internal EmulatedEvent Revoke(RevokeBody body, EmulatorSettings settings)
    {
        var users = body.ClientUserIds ?? [];
        var serials = body.SerialNumbers ?? [];
        if (users.Count + serials.Count == 0) throw new AppleErrorException(9719);
        Check(users.Count > settings.Limit("maxRevokeClientUserIds"), 9701);
        Check(serials.Count > settings.Limit("maxRevokeSerialNumbers"), 9702);
        Check(users.Distinct().Count() != users.Count, 9704);
        Check(serials.Distinct().Count() != serials.Count, 9705);
        lock (Sync)
            return NewEvent("REVOKE", users.Count + serials.Count, evt =>
            {
                var released = Assignments.Keys
                    .Where(k => (k.ClientUserId is { } u && users.Contains(u)) || (k.SerialNumber is { } s && serials.Contains(s)))
                    .Where(k => Assets.GetValueOrDefault(k.Asset)?.Revocable != false)
                    .ToList();
                foreach (var key in released) RemoveAssignment(key);
                evt.NumCompleted = evt.NumRequested;
                return released.Count == 0 ? [] : [AssetNotification(evt, "REVOKE", released, null)];
            });
    }

    List<OutgoingNotification> Apply(
        EmulatedEvent evt, string type, List<AssetId> assets, IReadOnlyList<string> users, IReadOnlyList<string> serials, bool associate,
        EmulatorSettings settings)
    {
        var succeeded = new List<AssignmentKey>();
        var failed = new Dictionary<int, List<AssignmentKey>>();
        foreach (var assetId in assets)
        {
            var targets = users.Select(u => new AssignmentKey(assetId, u, null)).Concat(serials.Select(s => new AssignmentKey(assetId, null, s)));
            foreach (var key in targets)
            {
                var error = associate ? TryAssociate(key, settings) : TryDisassociate(key);
                if (error is null) succeeded.Add(key);
                else (failed.TryGetValue(error.Value, out var list) ? list : failed[error.Value] = []).Add(key);
            }
        }
        evt.NumCompleted = succeeded.Count;
        var notifications = new List<OutgoingNotification>();
        if (succeeded.Count > 0) notifications.Add(AssetNotification(evt, type, succeeded, null));
        foreach (var (number, keys) in failed)
        {
            var error = AppleErrors.Error(number, InfoFor(keys));
            evt.Failures.Add(error);
            notifications.Add(AssetNotification(evt, type, keys, error with { ErrorInfo = null }));
        }
        return notifications;
    }

    int? TryAssociate(AssignmentKey key, EmulatorSettings settings)
    {
        if (key.ClientUserId is { } user && ActiveUser(user) is null) return 9609;
        if (Assignments.ContainsKey(key)) return settings.AlreadyAssignedFails ? 9616 : null;
        if (!Assets.TryGetValue(key.Asset, out var asset) || asset.AvailableCount <= 0) return 9709;
        AddAssignment(key);
        return null;
    }

    int? TryDisassociate(AssignmentKey key)
    {
        if (key.ClientUserId is { } user && ActiveUser(user) is null && !Assignments.ContainsKey(key)) return 9609;
        RemoveAssignment(key);
        return null;
    }

    static WireErrorInfo InfoFor(List<AssignmentKey> keys) => new(
        keys.Select(k => k.Asset).Distinct().Select(a => a.ToWire()).ToList(),
        NullIfEmpty(keys.Select(k => k.ClientUserId).OfType<string>().Distinct().ToList()),
        NullIfEmpty(keys.Select(k => k.SerialNumber).OfType<string>().Distinct().ToList()));

    static OutgoingNotification AssetNotification(EmulatedEvent evt, string type, IEnumerable<AssignmentKey> keys, WireError? error) =>
        new(NotificationTypes.AssetManagement, new
        {
            assignments = keys.Select(k => new WireAssignment(k.Asset.AdamId, k.Asset.PricingParam, k.ClientUserId, k.SerialNumber)).ToList(),
            eventId = evt.EventId,
            result = error is null ? "SUCCESS" : "FAILURE",
            type,
            error,
        });

    static List<string>? NullIfEmpty(List<string> list) => list.Count == 0 ? null : list;

    static void Check(bool failed, int errorNumber)
    {
        if (failed) throw new AppleErrorException(errorNumber);
    }

    static void Reject(IEnumerable<EmulatedAsset> offending, int errorNumber)
    {
        var list = offending.Select(a => a.Id.ToWire()).ToList();
        if (list.Count > 0) throw new AppleErrorException(errorNumber, new WireErrorInfo(list));
    }
}
