using System.Collections.Concurrent;

namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>What a simulated device does with a command it understood.</summary>
public enum CommandOutcome
{
    Acknowledged,
    NotNow,
    Error,
    /// <summary>Acknowledged, with an answer saying it was not done: InviteToProgram's <c>InvitationResult</c> <c>InvalidInvitationURL</c> (other commands: as Acknowledged).</summary>
    Declined,
}

/// <summary>
/// Decides each command's outcome: scripted outcomes first (per device and request type, for
/// deterministic tests), then the configured rates (per request type, else the defaults).
/// Rates can change while running. Thread-safe.
/// </summary>
public sealed class OutcomePolicy
{
    readonly ConcurrentDictionary<string, OutcomeRates> ratesByType;
    readonly ConcurrentDictionary<(string Udid, string RequestType), ConcurrentQueue<CommandOutcome>> scripts = new();
    readonly Random random;
    readonly Lock randomGate = new();
    volatile OutcomeRates defaults;

    public OutcomePolicy(DeviceSimulatorOptions options)
    {
        defaults = new OutcomeRates { NotNow = options.NotNowRate, Error = options.ErrorRate };
        ratesByType = new(options.RatesByRequestType, StringComparer.Ordinal);
        random = options.Seed is { } seed ? new Random(seed) : new Random();
    }

    /// <summary>Sets the rates for one request type, or (null) the defaults.</summary>
    public void SetRates(string? requestType, double notNow, double error)
    {
        if (notNow < 0 || error < 0 || notNow + error > 1) throw new ArgumentOutOfRangeException(nameof(notNow), "Rates must be within 0..1 and sum to at most 1.");
        var rates = new OutcomeRates { NotNow = notNow, Error = error };
        if (requestType is null) defaults = rates;
        else ratesByType[requestType] = rates;
    }

    /// <summary>The next commands of <paramref name="requestType"/> ("*": any) on <paramref name="udid"/> ("*": any device) get these outcomes, in order.</summary>
    public void Script(string udid, string requestType, params CommandOutcome[] outcomes)
    {
        var queue = scripts.GetOrAdd((udid, requestType), _ => new());
        foreach (var outcome in outcomes) queue.Enqueue(outcome);
    }

    internal CommandOutcome Decide(string udid, string requestType)
    {
        if (!scripts.IsEmpty && TryScripted(udid, requestType, out var scripted)) return scripted;
        var rates = ratesByType.TryGetValue(requestType, out var specific) ? specific : defaults;
        if (rates.NotNow <= 0 && rates.Error <= 0) return CommandOutcome.Acknowledged;
        double draw;
        lock (randomGate) draw = random.NextDouble();
        return draw < rates.NotNow ? CommandOutcome.NotNow
            : draw < rates.NotNow + rates.Error ? CommandOutcome.Error
            : CommandOutcome.Acknowledged;
    }

    bool TryScripted(string udid, string requestType, out CommandOutcome outcome)
    {
        foreach (var key in new[] { (udid, requestType), (udid, "*"), ("*", requestType), ("*", "*") })
            if (scripts.TryGetValue(key, out var queue) && queue.TryDequeue(out outcome)) return true;
        outcome = default;
        return false;
    }
}
