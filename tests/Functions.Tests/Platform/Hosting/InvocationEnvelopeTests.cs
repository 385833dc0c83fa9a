using System.Text.Json;
using ManagedDistribution.Platform.Hosting;

namespace ManagedDistribution.Tests.Platform.Hosting;

/// <summary>Offline decoding of the trigger value in Data (contracts/azure.md §1.4, the double-encoded strings).</summary>
public class InvocationEnvelopeTests
{
    static readonly QueueFunction Function = new("ProbeQueue", "probe", typeof(object));

    [Theory]
    [InlineData("""{"message":"\"hello\""}""", "hello")]                          // plain text, double-encoded by the host
    [InlineData("""{"message":"\"{\\\"a\\\":1}\""}""", """{"a":1}""")]            // JSON text, double-encoded
    [InlineData("""{"message":"{\"a\":1}"}""", """{"a":1}""")]                    // JSON text, encoded once
    [InlineData("""{"message":{"a":1}}""", """{"a":1}""")]                        // passed through as an object
    [InlineData("""{"msg":"\"renamed binding\""}""", "renamed binding")]          // the only Data entry, any name
    [InlineData("""{"message":"\"not closed"}""", "\"not closed")]                 // starts with a quote, is no JSON string
    public void Queue_message_text_is_decoded(string data, string expected)
    {
        using var body = JsonDocument.Parse($$$"""{"Data":{{{data}}},"Metadata":{"DequeueCount":"2"}}""");

        var invocation = InvocationEnvelope.ReadQueue(body.RootElement, Function, "inv");

        Assert.Equal(expected, invocation.MessageText);
        Assert.Equal(2, invocation.DequeueCount);
    }

    [Fact]
    public void Missing_metadata_defaults_to_the_first_attempt()
    {
        using var body = JsonDocument.Parse("""{"Data":{"message":"\"x\""}}""");

        var invocation = InvocationEnvelope.ReadQueue(body.RootElement, Function, "inv");

        Assert.Equal(1, invocation.DequeueCount);
        Assert.Null(invocation.MessageId);
    }

    [Fact]
    public void An_envelope_without_data_is_rejected()
    {
        using var body = JsonDocument.Parse("""{"Metadata":{}}""");

        Assert.Throws<InvalidInvocationException>(() => InvocationEnvelope.ReadQueue(body.RootElement, Function, "inv"));
    }
}
