namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary><c>users</c>, <c>users/create|update|retire</c>.</summary>
internal static class UserEndpoints
{
    public static void MapUserEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("users", (HttpContext context, AppsAndBooksEmulator emulator) =>
        {
            var location = context.Location();
            var (activeOnly, retiredOnly, id) = (context.Flag("activeOnly") == true, context.Flag("retiredOnly") == true, context.Text("clientUserId"));
            List<WireUser> rows;
            lock (location.Sync)
            {
                var since = context.Text("sinceVersionId") is { } v ? location.ParseVersionId(v) : 0;
                rows = location.Users
                    .Where(u => u.Version > since && (id is null || u.ClientUserId == id))
                    .Where(u => (!activeOnly || u.IsActive) && (!retiredOnly || u.Status == "Retired"))
                    .Select(u => u.ToWire())
                    .ToList();
            }
            return ApiContext.Json(Paging.Page(location, rows, context, emulator.Settings.PageSize, "users"));
        });

        foreach (var (path, type) in new[] { ("users/create", "CREATE"), ("users/update", "UPDATE"), ("users/retire", "RETIRE") })
            api.MapPost(path, async (HttpContext context, AppsAndBooksEmulator emulator) =>
                AssetEndpoints.EventAccepted(context.Location(),
                    context.Location().ManageUsers(await context.BodyAsync<ManageUsersBody>(), type, emulator.Settings)));
    }
}
