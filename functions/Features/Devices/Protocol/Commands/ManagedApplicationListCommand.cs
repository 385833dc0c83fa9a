using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol.Commands;

/// <summary>
/// Queries managed apps, all of them or only <see cref="Identifiers"/>; read the answer with
/// <see cref="ManagedApplicationListResponse"/>.
/// <see href="https://developer.apple.com/documentation/devicemanagement/managedapplicationlistcommand">ManagedApplicationListCommand</see>.
/// </summary>
public sealed record ManagedApplicationListCommand : MdmCommandPayload
{
    internal const string Type = "ManagedApplicationList";

    public override string RequestType => Type;
    public IReadOnlyList<string>? Identifiers { get; init; }

    internal override void WriteKeys(PlistDictionary command) =>
        command.AddIfNotNull("Identifiers", Identifiers?.Cast<object>().ToList());

    internal static ManagedApplicationListCommand Read(PlistDictionary dict) =>
        new() { Identifiers = dict.OptionalStringArray("Identifiers") };
}
