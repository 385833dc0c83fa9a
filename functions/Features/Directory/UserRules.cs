using System.Text.RegularExpressions;

namespace ManagedDistribution.Features.Directory;

/// <summary>What an admin sends for a user (create, replace, one import row). Blank optional fields mean "none".</summary>
public sealed record UserInput(
    string? Id,
    string? ShortName,
    string? FullName,
    string? Email,
    string? ManagedAppleId,
    string? PreferredLanguage);

/// <summary>A user's fields after validation: trimmed, blanks as null, the language tag in canonical case.</summary>
public sealed record UserFields(
    string Id,
    string ShortName,
    string FullName,
    string? Email,
    string? ManagedAppleId,
    string? PreferredLanguage);

/// <summary>
/// The one set of user rules, used by the single-user endpoints and by every import row alike.
/// Errors are keyed by the camelCase JSON field name.
/// </summary>
public static partial class UserRules
{
    public const int MaxShortName = 128;
    public const int MaxFullName = 256;
    public const int MaxEmail = 254;

    /// <summary>
    /// Validates <paramref name="input"/>. With <paramref name="idFromRoute"/> the body id may be
    /// absent or must equal it; with <paramref name="requireId"/> false a missing id is generated.
    /// </summary>
    public static (UserFields? User, Dictionary<string, string[]> Errors) Validate(UserInput input, bool requireId, string? idFromRoute = null)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Fail(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field, []), message];

        var id = Blank(input.Id);
        if (idFromRoute is not null)
        {
            if (id is not null && id != idFromRoute) Fail("id", "The id in the body must match the id in the path.");
            id = idFromRoute;
        }
        if (id is null && requireId) Fail("id", "id is required.");
        else if (id is not null && !DirectoryIds.IsValid(id)) Fail("id", DirectoryIds.Describe("id"));

        var shortName = Required(input.ShortName, "shortName", MaxShortName, Fail);
        var fullName = Required(input.FullName, "fullName", MaxFullName, Fail);
        var email = Blank(input.Email);
        if (email is not null && !IsEmail(email)) Fail("email", "email must be an address like name@example.com.");
        var appleId = Blank(input.ManagedAppleId);
        if (appleId is not null && !IsEmail(appleId)) Fail("managedAppleId", "managedAppleId must be an Apple Account like name@appleid.example.com.");
        var language = Blank(input.PreferredLanguage);
        if (language is not null && !TryCanonicalLanguage(language, out language))
            Fail("preferredLanguage", "preferredLanguage must be a BCP 47 language tag such as \"en\", \"nl-NL\" or \"zh-Hant-TW\".");

        if (errors.Count > 0) return (null, errors);
        return (new UserFields(id ?? DirectoryIds.NewId(), shortName!, fullName!, email, appleId, language), errors);
    }

    static string? Required(string? value, string field, int max, Action<string, string> fail)
    {
        var text = Blank(value);
        if (text is null) fail(field, $"{field} is required.");
        else if (text.Length > max) fail(field, $"{field} may be at most {max} characters.");
        else if (text.Any(char.IsControl)) fail(field, $"{field} may not contain control characters.");
        return text;
    }

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    static bool IsEmail(string value) => value.Length <= MaxEmail && Email().IsMatch(value);

    /// <summary>language[-Script][-REGION] (RFC 5646 §2.1, the subset Apple's platforms use), in canonical case.</summary>
    public static bool TryCanonicalLanguage(string value, out string? canonical)
    {
        canonical = null;
        var match = LanguageTag().Match(value);
        if (!match.Success) return false;
        var parts = new List<string> { match.Groups["lang"].Value.ToLowerInvariant() };
        if (match.Groups["script"].Success)
        {
            var script = match.Groups["script"].Value;
            parts.Add(char.ToUpperInvariant(script[0]) + script[1..].ToLowerInvariant());
        }
        if (match.Groups["region"].Success) parts.Add(match.Groups["region"].Value.ToUpperInvariant());
        canonical = string.Join('-', parts);
        return true;
    }

    [GeneratedRegex(@"^[^@\s""<>(),;:\\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")]
    private static partial Regex Email();

    [GeneratedRegex(@"^(?<lang>[A-Za-z]{2,3})(?:[-_](?<script>[A-Za-z]{4}))?(?:[-_](?<region>[A-Za-z]{2}|[0-9]{3}))?$")]
    private static partial Regex LanguageTag();
}
