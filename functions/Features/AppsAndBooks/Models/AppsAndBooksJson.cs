using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>Source-generated (de)serialisation of every Apps and Books wire type: camelCase,
/// nulls left out of request bodies, unknown response fields ignored. The generator sets
/// init-only properties in one object initializer, so a key missing from the JSON arrives as
/// null despite a property initializer: defaults therefore live in getters (<c>field ?? []</c>).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ServiceConfig))]
[JsonSerializable(typeof(ClientConfig))]
[JsonSerializable(typeof(ClientConfigRequest))]
[JsonSerializable(typeof(GetAssetsResponse))]
[JsonSerializable(typeof(GetAssignmentsResponse))]
[JsonSerializable(typeof(GetUsersResponse))]
[JsonSerializable(typeof(ManageAssetsRequest))]
[JsonSerializable(typeof(RevokeAssetsRequest))]
[JsonSerializable(typeof(ManageUsersRequest))]
[JsonSerializable(typeof(EventResponse))]
[JsonSerializable(typeof(EventStatus))]
[JsonSerializable(typeof(AppsAndBooksError))]
[JsonSerializable(typeof(AppsAndBooksNotification))]
[JsonSerializable(typeof(AssetManagementNotification))]
[JsonSerializable(typeof(UserManagementNotification))]
[JsonSerializable(typeof(UserAssociatedNotification))]
[JsonSerializable(typeof(AssetCountNotification))]
[JsonSerializable(typeof(LocationTokenPayload))]
public sealed partial class AppsAndBooksJson : JsonSerializerContext;

/// <summary>The decoded sToken: <c>{token, expDate, orgName}</c>.</summary>
public sealed record LocationTokenPayload(string? Token, string? ExpDate, string? OrgName);
