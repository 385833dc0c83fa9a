using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Platform.Http;

/// <summary>
/// The <c>AdminKey</c> scheme: <c>Authorization: Bearer &lt;key&gt;</c> where the key is one of
/// <see cref="AuthOptions.AdminApiKeys"/>. Keys are compared as SHA-256 digests with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>, so neither content nor length leaks
/// through timing. Challenges answer 401 problem details with <c>WWW-Authenticate: Bearer</c>
/// (RFC 6750 §3, https://www.rfc-editor.org/rfc/rfc6750#section-3).
/// </summary>
public sealed class AdminKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptionsMonitor<AuthOptions> auth,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "AdminKey";
    const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.NoResult());

        var keyIndex = MatchKey(header[BearerPrefix.Length..].Trim());
        if (keyIndex < 0) return Task.FromResult(AuthenticateResult.Fail("The presented key is not an admin API key."));

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "admin"), new Claim("admin_key", keyIndex.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    /// <summary>Index of the matching configured key, or -1. Checks every key so timing does not say which matched.</summary>
    int MatchKey(string presented)
    {
        Span<byte> presentedHash = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> keyHash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), presentedHash);
        var match = -1;
        var keys = auth.CurrentValue.AdminApiKeys;
        for (var i = 0; i < keys.Count; i++)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(keys[i].Trim()), keyHash);
            if (CryptographicOperations.FixedTimeEquals(presentedHash, keyHash) && match < 0) match = i;
        }
        return match;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var wrongKey = result.Failure is not null;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = wrongKey ? "Bearer error=\"invalid_token\"" : "Bearer";
        await WriteProblemAsync(Problems.Create(ProblemCodes.Unauthorized, wrongKey
            ? "The presented key is not an admin API key."
            : "Send 'Authorization: Bearer <admin API key>'."));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteProblemAsync(Problems.Create(ProblemCodes.Forbidden));
    }

    Task WriteProblemAsync(Microsoft.AspNetCore.Mvc.ProblemDetails problem) =>
        problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem }).AsTask();
}
