using Microsoft.Extensions.Options;

namespace ManagedDistribution.Platform.Hosting;

/// <summary>
/// Base of the standalone trigger sources. Stopping has two phases: the stopping token ends
/// receiving/scheduling at once; <see cref="AbortToken"/>, handed to handlers, fires only when the
/// host's shutdown timeout (<c>HostOptions.ShutdownTimeout</c>) runs out, so in-flight work gets
/// that long to finish and whatever is left is released rather than lost.
/// </summary>
abstract class TriggerService(FunctionsHostEnvironment host, IOptions<HostingOptions> options) : BackgroundService
{
    /// <summary>How long after the shutdown deadline we still wait for messages to be released.</summary>
    static readonly TimeSpan ReleaseGrace = TimeSpan.FromSeconds(10);

    readonly CancellationTokenSource abort = new();

    protected HostingOptions Options => options.Value;

    protected CancellationToken AbortToken => abort.Token;

    /// <summary>False under the Functions host (it owns the triggers) or when <c>Hosting:RunTriggers</c> is off.</summary>
    protected bool RunsTriggers => !host.IsFunctionsHost && options.Value.RunTriggers;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await using (cancellationToken.Register(abort.Cancel))
            await base.StopAsync(cancellationToken);
        if (ExecuteTask is { IsCompleted: false } running)
        {
            await abort.CancelAsync();
            await running.WaitAsync(ReleaseGrace, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public override void Dispose()
    {
        abort.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Task.Delay that returns false instead of throwing when <paramref name="stoppingToken"/> fires.</summary>
    protected async Task<bool> DelayAsync(TimeSpan delay, TimeProvider time, CancellationToken stoppingToken)
    {
        try { await Task.Delay(delay, time, stoppingToken); return true; }
        catch (OperationCanceledException) { return false; }
    }
}
