using Microsoft.Extensions.Options;

namespace ManagedDistribution.Platform.Http;

/// <summary>
/// Admin authentication (<c>Auth</c> section): the bearer keys accepted on <c>/api</c>. Several
/// keys allow rotation: add the new one, move callers over, remove the old one.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Smallest accepted key length; keys are meant to be random strings (e.g. 32 bytes, base64).</summary>
    public const int MinimumKeyLength = 16;

    /// <summary>Accepted keys; environment variables <c>Auth__AdminApiKeys__0</c>, <c>Auth__AdminApiKeys__1</c>, …</summary>
    public List<string> AdminApiKeys { get; set; } = [];
}

/// <summary>
/// Refuses to start without a key outside Development, so a deployment can never expose an
/// unprotected API by omission; in Development the API stays closed (401) until a key is set.
/// </summary>
sealed class AuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        if (options.AdminApiKeys.Count == 0 && !environment.IsDevelopment())
            return ValidateOptionsResult.Fail(
                "No admin API key is configured: set Auth:AdminApiKeys (environment variable Auth__AdminApiKeys__0) " +
                "to a random string of at least " + AuthOptions.MinimumKeyLength + " characters.");

        // App Service passes an unresolved Key Vault reference through as literal text; it must
        // never become an accepted key.
        var unresolved = options.AdminApiKeys.FindIndex(k => k.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase));
        if (unresolved >= 0)
            return ValidateOptionsResult.Fail($"Auth:AdminApiKeys:{unresolved} is an unresolved Key Vault reference: check the secret exists and the app's identity can read it.");

        var weak = options.AdminApiKeys
            .Select((key, index) => (key, index))
            .Where(k => string.IsNullOrWhiteSpace(k.key) || k.key.Trim().Length < AuthOptions.MinimumKeyLength || k.key.Any(char.IsWhiteSpace))
            .Select(k => $"Auth:AdminApiKeys:{k.index}")
            .ToList();
        return weak.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{string.Join(", ", weak)} must be at least {AuthOptions.MinimumKeyLength} characters without spaces.");
    }
}
