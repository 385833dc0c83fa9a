using System.Globalization;

namespace ManagedDistribution.Platform.Hosting;

/// <summary>
/// Whether the app runs as an Azure Functions custom handler. The host starts the app with
/// <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> in its environment and then POSTs every queue/timer
/// invocation to <c>http://127.0.0.1:&lt;port&gt;/&lt;FunctionName&gt;</c>
/// (contracts/azure.md §1.2, https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers).
/// </summary>
public sealed class FunctionsHostEnvironment
{
    /// <summary>Set by the host for the handler process only; also read by <c>Program</c> for the Kestrel port.</summary>
    public const string PortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>Header the host adds to every invocation request.</summary>
    public const string InvocationIdHeader = "X-Azure-Functions-InvocationId";

    FunctionsHostEnvironment(int? port) => Port = port;

    /// <summary>The loopback port the host expects us on, or null when standalone.</summary>
    public int? Port { get; }

    /// <summary>True under the Functions host: the host owns the triggers, the app only answers.</summary>
    public bool IsFunctionsHost => Port is not null;

    public static FunctionsHostEnvironment From(IConfiguration configuration)
    {
        var text = configuration[PortVariable];
        if (string.IsNullOrWhiteSpace(text)) return new(null);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new InvalidOperationException($"{PortVariable} must be a TCP port number, not '{text}'.");
        return new(port);
    }
}
