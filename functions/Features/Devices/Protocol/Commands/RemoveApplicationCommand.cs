using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol.Commands;

/// <summary>
/// Removes a managed app by bundle id (device channel; macOS 11+).
/// <see href="https://developer.apple.com/documentation/devicemanagement/removeapplicationcommand">RemoveApplicationCommand</see>.
/// </summary>
public sealed record RemoveApplicationCommand : MdmCommandPayload
{
    internal const string Type = "RemoveApplication";

    public override string RequestType => Type;
    public required string Identifier { get; init; }

    internal override void WriteKeys(PlistDictionary command) => command.Add("Identifier", Identifier);

    internal static RemoveApplicationCommand Read(PlistDictionary dict) => new() { Identifier = dict.RequireString("Identifier") };
}
