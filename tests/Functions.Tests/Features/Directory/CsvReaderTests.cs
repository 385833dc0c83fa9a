using ManagedDistribution.Features.Directory;

namespace ManagedDistribution.Tests.Features.Directory;

public sealed class CsvReaderTests
{
    static List<string[]> Read(string text) => [.. CsvReader.Read(text).Select(r => r.Fields.ToArray())];

    [Fact]
    public void ReadsQuotedFieldsEscapedQuotesAndEmbeddedLineBreaks()
    {
        var records = Read("a,\"b,c\",\"d \"\"e\"\"\"\r\n\"multi\r\nline\",,last");
        Assert.Equal([["a", "b,c", "d \"e\""], ["multi\r\nline", "", "last"]], records);
    }

    [Fact]
    public void SkipsBomAndBlankLinesAndKeepsLineNumbers()
    {
        var records = CsvReader.Read("\uFEFFh1,h2\n\nx,y\r\n\"q\nq\",z\nlast,row\n").ToList();
        Assert.Equal(["h1", "h2"], records[0].Fields);
        Assert.Equal([1, 3, 4, 6], records.Select(r => r.Line));
    }

    [Fact]
    public void AQuotedEmptyFieldIsARecord()
    {
        Assert.Equal([[""]], Read("\"\"\n"));
    }

    [Fact]
    public void UnterminatedQuoteIsAFormatError()
    {
        var error = Assert.Throws<CsvFormatException>(() => Read("a,b\n\"open,c\nmore"));
        Assert.Contains("line 2", error.Message);
    }
}
