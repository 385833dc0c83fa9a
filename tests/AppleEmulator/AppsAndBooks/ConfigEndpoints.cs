using System.Text.Json.Nodes;

namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary><c>service/config</c>, <c>client/config</c> and <c>status</c>.</summary>
internal static class ConfigEndpoints
{
    public static void MapConfigEndpoints(this RouteGroupBuilder api, string basePath)
    {
        api.MapGet("service/config", (HttpContext context, AppsAndBooksEmulator emulator) =>
        {
            var root = $"{context.Request.Scheme}://{context.Request.Host}{basePath}/";
            var urls = Routes.ToDictionary(r => r.Key, r => root + r.Value);
            urls["invitationEmail"] = emulator.Settings.InvitationEmailTemplate;
            urls["contentMetadataLookup"] = "https://uclient-api.itunes.apple.com/WebObjects/MZStorePlatform.woa/wa/lookup";
            return ApiContext.Json(new
            {
                errorCodes = AppleErrors.Table,
                limits = new Dictionary<string, int>(emulator.Settings.Limits),
                notificationTypes = NotificationTypes.All,
                urls,
            });
        });

        api.MapGet("client/config", (HttpContext context) => ApiContext.Json(ClientConfig(context.Location())));

        api.MapPost("client/config", async (HttpContext context, AppsAndBooksEmulator emulator) =>
        {
            var location = context.Location();
            var body = await context.BodyAsync<ClientConfigBody>();
            ClientConfigRules.Validate(body, emulator.Settings);
            if (body.NotificationUrl is { } url && body.NotificationAuthToken is { } token)
            {
                // Apple tests the endpoint before saving; an unreachable endpoint rejects the config.
                var delivered = await emulator.Notifier.DeliverAsync(
                    location.UId, url, token, new OutgoingNotification(NotificationTypes.Test, new { }), 1, context.RequestAborted);
                if (!delivered) throw new AppleErrorException(9728);
            }
            lock (location.Sync)
            {
                if (body.MdmInfo is { } info) location.MdmInfo = info;
                if (body.NotificationUrl is not null) (location.NotificationUrl, location.NotificationAuthToken) = (body.NotificationUrl, body.NotificationAuthToken);
                if (body.NotificationTypes is { } types) location.SubscribedNotificationTypes = [.. types];
            }
            return ApiContext.Json(ClientConfig(location));
        });

        api.MapGet("status", (HttpContext context) =>
        {
            var location = context.Location();
            var eventId = context.Text("eventId") ?? throw new AppleErrorException(9708);
            lock (location.Sync)
            {
                var evt = location.Events.GetValueOrDefault(eventId) ?? throw new AppleErrorException(9708);
                var json = location.Envelope();
                json["eventStatus"] = evt.Status;
                json["eventType"] = evt.EventType;
                json["numCompleted"] = evt.NumCompleted;
                json["numRequested"] = evt.NumRequested;
                if (evt.Failures.Count > 0) json["failures"] = System.Text.Json.JsonSerializer.SerializeToNode(evt.Failures, WireJson.Options);
                return ApiContext.Json(json);
            }
        });
    }

    static readonly Dictionary<string, string> Routes = new()
    {
        ["clientConfig"] = "client/config", ["getAssets"] = "assets", ["getAssignments"] = "assignments",
        ["associateAssets"] = "assets/associate", ["disassociateAssets"] = "assets/disassociate",
        ["revokeAssets"] = "assets/revoke", ["getUsers"] = "users", ["createUsers"] = "users/create",
        ["updateUsers"] = "users/update", ["retireUsers"] = "users/retire", ["eventStatus"] = "status",
    };

    public static bool IsKnownPath(string path) => path == "service/config" || Routes.ContainsValue(path.Trim('/'));

    static JsonObject ClientConfig(EmulatedLocation location)
    {
        lock (location.Sync)
        {
            var json = location.Envelope();
            json["countryISO2ACode"] = "US";
            json["defaultPlatform"] = "volumestore";
            json["locationName"] = location.LocationName;
            json["websiteURL"] = "https://business.apple.com";
            json["subscribedNotificationTypes"] = new JsonArray([.. location.SubscribedNotificationTypes.Select(t => JsonValue.Create(t))]);
            if (location.NotificationUrl is { } url) json["notificationUrl"] = url;
            if (location.NotificationAuthToken is { } token) json["notificationAuthToken"] = token;
            return json;
        }
    }
}
