using System.Text;
using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Tests.Features.AppsAndBooks;

public class LocationTokenTests
{
    static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void DecodesOrganisationLocationAndExpiry()
    {
        var token = LocationToken.Parse(Encode("""{"token":"abc123","expDate":"2030-11-08T22:33:22+0000","orgName":"Example School"}"""));

        Assert.True(token.IsDecoded);
        Assert.Equal("Example School", token.OrganizationName);
        Assert.Equal("abc123", token.LocationId);
        Assert.Equal(new DateTimeOffset(2030, 11, 8, 22, 33, 22, TimeSpan.Zero), token.ExpiresOn);
        Assert.False(token.IsExpiredAt(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.True(token.IsExpiredAt(new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void ReadsExpiryWithANonUtcOffset()
    {
        var token = LocationToken.Parse(Encode("""{"token":"t","expDate":"2024-06-20T10:34:44-0700","orgName":"O"}"""));

        Assert.Equal(new DateTimeOffset(2024, 6, 20, 17, 34, 44, TimeSpan.Zero), token.ExpiresOn!.Value.ToUniversalTime());
    }

    [Fact]
    public void NeverShowsTheSecretInToString()
    {
        var raw = Encode("""{"token":"very-secret-location-token","expDate":"2030-11-08T22:33:22+0000","orgName":"Example School"}""");
        var token = LocationToken.Parse(raw);

        var text = token.ToString();
        var interpolated = $"{token}";

        Assert.DoesNotContain(raw, text);
        Assert.DoesNotContain("very-secret", text);
        Assert.Contains("redacted", text);
        Assert.Equal(text, interpolated);
        Assert.Equal(12, token.Fingerprint.Length);
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("bm90IGpzb24=")] // "not json"
    [InlineData("eyJmb28iOjF9")] // {"foo":1}
    public void ParseRejectsWhatIsNotAnSToken(string raw)
    {
        Assert.Throws<FormatException>(() => LocationToken.Parse(raw));
        var lenient = LocationToken.FromString(raw);
        Assert.False(lenient.IsDecoded);
        Assert.Equal(raw, lenient.Value);
    }

    [Fact]
    public void TokensCompareByValue()
    {
        var raw = Encode("""{"token":"a","expDate":"2030-11-08T22:33:22+0000","orgName":"O"}""");
        Assert.Equal(LocationToken.Parse(raw), LocationToken.FromString(" " + raw + " "));
        Assert.NotEqual(LocationToken.Parse(raw), LocationToken.FromString("other"));
    }

    [Fact]
    public void AppleDatesRoundTrip()
    {
        var value = new DateTimeOffset(2030, 11, 8, 22, 33, 22, TimeSpan.Zero);
        Assert.Equal("2030-11-08T22:33:22+0000", AppleDateTime.Format(value));
        Assert.True(AppleDateTime.TryParse("2030-11-08T22:33:22Z", out var z));
        Assert.Equal(value, z);
        Assert.False(AppleDateTime.TryParse("soon", out _));
    }
}
