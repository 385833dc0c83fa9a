namespace ManagedDistribution.Platform.Storage;

/// <summary>A received message. <see cref="PopReceipt"/> changes with every receive or visibility update.</summary>
public sealed record QueueMessage(
    string MessageId,
    string PopReceipt,
    string Text,
    long DequeueCount,
    DateTimeOffset? InsertionTime,
    DateTimeOffset? ExpirationTime,
    DateTimeOffset? NextVisibleTime);

/// <summary>What Put Message answers: the new message's id and first pop receipt.</summary>
public sealed record SendReceipt(string MessageId, string PopReceipt, DateTimeOffset? NextVisibleTime);

/// <summary>What Update Message answers: the new pop receipt (the old one no longer works).</summary>
public sealed record UpdateReceipt(string PopReceipt, DateTimeOffset? NextVisibleTime);
