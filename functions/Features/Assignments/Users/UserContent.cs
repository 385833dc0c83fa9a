using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary>A catalogue item about to be assigned to users: its kind, effective install mode (R6), token (R4) and ledger.</summary>
public sealed record UserContent(TableEntity Content, ContentKind Kind, string Mode, LocationTokenRecord? Token, LedgerEntry? Ledger)
{
    public string Id => Content.RowKey;
    public bool IsPurchased => UserLicensing.IsPurchased(Kind);
    /// <summary>Only purchased apps are revocable at Apple; purchased books never are (R2, Apple 9706).</summary>
    public bool IsRevocable => Kind == ContentKind.VppApp;
}

/// <summary>A user's managed-distribution standing, as the Invitations feature reports it (R8).</summary>
public sealed record UserStanding(string UserId, bool Enabled, bool Enrolled, DateTimeOffset? EnrolledAt)
{
    /// <summary>R17 order: users in the order they enrolled (accepted), then by id.</summary>
    public static IEnumerable<UserStanding> InEnrolmentOrder(IEnumerable<UserStanding> users) =>
        users.OrderBy(u => u.EnrolledAt ?? DateTimeOffset.MaxValue).ThenBy(u => u.UserId, StringComparer.Ordinal);

    public string NotEnrolledDetail => Enabled
        ? "Waiting for the user to accept the managed-distribution invitation (R8); no license is reserved until then."
        : "Managed distribution is not enabled for this user: enable it and invite the user (R8, R11); no license is reserved until they enrol.";
}

/// <summary>Reads what user-targeted assignments need: the content with R1/R4 checked, and users' managed-distribution standing.</summary>
public sealed class UserContentReader(ContentStore catalog, LocationTokenStore tokens, LicenseLedger ledger,
    IEnumerable<IUserManagedDistributionSource> sources)
{
    /// <summary>The content with the rules applied; null and a refusal (validation, not-found, token-missing) when it cannot be assigned.</summary>
    public async Task<(UserContent? Content, Refusal? Refusal)> ReadAsync(AssignmentInput input, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(input.ContentId))
            return (null, new(ProblemCodes.Validation, "contentId is required."));
        if (input.InstallMode is not (null or InstallModes.Automatic or InstallModes.Manual))
            return (null, new(ProblemCodes.Validation, "installMode must be 'automatic' or 'manual'."));
        if (await catalog.GetAsync(input.ContentId, cancellationToken) is not { } content)
            return (null, new(ProblemCodes.NotFound, "No catalogue item has that contentId."));
        // R1: internal apps, internal books, purchased apps and purchased books are all assignable to users.
        var kind = AssignmentRules.KindOf(content);
        var item = await ReadAsync(content, kind, AssignmentRules.EffectiveMode(kind, input.InstallMode), cancellationToken);
        return (item, item.IsPurchased ? TokenRefusal(item.Token) : null);
    }

    /// <summary>The content of an existing assignment row (mode as stored), or null when it left the catalogue.</summary>
    public async Task<UserContent?> ReadForRowAsync(TableEntity row, CancellationToken cancellationToken)
    {
        if (await catalog.GetAsync(row.RowKey, cancellationToken) is not { } content) return null;
        return await ReadAsync(content, AssignmentRules.KindOf(content), row.GetString("InstallMode") ?? InstallModes.Automatic, cancellationToken);
    }

    async Task<UserContent> ReadAsync(TableEntity content, ContentKind kind, string mode, CancellationToken cancellationToken)
    {
        if (!UserLicensing.IsPurchased(kind)) return new(content, kind, mode, null, null);
        var token = await tokens.GetAsync(content.GetString("LocationUId") ?? "", cancellationToken);
        return new(content, kind, mode, token, await ledger.GetAsync(content.RowKey, cancellationToken));
    }

    /// <summary>R4: purchased content needs its location token installed and healthy.</summary>
    public static Refusal? TokenRefusal(LocationTokenRecord? token) =>
        token is null ? new(ProblemCodes.TokenMissing, "The location token this purchased item belongs to is not installed (R4).")
        : !token.Health.AllowsWrites() ? new(ProblemCodes.TokenMissing, $"The location token is {token.Health}: licenses of this location cannot be assigned.")
        : null;

    public async Task<UserStanding> StandingAsync(string userId, CancellationToken cancellationToken)
    {
        foreach (var source in sources)
        {
            var md = await source.ForUserAsync(userId, cancellationToken);
            return new(userId, md.Enabled, md.Status == "enrolled", md.EnrolledAt);
        }
        return new(userId, false, false, null);
    }

    /// <summary>Standings of many users (point reads, several in flight), in R17 enrolment order.</summary>
    public async Task<IReadOnlyList<UserStanding>> StandingsAsync(IEnumerable<string> userIds, CancellationToken cancellationToken)
    {
        var found = new System.Collections.Concurrent.ConcurrentBag<UserStanding>();
        await TableBulk.ForEachAsync(userIds.Distinct(StringComparer.Ordinal), async (id, token) => found.Add(await StandingAsync(id, token)), cancellationToken);
        return [.. UserStanding.InEnrolmentOrder(found)];
    }
}
