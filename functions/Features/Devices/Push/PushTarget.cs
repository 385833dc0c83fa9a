namespace ManagedDistribution.Features.Devices.Push;

/// <summary>
/// One MDM push: the device token (lowercase hex of the TokenUpdate <c>Token</c> bytes), the
/// enrollment's topic and its push magic. <see cref="ToString"/> redacts the token and the magic.
/// </summary>
public readonly record struct PushTarget(string DeviceToken, string Topic, string PushMagic)
{
    public static PushTarget FromToken(ReadOnlySpan<byte> token, string topic, string pushMagic) =>
        new(Convert.ToHexStringLower(token), topic, pushMagic);

    /// <summary>The first 8 hex digits: enough to correlate logs, not enough to push.</summary>
    public string TokenPrefix => DeviceToken.Length <= 8 ? DeviceToken : DeviceToken[..8];

    public override string ToString() => $"PushTarget {{ DeviceToken = {TokenPrefix}…, Topic = {Topic} }}";
}
