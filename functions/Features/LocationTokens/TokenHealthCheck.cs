using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.LocationTokens;

/// <summary>
/// Reads a token's health from Apple's client/config (the cheapest authenticated call) and
/// turns the answer, or the error number, into a <see cref="TokenHealth"/>.
/// </summary>
public sealed class TokenHealthCheck(AppsAndBooksClient apple, IOptions<LocationTokensOptions> options, TimeProvider time)
{
    public sealed record Result(TokenHealth Health, string? Detail, ClientConfig? Config, AppsAndBooksException? Error);

    public async Task<Result> CheckAsync(LocationToken token, CancellationToken cancellationToken)
    {
        try
        {
            var config = await apple.GetClientConfigAsync(token, cancellationToken);
            return new(Evaluate(config, token), null, config, null);
        }
        catch (AppsAndBooksException e)
        {
            return new(FromError(e), $"Apple answered {e.Status}/{e.ErrorNumber}: {e.Message}", null, e);
        }
    }

    public TokenHealth Evaluate(ClientConfig config, LocationToken token) =>
        config.MdmInfoConflict ? TokenHealth.UsedByAnotherMdm
        : TokenHealthRules.FromExpiry(config.TokenExpirationDate ?? token.ExpiresOn, time.GetUtcNow(), options.Value.ExpiringWithin);

    public static TokenHealth FromError(AppsAndBooksException e) => e.IsMdmInfoConflict ? TokenHealth.UsedByAnotherMdm : e.TokenProblem switch
    {
        LocationTokenProblem.Expired => TokenHealth.Expired,
        LocationTokenProblem.Revoked => TokenHealth.Revoked,
        LocationTokenProblem.LoginRequired or LocationTokenProblem.MalformedHeader => TokenHealth.Invalid,
        _ => TokenHealth.Unknown,
    };
}
