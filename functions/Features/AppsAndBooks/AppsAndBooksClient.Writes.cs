using System.Text.Json.Serialization.Metadata;
using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Features.AppsAndBooks;

public sealed partial class AppsAndBooksClient
{
    /// <summary>
    /// Associates assets with users and/or devices, in as many requests as the live limits
    /// (<c>maxAssets</c>, <c>maxClientUserIds</c>, <c>maxSerialNumbers</c>) require, duplicates
    /// removed. Returns one event id per request; the licenses are granted asynchronously.
    /// See https://developer.apple.com/documentation/devicemanagement/associate-assets
    /// </summary>
    public Task<IReadOnlyList<string>> AssociateAsync(
        LocationToken token, IEnumerable<AssetKey> assets, IEnumerable<string>? clientUserIds,
        IEnumerable<string>? serialNumbers, CancellationToken cancellationToken = default) =>
        ManageAssetsAsync("assets/associate", token, assets, clientUserIds, serialNumbers, cancellationToken);

    /// <summary>Disassociates assets from users and/or devices, chunked like <see cref="AssociateAsync"/>.
    /// See https://developer.apple.com/documentation/devicemanagement/disassociate-assets</summary>
    public Task<IReadOnlyList<string>> DisassociateAsync(
        LocationToken token, IEnumerable<AssetKey> assets, IEnumerable<string>? clientUserIds,
        IEnumerable<string>? serialNumbers, CancellationToken cancellationToken = default) =>
        ManageAssetsAsync("assets/disassociate", token, assets, clientUserIds, serialNumbers, cancellationToken);

    /// <summary>Releases every revocable license of these users and devices, chunked to
    /// <c>maxRevokeClientUserIds</c> / <c>maxRevokeSerialNumbers</c>.
    /// See https://developer.apple.com/documentation/devicemanagement/revoke-assets</summary>
    public async Task<IReadOnlyList<string>> RevokeAsync(
        LocationToken token, IEnumerable<string>? clientUserIds, IEnumerable<string>? serialNumbers,
        CancellationToken cancellationToken = default)
    {
        var limits = await GetLimitsAsync(cancellationToken);
        var bodies = Chunking.Targets(
                Chunking.DistinctIds(clientUserIds), limits.MaxRevokeClientUserIds,
                Chunking.DistinctIds(serialNumbers), limits.MaxRevokeSerialNumbers)
            .Select(t => new RevokeAssetsRequest(t.Users, t.Serials));
        return await SendChunksAsync("assets/revoke", token, bodies, AppsAndBooksJson.Default.RevokeAssetsRequest, cancellationToken);
    }

    /// <summary>Creates users in chunks of <c>maxUsers</c>. Invite codes arrive later, via the
    /// USER_MANAGEMENT notification or Get Users. Duplicate <c>clientUserId</c>s: the first wins.</summary>
    public Task<IReadOnlyList<string>> CreateUsersAsync(
        LocationToken token, IEnumerable<RequestUser> users, CancellationToken cancellationToken = default) =>
        ManageUsersAsync("users/create", token, users, cancellationToken);

    /// <summary>Updates users' email / Managed Apple Account, in chunks of <c>maxUsers</c>.</summary>
    public Task<IReadOnlyList<string>> UpdateUsersAsync(
        LocationToken token, IEnumerable<RequestUser> users, CancellationToken cancellationToken = default) =>
        ManageUsersAsync("users/update", token, users, cancellationToken);

    /// <summary>Retires users (their revocable licenses are released), in chunks of <c>maxUsers</c>.</summary>
    public Task<IReadOnlyList<string>> RetireUsersAsync(
        LocationToken token, IEnumerable<string> clientUserIds, CancellationToken cancellationToken = default) =>
        ManageUsersAsync("users/retire", token, Chunking.DistinctIds(clientUserIds).Select(id => new RequestUser(id)), cancellationToken);

    async Task<IReadOnlyList<string>> ManageAssetsAsync(
        string path, LocationToken token, IEnumerable<AssetKey> assets, IEnumerable<string>? clientUserIds,
        IEnumerable<string>? serialNumbers, CancellationToken cancellationToken)
    {
        var distinctAssets = Chunking.Distinct(assets);
        var users = Chunking.DistinctIds(clientUserIds);
        var serials = Chunking.DistinctIds(serialNumbers);
        if (distinctAssets.Count == 0 || users.Count + serials.Count == 0) return [];
        var limits = await GetLimitsAsync(cancellationToken);
        var bodies =
            from assetChunk in distinctAssets.Chunk(limits.MaxAssets)
            from targets in Chunking.Targets(users, limits.MaxClientUserIds, serials, limits.MaxSerialNumbers)
            select new ManageAssetsRequest(assetChunk, targets.Users, targets.Serials);
        return await SendChunksAsync(path, token, bodies, AppsAndBooksJson.Default.ManageAssetsRequest, cancellationToken);
    }

    async Task<IReadOnlyList<string>> ManageUsersAsync(
        string path, LocationToken token, IEnumerable<RequestUser> users, CancellationToken cancellationToken)
    {
        var distinct = users.DistinctBy(u => u.ClientUserId, StringComparer.Ordinal).ToList();
        if (distinct.Count == 0) return [];
        var limits = await GetLimitsAsync(cancellationToken);
        var bodies = distinct.Chunk(limits.MaxUsers).Select(chunk => new ManageUsersRequest(chunk));
        return await SendChunksAsync(path, token, bodies, AppsAndBooksJson.Default.ManageUsersRequest, cancellationToken);
    }

    /// <summary>
    /// Sends the chunks one after another. A failure after some chunks were accepted carries their
    /// event ids; a response naming another MDM stops the remaining writes.
    /// </summary>
    async Task<IReadOnlyList<string>> SendChunksAsync<TBody>(
        string path, LocationToken token, IEnumerable<TBody> bodies, JsonTypeInfo<TBody> bodyType, CancellationToken cancellationToken)
    {
        var accepted = new List<string>();
        foreach (var body in bodies)
        {
            EventResponse response;
            try
            {
                response = await transport.PostAsync(path, token, body, bodyType, AppsAndBooksJson.Default.EventResponse, cancellationToken);
            }
            catch (AppsAndBooksException e) when (accepted.Count > 0)
            {
                throw e.WithAcceptedEvents(accepted);
            }
            accepted.Add(response.EventId);
            if (response.MdmInfoConflict && settings.StopWritesOnMdmInfoConflict)
                throw new AppsAndBooksException(200, null,
                    $"Another MDM ({response.MdmInfo?.Name}) manages this Apps and Books location; writes stopped.")
                {
                    IsMdmInfoConflict = true,
                    OtherMdmInfo = response.MdmInfo,
                    AcceptedEventIds = accepted,
                };
        }
        return accepted;
    }
}
