using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.LocationTokens;

/// <summary>
/// Encrypts sTokens at rest with AES-GCM under <see cref="LocationTokensOptions.EncryptionKey"/>
/// (<c>v1:</c> + Base64 of nonce | ciphertext | tag). Without a key the value is stored as
/// <c>plain:</c> + token, so a key can be added later and old rows still read.
/// </summary>
public sealed class TokenProtector
{
    const string EncryptedPrefix = "v1:";
    const string PlainPrefix = "plain:";
    readonly byte[]? key;

    public TokenProtector(IOptions<LocationTokensOptions> options, ILogger<TokenProtector> logger)
    {
        if (string.IsNullOrWhiteSpace(options.Value.EncryptionKey))
        {
            logger.LogWarning("LocationTokens:EncryptionKey is not set: Apps and Books location tokens are stored unencrypted");
            return;
        }
        key = Convert.FromBase64String(options.Value.EncryptionKey);
        if (key.Length != 32) throw new InvalidOperationException("LocationTokens:EncryptionKey must be Base64 of 32 bytes.");
    }

    public string Protect(string secret)
    {
        if (key is null) return PlainPrefix + secret;
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[12 + plain.Length + 16];
        var nonce = sealedBytes.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(12, plain.Length), sealedBytes.AsSpan(12 + plain.Length));
        return EncryptedPrefix + Convert.ToBase64String(sealedBytes);
    }

    public string Unprotect(string stored)
    {
        if (stored.StartsWith(PlainPrefix, StringComparison.Ordinal)) return stored[PlainPrefix.Length..];
        if (!stored.StartsWith(EncryptedPrefix, StringComparison.Ordinal)) throw new CryptographicException("Unknown token protection format.");
        if (key is null) throw new CryptographicException("The token is encrypted but LocationTokens:EncryptionKey is not set.");
        var sealedBytes = Convert.FromBase64String(stored[EncryptedPrefix.Length..]);
        var plain = new byte[sealedBytes.Length - 28];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(12, plain.Length), sealedBytes.AsSpan(12 + plain.Length), plain);
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>SHA-256 (hex) of a shared secret, for storing what we only need to compare.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Constant-time comparison of a presented secret with a stored hash.</summary>
    public static bool Matches(string presented, string? storedHash) =>
        storedHash is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(presented)), Encoding.ASCII.GetBytes(storedHash));
}
