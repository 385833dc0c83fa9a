namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>The simulator's log lines; never tokens or push magic.</summary>
static partial class DeviceSimulatorLog
{
    [LoggerMessage(LogLevel.Information, "Simulated device {Udid} ({ProductName}) enrolled")]
    public static partial void Enrolled(ILogger logger, string udid, string productName);

    [LoggerMessage(LogLevel.Warning, "Simulated device {Udid}: {Step} failed: {Error}")]
    public static partial void StepFailed(ILogger logger, string udid, string step, string error);

    [LoggerMessage(LogLevel.Debug, "{Channel} answered {RequestType} {CommandUuid} with {Status}")]
    public static partial void Answered(ILogger logger, string channel, string requestType, string commandUuid, string status);
}
