using System.Globalization;
using System.Security.Cryptography;
using SigmaFlow.Platform.Azure.Cosmos;

namespace SigmaFlow.Platform.Jobs;

/// <summary>
/// The job container's documents: the job (read, created, changed under its ETag), the per-shard outcome slots counted
/// with a conditional <c>incr</c>, shard results and failures, payloads kept inline or in chunks, and the list entries.
/// </summary>
internal sealed class SweepJobStore(CosmosStore store, SweepJobOptions options, TimeProvider clock)
{
    public CosmosStore Container => store;

    public TimeProvider Clock => clock;

    public async Task<JobDocument?> ReadJobAsync(string jobId, CancellationToken cancellationToken) =>
        (await store.ReadAsync<JobDocument>(jobId, jobId, cancellationToken).ConfigureAwait(false))?.Value;

    public Task<CosmosResult<JobDocument>> CreateJobAsync(JobDocument job, CancellationToken cancellationToken) => store.CreateAsync(job, cancellationToken);

    public Task<CosmosResult<JobListEntry>> CreateListEntryAsync(JobListEntry entry, CancellationToken cancellationToken) => store.CreateAsync(entry, cancellationToken);

    /// <summary>
    /// Changes the job document under its ETag: reads it, applies <paramref name="change"/> (null = nothing to change)
    /// and replaces it only if nobody changed it meanwhile, else reads again. Counting patches and other workers' changes
    /// are never lost this way.
    /// </summary>
    /// <returns>The job after the call (changed or not) and whether this call changed it; null when there is no such job.</returns>
    public async Task<(JobDocument? Job, bool Changed)> UpdateJobAsync(string jobId, Func<JobDocument, JobDocument?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= options.MaxUpdateAttempts; attempt++)
        {
            var read = await store.ReadAsync<JobDocument>(jobId, jobId, cancellationToken).ConfigureAwait(false);
            if (read is null)
            {
                return (null, false);
            }

            var changed = change(read.Value);
            if (changed is null)
            {
                return (read.Value, false);
            }

            var replaced = await store.ReplaceAsync(changed with { UpdatedAt = clock.GetUtcNow() }, read.ETag, cancellationToken).ConfigureAwait(false);
            switch (replaced.Outcome)
            {
                case CosmosOutcome.Succeeded:
                    return (replaced.GetDocument().Value, true);
                case CosmosOutcome.NotFound:
                    return (null, false);
                default:
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, Math.Min(5 * attempt, 100) + 1)), clock, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        throw new CosmosStoreException(string.Create(CultureInfo.InvariantCulture, $"job {jobId}: the job document kept changing; gave up after {options.MaxUpdateAttempts} attempts to change it (raise SweepJobOptions.MaxUpdateAttempts)."), 412);
    }

    /// <summary>
    /// Counts a shard's outcome once: <c>incr</c> of <c>/done/s{n}</c> (or <c>/failed/s{n}</c>) on the condition that
    /// the shard has no slot in either map. Atomic on the service (a patch with a filter predicate; on the local server
    /// a read and an ETag-guarded replace), so however many deliveries of a shard race, exactly one counts it, and the
    /// one whose patch fills the last slot sees every slot filled in the document it gets back.
    /// </summary>
    /// <returns>The job after the call, and whether this call counted the shard; null job when there is none.</returns>
    public async Task<(JobDocument? Job, bool Counted)> CountAsync(string jobId, int shard, bool done, CancellationToken cancellationToken)
    {
        var slot = JobNames.Slot(shard);
        var predicate = $"FROM c WHERE NOT IS_DEFINED(c.done.{slot}) AND NOT IS_DEFINED(c.failed.{slot})";
        var result = await store.PatchIncrementAsync<JobDocument>(jobId, jobId, (done ? "/done/" : "/failed/") + slot, 1, predicate, cancellationToken).ConfigureAwait(false);
        return result.Outcome switch
        {
            CosmosOutcome.Succeeded => (result.GetDocument().Value, true),
            CosmosOutcome.ConditionNotMet => (await ReadJobAsync(jobId, cancellationToken).ConfigureAwait(false), false),
            CosmosOutcome.NotFound => (null, false),
            _ => throw new CosmosStoreException(result.Description, 412),
        };
    }

    public Task<CosmosDocument<ShardResultDocument>> UpsertResultAsync(ShardResultDocument result, CancellationToken cancellationToken) => store.UpsertAsync(result, cancellationToken);

    public async Task<ShardResultDocument?> ReadResultAsync(string jobId, int shard, CancellationToken cancellationToken) =>
        (await store.ReadAsync<ShardResultDocument>(JobNames.ShardResult(jobId, shard), jobId, cancellationToken).ConfigureAwait(false))?.Value;

    public Task<CosmosDocument<ShardFailureDocument>> UpsertFailureAsync(ShardFailureDocument failure, CancellationToken cancellationToken) => store.UpsertAsync(failure, cancellationToken);

    /// <summary>Every shard result of a job, a few per page (a page may hold inline payloads of up to <see cref="SweepJobOptions.ChunkCharacters"/> each).</summary>
    public IAsyncEnumerable<ShardResultDocument> QueryResultsAsync(string jobId, CancellationToken cancellationToken) =>
        store.QueryAsync<ShardResultDocument>(jobId, "SELECT * FROM c WHERE c.jobId = @jobId AND c.type = 'result'", new Dictionary<string, object?> { ["@jobId"] = jobId }, 8, cancellationToken);

    /// <summary>The failure reasons of a job's shards that are counted as failed, by shard number.</summary>
    public async Task<IReadOnlyList<FailedShard>> ReadFailuresAsync(JobDocument job, CancellationToken cancellationToken)
    {
        if (job.Failed.Count == 0)
        {
            return [];
        }

        var reasons = new Dictionary<int, string>();
        await foreach (var failure in store.QueryAsync<ShardFailureDocument>(job.JobId, "SELECT * FROM c WHERE c.jobId = @jobId AND c.type = 'failure'", new Dictionary<string, object?> { ["@jobId"] = job.JobId }, 100, cancellationToken).ConfigureAwait(false))
        {
            reasons[failure.Shard] = failure.Reason;
        }

        var failed = new List<FailedShard>(job.Failed.Count);
        foreach (var slot in job.Failed.Keys)
        {
            if (slot.Length > 1 && int.TryParse(slot.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var shard))
            {
                failed.Add(new FailedShard(shard, reasons.TryGetValue(shard, out var reason) ? reason : "counted as failed; its reason was not stored."));
            }
        }

        failed.Sort((a, b) => a.Shard.CompareTo(b.Shard));
        return failed;
    }

    /// <summary>
    /// Stores a payload: inline (base64 in the owner's document) when it fits in <see cref="SweepJobOptions.ChunkCharacters"/>,
    /// else in chunk documents whose ids carry the payload's hash, so chunks of two different payloads never mix and a
    /// repeated write of the same payload rewrites the same documents.
    /// </summary>
    public async Task<PayloadReference> WritePayloadAsync(string jobId, string owner, byte[] bytes, CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var text = Convert.ToBase64String(bytes);
        if (text.Length <= options.ChunkCharacters)
        {
            return new PayloadReference(hash, bytes.Length, 0, text);
        }

        var count = (text.Length + options.ChunkCharacters - 1) / options.ChunkCharacters;
        for (var i = 0; i < count; i++)
        {
            var start = i * options.ChunkCharacters;
            var chunk = new ChunkDocument
            {
                Id = JobNames.Chunk(jobId, owner, hash, i),
                JobId = jobId,
                Owner = owner,
                Index = i,
                Count = count,
                Data = text.Substring(start, Math.Min(options.ChunkCharacters, text.Length - start)),
            };
            await store.UpsertAsync(chunk, cancellationToken).ConfigureAwait(false);
        }

        return new PayloadReference(hash, bytes.Length, count, null);
    }

    /// <summary>Reads a payload back and checks its hash.</summary>
    /// <exception cref="InvalidOperationException">A chunk is missing or the bytes do not match the hash.</exception>
    public async Task<byte[]> ReadPayloadAsync(string jobId, string owner, PayloadReference reference, CancellationToken cancellationToken)
    {
        string text;
        if (reference.Chunks == 0)
        {
            text = reference.Data ?? throw new InvalidOperationException($"job {jobId}: the payload of {owner} has neither inline data nor chunks.");
        }
        else
        {
            var parts = new string[reference.Chunks];
            for (var i = 0; i < parts.Length; i++)
            {
                var id = JobNames.Chunk(jobId, owner, reference.Hash, i);
                var chunk = await store.ReadAsync<ChunkDocument>(id, jobId, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"job {jobId}: chunk {i} of {reference.Chunks} of the payload of {owner} ('{id}') is missing."));
                parts[i] = chunk.Value.Data;
            }

            text = string.Concat(parts);
        }

        var bytes = Convert.FromBase64String(text);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return hash == reference.Hash && bytes.Length == reference.Bytes
            ? bytes
            : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"job {jobId}: the payload of {owner} reads back as {bytes.Length} bytes with SHA-256 {hash[..16]}…; {reference.Bytes} bytes with {reference.Hash[..16]}… were stored."));
    }
}
