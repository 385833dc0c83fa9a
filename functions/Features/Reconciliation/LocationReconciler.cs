using System.Collections.Concurrent;
using System.Diagnostics;
using ManagedDistribution.Features.AppleNotifications;
using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.Assignments.Waiting;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary>
/// One location's part of a run: Get Assets (catalogue upserted, ledger totals synced), Get Users
/// (applied through <see cref="IAppleUserSync"/> when one is registered; retired users noted), Get
/// Assignments in full or since the saved <c>versionId</c> (9721 → full), then every item compared.
/// The cursor is saved last, so a run that stops half-way reads the same changes again.
/// </summary>
internal sealed class LocationReconciler(
    LocationTokenStore tokens, AppsAndBooksClient apple, ContentStore content, LicenseLedger ledger, ReconciliationState state,
    ItemReconciler items, LedgerPartitionScan scan, VerifiedItems verifiedItems, IEnumerable<IAppleUserSync> userSyncs, WaitingListServer waiting, IOptions<ReconciliationOptions> options, TimeProvider time,
    ILogger<LocationReconciler> logger)
{
    const int InvalidVersionIdError = 9721;

    public static bool AllowsReads(TokenHealth health) => health is not (TokenHealth.Expired or TokenHealth.Revoked or TokenHealth.Invalid);

    public async Task<LocationDrift> RunAsync(string runId, LocationTokenRecord record, bool forceFull, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var drift = new DriftCollector(record.UId, settings.ReportListLimit);
        if (!AllowsReads(record.Health)) return drift.Build($"The location token is {record.Health}.");
        var token = tokens.TokenOf(record);
        try
        {
            var now = time.GetUtcNow();
            var phase = Stopwatch.GetTimestamp();
            var (assets, ledgers) = await SyncTotalsAsync(record.UId, token, cancellationToken);
            var totalsTime = Stopwatch.GetElapsedTime(phase);
            phase = Stopwatch.GetTimestamp();
            var retired = await SyncUsersAsync(record.UId, token, drift, cancellationToken);
            var usersTime = Stopwatch.GetElapsedTime(phase);
            phase = Stopwatch.GetTimestamp();
            var cursor = forceFull ? null : await state.GetCursorAsync(record.UId, cancellationToken);
            if (cursor is not null && now - cursor.LastFullReadAt > settings.FullReadInterval) cursor = null;
            var (snapshot, full) = await ReadAssignmentsAsync(token, cursor, cancellationToken);
            var assignmentsTime = Stopwatch.GetElapsedTime(phase);
            (drift.ReadMode, drift.SinceVersionId, drift.VersionId) = (full ? ReadModes.Full : ReadModes.SinceVersionId, full ? null : cursor!.VersionId, snapshot.VersionId);
            (drift.VersionChanged, drift.AppleAssignmentsRead) = (snapshot.VersionChanged, snapshot.Read);

            var known = await state.GetOrphanCountsAsync(record.UId, cancellationToken);
            var counted = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
            var staleBefore = now - settings.StaleReservationAge;
            var stale = await scan.StaleReservationsAsync(record.UId, staleBefore, cancellationToken);
            // Stamps before any target row is read (the order is what makes a verification safe).
            var stamps = full ? await verifiedItems.StampsAsync(record.UId, cancellationToken) : null;
            var verified = full ? await verifiedItems.GetAsync(record.UId, cancellationToken) : null;
            var newlyVerified = new ConcurrentBag<VerifiedItem>();
            var mayRelease = settings.ReleaseOrphans && record.Health.AllowsWrites() && !snapshot.VersionChanged;
            var compared = Stopwatch.GetTimestamp();
            await Parallel.ForEachAsync(assets,
                new ParallelOptions { MaxDegreeOfParallelism = settings.ItemConcurrency, CancellationToken = cancellationToken },
                async (asset, ct) =>
                {
                    var entry = ledgers[asset.Key];
                    var context = new ItemContext(runId, record.UId, token, record.Health.AllowsWrites(), mayRelease, asset, entry, retired, drift, staleBefore,
                        stale.ContainsKey(entry.ContentId))
                    {
                        Stamp = stamps is null ? null : stamps.GetValueOrDefault(entry.ContentId, TargetsChange.None),
                        Verified = verified?.GetValueOrDefault(entry.ContentId),
                        SettledBefore = now - settings.TargetsSettleTime,
                        NewlyVerified = newlyVerified,
                    };
                    var atApple = snapshot.For(asset.Key);
                    counted[entry.ContentId] = full
                        ? await items.CompareFullAsync(context, atApple, ct)
                        : await items.CompareChangesAsync(context, atApple, known.GetValueOrDefault(entry.ContentId), ct);
                });
            logger.LogInformation("Reconciliation {RunId} of {LocationUId} timings: totals {TotalsMs} ms, users {UsersMs} ms, assignments {AssignmentsMs} ms, items {ItemsMs} ms ({Unchanged} unchanged, rows not read)",
                runId, record.UId, (long)totalsTime.TotalMilliseconds, (long)usersTime.TotalMilliseconds, (long)assignmentsTime.TotalMilliseconds,
                (long)Stopwatch.GetElapsedTime(compared).TotalMilliseconds, drift.VerifiedUnchangedCount);
            await verifiedItems.SaveAsync(newlyVerified, cancellationToken);
            await state.SaveOrphanCountsAsync(counted.Where(c => known.GetValueOrDefault(c.Key) != c.Value), cancellationToken);
            if (snapshot.VersionId is { } versionId)
                await state.SaveCursorAsync(new AssignmentCursor(record.UId, versionId, full ? now : cursor!.LastFullReadAt), cancellationToken);
            logger.LogInformation("Reconciliation {RunId} of {LocationUId}: {Mode} read of {Read} assignments, {Items} items",
                runId, record.UId, drift.ReadMode, snapshot.Read, assets.Count);
            return drift.Build();
        }
        catch (AppsAndBooksException e) when (!e.IsTransient)
        {
            logger.LogWarning("Reconciliation {RunId} of {LocationUId} stopped: Apple answered {Status}/{ErrorNumber}", runId, record.UId, e.Status, e.ErrorNumber);
            return drift.Build($"Apple answered {e.Status}/{e.ErrorNumber}: {e.Message}");
        }
    }

    /// <summary>Get Assets: new items join the catalogue, every ledger takes Apple's total.</summary>
    async Task<(IReadOnlyList<Asset> Assets, ConcurrentDictionary<AssetKey, LedgerEntry> Ledgers)> SyncTotalsAsync(
        string uId, LocationToken token, CancellationToken cancellationToken)
    {
        var assets = (await apple.GetAssetsAsync(token, cancellationToken: cancellationToken)).Items;
        await content.UpsertPurchasedAsync(uId, assets, cancellationToken);
        var ledgers = new ConcurrentDictionary<AssetKey, LedgerEntry>();
        await Parallel.ForEachAsync(assets, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (asset, ct) =>
        {
            var contentId = ContentRecord.VppId(uId, asset.AdamId, asset.PricingParam);
            var synced = await ledger.SyncWithAppleAsync(contentId,
                new AppleCounts(uId, asset.AdamId, asset.PricingParam, asset.TotalCount, asset.AssignedCount), ct);
            ledgers[asset.Key] = synced.Entry;
            // Licenses bought (or freed) at Apple: whoever waits for this item is served now (R17).
            if (synced.Freed) await waiting.ServeAsync(contentId, ct);
        });
        return (assets, ledgers);
    }

    /// <summary>Get Users, every page applied through the registered user syncs; returns the users that are only retired.</summary>
    async Task<IReadOnlySet<string>> SyncUsersAsync(string uId, LocationToken token, DriftCollector drift, CancellationToken cancellationToken)
    {
        var (active, retired) = (new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
        var synced = 0;
        await foreach (var page in apple.GetUserPagesAsync(token, cancellationToken: cancellationToken))
        {
            foreach (var user in page.Users)
                (user.Status == AppsAndBooksUser.Retired ? retired : active).Add(user.ClientUserId);
            foreach (var sync in userSyncs)
                synced += await sync.ApplyAsync(uId, page.Users, cancellationToken);
        }
        drift.UsersSynced = synced;
        retired.ExceptWith(active);
        return retired;
    }

    async Task<(AppleSnapshot Snapshot, bool Full)> ReadAssignmentsAsync(LocationToken token, AssignmentCursor? cursor, CancellationToken cancellationToken)
    {
        if (cursor is not null)
        {
            try
            {
                var filter = new AssignmentFilter { SinceVersionId = cursor.VersionId };
                return (await AppleSnapshot.ReadAsync(apple, token, filter, null, cancellationToken), false);
            }
            catch (AppsAndBooksException e) when (e.ErrorNumber == InvalidVersionIdError)
            {
                logger.LogWarning("Apple no longer knows versionId {VersionId} of {LocationUId}: reading everything", cursor.VersionId, cursor.LocationUId);
            }
        }
        return (await AppleSnapshot.ReadAsync(apple, token, null, null, cancellationToken), true);
    }
}
