namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>Identity of the MDM managing a location; echoed by Apple on later responses.
/// See https://developer.apple.com/documentation/devicemanagement/mdminfo</summary>
public sealed record MdmInfo(string Id, string Name, string Metadata);
