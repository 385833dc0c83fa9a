namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary>Client Config validation: 9723/9724/9725/9713 for mdmInfo, 9710/9711/9712 for notifications.</summary>
internal static class ClientConfigRules
{
    public static void Validate(ClientConfigBody body, EmulatorSettings settings)
    {
        if (body.MdmInfo is { } info)
        {
            if (info.Id is null || info.Name is null || info.Metadata is null) throw new AppleErrorException(9723);
            if (info.Id.Length > settings.Limit("maxMdmIdLength")) throw new AppleErrorException(9724);
            if (info.Name.Length > settings.Limit("maxMdmNameLength")) throw new AppleErrorException(9725);
            if (info.Metadata.Length > settings.Limit("maxMdmMetadataLength")) throw new AppleErrorException(9713);
        }
        if ((body.NotificationUrl is null) != (body.NotificationAuthToken is null)) throw new AppleErrorException(9710);
        if (body.NotificationUrl is not { } url || body.NotificationAuthToken is not { } token) return;
        var max = settings.Limit("maxNotificationLength");
        if (url.Length > max || token.Length > max) throw new AppleErrorException(9711);
        var schemes = settings.RequireHttpsNotificationUrl ? new[] { "https" } : ["https", "http"];
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !schemes.Contains(uri.Scheme)) throw new AppleErrorException(9712);
    }
}
