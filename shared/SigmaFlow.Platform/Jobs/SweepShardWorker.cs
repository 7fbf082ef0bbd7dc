using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Core.Strategies.Rules;
using SigmaFlow.Platform.Azure.Cosmos;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Jobs;

/// <summary>
/// Runs one delivery of a shard message (the use case behind <c>RunSweepShard</c> and <c>SweepShardPoison</c>):
/// <list type="number">
/// <item>reads the job; a finished or cancelled job, or a shard already counted, runs nothing (a counted shard of a job
/// whose every shard is counted finishes the merge a crash may have interrupted);</item>
/// <item>prepares the stored request again and loads the bars, refusing (shard failed, no retry) when the sweep's
/// identity or the data's SHA-256 differs from what the job recorded;</item>
/// <item>runs the shard, stopping between combinations if the job is cancelled, and upserts its result under
/// <c>{jobId}:{shard}</c> (a result stored by an earlier delivery is reused);</item>
/// <item>counts it with a conditional <c>incr</c> of its slot (<see cref="SweepJobStore.CountAsync"/>): at most one
/// delivery counts a shard, and the one that fills the last slot merges (<see cref="SweepFinalizer"/>);</item>
/// <item>keeps the best combination so far on the job and pushes progress to <c>jobs.{jobId}</c>.</item>
/// </list>
/// A failure is thrown (so the host delivers the message again) except on the last delivery the host allows
/// (<see cref="SweepJobOptions.MaxDeliveries"/>), where the shard is recorded as failed with the error so the job still
/// finishes. Thread-safe: one worker serves concurrent deliveries.
/// </summary>
public sealed partial class SweepShardWorker
{
    private readonly SweepJobStore store;
    private readonly SweepDataLoader loader;
    private readonly ISweepShardRunner runner;
    private readonly SweepJobOptions options;
    private readonly JobPublisher publisher;
    private readonly SweepFinalizer finalizer;
    private readonly SweepContextCache contexts;
    private readonly ILogger logger;

    /// <summary>Creates the worker.</summary>
    /// <param name="jobs">The <see cref="JobNames.Container"/> container.</param>
    /// <param name="tables">Table storage with the <c>bars</c> table (stored data), or null.</param>
    /// <param name="push">Web PubSub push, or null for none.</param>
    /// <param name="runner">What runs a shard (<see cref="SweepShardRunner.Instance"/> when null).</param>
    /// <param name="options">Settings (defaults when null).</param>
    /// <param name="clock">The clock (system when null).</param>
    /// <param name="logger">Logs (none when null).</param>
    public SweepShardWorker(CosmosStore jobs, TableServiceClient? tables, IJobPush? push, ISweepShardRunner? runner = null, SweepJobOptions? options = null, TimeProvider? clock = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        this.options = options ?? new SweepJobOptions();
        this.options.Validate();
        this.logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        store = new SweepJobStore(jobs, this.options, clock ?? TimeProvider.System);
        loader = new SweepDataLoader(tables);
        this.runner = runner ?? SweepShardRunner.Instance;
        publisher = new JobPublisher(push, this.options, this.logger);
        finalizer = new SweepFinalizer(store, publisher, this.logger);
        contexts = new SweepContextCache(this.options.CachedJobs);
    }

    /// <summary>Handles one delivery of a shard message.</summary>
    /// <param name="message">The message.</param>
    /// <param name="delivery">Its delivery number (the trigger's <c>DequeueCount</c>, from 1).</param>
    /// <param name="cancellationToken">Host shutdown: stops the shard, which is then delivered again later.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="Exception">Any failure before the last delivery (the host retries it).</exception>
    public async Task<ShardReport> ProcessAsync(ShardMessage message, int delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var job = await store.ReadJobAsync(message.JobId, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return new ShardReport(ShardOutcome.Discarded, message.JobId, message.Shard, "no such job in this store (deleted, or a message of another database); dropped", null);
        }

        if (message.Shard < 0 || message.Shard >= job.ShardsTotal)
        {
            return new ShardReport(ShardOutcome.Discarded, message.JobId, message.Shard, string.Create(CultureInfo.InvariantCulture, $"the job's plan has shards 0 … {job.ShardsTotal - 1}; dropped"), job.Status);
        }

        if (job.Status == JobState.Cancelled)
        {
            return new ShardReport(ShardOutcome.Cancelled, message.JobId, message.Shard, "the job is cancelled; the shard does not run", job.Status);
        }

        if (job.IsFinished)
        {
            if (delivery > 1)
            {
                // A redelivery to a finished job: the delivery that finished it may have stopped before it pushed.
                await publisher.PublishAsync(JobProjection.ToStatus(job), job.Status == JobState.Completed ? "completed" : "failed").ConfigureAwait(false);
            }

            return new ShardReport(ShardOutcome.Skipped, message.JobId, message.Shard, "the job is already finished", job.Status);
        }

        if (job.IsCounted(message.Shard))
        {
            job = await FinishAsync(job, delivery, cancellationToken).ConfigureAwait(false);
            return new ShardReport(ShardOutcome.AlreadyCounted, message.JobId, message.Shard, Counts(job), job?.Status);
        }

        ShardReport report;
        try
        {
            (report, job) = await RunAndCountAsync(job, message, delivery, cancellationToken).ConfigureAwait(false);
        }
        catch (ShardRefusedException e)
        {
            Refused(logger, message.JobId, message.Shard, e.Message);
            (report, job) = await RecordFailureAsync(message, delivery, e.Message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (delivery >= options.MaxDeliveries && !cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"failed on its last delivery ({delivery} of {options.MaxDeliveries}): {e.GetType().Name}: {e.Message}");
            LastDeliveryFailed(logger, e, message.JobId, message.Shard, delivery);
            (report, job) = await RecordFailureAsync(message, delivery, reason, cancellationToken).ConfigureAwait(false);
        }

        if (job is not null && job.AllCounted && !job.IsFinished)
        {
            job = await FinishAsync(job, delivery, cancellationToken).ConfigureAwait(false);
        }

        return report with { JobStatus = job?.Status ?? report.JobStatus };
    }

    /// <summary>
    /// Handles a message the host moved to <see cref="JobNames.ShardPoisonQueue"/>: its deliveries all failed without an
    /// answer (a crash, a timeout, or a failure while recording the outcome). Records the shard as failed unless it is
    /// already counted, and finishes the job when that was its last shard.
    /// </summary>
    /// <param name="message">The poisoned message.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>What happened.</returns>
    public async Task<ShardReport> RecordPoisonedAsync(ShardMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var job = await store.ReadJobAsync(message.JobId, cancellationToken).ConfigureAwait(false);
        if (job is null || message.Shard < 0 || message.Shard >= job.ShardsTotal)
        {
            return new ShardReport(ShardOutcome.Discarded, message.JobId, message.Shard, "no such job or shard in this store; dropped", job?.Status);
        }

        if (job.IsFinished)
        {
            return new ShardReport(job.Status == JobState.Cancelled ? ShardOutcome.Cancelled : ShardOutcome.Skipped, message.JobId, message.Shard, "the job is already finished", job.Status);
        }

        ShardReport report;
        if (job.IsCounted(message.Shard))
        {
            report = new ShardReport(ShardOutcome.AlreadyCounted, message.JobId, message.Shard, Counts(job), job.Status);
        }
        else
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"its message went to '{JobNames.ShardPoisonQueue}' after {options.MaxDeliveries} deliveries without an answer (a crash, a timeout, or a failure while recording the outcome)");
            (report, job) = await RecordFailureAsync(message, 0, reason, cancellationToken).ConfigureAwait(false);
        }

        if (job is not null && job.AllCounted && !job.IsFinished)
        {
            job = await finalizer.FinalizeAsync(job, cancellationToken).ConfigureAwait(false);
        }

        return report with { JobStatus = job?.Status ?? report.JobStatus };
    }

    private async Task<(ShardReport Report, JobDocument? Job)> RunAndCountAsync(JobDocument job, ShardMessage message, int delivery, CancellationToken cancellationToken)
    {
        if (job.Status == JobState.Queued)
        {
            var now = store.Clock.GetUtcNow();
            job = (await store.UpdateJobAsync(job.JobId, j => j.Status == JobState.Queued ? j with { Status = JobState.Running, StartedAt = now } : null, cancellationToken).ConfigureAwait(false)).Job ?? job;
        }

        var clock = Stopwatch.StartNew();
        // Only a redelivery can find a result an earlier delivery stored (and crashed before counting); a first delivery
        // skips the read (a duplicate first delivery recomputes the same result and finds the shard counted).
        var result = delivery > 1 ? await store.ReadResultAsync(job.JobId, message.Shard, cancellationToken).ConfigureAwait(false) : null;
        var reused = result is not null;
        if (result is null)
        {
            var context = await contexts.GetAsync(job.JobId + "|" + job.DataHash, () => LoadContextAsync(job, cancellationToken)).ConfigureAwait(false);
            var sweep = context.Request.Sweep;
            if (message.End > sweep.Positions)
            {
                throw new ShardRefusedException(string.Create(CultureInfo.InvariantCulture, $"the message's positions {message.Start} … {message.End - 1} lie outside the sweep's 0 … {sweep.Positions - 1}"));
            }

            var shard = new SweepShard(message.Shard, message.Start, message.End, message.End - message.Start);
            var piece = await RunWatchedAsync(job.JobId, sweep, context, shard, cancellationToken).ConfigureAwait(false);
            if (piece is null)
            {
                return (new ShardReport(ShardOutcome.Cancelled, job.JobId, message.Shard, "the job was cancelled while the shard ran; it stopped between combinations", JobState.Cancelled), null);
            }

            var payload = await store.WritePayloadAsync(job.JobId, message.Shard.ToString(CultureInfo.InvariantCulture), SweepResultCodec.Encode(piece), cancellationToken).ConfigureAwait(false);
            result = new ShardResultDocument
            {
                Id = JobNames.ShardResult(job.JobId, message.Shard),
                JobId = job.JobId,
                Shard = message.Shard,
                Start = message.Start,
                End = message.End,
                Combinations = piece.Combinations,
                Best = JobProjection.BestOf(piece, job.ParameterNames, message.Shard),
                Payload = payload,
                ElapsedMs = clock.Elapsed.TotalMilliseconds,
                Delivery = delivery,
                CompletedAt = store.Clock.GetUtcNow(),
            };
            await store.UpsertResultAsync(result, cancellationToken).ConfigureAwait(false);
        }

        var (after, counted) = await store.CountAsync(job.JobId, message.Shard, done: true, cancellationToken).ConfigureAwait(false);
        if (after is null)
        {
            return (new ShardReport(ShardOutcome.Discarded, job.JobId, message.Shard, "the job was deleted while the shard ran", null), null);
        }

        if (!counted)
        {
            return (new ShardReport(ShardOutcome.AlreadyCounted, job.JobId, message.Shard, "another delivery counted it first; " + Counts(after), after.Status), after);
        }

        if (result.Best is { } best && !after.AllCounted && JobProjection.Better(best, after.Best))
        {
            after = (await store.UpdateJobAsync(after.JobId, j => j.IsFinished || !JobProjection.Better(best, j.Best) ? null : j with { Best = best }, cancellationToken).ConfigureAwait(false)).Job ?? after;
        }

        if (!after.AllCounted)
        {
            await publisher.PublishAsync(JobProjection.ToStatus(after), "progress", message.Shard, "done").ConfigureAwait(false);
        }

        var detail = string.Create(CultureInfo.InvariantCulture, $"{result.Combinations} combinations {(reused ? "stored by an earlier delivery" : $"in {clock.Elapsed.TotalMilliseconds:0} ms")}; {Counts(after)}");
        return (new ShardReport(ShardOutcome.Completed, job.JobId, message.Shard, detail, after.Status), after);
    }

    private async Task<(ShardReport Report, JobDocument? Job)> RecordFailureAsync(ShardMessage message, int delivery, string reason, CancellationToken cancellationToken)
    {
        await store.UpsertFailureAsync(
            new ShardFailureDocument
            {
                Id = JobNames.ShardFailure(message.JobId, message.Shard),
                JobId = message.JobId,
                Shard = message.Shard,
                Start = message.Start,
                End = message.End,
                Reason = reason,
                Delivery = delivery,
                FailedAt = store.Clock.GetUtcNow(),
            },
            cancellationToken).ConfigureAwait(false);
        var (after, counted) = await store.CountAsync(message.JobId, message.Shard, done: false, cancellationToken).ConfigureAwait(false);
        if (after is null)
        {
            return (new ShardReport(ShardOutcome.Discarded, message.JobId, message.Shard, "the job was deleted meanwhile", null), null);
        }

        if (!counted)
        {
            return (new ShardReport(ShardOutcome.AlreadyCounted, message.JobId, message.Shard, "another delivery counted it first; " + Counts(after), after.Status), after);
        }

        if (!after.AllCounted)
        {
            await publisher.PublishAsync(JobProjection.ToStatus(after), "progress", message.Shard, "failed").ConfigureAwait(false);
        }

        return (new ShardReport(ShardOutcome.Failed, message.JobId, message.Shard, reason + "; " + Counts(after), after.Status), after);
    }

    /// <summary>Merges a job whose shards are all counted; on the last delivery a merge that keeps failing fails the job instead of hanging it.</summary>
    private async Task<JobDocument?> FinishAsync(JobDocument job, int delivery, CancellationToken cancellationToken)
    {
        if (!job.AllCounted || job.IsFinished)
        {
            return job;
        }

        try
        {
            return await finalizer.FinalizeAsync(job, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (delivery >= options.MaxDeliveries && !cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            return await finalizer.FailAsync(job.JobId, $"merging the shards' results failed: {e.GetType().Name}: {e.Message}", null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<SweepContext> LoadContextAsync(JobDocument job, CancellationToken cancellationToken)
    {
        SweepJobRequest request;
        try
        {
            request = SweepRequestReader.Deserialize(job.Request);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or NotSupportedException)
        {
            throw new ShardRefusedException($"the job's stored request cannot be read: {e.Message}", e);
        }

        var problems = new List<JobProblem>();
        var valid = SweepRequestReader.Read(request, options, problems)
            ?? throw new ShardRefusedException("the job's stored request does not validate on this worker: " + string.Join("; ", problems));
        if (valid.Sweep.Hash != job.SweepHash)
        {
            throw new ShardRefusedException($"this worker prepares the sweep as {valid.Sweep.Hash[..16]}…, the job was planned as {job.SweepHash[..16]}… (engine {BacktestEngine.Version} here): results of different sweeps must not be merged");
        }

        Core.Data.BarSeries bars;
        try
        {
            bars = await loader.LoadAsync(valid.Source, 1, cancellationToken).ConfigureAwait(false);
        }
        catch (SweepDataException e)
        {
            throw new ShardRefusedException(e.Message, e);
        }

        if (bars.ContentHash != job.DataHash)
        {
            throw new ShardRefusedException(string.Create(CultureInfo.InvariantCulture, $"different data: the job was planned on {job.Bars} bars with SHA-256 {job.DataHash[..16]}…, this worker loaded {bars.Count} bars with {bars.ContentHash[..16]}… from {valid.Source.Describe()}; the shard refuses to run on other bars"));
        }

        return new SweepContext(valid, bars, new IndicatorColumnCache());
    }

    /// <summary>Runs the shard on the thread pool; every <see cref="SweepJobOptions.CancellationPollInterval"/> reads the job and stops the shard if it was cancelled.</summary>
    /// <returns>The result, or null when the job was cancelled meanwhile.</returns>
    private async Task<SweepResult?> RunWatchedAsync(string jobId, PreparedSweep sweep, SweepContext context, SweepShard shard, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var done = new CancellationTokenSource();
        var cancelled = false;
        var watching = Task.Run(
            async () =>
            {
                try
                {
                    while (true)
                    {
                        await Task.Delay(options.CancellationPollInterval, store.Clock, done.Token).ConfigureAwait(false);
                        var current = await store.ReadJobAsync(jobId, done.Token).ConfigureAwait(false);
                        if (current is null || current.Status == JobState.Cancelled)
                        {
                            cancelled = true;
                            await stop.CancelAsync().ConfigureAwait(false);
                            return;
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
                catch (Exception e) when (e is CosmosStoreException or global::Azure.RequestFailedException)
                {
                    // Not being able to look is no reason to stop the shard.
                }
            },
            CancellationToken.None);
        try
        {
            return await Task.Run(() => runner.Run(sweep, context.Bars, shard, context.Cache, stop.Token), stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancelled && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false);
            await watching.ConfigureAwait(false);
        }
    }

    private static string Counts(JobDocument? job) => job is null
        ? "the job is gone"
        : string.Create(CultureInfo.InvariantCulture, $"{job.Done.Count}/{job.ShardsTotal} done, {job.Failed.Count} failed");

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId} shard {Shard}: refused: {Reason}")]
    private static partial void Refused(ILogger logger, string jobId, int shard, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId} shard {Shard}: failed on its last delivery ({Delivery}); recorded as failed so the job can finish")]
    private static partial void LastDeliveryFailed(ILogger logger, Exception exception, string jobId, int shard, int delivery);
}
