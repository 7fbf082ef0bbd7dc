using SigmaFlow.Platform.Azure.Queues;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>
/// The parts of <c>host.json</c> the local runtime honours, with the Functions host's defaults for anything not set.
/// </summary>
public sealed record HostSettings
{
    /// <summary><c>extensions.http.routePrefix</c>: the path prefix of HTTP functions (default <c>api</c>; empty for none).</summary>
    public string RoutePrefix { get; init; } = "api";

    /// <summary><c>functionTimeout</c>: longest invocation (null when unset or <c>-1</c>: no limit). The host's client waits this plus one minute.</summary>
    public TimeSpan? FunctionTimeout { get; init; }

    /// <summary><c>functions</c>: the only functions to load, or null for every folder.</summary>
    public IReadOnlyList<string>? Functions { get; init; }

    /// <summary><c>extensions.queues</c>.</summary>
    public QueueHostSettings Queues { get; init; } = new();

    /// <summary><c>extensions.eventHubs</c>.</summary>
    public EventHubsHostSettings EventHubs { get; init; } = new();
}

/// <summary><c>extensions.queues</c> of <c>host.json</c>, with the queue extension's (v5) defaults.</summary>
public sealed record QueueHostSettings
{
    /// <summary><c>batchSize</c>: messages fetched at once, 1 to 32 (default 16).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary><c>newBatchThreshold</c>: a new batch is fetched when this few messages are still running (default half the batch size).</summary>
    public int? NewBatchThreshold { get; init; }

    /// <summary>The threshold in effect.</summary>
    public int EffectiveNewBatchThreshold => NewBatchThreshold ?? BatchSize / 2;

    /// <summary><c>maxDequeueCount</c>: failed deliveries before a message moves to <c>&lt;queue&gt;-poison</c> (default 5).</summary>
    public int MaxDequeueCount { get; init; } = 5;

    /// <summary><c>maxPollingInterval</c>: longest wait between polls of an idle queue (default 1 minute).</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary><c>visibilityTimeout</c>: how long a failed message stays hidden before its retry (default 0: at once).</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    /// <summary><c>messageEncoding</c>: <c>base64</c> (the extension's default) or <c>none</c>.</summary>
    public QueueMessageEncoding MessageEncoding { get; init; } = QueueMessageEncoding.Base64;
}

/// <summary><c>extensions.eventHubs</c> of <c>host.json</c>, with the Event Hubs extension's (v5) defaults.</summary>
public sealed record EventHubsHostSettings
{
    /// <summary><c>maxEventBatchSize</c>: most events per invocation (default 100).</summary>
    public int MaxEventBatchSize { get; init; } = 100;

    /// <summary><c>batchCheckpointFrequency</c>: invocations between checkpoints (default 1: after every invocation).</summary>
    public int BatchCheckpointFrequency { get; init; } = 1;

    /// <summary><c>initialOffsetOptions.type</c>: where a consumer group without a checkpoint starts (default the start of the stream).</summary>
    public InitialOffset InitialOffset { get; init; } = InitialOffset.FromStart;
}

/// <summary>Where an Event Hubs trigger starts reading a partition that has no checkpoint.</summary>
public enum InitialOffset
{
    /// <summary>The oldest retained event (<c>fromStart</c>, the default).</summary>
    FromStart = 0,

    /// <summary>Only events sent after the listener starts (<c>fromEnd</c>).</summary>
    FromEnd = 1,
}
