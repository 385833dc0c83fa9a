using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.LocationTokens;

namespace ManagedDistribution.Features.Invitations;

/// <summary>The installed location this slice works with, and its decrypted token for one call.</summary>
public sealed record InstalledLocation(LocationTokenRecord Record, LocationToken Token);

/// <summary>
/// Registers and retires users at Apple (contracts/apple.md §1.10). A user is created with our id
/// as <c>clientUserId</c>; the event is followed to completion and Get Users then gives the
/// invite code, or <c>Associated</c> when a Managed Apple Account linked the user at once.
/// </summary>
public sealed class AppleUserRegistration(AppsAndBooksClient apple, LocationTokenStore tokens, TimeProvider time, ILogger<AppleUserRegistration> logger)
{
    /// <summary>The single installed location token whose health allows writes; null when there is none (or several: this slice cannot choose).</summary>
    public async Task<InstalledLocation?> InstalledLocationAsync(CancellationToken cancellationToken) =>
        Installed(await tokens.ListAsync(cancellationToken)) is { } record ? new InstalledLocation(record, tokens.TokenOf(record)) : null;

    static LocationTokenRecord? Installed(IReadOnlyList<LocationTokenRecord> records) =>
        records is [var record] && record.Health.AllowsWrites() ? record : null;

    /// <summary>How long a mail may name the organisation as read earlier: every campaign chunk of 299 mails asked again (a query and a token decryption each).</summary>
    static readonly TimeSpan OrganisationNameAge = TimeSpan.FromMinutes(1);
    sealed record KnownName(DateTimeOffset ReadAt, string Name);
    volatile KnownName? organisationName; // a reference: read and replaced whole by concurrent chunks

    /// <summary>The name invitation mails give the organisation (of the installed location; empty without one), read at most once a minute.</summary>
    public async Task<string> OrganisationNameAsync(CancellationToken cancellationToken)
    {
        if (organisationName is { } known && time.GetUtcNow() - known.ReadAt < OrganisationNameAge) return known.Name;
        var record = Installed(await tokens.ListAsync(cancellationToken));
        var name = record?.OrganizationName ?? record?.LocationName ?? "";
        organisationName = new KnownName(time.GetUtcNow(), name);
        return name;
    }

    /// <summary>Creates (or finds) the user at Apple and returns the state to store: enrolled, or notInvited with an invite code.</summary>
    public async Task<ManagedDistributionState> RegisterAsync(UserSummary user, InstalledLocation location, ManagedDistributionState current,
        CancellationToken cancellationToken)
    {
        var token = location.Token;
        var events = await apple.CreateUsersAsync(token, [new RequestUser(user.Id, user.Email, user.ManagedAppleId)], cancellationToken);
        foreach (var eventId in events)
        {
            var status = await apple.WaitForEventAsync(token, eventId, cancellationToken);
            // 9716 (already registered) is fine: Get Users below finds the active user.
            foreach (var failure in status.FailedIdentifiers())
                logger.LogInformation("Apple user create for {UserId} reported {ErrorNumber}", user.Id, failure.ErrorNumber);
        }
        var listed = await apple.GetUsersAsync(token, new UserFilter { ClientUserId = user.Id }, cancellationToken);
        var appleUser = listed.Items.LastOrDefault(u => u.ClientUserId == user.Id && u.Status != AppsAndBooksUser.Retired)
            ?? throw new AppleRegistrationException($"Apple did not register the user '{user.Id}'.");
        return Registered(current, appleUser, location, time.GetUtcNow());
    }

    /// <summary>
    /// Registers many users: one create call per <c>maxUsers</c> chunk (the client reads the live
    /// limit), every event followed, then Get Users for the invite codes or <c>Associated</c>: the
    /// users changed since Apple's version read before the creates, and only if that misses someone
    /// (a user registered earlier, a delta Apple answers otherwise) every active user of the
    /// location. A chunk of a group's task listed the whole location each time (500,000 users: 500
    /// pages per 1,000 members). Returns the states to store; users Apple did not list are left out.
    /// </summary>
    public async Task<IReadOnlyList<ManagedDistributionState>> RegisterManyAsync(IReadOnlyList<UserSummary> users, InstalledLocation location,
        IReadOnlyDictionary<string, ManagedDistributionState> current, CancellationToken cancellationToken)
    {
        if (users.Count == 0) return [];
        var token = location.Token;
        var version = (await apple.GetUsersAsync(token, new UserFilter { ClientUserId = users[0].Id }, cancellationToken)).VersionId;
        var events = await apple.CreateUsersAsync(token, users.Select(u => new RequestUser(u.Id, u.Email, u.ManagedAppleId)), cancellationToken);
        foreach (var eventId in events) await apple.WaitForEventAsync(token, eventId, cancellationToken);
        var wanted = users.Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
        var listed = new Dictionary<string, AppsAndBooksUser>(StringComparer.Ordinal);
        if (version is not null) await ListAsync(new UserFilter { SinceVersionId = version });
        if (listed.Count < wanted.Count) await ListAsync(new UserFilter { ActiveOnly = true });
        var now = time.GetUtcNow();
        return [.. users.Where(u => listed.ContainsKey(u.Id)).Select(u => Registered(current[u.Id], listed[u.Id], location, now))];

        async Task ListAsync(UserFilter filter)
        {
            await foreach (var page in apple.GetUserPagesAsync(token, filter, cancellationToken))
                foreach (var user in page.Users)
                    if (wanted.Contains(user.ClientUserId) && user.Status != AppsAndBooksUser.Retired) listed[user.ClientUserId] = user;
        }
    }

    /// <summary>Retires many users in chunks of <c>maxUsers</c>, every event followed; returns their retired states.</summary>
    public async Task<IReadOnlyList<ManagedDistributionState>> RetireManyAsync(InstalledLocation location, IReadOnlyList<ManagedDistributionState> current,
        CancellationToken cancellationToken)
    {
        if (current.Count == 0) return [];
        foreach (var eventId in await apple.RetireUsersAsync(location.Token, current.Select(s => s.UserId), cancellationToken))
            await apple.WaitForEventAsync(location.Token, eventId, cancellationToken);
        var now = time.GetUtcNow();
        return [.. current.Select(s => s with { Enabled = false, Status = EnrolmentStatus.Retired, RetiredAt = now, InviteCode = null })];
    }

    static ManagedDistributionState Registered(ManagedDistributionState current, AppsAndBooksUser appleUser, InstalledLocation location, DateTimeOffset now)
    {
        var enrolled = appleUser.Status == AppsAndBooksUser.Associated;
        return current with
        {
            Enabled = true,
            LocationId = location.Record.UId,
            InviteCode = appleUser.InviteCode ?? current.InviteCode,
            Status = enrolled ? EnrolmentStatus.Enrolled
                : current.Status == EnrolmentStatus.Invited && current.InviteCode == appleUser.InviteCode ? EnrolmentStatus.Invited
                : EnrolmentStatus.NotInvited,
            EnrolledAt = enrolled ? current.EnrolledAt ?? now : null,
            RetiredAt = null,
        };
    }

    /// <summary>Retires the user at Apple (their revocable user licenses are released) and returns the retired state.</summary>
    public async Task<ManagedDistributionState> RetireAsync(InstalledLocation location, ManagedDistributionState current, CancellationToken cancellationToken)
    {
        foreach (var eventId in await apple.RetireUsersAsync(location.Token, [current.UserId], cancellationToken))
            await apple.WaitForEventAsync(location.Token, eventId, cancellationToken);
        return current with { Enabled = false, Status = EnrolmentStatus.Retired, RetiredAt = time.GetUtcNow(), InviteCode = null };
    }
}

/// <summary>Apple accepted the request but the user did not appear.</summary>
public sealed class AppleRegistrationException(string message) : Exception(message);
