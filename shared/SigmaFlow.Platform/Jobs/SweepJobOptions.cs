using System.Globalization;

namespace SigmaFlow.Platform.Jobs;

/// <summary>Settings of the sweep job service and its shard worker, validated by <see cref="Validate"/>. Defaults are documented per setting.</summary>
public sealed record SweepJobOptions
{
    /// <summary>
    /// Deliveries of a shard message before the Functions host moves it to the poison queue: host.json's
    /// <c>extensions.queues.maxDequeueCount</c> (5 in this repository; a test keeps the two equal). On this delivery a
    /// failing shard is recorded as failed instead of failing the invocation, so its job still finishes.
    /// </summary>
    public int MaxDeliveries { get; init; } = 5;

    /// <summary>Default time one shard should take when the request gives none (5 s).</summary>
    public TimeSpan TargetShardDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most shards a job is cut into (2,000); a plan with more gets longer shards.</summary>
    public int MaxShards { get; init; } = 2_000;

    /// <summary>Most bars a job may run on (1,000,000): every worker holds them, with their indicator columns, in memory.</summary>
    public int MaxBars { get; init; } = 1_000_000;

    /// <summary>Fewest bars a job may run on (30).</summary>
    public int MinBars { get; init; } = 30;

    /// <summary>
    /// Base64 characters per payload chunk (1,500,000). A Cosmos document may hold 2 MB; a payload longer than this is
    /// split over several chunk documents, a shorter one is kept inside its result document.
    /// </summary>
    public int ChunkCharacters { get; init; } = 1_500_000;

    /// <summary>How often a running shard checks whether its job was cancelled (2 s).</summary>
    public TimeSpan CancellationPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Jobs whose bars, prepared sweep and indicator columns a worker keeps in memory between shards (4).</summary>
    public int CachedJobs { get; init; } = 4;

    /// <summary>Shard messages sent at once when a job starts (8).</summary>
    public int SendConcurrency { get; init; } = 8;

    /// <summary>Attempts of an ETag-guarded update of a job document before giving up (50).</summary>
    public int MaxUpdateAttempts { get; init; } = 50;

    /// <summary>How long a progress or completion push may take (5 s); a push failure never fails a shard.</summary>
    public TimeSpan PushTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it, the rule and the value.</exception>
    public void Validate()
    {
        Check(MaxDeliveries is >= 1 and <= 100, nameof(MaxDeliveries), "between 1 and 100", MaxDeliveries);
        Check(TargetShardDuration > TimeSpan.Zero && TargetShardDuration <= TimeSpan.FromHours(1), nameof(TargetShardDuration), "above zero and at most 1 hour", TargetShardDuration);
        Check(MaxShards is >= 1 and <= 100_000, nameof(MaxShards), "between 1 and 100000", MaxShards);
        Check(MinBars >= 2, nameof(MinBars), "at least 2", MinBars);
        Check(MaxBars >= MinBars && MaxBars <= 50_000_000, nameof(MaxBars), "between MinBars and 50000000", MaxBars);
        Check(ChunkCharacters is >= 1_000 and <= 1_900_000, nameof(ChunkCharacters), "between 1000 and 1900000 (a Cosmos document holds at most 2 MB)", ChunkCharacters);
        Check(CancellationPollInterval > TimeSpan.Zero, nameof(CancellationPollInterval), "above zero", CancellationPollInterval);
        Check(CachedJobs is >= 1 and <= 64, nameof(CachedJobs), "between 1 and 64", CachedJobs);
        Check(SendConcurrency is >= 1 and <= 64, nameof(SendConcurrency), "between 1 and 64", SendConcurrency);
        Check(MaxUpdateAttempts is >= 1 and <= 1_000, nameof(MaxUpdateAttempts), "between 1 and 1000", MaxUpdateAttempts);
        Check(PushTimeout > TimeSpan.Zero, nameof(PushTimeout), "above zero", PushTimeout);
    }

    private static void Check(bool ok, string name, string rule, object value)
    {
        if (!ok)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be {rule}; got {value}."), name);
        }
    }
}
