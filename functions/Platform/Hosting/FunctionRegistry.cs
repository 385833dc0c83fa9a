using NCrontab;

namespace ManagedDistribution.Platform.Hosting;

public enum TriggerKind { Queue, Timer }

/// <summary>
/// A non-HTTP function: its name is the <c>functions/Bindings/&lt;Name&gt;</c> folder, the
/// invocation route <c>POST /&lt;Name&gt;</c> and the standalone listener's name.
/// </summary>
public abstract record FunctionDescriptor(string Name, Type HandlerType, string BindingName)
{
    public abstract TriggerKind Kind { get; }
}

/// <summary>A queue-triggered function. <paramref name="QueueName"/> excludes <c>Storage:Prefix</c>.</summary>
public sealed record QueueFunction(string Name, string QueueName, Type HandlerType)
    : FunctionDescriptor(Name, HandlerType, QueueFunction.DefaultBindingName)
{
    /// <summary>The <c>name</c> of the <c>queueTrigger</c> binding in function.json.</summary>
    public const string DefaultBindingName = "message";

    public const string PoisonSuffix = "-poison";

    public override TriggerKind Kind => TriggerKind.Queue;

    public string PoisonQueueName => QueueName + PoisonSuffix;
}

/// <summary>A timer-triggered function whose 6-field NCRONTAB schedule comes from configuration.</summary>
public sealed record TimerFunction(string Name, string ScheduleConfigKey, string DefaultSchedule, Type HandlerType)
    : FunctionDescriptor(Name, HandlerType, TimerFunction.DefaultBindingName)
{
    /// <summary>The <c>name</c> of the <c>timerTrigger</c> binding in function.json.</summary>
    public const string DefaultBindingName = "timer";

    public override TriggerKind Kind => TriggerKind.Timer;

    /// <summary>The configured schedule, or the default when the key is unset.</summary>
    public string ScheduleFrom(IConfiguration configuration) =>
        configuration[ScheduleConfigKey] is { Length: > 0 } configured ? configured : DefaultSchedule;

    internal static CrontabSchedule Parse(string expression) =>
        CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
}

/// <summary>
/// Every queue and timer function the app registered. The invocation endpoints, the standalone
/// listeners and <c>BindingsContractTests</c> all read this one list.
/// </summary>
public sealed class FunctionRegistry
{
    readonly Dictionary<string, FunctionDescriptor> byName = new(StringComparer.OrdinalIgnoreCase);

    public FunctionRegistry(IEnumerable<FunctionDescriptor> functions)
    {
        foreach (var function in functions)
            if (!byName.TryAdd(function.Name, function))
                throw new InvalidOperationException($"Function '{function.Name}' is registered twice.");
        var sharedQueue = Queues.GroupBy(q => q.QueueName).FirstOrDefault(g => g.Count() > 1);
        if (sharedQueue is not null)
            throw new InvalidOperationException($"Queue '{sharedQueue.Key}' is bound to more than one function.");
    }

    public IReadOnlyCollection<FunctionDescriptor> Functions => byName.Values;

    public IEnumerable<QueueFunction> Queues => byName.Values.OfType<QueueFunction>();

    public IEnumerable<TimerFunction> Timers => byName.Values.OfType<TimerFunction>();

    public FunctionDescriptor? Find(string name) => byName.GetValueOrDefault(name);
}
