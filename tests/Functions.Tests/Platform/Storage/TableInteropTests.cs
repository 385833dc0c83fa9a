using System.Diagnostics;
using System.Text.Json;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Platform.Storage;

/// <summary>
/// Our wire format against a second, official client: @azure/data-tables (node_modules) reads what we
/// wrote and writes what we read, with Int64 beyond 2^53, 7-digit DateTimes, Guids, Binary, Doubles.
/// </summary>
public class TableInteropTests(AzuriteFixture azurite)
{
    static readonly string Prefix = AzuriteFixture.NewPrefix();
    static CancellationToken Token => TestContext.Current.CancellationToken;

    static readonly DateTimeOffset Precise = new DateTimeOffset(2024, 2, 29, 12, 34, 56, 789, TimeSpan.Zero).AddTicks(1234);
    static readonly Guid Id = Guid.Parse("c9da6455-213d-42c9-9a79-3e9149a57833");

    [Fact]
    public async Task JavaScriptSdkReadsOurTypedValues()
    {
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "ours");
        await table.AddEntityAsync(new TableEntity("p", "r")
        {
            ["Name"] = "Zoë's \"50%\" #1 & ü+",
            ["Count"] = 42,
            ["Big"] = 9007199254740993L,
            ["Max"] = long.MaxValue,
            ["Min"] = long.MinValue,
            ["Ratio"] = 0.1,
            ["Tiny"] = 5e-324,
            ["NotANumber"] = double.NaN,
            ["Infinite"] = double.PositiveInfinity,
            ["Flag"] = true,
            ["Millis"] = new DateTimeOffset(2024, 2, 29, 13, 34, 56, 789, TimeSpan.FromHours(1)),
            ["Precise"] = Precise,
            ["Id"] = Id,
            ["Bytes"] = new byte[] { 0, 1, 2, 254, 255 },
        }, Token);

        using var json = JsonDocument.Parse(await RunNodeAsync("read-entity.mjs", table.Name, "p", "r"));
        var e = json.RootElement;
        (string Value, string Type) Typed(string name) =>
            (e.GetProperty(name).GetProperty("value").ToString(), e.GetProperty(name).GetProperty("type").GetString()!);

        Assert.Equal(("Zoë's \"50%\" #1 & ü+", "String"), Typed("Name"));
        Assert.Equal(("42", "Int32"), Typed("Count"));
        Assert.Equal(("9007199254740993", "Int64"), Typed("Big"));
        Assert.Equal(("9223372036854775807", "Int64"), Typed("Max"));
        Assert.Equal(("-9223372036854775808", "Int64"), Typed("Min"));
        Assert.Equal(0.1, double.Parse(Typed("Ratio").Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(5e-324, double.Parse(Typed("Tiny").Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(("NaN", "Double"), Typed("NotANumber"));
        Assert.Equal(("Infinity", "Double"), Typed("Infinite"));
        Assert.Equal(("true", "Boolean"), Typed("Flag"));
        Assert.Equal(("2024-02-29T12:34:56.7890000Z", "DateTime"), Typed("Millis"));
        Assert.Equal(("2024-02-29T12:34:56.7891234Z", "DateTime"), Typed("Precise"));
        Assert.Equal((Id.ToString(), "Guid"), Typed("Id"));
        Assert.Equal((Convert.ToBase64String([0, 1, 2, 254, 255]), "Binary"), Typed("Bytes"));
    }

    [Fact]
    public async Task WeReadWhatTheJavaScriptSdkWrote()
    {
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "theirs");
        Assert.Equal("ok", await RunNodeAsync("write-entity.mjs", table.Name, "p", "r"));

        var e = await table.GetEntityAsync("p", "r", cancellationToken: Token);
        Assert.NotNull(e);
        Assert.Equal("Zoë's \"50%\" #1 & ü+", e.GetString("Name"));
        Assert.Equal(42, e["Count"]);
        Assert.Equal(42L, e.GetInt64("Count"));
        Assert.Equal(9007199254740993L, e["Big"]);
        Assert.Equal(long.MaxValue, e.GetInt64("Max"));
        Assert.Equal(0.1, e["Ratio"]);
        Assert.Equal(3.0, e.GetDouble("Whole"));
        Assert.True(double.IsNaN(e.GetDouble("NotANumber")!.Value));
        Assert.Equal(double.NegativeInfinity, e.GetDouble("Infinite"));
        Assert.Equal(true, e["Flag"]);
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 12, 34, 56, 789, TimeSpan.Zero), e["When"]);
        Assert.Equal(Precise, e.GetDateTimeOffset("Precise"));
        Assert.Equal(Id, e["Id"]);
        Assert.Equal([0, 1, 2, 254, 255], e.GetBinary("Bytes"));

        // And our own round trip keeps every type.
        await table.UpsertEntityAsync(e, cancellationToken: Token);
        var again = await table.GetEntityAsync("p", "r", cancellationToken: Token);
        Assert.All(e, p => Assert.True(TypedEqual(p.Value, again![p.Key]), p.Key));
    }

    static bool TypedEqual(object expected, object? actual) =>
        expected is byte[] bytes ? actual is byte[] other && bytes.SequenceEqual(other) : expected.GetType() == actual?.GetType() && expected.Equals(actual);

    async Task<string> RunNodeAsync(string script, params string[] args)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Platform", "Storage", script));
        start.ArgumentList.Add(azurite.ConnectionString);
        foreach (var arg in args) start.ArgumentList.Add(arg);

        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync(Token);
        var stderr = node.StandardError.ReadToEndAsync(Token);
        await node.WaitForExitAsync(Token);
        Assert.True(node.ExitCode == 0, $"node {script} exited {node.ExitCode}: {await stderr}");
        return await stdout;
    }
}
