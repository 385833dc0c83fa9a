namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary><c>assets</c>, <c>assignments</c>, <c>assets/associate|disassociate|revoke</c>.</summary>
internal static class AssetEndpoints
{
    public static void MapAssetEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("assets", (HttpContext context, AppsAndBooksEmulator emulator) =>
        {
            var location = context.Location();
            var filter = AssetFilter(context);
            List<object> rows;
            lock (location.Sync) rows = location.Assets.Values.Where(filter).Select(a => a.ToWire()).ToList();
            return ApiContext.Json(Paging.Page(location, rows, context, emulator.Settings.PageSize, "assets"));
        });

        api.MapGet("assignments", (HttpContext context, AppsAndBooksEmulator emulator) =>
        {
            var location = context.Location();
            var rows = Assignments(location, context);
            return ApiContext.Json(Paging.Page(location, rows, context, emulator.Settings.PageSize, "assignments"));
        });

        api.MapPost("assets/associate", async (HttpContext context, AppsAndBooksEmulator emulator) =>
            EventAccepted(context.Location(), context.Location().Manage(await context.BodyAsync<ManageAssetsBody>(), true, emulator.Settings)));

        api.MapPost("assets/disassociate", async (HttpContext context, AppsAndBooksEmulator emulator) =>
            EventAccepted(context.Location(), context.Location().Manage(await context.BodyAsync<ManageAssetsBody>(), false, emulator.Settings)));

        api.MapPost("assets/revoke", async (HttpContext context, AppsAndBooksEmulator emulator) =>
            EventAccepted(context.Location(), context.Location().Revoke(await context.BodyAsync<RevokeBody>(), emulator.Settings)));
    }

    /// <summary>The synchronous answer to a management call: just the event id and the envelope.</summary>
    public static IResult EventAccepted(EmulatedLocation location, EmulatedEvent evt)
    {
        lock (location.Sync)
        {
            var json = location.Envelope();
            json["eventId"] = evt.EventId;
            return ApiContext.Json(json);
        }
    }

    static Func<EmulatedAsset, bool> AssetFilter(HttpContext context)
    {
        var (adamId, pricing, type) = (context.Text("adamId"), context.Text("pricingParam"), context.Text("productType"));
        var (revocable, device) = (context.Flag("revocable"), context.Flag("deviceAssignable"));
        var (minAvailable, maxAvailable) = (context.Number("minAvailableCount"), context.Number("maxAvailableCount"));
        var (minAssigned, maxAssigned) = (context.Number("minAssignedCount"), context.Number("maxAssignedCount"));
        return a => (adamId is null || a.AdamId == adamId) && (pricing is null || a.PricingParam == pricing)
            && (type is null || a.ProductType == type) && (revocable is null || a.Revocable == revocable)
            && (device is null || a.DeviceAssignable == device)
            && (minAvailable is null || a.AvailableCount >= minAvailable) && (maxAvailable is null || a.AvailableCount <= maxAvailable)
            && (minAssigned is null || a.AssignedCount >= minAssigned) && (maxAssigned is null || a.AssignedCount <= maxAssigned);
    }

    static List<WireAssignment> Assignments(EmulatedLocation location, HttpContext context)
    {
        var (adamId, pricing) = (context.Text("adamId"), context.Text("pricingParam"));
        var (user, serial) = (context.Text("clientUserId"), context.Text("serialNumber"));
        var includeState = context.Flag("includeUserState") == true;
        var excludeInactive = context.Flag("excludeInactiveUsers") == true;
        var key = "assignments" + string.Join('&', context.Request.Query.Where(q => q.Key != "pageIndex").Select(q => $"{q.Key}={q.Value}"));
        lock (location.Sync)
        {
            var since = context.Text("sinceVersionId") is { } v ? location.ParseVersionId(v) : 0;
            return location.Listing(key, () => location.Assignments.Values
                .Where(a => a.Row.Version > since)
                .Where(a => (adamId is null || a.Row.Key.Asset.AdamId == adamId) && (pricing is null || a.Row.Key.Asset.PricingParam == pricing)
                    && (user is null || a.Row.Key.ClientUserId == user) && (serial is null || a.Row.Key.SerialNumber == serial))
                .OrderBy(a => a.Sequence)
                .Select(a => (a.Row.Key, User: a.Row.Key.ClientUserId is { } id ? location.ActiveUser(id) : null))
                .Where(a => !excludeInactive || a.Key.ClientUserId is null || a.User is not null)
                .Select(a => new WireAssignment(a.Key.Asset.AdamId, a.Key.Asset.PricingParam, a.Key.ClientUserId, a.Key.SerialNumber,
                    includeState ? a.User?.IdHash : null, includeState && a.Key.ClientUserId is not null ? a.User?.Status ?? "Retired" : null))
                .ToList());
        }
    }
}
