using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ManagedDistribution.Tests.Platform.Storage;

/// <summary>
/// Lets the real request reach Azurite, then swaps the first matching answer for a made-up one:
/// "the write landed but the reply was lost" (a 503), or an empty query page that still continues.
/// </summary>
sealed class TableFaultPolicy(Func<HttpMessage, bool> matches, Func<Response> replacement) : HttpPipelinePolicy
{
    int remaining = 1;
    public int Sent;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (!matches(message))
        {
            await ProcessNextAsync(message, pipeline);
            return;
        }
        Interlocked.Increment(ref Sent);
        await ProcessNextAsync(message, pipeline);
        if (Interlocked.Exchange(ref remaining, 0) == 1) message.Response = replacement();
    }

    public static FaultOptions<TableFaultPolicy> Options(Func<HttpMessage, bool> matches, Func<Response> replacement)
    {
        var policy = new TableFaultPolicy(matches, replacement);
        var options = new ManagedDistribution.Platform.Storage.StorageClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);
        options.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        return new(options, policy);
    }
}

sealed record FaultOptions<T>(ManagedDistribution.Platform.Storage.StorageClientOptions Options, T Policy);

/// <summary>A canned HTTP answer.</summary>
sealed class CannedResponse(int status, string body = "", params (string Name, string Value)[] headers) : Response
{
    public override int Status => status;
    public override string ReasonPhrase => "Canned";
    public override bool IsError => status >= 400;
    public override Stream? ContentStream { get; set; } = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body));
    public override string ClientRequestId { get; set; } = "";
    public override void Dispose() { }

    protected override bool ContainsHeader(string name) => headers.Any(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
    {
        value = headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        return value is not null;
    }

    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        values = TryGetHeader(name, out var value) ? [value] : null;
        return values is not null;
    }

    protected override IEnumerable<HttpHeader> EnumerateHeaders() => headers.Select(h => new HttpHeader(h.Name, h.Value));
}
