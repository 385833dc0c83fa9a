namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>
/// Service Config: dynamic limits, notification types, endpoint URLs and the error catalog.
/// Apple asks clients to re-read it every 5 minutes.
/// See https://developer.apple.com/documentation/devicemanagement/service-config
/// </summary>
public sealed record ServiceConfig
{
    /// <summary>Raw <c>limits</c> map; read them through <see cref="Limits"/>.</summary>
    public IReadOnlyDictionary<string, int>? Limits { get; init; }
    public IReadOnlyList<string> NotificationTypes { get => field ?? []; init; }
    public IReadOnlyDictionary<string, string> Urls { get => field ?? new Dictionary<string, string>(); init; }
    public IReadOnlyList<ErrorCodeEntry> ErrorCodes { get => field ?? []; init; }

    /// <summary>The live limits, each falling back to Apple's documented example value if missing.</summary>
    public ServiceLimits EffectiveLimits => ServiceLimits.From(Limits);

    /// <summary>
    /// The invitation URL for a user: Service Config's <c>invitationEmail</c> template with the
    /// literal <c>%25inviteCode%25</c> replaced by the user's invite code.
    /// </summary>
    public Uri? InvitationUrlFor(string inviteCode) =>
        Urls.TryGetValue("invitationEmail", out var template)
            ? new Uri(template.Replace("%25inviteCode%25", Uri.EscapeDataString(inviteCode), StringComparison.Ordinal))
            : null;
}

public sealed record ErrorCodeEntry(int ErrorNumber, string? ErrorMessage);
