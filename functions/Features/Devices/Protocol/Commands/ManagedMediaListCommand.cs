using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol.Commands;

/// <summary>
/// Queries managed books (iOS only, no parameters); read the answer with <see cref="ManagedMediaListResponse"/>.
/// <see href="https://developer.apple.com/documentation/devicemanagement/managedmedialistcommand">ManagedMediaListCommand</see>.
/// </summary>
public sealed record ManagedMediaListCommand : MdmCommandPayload
{
    internal const string Type = "ManagedMediaList";

    public override string RequestType => Type;

    internal override void WriteKeys(PlistDictionary command) { }
}
