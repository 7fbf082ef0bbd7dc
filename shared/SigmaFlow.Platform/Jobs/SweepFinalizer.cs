using System.Globalization;
using Microsoft.Extensions.Logging;
using SigmaFlow.Core.Optimization;

namespace SigmaFlow.Platform.Jobs;

/// <summary>
/// Fan-in: once every shard's outcome is counted, merges the stored shard results, ranks, stores the final result
/// (inline or chunked) and marks the job completed (or failed when no shard produced a result), then publishes.
/// Idempotent: the inputs are the stored results of the counted shards, <see cref="SweepResult.Merge(IEnumerable{SweepResult})"/>
/// is order-independent and exact, so any number of concurrent or repeated calls compute the same result; the
/// transition to completed is an ETag-guarded replace that only one of them wins, and only the winner publishes.
/// </summary>
internal sealed partial class SweepFinalizer(SweepJobStore store, JobPublisher publisher, ILogger logger)
{
    private const int MergeBatch = 32;

    /// <summary>Merges and completes the job when every shard is counted and it is not finished yet.</summary>
    /// <returns>The job afterwards (unchanged when there was nothing to do), or null when it does not exist.</returns>
    public async Task<JobDocument?> FinalizeAsync(JobDocument job, CancellationToken cancellationToken)
    {
        if (job.IsFinished || !job.AllCounted)
        {
            return job;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var done = new HashSet<int>();
        foreach (var slot in job.Done.Keys)
        {
            done.Add(int.Parse(slot.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture));
        }

        // Pieces are merged a batch at a time: memory holds one merged result plus a batch, and each merge re-sorts the
        // top list and CSCV sample once per batch rather than once per shard.
        SweepResult? merged = null;
        var batch = new List<SweepResult>(MergeBatch + 1);
        var finder = new Dictionary<long, int>();
        var seen = new HashSet<int>();
        await foreach (var result in store.QueryResultsAsync(job.JobId, cancellationToken).ConfigureAwait(false))
        {
            if (!done.Contains(result.Shard) || !seen.Add(result.Shard))
            {
                continue;
            }

            var piece = SweepResultCodec.Decode(await store.ReadPayloadAsync(job.JobId, result.Shard.ToString(CultureInfo.InvariantCulture), result.Payload, cancellationToken).ConfigureAwait(false));
            batch.Add(piece);
            if (batch.Count >= MergeBatch)
            {
                merged = MergeBatchInto(merged, batch);
            }

            if (result.Best is { } best)
            {
                finder[best.Index] = result.Shard;
            }
        }

        merged = batch.Count > 0 ? MergeBatchInto(merged, batch) : merged;
        if (seen.Count != done.Count)
        {
            var missing = string.Join(", ", done.Except(seen).Order().Take(10));
            throw new InvalidOperationException($"job {job.JobId}: shards {missing} are counted as done but their results are not stored; the job cannot be merged.");
        }

        var failed = await store.ReadFailuresAsync(job, cancellationToken).ConfigureAwait(false);
        if (merged is null)
        {
            var first = failed.Count > 0 ? $" The first: shard {failed[0].Shard}: {failed[0].Reason}" : string.Empty;
            return await FailAsync(job.JobId, $"every one of the {job.ShardsTotal} shards failed; there is no result.{first}", failed, cancellationToken).ConfigureAwait(false);
        }

        var payload = await store.WritePayloadAsync(job.JobId, "result", SweepResultCodec.Encode(merged), cancellationToken).ConfigureAwait(false);
        var bestShard = merged.Best is { } top && finder.TryGetValue(top.Index, out var shard) ? shard : -1;
        var finalBest = JobProjection.BestOf(merged, job.ParameterNames, bestShard);
        var now = store.Clock.GetUtcNow();
        var (after, changed) = await store.UpdateJobAsync(
            job.JobId,
            current => current.IsFinished ? null : current with { Status = JobState.Completed, Result = payload, Best = finalBest, FailedShards = failed, FinishedAt = now, DeflatedSharpe = merged.DeflatedSharpe, Pbo = merged.Pbo.Probability },
            cancellationToken).ConfigureAwait(false);
        if (changed && after is not null)
        {
            Completed(logger, job.JobId, done.Count, failed.Count, job.ShardsTotal, merged.Combinations, payload.Bytes, payload.Chunks, clock.Elapsed.TotalMilliseconds);
            await publisher.PublishAsync(JobProjection.ToStatus(after), "completed").ConfigureAwait(false);
        }

        return after;
    }

    private static SweepResult MergeBatchInto(SweepResult? merged, List<SweepResult> batch)
    {
        if (merged is not null)
        {
            batch.Add(merged);
        }

        var result = SweepResult.Merge(batch);
        batch.Clear();
        return result;
    }

    /// <summary>Marks a job failed with a reason (unless it is already finished) and publishes it.</summary>
    public async Task<JobDocument?> FailAsync(string jobId, string error, IReadOnlyList<FailedShard>? failed, CancellationToken cancellationToken)
    {
        var now = store.Clock.GetUtcNow();
        var (after, changed) = await store.UpdateJobAsync(
            jobId,
            current => current.IsFinished ? null : current with { Status = JobState.Failed, Error = error, FailedShards = failed ?? current.FailedShards, FinishedAt = now },
            cancellationToken).ConfigureAwait(false);
        if (changed && after is not null)
        {
            JobFailed(logger, jobId, error);
            await publisher.PublishAsync(JobProjection.ToStatus(after), "failed").ConfigureAwait(false);
        }

        return after;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: completed; {Done} shards merged, {Failed} failed of {Total}; {Combinations} combinations; result {Bytes} bytes in {Chunks} chunks; merged in {Milliseconds:0} ms")]
    private static partial void Completed(ILogger logger, string jobId, int done, int failed, int total, long combinations, long bytes, int chunks, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: failed: {Error}")]
    private static partial void JobFailed(ILogger logger, string jobId, string error);
}
