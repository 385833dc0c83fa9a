using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Tests.Platform.Storage;

/// <summary>Offline: the OData literals and escaping <see cref="TableFilter"/> produces.</summary>
public class TableFilterTests
{
    [Theory]
    [InlineData("plain", "PartitionKey eq 'plain'")]
    [InlineData("O'Brien", "PartitionKey eq 'O''Brien'")]
    [InlineData("''", "PartitionKey eq ''''''")]
    [InlineData("Zoë's \"50%\" #1 & ü+", "PartitionKey eq 'Zoë''s \"50%\" #1 & ü+'")]
    [InlineData("", "PartitionKey eq ''")]
    public void StringLiteralsDoubleSingleQuotes(string value, string expected) =>
        Assert.Equal(expected, TableFilter.PartitionKey.Eq(value).ToString());

    [Fact]
    public void TypedLiterals()
    {
        var p = TableFilter.Property("P");
        Assert.Equal("P eq 42", p.Eq(42).ToString());
        Assert.Equal("P ne 9007199254740993L", p.Ne(9007199254740993L).ToString());
        Assert.Equal("P gt -9223372036854775808L", p.Gt(long.MinValue).ToString());
        Assert.Equal("P ge 4.5", p.Ge(4.5).ToString());
        Assert.Equal("P lt 3.0", p.Lt(3.0).ToString());
        Assert.Equal("P le 1E-300", p.Le(1e-300).ToString());
        Assert.Equal("P eq true", p.Eq(true).ToString());
        Assert.Equal("P eq false", p.Eq(false).ToString());
        Assert.Equal("P eq guid'c9da6455-213d-42c9-9a79-3e9149a57833'", p.Eq(Guid.Parse("C9DA6455-213D-42C9-9A79-3E9149A57833")).ToString());
        Assert.Equal("P eq X'000aff'", p.Eq(new byte[] { 0, 10, 255 }).ToString());
    }

    [Fact]
    public void DateTimesAreUtcWithSevenFractionalDigits()
    {
        var local = new DateTimeOffset(2024, 2, 29, 13, 34, 56, 789, TimeSpan.FromHours(1));
        Assert.Equal("Timestamp ge datetime'2024-02-29T12:34:56.7890000Z'", TableFilter.Timestamp.Ge(local).ToString());
        var unspecified = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Unspecified).AddTicks(1);
        Assert.Equal("Timestamp lt datetime'2024-01-01T00:00:00.0000001Z'", TableFilter.Timestamp.Lt(unspecified).ToString());
    }

    [Fact]
    public void CombinatorsParenthesiseEverything()
    {
        var filter = TableFilter.PartitionKey.Eq("p").And(TableFilter.RowKey.Ge("a").Or(TableFilter.Not(TableFilter.RowKey.Eq("b"))));
        Assert.Equal("(PartitionKey eq 'p') and ((RowKey ge 'a') or (not (RowKey eq 'b')))", filter.ToString());
        Assert.Equal("((A eq 1) and (B eq 2)) and (C eq 3)",
            TableFilter.All(TableFilter.Property("A").Eq(1), TableFilter.Property("B").Eq(2), TableFilter.Property("C").Eq(3)).ToString());
        Assert.Equal("(A eq 1) or (B eq 2)", (TableFilter.Property("A").Eq(1) | TableFilter.Property("B").Eq(2)).ToString());
        Assert.Equal("not (A eq 1)", (!TableFilter.Property("A").Eq(1)).ToString());
    }

    [Theory]
    [InlineData("Name eq 'x' or 1")]
    [InlineData("Name'")]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("a b")]
    public void PropertyNamesMustBeIdentifiers(string name) =>
        Assert.Throws<ArgumentException>(() => TableFilter.Property(name));

    [Fact]
    public void NonFiniteDoublesHaveNoLiteral()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TableFilter.Property("D").Eq(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => TableFilter.Property("D").Eq(double.PositiveInfinity));
    }

    [Fact]
    public void KeyPredicatesDoubleQuotesThenPercentEncode()
    {
        Assert.Equal("(PartitionKey='p',RowKey='r%27%271')", TableClient.KeyPredicate("p", "r'1"));
        Assert.Equal("(PartitionKey='a%20b%25%23%26%2B',RowKey='%C3%BC')", TableClient.KeyPredicate("a b%#&+", "ü"));
    }
}
