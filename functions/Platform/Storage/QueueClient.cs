using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// One storage queue over the REST API (contracts/azure.md §3). Message text is sent as
/// Base64(UTF-8), the Functions queue trigger's default encoding, so the same messages work under
/// the Functions host and in standalone mode.
/// </summary>
public sealed class QueueClient
{
    /// <summary>Azure's limit for a delayed message's initial invisibility.</summary>
    public static readonly TimeSpan MaxVisibilityDelay = TimeSpan.FromDays(7);

    /// <summary>Raw message text limit before base64 (64 KiB encoded).</summary>
    public const int MaxMessageBytes = 48 * 1024;

    readonly HttpPipeline pipeline;
    readonly Uri endpoint;

    internal QueueClient(HttpPipeline pipeline, Uri endpoint, string name)
    {
        this.pipeline = pipeline;
        this.endpoint = endpoint;
        Name = name;
    }

    /// <summary>The full queue name, prefix included.</summary>
    public string Name { get; }

    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken)
    {
        using var message = QueueRequests.Create(pipeline, RequestMethod.Put, QueueRequests.Url(endpoint, Name));
        try { await QueueRequests.SendAsync(pipeline, message, cancellationToken); }
        catch (StorageRequestFailedException e) when (e.ErrorCode == "QueueAlreadyExists") { }
    }

    public async Task DeleteIfExistsAsync(CancellationToken cancellationToken)
    {
        using var message = QueueRequests.Create(pipeline, RequestMethod.Delete, QueueRequests.Url(endpoint, Name));
        try { await QueueRequests.SendAsync(pipeline, message, cancellationToken); }
        catch (StorageRequestFailedException e) when (e.IsNotFound) { }
    }

    /// <summary>Enqueues <paramref name="text"/>, invisible for <paramref name="visibilityDelay"/> (a durable timer).</summary>
    public async Task<SendReceipt> SendMessageAsync(string text, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null,
        CancellationToken cancellationToken = default)
    {
        var raw = Encoding.UTF8.GetBytes(text);
        if (raw.Length > MaxMessageBytes)
            throw new ArgumentException($"Queue message is {raw.Length} bytes; the limit is {MaxMessageBytes}. Store the payload in a table and enqueue a pointer.", nameof(text));
        var delay = visibilityDelay ?? TimeSpan.Zero;
        if (delay < TimeSpan.Zero || delay > MaxVisibilityDelay)
            throw new ArgumentOutOfRangeException(nameof(visibilityDelay), "A visibility delay must be between 0 and 7 days.");

        var query = $"visibilitytimeout={Seconds(delay)}" + (timeToLive is { } ttl ? $"&messagettl={(ttl == Timeout.InfiniteTimeSpan ? "-1" : Seconds(ttl))}" : "");
        using var message = QueueRequests.Create(pipeline, RequestMethod.Post, QueueRequests.Url(endpoint, Name + "/messages", query));
        var body = $"<QueueMessage><MessageText>{Convert.ToBase64String(raw)}</MessageText></QueueMessage>";
        message.Request.Headers.SetValue("Content-Type", "application/xml");
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(body));
        var response = await QueueRequests.SendAsync(pipeline, message, cancellationToken);
        var sent = XDocument.Parse(response.Content.ToString()).Root!.Element("QueueMessage")!;
        return new SendReceipt(sent.Element("MessageId")!.Value, sent.Element("PopReceipt")!.Value, Time(sent.Element("TimeNextVisible")));
    }

    /// <summary>Receives up to 32 messages, each invisible to other receivers for <paramref name="visibilityTimeout"/>.</summary>
    public async Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, 32);
        var query = $"numofmessages={maxMessages}&visibilitytimeout={Math.Max(1, (int)visibilityTimeout.TotalSeconds)}";
        using var message = QueueRequests.Create(pipeline, RequestMethod.Get, QueueRequests.Url(endpoint, Name + "/messages", query));
        var response = await QueueRequests.SendAsync(pipeline, message, cancellationToken);
        return XDocument.Parse(response.Content.ToString()).Root!.Elements("QueueMessage").Select(m => new QueueMessage(
            m.Element("MessageId")!.Value,
            m.Element("PopReceipt")!.Value,
            Decode(m.Element("MessageText")?.Value ?? ""),
            long.Parse(m.Element("DequeueCount")?.Value ?? "1", CultureInfo.InvariantCulture),
            Time(m.Element("InsertionTime")),
            Time(m.Element("ExpirationTime")),
            Time(m.Element("TimeNextVisible")))).ToList();
    }

    /// <summary>
    /// Deletes a received message. A message that no longer exists counts as deleted: a retried
    /// delete whose first attempt landed answers 404, and the outcome the caller wanted holds.
    /// A stale pop receipt (another receiver owns the message now) still throws.
    /// </summary>
    public async Task DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken)
    {
        using var message = QueueRequests.Create(pipeline, RequestMethod.Delete,
            QueueRequests.Url(endpoint, $"{Name}/messages/{Uri.EscapeDataString(messageId)}", $"popreceipt={Uri.EscapeDataString(popReceipt)}"));
        try { await QueueRequests.SendAsync(pipeline, message, cancellationToken); }
        catch (StorageRequestFailedException e) when (e.ErrorCode == "MessageNotFound") { }
    }

    /// <summary>Makes a received message invisible for another <paramref name="visibilityTimeout"/> (renewal, or a retry delay).</summary>
    public async Task<UpdateReceipt> UpdateVisibilityAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        var query = $"popreceipt={Uri.EscapeDataString(popReceipt)}&visibilitytimeout={Seconds(visibilityTimeout)}";
        using var message = QueueRequests.Create(pipeline, RequestMethod.Put,
            QueueRequests.Url(endpoint, $"{Name}/messages/{Uri.EscapeDataString(messageId)}", query));
        var response = await QueueRequests.SendAsync(pipeline, message, cancellationToken);
        response.Headers.TryGetValue("x-ms-popreceipt", out var receipt);
        response.Headers.TryGetValue("x-ms-time-next-visible", out var next);
        return new UpdateReceipt(receipt ?? throw new StorageRequestFailedException(response.Status, null, "Update Message answered without a pop receipt."),
            next is null ? null : DateTimeOffset.Parse(next, CultureInfo.InvariantCulture));
    }

    /// <summary>The service's approximate message count (includes invisible messages).</summary>
    public async Task<int> GetApproximateCountAsync(CancellationToken cancellationToken)
    {
        using var message = QueueRequests.Create(pipeline, RequestMethod.Get, QueueRequests.Url(endpoint, Name, "comp=metadata"));
        var response = await QueueRequests.SendAsync(pipeline, message, cancellationToken);
        return response.Headers.TryGetValue("x-ms-approximate-messages-count", out var count) ? int.Parse(count, CultureInfo.InvariantCulture) : 0;
    }

    static string Seconds(TimeSpan span) => ((long)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    static DateTimeOffset? Time(XElement? element) =>
        element is null ? null : DateTimeOffset.Parse(element.Value, CultureInfo.InvariantCulture);

    /// <summary>Base64(UTF-8) as we send; text that is not base64 (written by other tools) is taken as is.</summary>
    static string Decode(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? Encoding.UTF8.GetString(buffer, 0, written) : text;
    }
}
