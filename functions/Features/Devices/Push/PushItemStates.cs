namespace ManagedDistribution.Features.Devices.Push;

/// <summary>States of a channel in a push delivery workflow (besides the engine's <c>pending</c> and <c>cancelled</c>).</summary>
public static class PushItemStates
{
    /// <summary>Pushed in the latest wave; the next wave checks whether the device came.</summary>
    public const string Pushed = "pushed";
    /// <summary>APNs answered 429/5xx (after the client's own retries): pushed again next wave.</summary>
    public const string Retrying = "retrying";
    /// <summary>The device checked in after the push and nothing waits any more.</summary>
    public const string Delivered = "delivered";
    /// <summary>Nothing was waiting (any more) without a check-in after our push: nothing to deliver.</summary>
    public const string Skipped = "skipped";
    /// <summary>Never came back after the last attempt: its waiting commands were expired.</summary>
    public const string Expired = "expired";
    /// <summary>Unknown channel, unusable token (400/410, marked so) or a permanent APNs refusal.</summary>
    public const string Failed = "failed";
}
