using System.Security.Cryptography;
using System.Text;

namespace ManagedDistribution.Features.Licenses;

/// <summary>
/// Keys of the <c>licenses</c> table. One partition per purchased item (its content id), holding
/// everything a transaction must touch together:
/// <list type="bullet">
/// <item><c>ledger</c>: the counts (one row; every count change is a conditional write to it);</item>
/// <item><c>r|{idempotencyKey}</c>: a reservation record, written in the same transaction as the
/// ledger row so reserve + record are atomic and a replay finds its answer;</item>
/// <item><c>n|{key}</c>: an applied total change (an ASSET_COUNT notification id), same transaction;</item>
/// <item><c>w|{requestTicks:D19}|{idempotencyKey}</c>: the waiting list, first come first served in key order;</item>
/// <item><c>targetschanged</c>: the stamp written before any of the item's target rows.</item>
/// </list>
/// The target rows themselves (one license per target) live in other tables: <see cref="LicenseTargetLayout"/>.
/// Access patterns: counts = one point read; a reservation = two point reads (ledger + record);
/// the waiting list = one range query (<c>w|</c> prefix).
/// </summary>
public static class LicenseKeys
{
    public const string LedgerRow = "ledger";
    const string ReservationPrefix = "r|";
    const string TotalChangePrefix = "n|";
    public const string WaitingPrefix = "w|";
    /// <summary>The item's <see cref="TargetsChange"/> stamp.</summary>
    public const string TargetsChangedRow = "targetschanged";

    public static string ReservationRow(string idempotencyKey) => ReservationPrefix + SafeKey(idempotencyKey);

    public static string TotalChangeRow(string changeKey) => TotalChangePrefix + SafeKey(changeKey);

    public static string WaitingRow(DateTimeOffset requestedAt, string idempotencyKey) =>
        $"{WaitingPrefix}{requestedAt.UtcTicks:D19}|{SafeKey(idempotencyKey)}";

    /// <summary>The first key after every key starting with <paramref name="prefix"/> (for range queries).</summary>
    public static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    /// <summary>
    /// Row keys may not hold <c>/ \ # ?</c> or control characters and are limited in length: such
    /// keys (and long ones) are replaced by their SHA-256, which is stable, so replays still match.
    /// </summary>
    public static string SafeKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var safe = key.Length <= 200 && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
        return safe ? key : "h:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }
}

public enum LicenseTargetKind
{
    Device,
    User,
}

/// <summary>Who holds (or waits for) a license: a device by serial number, or a user by Apple <c>clientUserId</c>.</summary>
public sealed record LicenseTarget(LicenseTargetKind Kind, string Id)
{
    public static LicenseTarget Device(string serialNumber) => new(LicenseTargetKind.Device, serialNumber);
    public static LicenseTarget User(string clientUserId) => new(LicenseTargetKind.User, clientUserId);
}
