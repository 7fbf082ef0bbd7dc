using System.Globalization;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>One function folder as the local runtime understands it: its name, its <c>function.json</c> and its trigger.</summary>
/// <param name="Name">The function name: its folder name, and the path the handler is posted to.</param>
/// <param name="FilePath">The <c>function.json</c> it was read from.</param>
/// <param name="Trigger">Its trigger, with every <c>%Setting%</c> resolved.</param>
/// <param name="Retry">Its function-level retry policy, or null.</param>
public sealed record FunctionDefinition(string Name, string FilePath, TriggerDefinition Trigger, RetryPolicy? Retry)
{
    /// <summary>Whether the function is HTTP-only (one <c>httpTrigger</c>, one <c>http</c> output): proxied, not invoked with an envelope.</summary>
    public bool IsHttpOnly => Trigger is HttpTriggerDefinition;
}

/// <summary>A function's trigger binding.</summary>
/// <param name="BindingName">The binding's <c>name</c>: the key of its value in the envelope's <c>Data</c>.</param>
public abstract record TriggerDefinition(string BindingName)
{
    /// <summary>The binding <c>type</c> as the host spells it.</summary>
    public abstract string Type { get; }
}

/// <summary>An <c>httpTrigger</c> of an HTTP-only function.</summary>
/// <param name="BindingName">The binding name.</param>
/// <param name="Route">The route template below the route prefix (default: the function name).</param>
/// <param name="Methods">The allowed methods, upper case; empty for any.</param>
/// <param name="AuthLevel">The <c>authLevel</c> (not enforced locally).</param>
public sealed record HttpTriggerDefinition(string BindingName, string Route, IReadOnlyList<string> Methods, string AuthLevel) : TriggerDefinition(BindingName)
{
    /// <inheritdoc />
    public override string Type => "httpTrigger";
}

/// <summary>A <c>timerTrigger</c>.</summary>
/// <param name="BindingName">The binding name.</param>
/// <param name="Schedule">The parsed <c>schedule</c>.</param>
/// <param name="RunOnStartup">Whether it also runs once when the runtime starts (<c>runOnStartup</c>).</param>
/// <param name="UseMonitor">Whether the schedule status is kept (and sent as <c>ScheduleStatus</c>) (<c>useMonitor</c>, default true).</param>
public sealed record TimerTriggerDefinition(string BindingName, TimerSchedule Schedule, bool RunOnStartup, bool UseMonitor) : TriggerDefinition(BindingName)
{
    /// <inheritdoc />
    public override string Type => "timerTrigger";
}

/// <summary>A <c>queueTrigger</c>.</summary>
/// <param name="BindingName">The binding name.</param>
/// <param name="QueueName">The queue.</param>
/// <param name="Connection">The name of the setting holding the storage connection (default <c>AzureWebJobsStorage</c>).</param>
/// <param name="DataType">The <c>dataType</c> (<c>string</c>, <c>binary</c>), or null.</param>
public sealed record QueueTriggerDefinition(string BindingName, string QueueName, string Connection, string? DataType) : TriggerDefinition(BindingName)
{
    /// <inheritdoc />
    public override string Type => "queueTrigger";

    /// <summary>The queue failed messages move to.</summary>
    public string PoisonQueueName => QueueName + "-poison";
}

/// <summary>An <c>eventHubTrigger</c>.</summary>
/// <param name="BindingName">The binding name.</param>
/// <param name="EventHubName">The event hub.</param>
/// <param name="ConsumerGroup">The consumer group (default <c>$Default</c>).</param>
/// <param name="Connection">The name of the setting holding the Event Hubs connection.</param>
/// <param name="ManyEvents">Whether <c>cardinality</c> is <c>many</c> (a batch per invocation) rather than <c>one</c>.</param>
/// <param name="DataType">The <c>dataType</c> (<c>string</c>, <c>binary</c>), or null.</param>
public sealed record EventHubTriggerDefinition(string BindingName, string EventHubName, string ConsumerGroup, string Connection, bool ManyEvents, string? DataType) : TriggerDefinition(BindingName)
{
    /// <inheritdoc />
    public override string Type => "eventHubTrigger";
}

/// <summary>How a function-level <c>retry</c> policy spaces its retries.</summary>
public enum RetryStrategy
{
    /// <summary><c>fixedDelay</c>: <c>delayInterval</c> between attempts.</summary>
    FixedDelay = 0,

    /// <summary><c>exponentialBackoff</c>: from <c>minimumInterval</c>, doubling, up to <c>maximumInterval</c>.</summary>
    ExponentialBackoff = 1,
}

/// <summary>
/// A function-level retry policy (<c>"retry"</c> in <c>function.json</c>): a failed invocation is re-invoked with the
/// same input and a <c>RetryContext</c> up to <see cref="MaxRetryCount"/> times (−1: without end) before the trigger
/// moves on. The host honours it for timer and Event Hubs triggers (queues retry through their dequeue count).
/// </summary>
/// <param name="Strategy">The strategy.</param>
/// <param name="MaxRetryCount">Retries after the first attempt; −1 for no limit.</param>
/// <param name="DelayInterval">The delay of <see cref="RetryStrategy.FixedDelay"/>.</param>
/// <param name="MinimumInterval">The first delay of <see cref="RetryStrategy.ExponentialBackoff"/>.</param>
/// <param name="MaximumInterval">The largest delay of <see cref="RetryStrategy.ExponentialBackoff"/>.</param>
public sealed record RetryPolicy(RetryStrategy Strategy, int MaxRetryCount, TimeSpan DelayInterval, TimeSpan MinimumInterval, TimeSpan MaximumInterval)
{
    /// <summary>Whether another retry is allowed after <paramref name="retriesSoFar"/> retries.</summary>
    /// <param name="retriesSoFar">Retries already made (0 after the first attempt).</param>
    /// <returns>True when one more is allowed.</returns>
    public bool AllowsRetry(int retriesSoFar) => MaxRetryCount < 0 || retriesSoFar < MaxRetryCount;

    /// <summary>The wait before a retry.</summary>
    /// <param name="retryCount">The retry about to be made, from 1.</param>
    /// <returns>The delay: fixed, or the minimum doubled per earlier retry up to the maximum (no jitter locally).</returns>
    public TimeSpan DelayBefore(int retryCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retryCount, 1);
        if (Strategy == RetryStrategy.FixedDelay)
        {
            return DelayInterval;
        }

        var ticks = MinimumInterval.Ticks * Math.Pow(2, Math.Min(retryCount - 1, 62));
        return ticks >= MaximumInterval.Ticks ? MaximumInterval : TimeSpan.FromTicks((long)ticks);
    }

    /// <inheritdoc />
    public override string ToString() => Strategy == RetryStrategy.FixedDelay
        ? string.Create(CultureInfo.InvariantCulture, $"fixedDelay {DelayInterval:c} × {(MaxRetryCount < 0 ? "∞" : MaxRetryCount)}")
        : string.Create(CultureInfo.InvariantCulture, $"exponentialBackoff {MinimumInterval:c}…{MaximumInterval:c} × {(MaxRetryCount < 0 ? "∞" : MaxRetryCount)}");
}
