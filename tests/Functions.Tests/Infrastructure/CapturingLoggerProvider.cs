using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Tests.Infrastructure;

/// <summary>
/// A log sink for tests: keeps every entry (formatted message, properties, exception text) so a
/// test can assert what was, or was never, logged. Add it with
/// <c>new AppFactory(...) { ConfigureLogging = l => l.AddProvider(capture) }</c>.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    readonly ConcurrentQueue<Entry> entries = new();

    public IReadOnlyList<Entry> Entries => entries.ToArray();

    /// <summary>One log call as a provider saw it; <see cref="AllText"/> joins everything a sink could print.</summary>
    public sealed record Entry(string Category, LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> Properties, string? Exception)
    {
        public string AllText => string.Join("\n", [Message, .. Properties.Select(p => $"{p.Key}={p.Value}"), Exception ?? ""]);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);
    public void Dispose() { }

    sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), properties.ToList(), exception?.ToString()));
        }
    }
}
