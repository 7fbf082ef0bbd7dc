using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>
/// The triggers of <c>sigmaflow serve</c>: what the Functions host does for a custom handler, for the function
/// folders of one app. It waits for the handler's <c>GET /</c>, then runs one listener per trigger function — timers,
/// Storage queues (through the platform's <c>QueueClient</c>), Event Hubs (the local event log) — and invokes the
/// handler through the host's HTTP envelope (<see cref="FunctionInvoker"/>). HTTP-only functions are not here: the
/// <see cref="LocalGateway"/> proxies them. <see cref="StopAsync"/> stops the listeners first and lets in-flight
/// invocations finish (up to <see cref="LocalRuntimeOptions.ShutdownTimeout"/>, then they are cancelled).
/// </summary>
public sealed partial class LocalRuntime : IAsyncDisposable
{
    private readonly FunctionAppDefinition app;
    private readonly LocalRuntimeOptions options;
    private readonly ILoggerFactory loggers;
    private readonly TimeProvider clock;
    private readonly ILogger log;
    private readonly CancellationTokenSource stopping = new();
    private readonly CancellationTokenSource abort = new();
    private FunctionInvoker? invoker;
    private List<TriggerListener> listeners = [];
    private Task running = Task.CompletedTask;
    private int state;

    /// <summary>Creates the runtime (not started).</summary>
    /// <param name="app">The function app.</param>
    /// <param name="options">Handler address, settings, event log, state store and timings; validated here.</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    /// <param name="clock">The clock (timers, delays); the system clock when null.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public LocalRuntime(FunctionAppDefinition app, LocalRuntimeOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.app = app;
        this.options = options;
        loggers = loggerFactory ?? NullLoggerFactory.Instance;
        this.clock = clock ?? TimeProvider.System;
        log = loggers.CreateLogger("Host.LocalRuntime");
    }

    /// <summary>The state store in use, once started.</summary>
    public RuntimeStateStore? StateStore { get; private set; }

    /// <summary>One line per trigger function: its name and what it listens to (filled by <see cref="StartAsync"/>).</summary>
    public IReadOnlyList<string> Triggers => listeners.Select(l => $"{l.Function.Name}: {l.Describe()}").ToList();

    /// <summary>Invocations made so far.</summary>
    public long InvocationCount => invoker?.InvocationCount ?? 0;

    /// <summary>Invocations that failed so far.</summary>
    public long FailureCount => invoker?.FailureCount ?? 0;

    /// <summary>
    /// Waits for the handler, picks the state store and starts every trigger listener. Listener problems that can only
    /// be seen while running (storage down, a connection setting missing) are logged and leave the other functions
    /// running; an Event Hubs trigger on a hub the local log lacks fails the start.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the listeners run.</returns>
    /// <exception cref="InvalidOperationException">Started twice, or an Event Hubs trigger names a hub the local log does not have.</exception>
    /// <exception cref="TimeoutException">The handler did not answer <c>GET /</c> in time.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref state, 1, 0) != 0)
        {
            throw new InvalidOperationException("the local runtime has already been started.");
        }

        var started = Stopwatch.GetTimestamp();
        StateStore = options.StateStore ?? DefaultStore();
        invoker = new FunctionInvoker(options.HandlerAddress!, app.Host.FunctionTimeout, options.HostVersion, loggers, clock);
        var services = new RuntimeServices(invoker, app.Host, options, StateStore, clock, loggers);
        var created = new List<TriggerListener>();
        foreach (var function in app.Functions)
        {
            switch (function.Trigger)
            {
                case TimerTriggerDefinition:
                    created.Add(new TimerListener(function, services));
                    break;
                case QueueTriggerDefinition:
                    created.Add(new QueueListener(function, services));
                    break;
                case EventHubTriggerDefinition eventHub when options.EventLog is null:
                    NoEventLog(log, function.Name, eventHub.EventHubName);
                    break;
                case EventHubTriggerDefinition eventHub:
                    if (!options.EventLog.TryGetPartitionCount(eventHub.EventHubName, out _))
                    {
                        throw new InvalidOperationException($"{function.Name} reads event hub '{eventHub.EventHubName}', which the local event log does not have (hubs: {string.Join(", ", options.EventLog.Hubs.Keys)}); build the log with that hub.");
                    }

                    created.Add(new EventHubListener(function, services, options.EventLog));
                    break;
            }
        }

        await invoker.WaitUntilReadyAsync(options.HandlerReadyTimeout, cancellationToken).ConfigureAwait(false);
        listeners = created;
        running = Task.WhenAll(created.Select(l => Task.Run(() => RunListenerAsync(l), CancellationToken.None)));
        var store = StateStore.ToString();
        var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Started(log, created.Count, store, milliseconds);
    }

    /// <summary>
    /// Stops the listeners (no new invocations), waits for in-flight invocations up to the shutdown timeout, then
    /// cancels what is left. Safe to call more than once.
    /// </summary>
    /// <param name="cancellationToken">Cuts the wait short (in-flight invocations are then cancelled at once).</param>
    /// <returns>A task that completes when every listener has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref state, 2) != 1)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(options.ShutdownTimeout);
        try
        {
            await running.WaitAsync(drain.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Aborting(log, options.ShutdownTimeout.TotalSeconds);
            await abort.CancelAsync().ConfigureAwait(false);
            try
            {
                await running.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                StuckListeners(log);
            }
        }

        Stopped(log, InvocationCount);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        invoker?.Dispose();
        stopping.Dispose();
        abort.Dispose();
    }

    private RuntimeStateStore DefaultStore()
    {
        if (options.ReadSetting("AzureWebJobsStorage") is { Length: > 0 } storage)
        {
            try
            {
                return RuntimeStateStore.Tables(new TableServiceClient(storage));
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                BadStorage(log, e.Message);
            }
        }

        return RuntimeStateStore.InMemory();
    }

    private async Task RunListenerAsync(TriggerListener listener)
    {
        try
        {
            await listener.RunAsync(stopping.Token, abort.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // One broken listener must not stop the others; the host logs and carries on too.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ListenerFailed(log, e, listener.Function.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Local runtime: {Count} trigger listeners started in {Milliseconds:0} ms; state in {Store}")]
    private static partial void Started(ILogger logger, int count, string store, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function} reads event hub '{Hub}' but serve runs without the Event Hubs stand-in; the function will not run")]
    private static partial void NoEventLog(ILogger logger, string function, string hub);

    [LoggerMessage(Level = LogLevel.Warning, Message = "AzureWebJobsStorage is not a usable connection string ({Reason}); checkpoints and timer status stay in memory")]
    private static partial void BadStorage(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The trigger listener of {Function} stopped with an error")]
    private static partial void ListenerFailed(ILogger logger, Exception exception, string function);

    [LoggerMessage(Level = LogLevel.Warning, Message = "In-flight invocations did not finish within {Seconds:0} s; cancelling them")]
    private static partial void Aborting(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Some trigger listeners did not stop within 5 s of being cancelled")]
    private static partial void StuckListeners(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Local runtime stopped after {Invocations} invocations")]
    private static partial void Stopped(ILogger logger, long invocations);
}
