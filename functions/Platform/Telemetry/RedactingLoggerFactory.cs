namespace ManagedDistribution.Platform.Telemetry;

/// <summary>
/// Wraps the real <see cref="ILoggerFactory"/> so every logger, whatever provider sits behind it
/// (console, App Insights, a test sink added later), receives messages, properties, scopes and
/// exception text already passed through <see cref="SecretRedactor"/>.
/// </summary>
public sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));
    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);
    public void Dispose() => inner.Dispose();
}

sealed class RedactingLogger(ILogger inner) : ILogger
{
    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => state switch
    {
        string text => inner.BeginScope(SecretRedactor.Redact(text)),
        IEnumerable<KeyValuePair<string, object?>> values => inner.BeginScope(RedactedState.Properties(values)),
        _ => inner.BeginScope(state),
    };

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var redacted = RedactedState.From(state, formatter(state, exception));
        var safeException = exception is null ? null : new RedactedException(exception);
        inner.Log(logLevel, eventId, redacted, safeException, static (s, _) => s.Message);
    }
}

/// <summary>Log state after redaction: a message plus properties, shaped like the framework's own state.</summary>
sealed class RedactedState(string message, IReadOnlyList<KeyValuePair<string, object?>> properties)
    : IReadOnlyList<KeyValuePair<string, object?>>
{
    public string Message { get; } = message;

    public static RedactedState From<TState>(TState state, string formatted)
    {
        var properties = state is IEnumerable<KeyValuePair<string, object?>> values ? Properties(values) : [];
        // A secret-named property was formatted into the message verbatim: mask it there too.
        foreach (var secret in SecretValues(state))
            formatted = formatted.Replace(secret, SecretRedactor.Mask, StringComparison.Ordinal);
        return new RedactedState(SecretRedactor.Redact(formatted), properties);
    }

    public static IReadOnlyList<KeyValuePair<string, object?>> Properties(IEnumerable<KeyValuePair<string, object?>> values) =>
        values.Select(p => new KeyValuePair<string, object?>(p.Key, RedactValue(p.Key, p.Value))).ToList();

    static object? RedactValue(string name, object? value) => value switch
    {
        null => null,
        _ when name != "{OriginalFormat}" && SecretRedactor.IsSecretName(name) => SecretRedactor.Mask,
        string text => SecretRedactor.Redact(text),
        bool or int or long or double or decimal or Guid or DateTimeOffset or DateTime or TimeSpan or Enum => value,
        _ => SecretRedactor.Redact(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
    };

    static IEnumerable<string> SecretValues<TState>(TState state) =>
        state is IEnumerable<KeyValuePair<string, object?>> values
            ? values.Where(p => p.Key != "{OriginalFormat}" && SecretRedactor.IsSecretName(p.Key))
                .Select(p => Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture))
                .OfType<string>().Where(s => s.Length >= 4)
            : [];

    public KeyValuePair<string, object?> this[int index] => properties[index];
    public int Count => properties.Count;
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => properties.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => Message;
}

/// <summary>Carries an exception to log providers with its message and stack text redacted.</summary>
sealed class RedactedException(Exception original)
    : Exception(SecretRedactor.Redact(original.Message))
{
    public Type OriginalType => original.GetType();
    public override string? StackTrace => null;
    public override string ToString() => SecretRedactor.Redact(original.ToString());
}
