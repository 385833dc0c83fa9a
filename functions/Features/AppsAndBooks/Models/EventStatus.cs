using System.Text.Json.Serialization;

namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>
/// Event Status: <c>PENDING</c>, <c>COMPLETE</c> or <c>FAILED</c>. FAILED can coexist with
/// partial success; <see cref="Failures"/> names the identifiers that failed.
/// See https://developer.apple.com/documentation/devicemanagement/statusresponse
/// </summary>
public sealed record EventStatus : AppsAndBooksResponse
{
    public const string Pending = "PENDING";
    public const string Complete = "COMPLETE";
    public const string Failed = "FAILED";

    [JsonPropertyName("eventStatus")]
    public string EventStatusValue { get => field ?? ""; init; }
    public string? EventType { get; init; }
    public int NumCompleted { get; init; }
    public int NumRequested { get; init; }
    public IReadOnlyList<AppsAndBooksError> Failures { get => field ?? []; init; }

    public bool IsFinished => EventStatusValue is Complete or Failed;

    /// <summary>One row per failed (asset, user or device), so callers can mark exactly those.</summary>
    public IReadOnlyList<IdentifierFailure> FailedIdentifiers() =>
        Failures.SelectMany(IdentifierFailure.Expand).ToList();
}

/// <summary>A single failed identifier of an event, e.g. 9709 for one serial number.</summary>
public sealed record IdentifierFailure(AssetKey? Asset, string? ClientUserId, string? SerialNumber, int ErrorNumber, string? ErrorMessage)
{
    internal static IEnumerable<IdentifierFailure> Expand(AppsAndBooksError error)
    {
        var info = error.ErrorInfo;
        IReadOnlyList<AssetKey?> assets = info?.Assets is { Count: > 0 } a ? [.. a] : [null];
        foreach (var asset in assets)
        {
            var any = false;
            foreach (var user in info?.ClientUserIds ?? [])
            {
                any = true;
                yield return new(asset, user, null, error.ErrorNumber, error.ErrorMessage);
            }
            foreach (var serial in info?.SerialNumbers ?? [])
            {
                any = true;
                yield return new(asset, null, serial, error.ErrorNumber, error.ErrorMessage);
            }
            if (!any) yield return new(asset, null, null, error.ErrorNumber, error.ErrorMessage);
        }
    }
}
