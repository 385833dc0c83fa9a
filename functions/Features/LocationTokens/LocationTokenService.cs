using System.Security.Cryptography;
using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.LocationTokens;

/// <summary>What installing a token came to.</summary>
public sealed record InstallOutcome(LocationTokenRecord? Record, bool Replaced, TokenHealth Health, string? Problem)
{
    public bool Installed => Record is not null;
}

/// <summary>
/// Installs location tokens (decode, check with Apple, store encrypted, claim the location with
/// our mdmInfo and register notifications) and reports their health with a short cache.
/// </summary>
public sealed class LocationTokenService(
    LocationTokenStore store, TokenHealthCheck healthCheck, AppsAndBooksClient apple, TokenProtector protector,
    IOptions<AppsAndBooksOptions> appleOptions, IOptions<LocationTokensOptions> options, TimeProvider time,
    ILogger<LocationTokenService> logger)
{
    /// <summary>
    /// Checks the token with Apple and stores it. A token Apple refuses is not stored. A location
    /// another MDM manages is stored as <c>usedByAnotherMdm</c> and left alone unless
    /// <paramref name="takeOver"/>; otherwise we write our mdmInfo (and notification settings) to it.
    /// </summary>
    public async Task<InstallOutcome> InstallAsync(LocationToken token, bool takeOver, CancellationToken cancellationToken)
    {
        var check = await healthCheck.CheckAsync(token, cancellationToken);
        if (check.Config is not { } config) return new(null, false, check.Health, check.Detail);
        var uId = config.UId ?? token.LocationId!;
        var existing = await store.GetAsync(uId, cancellationToken);
        var claim = check.Health != TokenHealth.UsedByAnotherMdm || takeOver;
        var notificationUrl = claim ? appleOptions.Value.NotificationUrl : null;
        var notificationToken = notificationUrl is null ? null : RandomNumberGenerator.GetHexString(64, lowercase: true);
        var record = await store.SaveAsync(new LocationTokenRecord
        {
            UId = uId,
            ProtectedToken = protector.Protect(token.Value),
            Fingerprint = token.Fingerprint,
            OrganizationName = token.OrganizationName,
            LocationName = config.LocationName,
            CountryCode = config.CountryISO2ACode,
            ExpiresOn = config.TokenExpirationDate ?? token.ExpiresOn,
            InstalledAt = time.GetUtcNow(),
            Health = check.Health,
            HealthCheckedAt = time.GetUtcNow(),
            OtherMdm = check.Health == TokenHealth.UsedByAnotherMdm ? config.MdmInfo : null,
            // Stored before Apple is told: its TEST_NOTIFICATION arrives during the client/config call.
            NotificationUrl = notificationUrl?.AbsoluteUri,
            NotificationTokenHash = notificationToken is null ? existing?.NotificationTokenHash : TokenProtector.Hash(notificationToken),
            PreviousNotificationTokenHash = existing?.NotificationTokenHash,
        }, cancellationToken);
        logger.LogInformation("Location token installed for {LocationUId} ({LocationName}), fingerprint {TokenFingerprint}, health {Health}",
            uId, config.LocationName, token.Fingerprint, check.Health);
        if (claim) record = await ClaimAsync(token, record, notificationUrl, notificationToken, cancellationToken);
        return new(record, existing is not null, record.Health, null);
    }

    async Task<LocationTokenRecord> ClaimAsync(
        LocationToken token, LocationTokenRecord record, Uri? notificationUrl, string? notificationToken, CancellationToken cancellationToken)
    {
        try
        {
            var types = notificationUrl is null ? null : AppsAndBooksNotification.AllTypes;
            var config = await apple.UpdateClientConfigAsync(token, apple.OurMdmInfo, notificationUrl, notificationToken, types, cancellationToken);
            record = record with
            {
                Health = healthCheck.Evaluate(config, token), OtherMdm = null,
                NotificationsRegistered = notificationUrl is not null, NotificationError = null,
            };
        }
        catch (AppsAndBooksException e)
        {
            logger.LogWarning("Registering {LocationUId} with Apple failed: {Status}/{ErrorNumber}", record.UId, e.Status, e.ErrorNumber);
            record = record with { NotificationsRegistered = false, NotificationError = $"{e.ErrorNumber}: {e.Message}" };
        }
        return await store.SaveAsync(record, cancellationToken);
    }

    /// <summary>Every installed token with its health, re-checked with Apple when older than the cache duration.</summary>
    public async Task<IReadOnlyList<LocationTokenRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var records = await store.ListAsync(cancellationToken);
        return await Task.WhenAll(records.Select(r => RefreshAsync(r, cancellationToken)));
    }

    /// <summary>The record with its health fresh enough (at most <c>HealthCacheDuration</c> old).</summary>
    public async Task<LocationTokenRecord> RefreshAsync(LocationTokenRecord record, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (record.HealthCheckedAt is { } checkedAt && now - checkedAt < options.Value.HealthCacheDuration) return record;
        var token = store.TokenOf(record);
        var check = await healthCheck.CheckAsync(token, cancellationToken);
        var updated = record with
        {
            // Apple unreachable: keep what we knew, say why it is not fresher.
            Health = check.Health == TokenHealth.Unknown && check.Error?.IsTransient == true ? record.Health : check.Health,
            HealthCheckedAt = now,
            HealthDetail = check.Detail,
            OtherMdm = check.Health == TokenHealth.UsedByAnotherMdm ? check.Config?.MdmInfo ?? check.Error?.OtherMdmInfo : null,
            ExpiresOn = check.Config?.TokenExpirationDate ?? record.ExpiresOn,
            LocationName = check.Config?.LocationName ?? record.LocationName,
        };
        if (updated.Health != record.Health)
            logger.LogWarning("Location token {LocationUId} is now {Health} (was {PreviousHealth})", record.UId, updated.Health, record.Health);
        await store.UpdateIfUnchangedAsync(updated, cancellationToken);
        return updated;
    }
}
