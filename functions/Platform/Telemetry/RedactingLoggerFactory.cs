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
        IEnumerable<KeyValuePair<string, object?>> values =>
            inner.BeginScope(new RedactedState(SecretRedactor.Redact(state.ToString() ?? ""), RedactedState.Properties(values))),
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
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToList() : [];
        // A secret-named property was formatted into the message verbatim: mask it there too.
        foreach (var secret in values.Where(IsSecretProperty).Select(p => Text(p.Value)).Where(v => v.Length >= 4))
            formatted = formatted.Replace(secret, SecretRedactor.Mask, StringComparison.Ordinal);
        var message = SecretRedactor.Redact(formatted);
        // A value the message redaction masked (e.g. the token after "Bearer ") is a secret as a property too.
        bool MaskedInMessage(string text) => text.Length >= 4 && formatted.Contains(text, StringComparison.Ordinal)
            && !message.Contains(text, StringComparison.Ordinal);
        var properties = values
            .Select(p => new KeyValuePair<string, object?>(p.Key, RedactValue(p, MaskedInMessage)))
            .ToList();
        return new RedactedState(message, properties);
    }

    public static IReadOnlyList<KeyValuePair<string, object?>> Properties(IEnumerable<KeyValuePair<string, object?>> values) =>
        values.Select(p => new KeyValuePair<string, object?>(p.Key, RedactValue(p, _ => false))).ToList();

    static object? RedactValue(KeyValuePair<string, object?> property, Func<string, bool> maskedInMessage) => property.Value switch
    {
        null => null,
        _ when IsSecretProperty(property) => SecretRedactor.Mask,
        bool or int or long or double or decimal or Guid or DateTimeOffset or DateTime or TimeSpan or Enum => property.Value,
        var value when maskedInMessage(Text(value)) => SecretRedactor.Mask,
        string text => SecretRedactor.Redact(text),
        var value => SecretRedactor.Redact(Text(value)),
    };

    static bool IsSecretProperty(KeyValuePair<string, object?> property) =>
        property.Key != "{OriginalFormat}" && SecretRedactor.IsSecretName(property.Key);

    static string Text(object? value) => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";

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
