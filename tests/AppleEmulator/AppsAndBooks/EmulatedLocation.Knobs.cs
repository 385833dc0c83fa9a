namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

// Things that happen at Apple behind the MDM's back, for tests and the admin API.
public sealed partial class EmulatedLocation
{
    public EmulatedAsset AddAsset(EmulatedAsset asset)
    {
        lock (Sync) Assets[asset.Id] = asset;
        return asset;
    }

    public EmulatedAsset AddAsset(string adamId, int totalCount, string productType = "App", string pricingParam = "STDQ") =>
        AddAsset(new EmulatedAsset
        {
            AdamId = adamId, PricingParam = pricingParam, ProductType = productType, TotalCount = totalCount,
            DeviceAssignable = productType == "App", Revocable = productType == "App",
            SupportedPlatforms = productType == "App" ? ["iOS", "macOS"] : ["iOS"],
        });

    public EmulatedAsset? Asset(string adamId, string pricingParam = "STDQ")
    {
        lock (Sync) return Assets.GetValueOrDefault(new AssetId(adamId, pricingParam));
    }

    /// <summary>Licenses bought (+) or refunded (−) in Apple Business/School Manager: ASSET_COUNT.</summary>
    public void AdjustAssetCount(string adamId, int delta, string pricingParam = "STDQ")
    {
        lock (Sync)
        {
            var asset = Assets.GetValueOrDefault(new AssetId(adamId, pricingParam)) ?? throw new AppleErrorException(9602);
            asset.TotalCount = Math.Max(0, asset.TotalCount + delta);
        }
        Notify([new(NotificationTypes.AssetCount, new { adamId, pricingParam, countDelta = delta })]);
    }

    /// <summary>An assignment someone else made (another MDM, the portal): no event, no notification.</summary>
    public void AddOrphanAssignment(string adamId, string? clientUserId = null, string? serialNumber = null, string pricingParam = "STDQ")
    {
        lock (Sync) AddAssignment(new AssignmentKey(new AssetId(adamId, pricingParam), clientUserId, serialNumber));
    }

    /// <summary>An assignment that disappears without our asking.</summary>
    public bool DropAssignment(string adamId, string? clientUserId = null, string? serialNumber = null, string pricingParam = "STDQ")
    {
        lock (Sync) return RemoveAssignment(new AssignmentKey(new AssetId(adamId, pricingParam), clientUserId, serialNumber));
    }

    /// <summary>The user follows the invitation link and signs in: Associated, idHash, USER_ASSOCIATED.</summary>
    public bool AcceptInvitation(string clientUserIdOrInviteCode)
    {
        WireUser accepted;
        lock (Sync)
        {
            var user = Users.LastOrDefault(u => u.IsActive
                && (u.ClientUserId == clientUserIdOrInviteCode || u.InviteCode == clientUserIdOrInviteCode));
            if (user is null) return false;
            user.Status = "Associated";
            user.IdHash ??= IdHashFor(user.ClientUserId);
            user.Version = Bump();
            accepted = user.ToWire();
        }
        Notify([new(NotificationTypes.UserAssociated, new { associatedUsers = new[] { accepted } })]);
        return true;
    }

    /// <summary>Another MDM saves its mdmInfo on this location.</summary>
    public void ClaimByOtherMdm(string id, string name = "Other MDM", string metadata = "other")
    {
        lock (Sync) MdmInfo = new WireMdmInfo(id, name, metadata);
    }

    public IReadOnlyList<WireAssignment> AssignmentsSnapshot()
    {
        lock (Sync)
            return Assignments.Values.OrderBy(a => a.Sequence)
                .Select(a => new WireAssignment(a.Row.Key.Asset.AdamId, a.Row.Key.Asset.PricingParam, a.Row.Key.ClientUserId, a.Row.Key.SerialNumber))
                .ToList();
    }

    public IReadOnlyList<WireUser> UsersSnapshot()
    {
        lock (Sync) return Users.Select(u => u.ToWire()).ToList();
    }

    public EmulatedEvent? Event(string eventId)
    {
        lock (Sync) return Events.GetValueOrDefault(eventId);
    }

    internal static string IdHashFor(string clientUserId) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("idhash:" + clientUserId)))[..40];
}
