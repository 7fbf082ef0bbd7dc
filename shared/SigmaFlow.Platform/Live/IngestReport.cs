using System.Globalization;
using System.Text;

namespace SigmaFlow.Platform.Live;

/// <summary>What one batch did. <see cref="ToLogLine"/> is the one line logged per batch.</summary>
public sealed record IngestReport
{
    /// <summary>The partition.</summary>
    public required string PartitionId { get; init; }

    /// <summary>Events in the batch.</summary>
    public int Events { get; init; }

    /// <summary>Ticks applied to bars.</summary>
    public int Accepted { get; init; }

    /// <summary>Events skipped because their effects are already stored (redelivery, re-run, retried publish).</summary>
    public int Duplicates { get; init; }

    /// <summary>Events dead-lettered (bad JSON, rule violations, late ticks).</summary>
    public int DeadLettered { get; init; }

    /// <summary>Of <see cref="DeadLettered"/>, the late ticks.</summary>
    public int Late { get; init; }

    /// <summary>Symbols rebuilt from storage in this batch (cold start, a moved partition, a re-run).</summary>
    public int SymbolsLoaded { get; init; }

    /// <summary>Final bars stored (every timeframe).</summary>
    public int FinalBars { get; init; }

    /// <summary>Signals recorded.</summary>
    public int Signals { get; init; }

    /// <summary>Alert candidates enqueued.</summary>
    public int AlertsEnqueued { get; init; }

    /// <summary>Push messages sent successfully.</summary>
    public int Pushed { get; init; }

    /// <summary>Push messages that failed or timed out (the batch still succeeds).</summary>
    public int PushFailures { get; init; }

    /// <summary>The first push failure's message, when there was one.</summary>
    public string? PushError { get; init; }

    /// <summary>Runs of the batch (more than 1 after a transient storage fault).</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>Sequence number of the checkpoint after the batch, or null when there is none yet.</summary>
    public long? Checkpoint { get; init; }

    /// <summary>Enqueued time of the batch's last event, when it had events.</summary>
    public DateTimeOffset? LastEnqueuedTime { get; init; }

    /// <summary>Latest event time of an accepted tick in the partition so far (Unix ms), when there is one.</summary>
    public long? NewestTickTime { get; init; }

    /// <summary>Event-time lag at the end of the batch (now − <see cref="NewestTickTime"/>).</summary>
    public TimeSpan? Lag { get; init; }

    /// <summary>How long the batch took, storage and pushes included.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>One line for the log: counts, checkpoint, lag and duration; no keys, no bodies.</summary>
    /// <returns>The line.</returns>
    public string ToLogLine()
    {
        var line = new StringBuilder(192);
        var c = CultureInfo.InvariantCulture;
        line.Append(c, $"IngestTicks partition {PartitionId}: {Events} events, {Accepted} accepted, {Duplicates} duplicate, {DeadLettered} dead-lettered");
        if (Late > 0)
        {
            line.Append(c, $" ({Late} late)");
        }

        line.Append(c, $", {FinalBars} final bars, {Signals} signals, {AlertsEnqueued} alerts, {Pushed} pushed");
        if (PushFailures > 0)
        {
            line.Append(c, $" ({PushFailures} push failures: {PushError})");
        }

        if (SymbolsLoaded > 0)
        {
            line.Append(c, $", {SymbolsLoaded} symbols loaded");
        }

        line.Append(", checkpoint ").Append(Checkpoint is { } cp ? cp.ToString(c) : "none");
        if (Lag is { } lag)
        {
            line.Append(c, $", lag {lag.TotalSeconds:0.###} s");
        }

        if (Attempts > 1)
        {
            line.Append(c, $", {Attempts} runs");
        }

        line.Append(c, $", {Elapsed.TotalMilliseconds:0.#} ms");
        return line.ToString();
    }
}
