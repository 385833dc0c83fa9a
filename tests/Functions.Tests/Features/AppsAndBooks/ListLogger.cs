using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Tests.Features.AppsAndBooks;

/// <summary>Keeps every formatted log line (with its exception) so tests can look for secrets.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    readonly object sync = new();
    readonly List<string> lines = [];

    public IReadOnlyList<string> Lines
    {
        get { lock (sync) return [.. lines]; }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
        lock (sync) lines.Add($"{logLevel} {formatter(state, exception)} {structured} {exception}");
    }
}
