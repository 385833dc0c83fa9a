using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>What an admin sends for a group.</summary>
public sealed record GroupInput(string? Id, string? Name, string? Description);

public sealed record GroupFields(string Id, string Name, string? Description);

/// <summary>A user or device group as the API shows it.</summary>
public sealed record GroupDto(string Id, string Name, string? Description, int MemberCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// The <c>usergroups</c> / <c>devicegroups</c> row: PK "group", RK = group id; Name, NameLower
/// (search), Description, MemberCount (recounted from the members partition after every bulk
/// change), CreatedAt, UpdatedAt.
/// </summary>
public static class GroupEntity
{
    public const string Partition = "group";
    public const int MaxName = 256;
    public const int MaxDescription = 1024;

    public static string PartitionKeyFor() => Partition;
    public static string RowKeyFor(string groupId) => groupId;

    public static (GroupFields? Group, Dictionary<string, string[]> Errors) Validate(GroupInput input, string? idFromRoute = null)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var id = string.IsNullOrWhiteSpace(input.Id) ? null : input.Id.Trim();
        if (idFromRoute is not null)
        {
            if (id is not null && id != idFromRoute) errors["id"] = ["The id in the body must match the id in the path."];
            id = idFromRoute;
        }
        if (id is not null && !DirectoryIds.IsValid(id)) errors["id"] = [DirectoryIds.Describe("id")];
        var name = input.Name?.Trim();
        if (string.IsNullOrEmpty(name)) errors["name"] = ["name is required."];
        else if (name.Length > MaxName || name.Any(char.IsControl)) errors["name"] = [$"name must be at most {MaxName} characters, without control characters."];
        var description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        if (description?.Length > MaxDescription) errors["description"] = [$"description may be at most {MaxDescription} characters."];
        return errors.Count > 0 ? (null, errors) : (new GroupFields(id ?? DirectoryIds.NewId(), name!, description), errors);
    }

    public static TableEntity Apply(TableEntity? existing, GroupFields group, DateTimeOffset now)
    {
        var entity = new TableEntity(PartitionKeyFor(), RowKeyFor(group.Id));
        if (existing is not null)
            foreach (var (name, value) in existing) entity[name] = value;
        entity["Name"] = group.Name;
        entity["NameLower"] = group.Name.ToLowerInvariant();
        entity["Description"] = group.Description;
        entity["MemberCount"] = existing?.GetInt32("MemberCount") ?? 0;
        entity["CreatedAt"] = existing?.GetDateTimeOffset("CreatedAt") ?? now;
        entity["UpdatedAt"] = now;
        return entity;
    }

    public static bool HasSameFields(TableEntity existing, GroupFields group) =>
        existing.GetString("Name") == group.Name && existing.GetString("Description") == group.Description;

    public static GroupDto ToDto(TableEntity entity) => new(
        entity.RowKey,
        entity.GetString("Name") ?? "",
        entity.GetString("Description"),
        entity.GetInt32("MemberCount") ?? 0,
        entity.GetDateTimeOffset("CreatedAt") ?? default,
        entity.GetDateTimeOffset("UpdatedAt") ?? default);
}
