namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary>Knobs over HTTP under <c>/emulator/appsandbooks</c>, for the run command and scripts.
/// Tests in-process use <see cref="AppsAndBooksEmulator"/> directly.</summary>
internal static class AdminEndpoints
{
    public sealed record LocationRequest(string OrgName, string? LocationName, DateTimeOffset? ExpiresOn);
    public sealed record CountDelta(string AdamId, string? PricingParam, int Delta);
    public sealed record AssignmentRequest(string AdamId, string? PricingParam, string? ClientUserId, string? SerialNumber);
    public sealed record BulkAssignmentRequest(string AdamId, string? PricingParam, string? SerialPrefix, string? ClientUserIdPrefix, int Count);
    public sealed record SettingsRequest(
        Dictionary<string, int>? Limits, int? PageSize, int? EventProcessingDelayMs, int? LatencyMs,
        bool? RequireHttpsNotificationUrl, bool? ManualEventProcessing, string? InvitationEmailTemplate);

    public static void MapAppsAndBooksAdmin(this WebApplication app)
    {
        var admin = app.MapGroup("/emulator/appsandbooks");
        admin.MapPost("seed", async (HttpRequest request, AppsAndBooksEmulator emulator) =>
        {
            using var reader = new StreamReader(request.Body);
            var locations = EmulatorSeed.Load(emulator, await reader.ReadToEndAsync());
            return Results.Ok(locations.Select(Describe));
        });
        admin.MapPost("locations", (LocationRequest body, AppsAndBooksEmulator emulator) =>
            Results.Ok(Describe(emulator.AddLocation(body.OrgName, body.LocationName, body.ExpiresOn))));
        admin.MapGet("locations", (AppsAndBooksEmulator emulator) => Results.Ok(emulator.Locations.Select(Describe)));
        admin.MapPost("locations/{uId}/assets", (string uId, SeedAsset[] assets, AppsAndBooksEmulator emulator) =>
            WithLocation(emulator, uId, l => { foreach (var a in assets) l.AddAsset(a.ToAsset()); }));
        admin.MapPost("locations/{uId}/asset-count", (string uId, CountDelta body, AppsAndBooksEmulator emulator) =>
            WithLocation(emulator, uId, l => l.AdjustAssetCount(body.AdamId, body.Delta, body.PricingParam ?? "STDQ")));
        admin.MapPost("locations/{uId}/orphan-assignments", (string uId, AssignmentRequest body, AppsAndBooksEmulator emulator) =>
            WithLocation(emulator, uId, l => l.AddOrphanAssignment(body.AdamId, body.ClientUserId, body.SerialNumber, body.PricingParam ?? "STDQ")));
        admin.MapPost("locations/{uId}/dropped-assignments", (string uId, AssignmentRequest body, AppsAndBooksEmulator emulator) =>
            WithLocation(emulator, uId, l => l.DropAssignment(body.AdamId, body.ClientUserId, body.SerialNumber, body.PricingParam ?? "STDQ")));
        admin.MapPost("locations/{uId}/bulk-assignments", (string uId, BulkAssignmentRequest body, AppsAndBooksEmulator emulator) =>
            WithLocation(emulator, uId, l => l.SeedAssignments(body.AdamId,
                body.SerialPrefix is { } s ? Enumerable.Range(0, body.Count).Select(i => s + i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture)) : null,
                body.ClientUserIdPrefix is { } u ? Enumerable.Range(0, body.Count).Select(i => u + i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture)) : null,
                body.PricingParam ?? "STDQ")));
        admin.MapPost("locations/{uId}/users/{clientUserId}/accept", (string uId, string clientUserId, AppsAndBooksEmulator emulator) =>
            WithLocation(emulator, uId, l => l.AcceptInvitation(clientUserId)));
        admin.MapPost("locations/{uId}/mdm-info", (string uId, WireMdmInfo body, AppsAndBooksEmulator emulator) =>
            WithLocation(emulator, uId, l => l.ClaimByOtherMdm(body.Id ?? "other", body.Name ?? "Other MDM", body.Metadata ?? "")));
        admin.MapPost("locations/{uId}/revoke-token", (string uId, AppsAndBooksEmulator emulator) =>
            WithLocation(emulator, uId, l => l.IsRevoked = true));
        admin.MapPost("locations/{uId}/expire-token", (string uId, AppsAndBooksEmulator emulator) =>
            WithLocation(emulator, uId, l => l.ExpiresOn = emulator.Time.GetUtcNow().AddSeconds(-1)));
        admin.MapPost("faults", (InjectedFault fault, AppsAndBooksEmulator emulator) => { emulator.Faults.Inject(fault); return Results.NoContent(); });
        admin.MapDelete("faults", (AppsAndBooksEmulator emulator) => { emulator.Faults.Clear(); return Results.NoContent(); });
        admin.MapPut("settings", (SettingsRequest body, AppsAndBooksEmulator emulator) => { Apply(emulator.Settings, body); return Results.NoContent(); });
        admin.MapPost("events/process", async (AppsAndBooksEmulator emulator) => { await emulator.ProcessPendingEventsAsync(); return Results.NoContent(); });
        admin.MapGet("requests", (AppsAndBooksEmulator emulator) => Results.Ok(emulator.Requests.All));
        admin.MapGet("notifications", (AppsAndBooksEmulator emulator) => Results.Ok(emulator.Notifier.Attempts));
    }

    static object Describe(EmulatedLocation l) =>
        new { l.UId, l.OrgName, l.LocationName, l.ExpiresOn, sToken = l.SToken, l.IsRevoked, l.MdmInfo };

    static IResult WithLocation(AppsAndBooksEmulator emulator, string uId, Action<EmulatedLocation> action)
    {
        if (emulator.FindByUId(uId) is not { } location) return Results.NotFound();
        action(location);
        return Results.NoContent();
    }

    static void Apply(EmulatorSettings settings, SettingsRequest body)
    {
        foreach (var (key, value) in body.Limits ?? []) settings.Limits[key] = value;
        if (body.PageSize is { } pageSize) settings.PageSize = pageSize;
        if (body.EventProcessingDelayMs is { } delay) settings.EventProcessingDelay = TimeSpan.FromMilliseconds(delay);
        if (body.LatencyMs is { } latency) settings.Latency = TimeSpan.FromMilliseconds(latency);
        if (body.RequireHttpsNotificationUrl is { } https) settings.RequireHttpsNotificationUrl = https;
        if (body.ManualEventProcessing is { } manual) settings.ManualEventProcessing = manual;
        if (body.InvitationEmailTemplate is { } template) settings.InvitationEmailTemplate = template;
    }
}
