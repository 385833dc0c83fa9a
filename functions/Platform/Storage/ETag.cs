namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// An entity's version as the Table service reports it (e.g. <c>W/"datetime'2026-…%3A…'"</c>):
/// opaque, passed back verbatim in <c>If-Match</c>. <see cref="All"/> (<c>*</c>) matches any
/// existing entity. <c>default</c> means "no ETag" (an empty value).
/// See https://learn.microsoft.com/rest/api/storageservices/update-entity2 .
/// </summary>
public readonly struct ETag(string value) : IEquatable<ETag>
{
    readonly string? value = value;

    /// <summary>Matches any existing entity (<c>If-Match: *</c>): unconditional, but the entity must exist.</summary>
    public static ETag All { get; } = new("*");

    public bool IsEmpty => string.IsNullOrEmpty(value);

    public bool Equals(ETag other) => string.Equals(value ?? "", other.value ?? "", StringComparison.Ordinal);
    public override bool Equals(object? obj) => obj is ETag other && Equals(other);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(value ?? "");
    public override string ToString() => value ?? "";

    public static bool operator ==(ETag left, ETag right) => left.Equals(right);
    public static bool operator !=(ETag left, ETag right) => !left.Equals(right);
}
