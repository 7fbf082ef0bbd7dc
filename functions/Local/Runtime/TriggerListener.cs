using Microsoft.Extensions.Logging;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>What every trigger listener of the local runtime shares.</summary>
/// <param name="Invoker">Posts envelopes to the handler.</param>
/// <param name="Host">The host.json settings.</param>
/// <param name="Options">The runtime options.</param>
/// <param name="State">Checkpoints and timer status.</param>
/// <param name="Clock">The clock.</param>
/// <param name="Loggers">Logging.</param>
internal sealed record RuntimeServices(FunctionInvoker Invoker, HostSettings Host, LocalRuntimeOptions Options, RuntimeStateStore State, TimeProvider Clock, ILoggerFactory Loggers);

/// <summary>
/// One trigger of one function. <see cref="RunAsync"/> runs until <c>stopping</c> is cancelled and then returns once
/// its in-flight invocations have finished; those run on <c>abort</c>, which the runtime cancels only when they
/// outlast the shutdown timeout.
/// </summary>
internal abstract class TriggerListener(FunctionDefinition function, RuntimeServices services)
{
    /// <summary>The function.</summary>
    public FunctionDefinition Function { get; } = function;

    /// <summary>Shared services.</summary>
    protected RuntimeServices Services { get; } = services;

    /// <summary>The listener's log.</summary>
    protected ILogger Log { get; } = services.Loggers.CreateLogger("Host.Triggers." + function.Trigger.Type + "." + function.Name);

    /// <summary>One line saying what it listens to, for the startup listing.</summary>
    /// <returns>The description.</returns>
    public abstract string Describe();

    /// <summary>Listens and invokes until stopped.</summary>
    /// <param name="stopping">Stops listening (no new invocations).</param>
    /// <param name="abort">Cancels in-flight invocations.</param>
    /// <returns>A task that completes when the listener has stopped and its invocations have ended.</returns>
    public abstract Task RunAsync(CancellationToken stopping, CancellationToken abort);

    /// <summary>Waits, returning false instead of throwing when stopping.</summary>
    /// <param name="delay">How long (long waits are split to stay within the timer's range).</param>
    /// <param name="stopping">Stops the wait.</param>
    /// <returns>True when the delay elapsed.</returns>
    protected async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            var maxStep = TimeSpan.FromDays(20);
            while (delay > TimeSpan.Zero)
            {
                var step = delay > maxStep ? maxStep : delay;
                await Task.Delay(step, Services.Clock, stopping).ConfigureAwait(false);
                delay -= step;
            }

            return !stopping.IsCancellationRequested;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return false;
        }
    }
}
