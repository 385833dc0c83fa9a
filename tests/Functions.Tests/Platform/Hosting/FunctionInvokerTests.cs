using System.Collections.Concurrent;
using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Tests.Platform.Hosting;

/// <summary>What every handler run carries into the logs (STYLE.md habit 14).</summary>
public class FunctionInvokerTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_handler_logs_inside_a_scope_with_function_message_and_dequeue_count()
    {
        var capture = new ScopeCapture();
        await using var app = new HostingAppFactory(azurite, new Dictionary<string, string?> { ["Hosting:RunTriggers"] = "false" });
        using var configured = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ILoggerProvider>(capture)));
        var probe = configured.Services.GetRequiredService<Probe>();
        var logger = configured.Services.GetRequiredService<ILogger<FunctionInvokerTests>>();
        probe.OnQueue = (_, _) => { logger.LogInformation("inside the handler"); return Task.CompletedTask; };

        var invocation = new QueueInvocation("ProbeQueue", "inv-1", "{}", 4, "msg-1", null);
        await configured.Services.GetRequiredService<FunctionInvoker>()
            .InvokeAsync(new QueueFunction("ProbeQueue", "probe", typeof(ProbeQueueHandler)), invocation, TestContext.Current.CancellationToken);

        var scope = capture.ScopesOf("inside the handler");
        Assert.Equal("ProbeQueue", scope["FunctionName"]);
        Assert.Equal("msg-1", scope["MessageId"]);
        Assert.Equal(4L, scope["DequeueCount"]);
        Assert.Equal("inv-1", scope["InvocationId"]);
    }

    sealed class ScopeCapture : ILoggerProvider, ISupportExternalScope
    {
        readonly ConcurrentDictionary<string, Dictionary<string, object?>> byMessage = new();
        IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

        public Dictionary<string, object?> ScopesOf(string message) => byMessage[message];

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose() { }

        sealed class Logger(ScopeCapture owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner.scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = new Dictionary<string, object?>();
                owner.scopes.ForEachScope((scope, acc) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                        foreach (var (key, value) in pairs) acc[key] = value;
                }, values);
                owner.byMessage[formatter(state, exception)] = values;
            }
        }
    }
}
