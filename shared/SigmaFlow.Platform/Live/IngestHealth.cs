namespace SigmaFlow.Platform.Live;

/// <summary>One partition's ingest health, as <c>/api/health</c> shows it.</summary>
/// <param name="PartitionId">The partition.</param>
/// <param name="LastSequenceNumber">Sequence number of the last event processed (the checkpoint), or null.</param>
/// <param name="LastEnqueuedTime">Enqueued time of the last event processed, or null.</param>
/// <param name="NewestTickTime">Latest event time of an accepted tick, or null.</param>
/// <param name="EventTimeLagSeconds">Now − <paramref name="NewestTickTime"/>, in seconds, or null.</param>
/// <param name="TicksPerSecond">Accepted ticks per second over the last minute.</param>
/// <param name="Accepted">Ticks accepted since the process started.</param>
/// <param name="Duplicates">Duplicate events skipped since the process started.</param>
/// <param name="DeadLettered">Events dead-lettered since the process started.</param>
/// <param name="PushFailures">Push messages that failed since the process started.</param>
/// <param name="Batches">Batches completed.</param>
/// <param name="FailedRuns">Runs of a batch that failed (each retried or thrown).</param>
/// <param name="ConsecutiveFailures">Failed runs since the last completed batch (0 when healthy).</param>
/// <param name="LastError">The last failure's message (no secrets: the clients never put keys in messages), or null.</param>
/// <param name="LastBatchAt">When the last batch completed, or null.</param>
public sealed record PartitionHealthReport(
    string PartitionId,
    long? LastSequenceNumber,
    DateTimeOffset? LastEnqueuedTime,
    DateTimeOffset? NewestTickTime,
    double? EventTimeLagSeconds,
    double TicksPerSecond,
    long Accepted,
    long Duplicates,
    long DeadLettered,
    long PushFailures,
    long Batches,
    long FailedRuns,
    int ConsecutiveFailures,
    string? LastError,
    DateTimeOffset? LastBatchAt);

/// <summary>
/// Health and lag of the ingest pipelines of one process, per partition: updated by each pipeline after every batch,
/// read by the health endpoint. Thread-safe.
/// </summary>
public sealed class IngestHealth
{
    private readonly TimeProvider clock;
    private readonly Dictionary<string, PartitionStats> partitions = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>Creates an empty registry.</summary>
    /// <param name="clock">The clock (lag and the ticks-per-second window).</param>
    public IngestHealth(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        this.clock = clock;
    }

    /// <summary>True when no partition's last run failed.</summary>
    public bool Healthy
    {
        get
        {
            lock (gate)
            {
                foreach (var stats in partitions.Values)
                {
                    if (stats.ConsecutiveFailures > 0)
                    {
                        return false;
                    }
                }

                return true;
            }
        }
    }

    /// <summary>Every partition's health, ordered by partition.</summary>
    /// <returns>The reports.</returns>
    public IReadOnlyList<PartitionHealthReport> Snapshot()
    {
        var now = clock.GetUtcNow();
        var second = now.ToUnixTimeSeconds();
        lock (gate)
        {
            var reports = new List<PartitionHealthReport>(partitions.Count);
            foreach (var (id, s) in partitions)
            {
                DateTimeOffset? newest = s.NewestTickTime is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null;
                reports.Add(new PartitionHealthReport(
                    id,
                    s.LastSequenceNumber,
                    s.LastEnqueuedTime,
                    newest,
                    newest is { } n ? Math.Round((now - n).TotalSeconds, 3) : null,
                    Math.Round(s.Rate.PerSecond(second), 3),
                    s.Accepted,
                    s.Duplicates,
                    s.DeadLettered,
                    s.PushFailures,
                    s.Batches,
                    s.FailedRuns,
                    s.ConsecutiveFailures,
                    s.LastError,
                    s.LastBatchAt));
            }

            reports.Sort((a, b) => CompareIds(a.PartitionId, b.PartitionId));
            return reports;
        }
    }

    /// <summary>Records a completed batch.</summary>
    /// <param name="report">What it did.</param>
    public void Completed(IngestReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var now = clock.GetUtcNow();
        lock (gate)
        {
            var s = Get(report.PartitionId);
            s.Batches++;
            s.ConsecutiveFailures = 0;
            s.Accepted += report.Accepted;
            s.Duplicates += report.Duplicates;
            s.DeadLettered += report.DeadLettered;
            s.PushFailures += report.PushFailures;
            s.LastSequenceNumber = report.Checkpoint ?? s.LastSequenceNumber;
            s.LastEnqueuedTime = report.LastEnqueuedTime ?? s.LastEnqueuedTime;
            s.NewestTickTime = report.NewestTickTime ?? s.NewestTickTime;
            s.LastBatchAt = now;
            s.Rate.Add(now.ToUnixTimeSeconds(), report.Accepted);
        }
    }

    /// <summary>Records a failed run of a batch.</summary>
    /// <param name="partitionId">The partition.</param>
    /// <param name="error">What failed.</param>
    public void Failed(string partitionId, Exception error)
    {
        ArgumentNullException.ThrowIfNull(partitionId);
        ArgumentNullException.ThrowIfNull(error);
        lock (gate)
        {
            var s = Get(partitionId);
            s.FailedRuns++;
            s.ConsecutiveFailures++;
            s.LastError = $"{error.GetType().Name}: {error.Message}";
        }
    }

    private static int CompareIds(string a, string b) =>
        int.TryParse(a, System.Globalization.CultureInfo.InvariantCulture, out var x) && int.TryParse(b, System.Globalization.CultureInfo.InvariantCulture, out var y)
            ? x.CompareTo(y)
            : string.CompareOrdinal(a, b);

    private PartitionStats Get(string partitionId)
    {
        if (!partitions.TryGetValue(partitionId, out var stats))
        {
            stats = new PartitionStats();
            partitions.Add(partitionId, stats);
        }

        return stats;
    }

    private sealed class PartitionStats
    {
        public long? LastSequenceNumber { get; set; }

        public DateTimeOffset? LastEnqueuedTime { get; set; }

        public long? NewestTickTime { get; set; }

        public long Accepted { get; set; }

        public long Duplicates { get; set; }

        public long DeadLettered { get; set; }

        public long PushFailures { get; set; }

        public long Batches { get; set; }

        public long FailedRuns { get; set; }

        public int ConsecutiveFailures { get; set; }

        public string? LastError { get; set; }

        public DateTimeOffset? LastBatchAt { get; set; }

        public RateWindow Rate { get; } = new();
    }

    /// <summary>Counts per wall-clock second over the last 60 seconds.</summary>
    private sealed class RateWindow
    {
        private const int Seconds = 60;
        private readonly long[] stamps = new long[Seconds];
        private readonly long[] counts = new long[Seconds];

        public void Add(long second, long count)
        {
            var slot = (int)(((second % Seconds) + Seconds) % Seconds);
            if (stamps[slot] != second)
            {
                stamps[slot] = second;
                counts[slot] = 0;
            }

            counts[slot] += count;
        }

        public double PerSecond(long now)
        {
            long sum = 0;
            for (var i = 0; i < Seconds; i++)
            {
                if (now - stamps[i] < Seconds && stamps[i] <= now)
                {
                    sum += counts[i];
                }
            }

            return sum / (double)Seconds;
        }
    }
}
