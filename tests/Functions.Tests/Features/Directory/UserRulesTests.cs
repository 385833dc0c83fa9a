using ManagedDistribution.Features.Directory;

namespace ManagedDistribution.Tests.Features.Directory;

public sealed class UserRulesTests
{
    [Theory]
    [InlineData("en", "en")]
    [InlineData("nl-nl", "nl-NL")]
    [InlineData("zh-hant-tw", "zh-Hant-TW")]
    [InlineData("es-419", "es-419")]
    [InlineData("pt_BR", "pt-BR")]
    public void LanguageTagsAreCanonicalised(string input, string expected)
    {
        Assert.True(UserRules.TryCanonicalLanguage(input, out var canonical));
        Assert.Equal(expected, canonical);
    }

    [Theory]
    [InlineData("english")]
    [InlineData("e")]
    [InlineData("en-")]
    [InlineData("en-GB-oxendict-x")]
    public void NonTagsAreRefused(string input) => Assert.False(UserRules.TryCanonicalLanguage(input, out _));

    [Fact]
    public void FieldsAreTrimmedAndBlanksBecomeAbsent()
    {
        var (user, errors) = UserRules.Validate(new UserInput(" id-1 ", "  s ", " Full ", " ", "", null), requireId: true);
        Assert.Empty(errors);
        Assert.Equal(new UserFields("id-1", "s", "Full", null, null, null), user);
    }

    [Theory]
    [InlineData("a@b.co", true)]
    [InlineData("first.last+tag@sub.example.com", true)]
    [InlineData("no-at-sign", false)]
    [InlineData("two@@example.com", false)]
    [InlineData("space in@example.com", false)]
    [InlineData("a@nodot", false)]
    public void EmailShape(string email, bool valid)
    {
        var (_, errors) = UserRules.Validate(new UserInput("x", "x", "X", email, null, null), requireId: true);
        Assert.Equal(valid, !errors.ContainsKey("email"));
    }

    [Fact]
    public void MissingIdIsGeneratedUnlessRequired()
    {
        Assert.True(DirectoryIds.IsValid(UserRules.Validate(new UserInput(null, "s", "F", null, null, null), requireId: false).User!.Id));
        Assert.Contains("id", UserRules.Validate(new UserInput(null, "s", "F", null, null, null), requireId: true).Errors.Keys);
    }
}
