using System.Text.Json;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Tests.Platform.Storage;

/// <summary>Reading the wire format in one pass: annotations before or after their value, times with and without an offset.</summary>
public class TableEntityJsonTests
{
    static TableEntity Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return TableEntityJson.Read(document.RootElement);
    }

    [Fact]
    public void AnAnnotationTypesItsValueWhereverItStands()
    {
        var entity = Read("""
            {"odata.etag":"W/\"x\"","PartitionKey":"p","RowKey":"r","Timestamp":"2026-11-21T21:10:34.7335138Z",
             "Before@odata.type":"Edm.Int64","Before":"9007199254740993",
             "After":"2026-01-02T03:04:05.0000000Z","After@odata.type":"Edm.DateTime",
             "Plain":"text","Count":7}
            """);
        Assert.Equal(9007199254740993L, entity["Before"]);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), entity["After"]);
        Assert.Equal("text", entity["Plain"]);
        Assert.Equal(7, entity["Count"]);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 21, 10, 34, TimeSpan.Zero).AddTicks(7335138), entity.Timestamp);
        Assert.Equal(("p", "r"), (entity.PartitionKey, entity.RowKey));
    }

    [Theory]
    [InlineData("2026-01-02T03:04:05Z")]
    [InlineData("2026-01-02T03:04:05")]
    [InlineData("2026-01-02T04:04:05+01:00")]
    public void TimesAreUtcWithOrWithoutAnOffset(string text)
    {
        var entity = Read($$"""{"When@odata.type":"Edm.DateTime","When":"{{text}}","Timestamp":"{{text}}"}""");
        var expected = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        Assert.Equal(expected, entity["When"]);
        Assert.Equal(TimeSpan.Zero, ((DateTimeOffset)entity["When"]!).Offset);
        Assert.Equal(expected, entity.Timestamp);
    }
}
