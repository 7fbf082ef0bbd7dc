using System.Text.Json.Serialization;

namespace SigmaFlow.Platform.Jobs;

/// <summary>
/// The job document (<c>type: job</c>, id = job id). <see cref="Done"/> and <see cref="Failed"/> map a shard's slot
/// (<c>s7</c>) to 1 once its outcome is counted: each slot is set by one conditional <c>incr</c> that requires it to be
/// absent from both maps, so a shard counts once however often it is delivered, and the patch that fills the last slot
/// is the one that merges.
/// </summary>
internal sealed record JobDocument
{
    public required string Id { get; init; }

    public required string JobId { get; init; }

    public string Type { get; init; } = "job";

    public string Kind { get; init; } = "sweep";

    public JobState Status { get; init; }

    public required string Name { get; init; }

    /// <summary>The request as JSON text: kept as a string so that every shard re-reads exactly what was validated (a Cosmos number is a double and would not keep a decimal's digits).</summary>
    public required string Request { get; init; }

    public required string RequestHash { get; init; }

    public string? IdempotencyKey { get; init; }

    public required string SweepHash { get; init; }

    public required string DataHash { get; init; }

    public int Bars { get; init; }

    public string Data { get; init; } = string.Empty;

    public long Combinations { get; init; }

    public int ShardsTotal { get; init; }

    /// <summary>The plan's target duration per shard (seconds), so a replayed start cuts the same shards.</summary>
    public double ShardSeconds { get; init; }

    /// <summary>The plan's minimum number of shards.</summary>
    public int MinimumShards { get; init; }

    public IReadOnlyList<string> ParameterNames { get; init; } = [];

    /// <summary>Whether every shard message has been sent (a replay with the same idempotency key sends them again when not).</summary>
    public bool Enqueued { get; init; }

    public Dictionary<string, long> Done { get; init; } = [];

    public Dictionary<string, long> Failed { get; init; } = [];

    public JobBest? Best { get; init; }

    public PayloadReference? Result { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
    public double? DeflatedSharpe { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
    public double? Pbo { get; init; }

    public IReadOnlyList<FailedShard> FailedShards { get; init; } = [];

    public string? Error { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    [JsonIgnore]
    public bool IsFinished => Status is JobState.Completed or JobState.Failed or JobState.Cancelled;

    /// <summary>Shards whose outcome is counted.</summary>
    [JsonIgnore]
    public int Counted => Done.Count + Failed.Count;

    /// <summary>Whether every shard's outcome is counted.</summary>
    [JsonIgnore]
    public bool AllCounted => Counted >= ShardsTotal;

    public bool IsCounted(int shard) => Done.ContainsKey(JobNames.Slot(shard)) || Failed.ContainsKey(JobNames.Slot(shard));
}

/// <summary>Where a payload (a shard's or the final <see cref="Core.Optimization.SweepResult"/>) is stored.</summary>
/// <param name="Hash">SHA-256 (hex) of the stored bytes; chunk ids carry its first 16 digits, so chunks of different payloads never mix.</param>
/// <param name="Bytes">Length of the stored (compressed) bytes.</param>
/// <param name="Chunks">Chunk documents, or 0 when <paramref name="Data"/> holds the payload.</param>
/// <param name="Data">The payload as base64 when it fits in its owner document; null when chunked.</param>
internal sealed record PayloadReference(string Hash, long Bytes, int Chunks, string? Data);

/// <summary>A shard's result (<c>type: result</c>, id <c>{jobId}:{shard}</c>), written (upserted) before its slot is counted.</summary>
internal sealed record ShardResultDocument
{
    public required string Id { get; init; }

    public required string JobId { get; init; }

    public string Type { get; init; } = "result";

    public int Shard { get; init; }

    public long Start { get; init; }

    public long End { get; init; }

    public long Combinations { get; init; }

    public JobBest? Best { get; init; }

    public required PayloadReference Payload { get; init; }

    public double ElapsedMs { get; init; }

    public int Delivery { get; init; }

    public DateTimeOffset CompletedAt { get; init; }
}

/// <summary>Why a shard failed (<c>type: failure</c>, id <c>{jobId}:{shard}:failure</c>), written before its slot is counted as failed.</summary>
internal sealed record ShardFailureDocument
{
    public required string Id { get; init; }

    public required string JobId { get; init; }

    public string Type { get; init; } = "failure";

    public int Shard { get; init; }

    public long Start { get; init; }

    public long End { get; init; }

    public required string Reason { get; init; }

    public int Delivery { get; init; }

    public DateTimeOffset FailedAt { get; init; }
}

/// <summary>One piece of a payload too large for one document (<c>type: chunk</c>).</summary>
internal sealed record ChunkDocument
{
    public required string Id { get; init; }

    public required string JobId { get; init; }

    public string Type { get; init; } = "chunk";

    public required string Owner { get; init; }

    public int Index { get; init; }

    public int Count { get; init; }

    public required string Data { get; init; }
}

/// <summary>A job's entry in the list partition (<c>jobId: list</c>, id = the job's id), written before the job.</summary>
internal sealed record JobListEntry
{
    public required string Id { get; init; }

    public string JobId { get; init; } = JobNames.ListPartition;

    public string Type { get; init; } = "entry";

    public required string Kind { get; init; }

    public required string Name { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
