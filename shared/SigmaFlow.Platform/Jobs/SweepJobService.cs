using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Platform.Azure.Cosmos;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Jobs;

/// <summary>
/// Sweep jobs for the HTTP API: start one (validate, load the bars and hash them, plan shards, record the job, enqueue
/// one message per shard on <see cref="JobNames.ShardQueue"/>), read its status or its final result, cancel it, list
/// jobs. The shards run in <see cref="SweepShardWorker"/> wherever the queue trigger runs. Thread-safe.
/// </summary>
public sealed partial class SweepJobService
{
    private readonly SweepJobStore store;
    private readonly QueueClient queue;
    private readonly SweepDataLoader loader;
    private readonly SweepJobOptions options;
    private readonly JobPublisher publisher;
    private readonly SweepFinalizer finalizer;
    private readonly ILogger logger;
    private int queueReady;

    /// <summary>Creates the service.</summary>
    /// <param name="jobs">The <see cref="JobNames.Container"/> container (partition key <see cref="JobNames.PartitionKeyPath"/>).</param>
    /// <param name="shardQueue">The <see cref="JobNames.ShardQueue"/> queue.</param>
    /// <param name="tables">Table storage with the <c>bars</c> table (stored data), or null.</param>
    /// <param name="push">Web PubSub push, or null for none.</param>
    /// <param name="options">Settings (defaults when null).</param>
    /// <param name="clock">The clock (system when null).</param>
    /// <param name="logger">Logs (none when null).</param>
    public SweepJobService(CosmosStore jobs, QueueClient shardQueue, TableServiceClient? tables, IJobPush? push, SweepJobOptions? options = null, TimeProvider? clock = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(shardQueue);
        this.options = options ?? new SweepJobOptions();
        this.options.Validate();
        this.logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        store = new SweepJobStore(jobs, this.options, clock ?? TimeProvider.System);
        queue = shardQueue;
        loader = new SweepDataLoader(tables);
        publisher = new JobPublisher(push, this.options, this.logger);
        finalizer = new SweepFinalizer(store, publisher, this.logger);
    }

    /// <summary>Whether a text has the form of a job id (<c>sw-</c> followed by lowercase letters, digits and hyphens).</summary>
    /// <param name="jobId">The text.</param>
    /// <returns>True when it does.</returns>
    public static bool IsJobId(string? jobId) => jobId is { Length: > 3 and <= 64 } && JobIdPattern().IsMatch(jobId);

    /// <summary>
    /// Starts a sweep job. The request is validated in full first (every problem is returned, naming the field, the rule
    /// and the value); then the bars are loaded and hashed, the sweep is planned into shards, the job is recorded and
    /// one message per shard is enqueued. With an idempotency key, the same key always names the same job: a repeated
    /// call returns it (and finishes enqueuing if the first call stopped half-way); a different request with a used key
    /// is refused.
    /// </summary>
    /// <param name="request">The sweep.</param>
    /// <param name="idempotencyKey">The caller's key for this request (1–200 printable characters), or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job, or the problems.</returns>
    public async Task<SweepJobStart> StartSweepAsync(SweepJobRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        var problems = new List<JobProblem>();
        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > 200 || idempotencyKey.Any(char.IsControl)))
        {
            problems.Add(new JobProblem("idempotencyKey", string.Create(CultureInfo.InvariantCulture, $"must be 1 to 200 characters without control characters; got {idempotencyKey.Length} characters.")));
        }

        var valid = SweepRequestReader.Read(request, options, problems);
        if (valid is null || problems.Count > 0)
        {
            return new SweepJobStart(null, false, problems);
        }

        var jobId = idempotencyKey is null ? NewJobId(store.Clock.GetUtcNow()) : KeyedJobId(idempotencyKey);
        if (idempotencyKey is not null && await store.ReadJobAsync(jobId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return await ReplayAsync(existing, valid, idempotencyKey, cancellationToken).ConfigureAwait(false);
        }

        Core.Data.BarSeries bars;
        try
        {
            bars = await loader.LoadAsync(valid.Source, options.MinBars, cancellationToken).ConfigureAwait(false);
        }
        catch (SweepDataException e)
        {
            return new SweepJobStart(null, false, [new JobProblem(valid.Source is StoredBarSource ? "data.stored" : "data.synthetic", e.Message.Replace("data.stored: ", string.Empty, StringComparison.Ordinal))]);
        }

        if (bars.Count > options.MaxBars || bars.Count < options.MinBars)
        {
            return new SweepJobStart(null, false, [new JobProblem("data", string.Create(CultureInfo.InvariantCulture, $"must hold between {options.MinBars} and {options.MaxBars} bars; {valid.Source.Describe()} holds {bars.Count}."))]);
        }

        IReadOnlyList<SweepShard> plan;
        double shardSeconds;
        try
        {
            (plan, shardSeconds) = Plan(valid.Sweep, bars.Count, valid.ShardSeconds, valid.MinimumShards, cancellationToken);
        }
        catch (ArgumentException e)
        {
            return new SweepJobStart(null, false, [new JobProblem("constraints", e.Message.Split(" (Parameter '", 2)[0])]);
        }

        var now = store.Clock.GetUtcNow();
        var job = new JobDocument
        {
            Id = jobId,
            JobId = jobId,
            Status = JobState.Queued,
            Name = valid.Definition.Strategy.Name,
            Request = valid.Json,
            RequestHash = valid.Hash,
            IdempotencyKey = idempotencyKey,
            SweepHash = valid.Sweep.Hash,
            DataHash = bars.ContentHash,
            Bars = bars.Count,
            Data = valid.Source.Describe(),
            Combinations = plan.Sum(s => s.Combinations),
            ShardsTotal = plan.Count,
            ShardSeconds = shardSeconds,
            MinimumShards = valid.MinimumShards,
            ParameterNames = [.. valid.Sweep.Space.Names],
            CreatedAt = now,
            UpdatedAt = now,
        };

        // The list entry first: an entry whose job was never written is skipped when listing; a job without an entry
        // would be invisible.
        await store.CreateListEntryAsync(new JobListEntry { Id = jobId, Kind = job.Kind, Name = job.Name, CreatedAt = now }, cancellationToken).ConfigureAwait(false);
        var created = await store.CreateJobAsync(job, cancellationToken).ConfigureAwait(false);
        if (created.Outcome == CosmosOutcome.AlreadyExists)
        {
            // The same key, started concurrently: the other call recorded it first.
            var other = await store.ReadJobAsync(jobId, cancellationToken).ConfigureAwait(false)
                ?? throw new CosmosStoreException($"job {jobId}: create said it exists, then a read found nothing.", 404);
            return await ReplayAsync(other, valid, idempotencyKey!, cancellationToken).ConfigureAwait(false);
        }

        created.EnsureSucceeded();
        await EnqueueAsync(jobId, plan, cancellationToken).ConfigureAwait(false);
        job = (await store.UpdateJobAsync(jobId, j => j.Enqueued ? null : j with { Enqueued = true }, cancellationToken).ConfigureAwait(false)).Job ?? job;
        Started(logger, jobId, job.Name, job.Combinations, plan.Count, bars.Count, job.Data);
        var status = JobProjection.ToStatus(job);
        await publisher.PublishAsync(status, "queued").ConfigureAwait(false);
        return new SweepJobStart(status, true, []);
    }

    /// <summary>A job's status, or null when there is no such job.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status.</returns>
    public async Task<JobStatus?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        if (!IsJobId(jobId) || await store.ReadJobAsync(jobId, cancellationToken).ConfigureAwait(false) is not { } job)
        {
            return null;
        }

        return await StatusAsync(job, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The final result of a completed job, reassembled from its chunks; null when there is no such job or it has not completed.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result.</returns>
    /// <exception cref="InvalidOperationException">A chunk is missing or the stored bytes do not match their hash.</exception>
    public async Task<SweepJobResult?> GetResultAsync(string jobId, CancellationToken cancellationToken = default)
    {
        if (!IsJobId(jobId) || await store.ReadJobAsync(jobId, cancellationToken).ConfigureAwait(false) is not { Status: JobState.Completed, Result: { } reference } job)
        {
            return null;
        }

        var result = SweepResultCodec.Decode(await store.ReadPayloadAsync(jobId, "result", reference, cancellationToken).ConfigureAwait(false));
        return new SweepJobResult(JobProjection.ToStatus(job), job.ParameterNames, result, job.FailedShards);
    }

    /// <summary>
    /// Cancels a queued or running job: shards not started yet are skipped when delivered, running shards stop between
    /// combinations within <see cref="SweepJobOptions.CancellationPollInterval"/>. A finished job stays as it is.
    /// </summary>
    /// <param name="jobId">The job.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job afterwards (status <see cref="JobState.Cancelled"/>, or its finished status), or null when there is no such job.</returns>
    public async Task<JobStatus?> CancelAsync(string jobId, CancellationToken cancellationToken = default)
    {
        if (!IsJobId(jobId))
        {
            return null;
        }

        var now = store.Clock.GetUtcNow();
        var (job, changed) = await store.UpdateJobAsync(jobId, j => j.IsFinished ? null : j with { Status = JobState.Cancelled, FinishedAt = now }, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return null;
        }

        var status = JobProjection.ToStatus(job);
        if (changed)
        {
            Cancelled(logger, jobId, job.Done.Count, job.Failed.Count, job.ShardsTotal);
            await publisher.PublishAsync(status, "cancelled").ConfigureAwait(false);
        }

        return status;
    }

    /// <summary>Jobs, newest first, a page at a time.</summary>
    /// <param name="limit">Jobs per page (1–100, default 20).</param>
    /// <param name="continuationToken">The previous page's token, or null for the first page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is outside 1–100.</exception>
    public async Task<JobPage> ListAsync(int limit = 20, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, string.Create(CultureInfo.InvariantCulture, $"limit must be between 1 and 100; got {limit}."));
        }

        var page = await store.Container.QueryPageAsync<JobListEntry>(
            JobNames.ListPartition,
            "SELECT * FROM c WHERE c.jobId = @list ORDER BY c.createdAt DESC",
            new Dictionary<string, object?> { ["@list"] = JobNames.ListPartition },
            limit,
            continuationToken,
            cancellationToken).ConfigureAwait(false);
        var jobs = new List<JobStatus>(page.Items.Count);
        foreach (var entry in page.Items)
        {
            if (await store.ReadJobAsync(entry.Id, cancellationToken).ConfigureAwait(false) is { } job)
            {
                jobs.Add(JobProjection.ToStatus(job));
            }
        }

        return new JobPage(jobs, page.ContinuationToken);
    }

    /// <summary>A start with an idempotency key whose job exists: the same request gets the job (enqueuing again if the first start stopped before it had sent every message); another request is refused.</summary>
    private async Task<SweepJobStart> ReplayAsync(JobDocument existing, ValidRequest valid, string idempotencyKey, CancellationToken cancellationToken)
    {
        if (existing.RequestHash != valid.Hash)
        {
            return new SweepJobStart(null, false, [new JobProblem("idempotencyKey", $"was already used for a different request (job {existing.JobId}); got the key '{idempotencyKey}' again with another body. Use a new key for a new request.")]);
        }

        if (!existing.Enqueued && !existing.IsFinished)
        {
            existing = await ResendAsync(existing, valid, cancellationToken).ConfigureAwait(false);
        }

        return new SweepJobStart(JobProjection.ToStatus(existing), false, []);
    }

    /// <summary>
    /// Sends again the message of every shard of a queued or running job whose outcome is not counted yet, and merges a
    /// job whose shards are all counted but that is not finished. The repair for a job whose messages were lost (for
    /// example left in <c>sweep-shards-poison-poison</c> by a long Cosmos outage, or deleted by hand); harmless on a
    /// healthy job, since a shard counts once however often it is delivered.
    /// </summary>
    /// <param name="jobId">The job.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job afterwards, or null when there is no such job.</returns>
    /// <exception cref="InvalidOperationException">The stored request no longer prepares the same sweep or plan here.</exception>
    public async Task<JobStatus?> ResumeAsync(string jobId, CancellationToken cancellationToken = default)
    {
        if (!IsJobId(jobId) || await store.ReadJobAsync(jobId, cancellationToken).ConfigureAwait(false) is not { } job)
        {
            return null;
        }

        if (!job.IsFinished && job.AllCounted)
        {
            job = await finalizer.FinalizeAsync(job, cancellationToken).ConfigureAwait(false) ?? job;
        }
        else if (!job.IsFinished)
        {
            var problems = new List<JobProblem>();
            var valid = SweepRequestReader.Read(SweepRequestReader.Deserialize(job.Request), options, problems)
                ?? throw new InvalidOperationException($"job {jobId}: its stored request does not validate here: {string.Join("; ", problems)}");
            job = await ResendAsync(job, valid, cancellationToken).ConfigureAwait(false);
        }

        return await StatusAsync(job, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The status with every failed shard's reason (kept on the job once it completes; read from the failure documents before).</summary>
    private async Task<JobStatus> StatusAsync(JobDocument job, CancellationToken cancellationToken) =>
        JobProjection.ToStatus(job, job.FailedShards.Count >= job.Failed.Count ? null : await store.ReadFailuresAsync(job, cancellationToken).ConfigureAwait(false));

    /// <summary>Re-plans a job exactly as it was planned and sends the messages of its uncounted shards.</summary>
    private async Task<JobDocument> ResendAsync(JobDocument job, ValidRequest valid, CancellationToken cancellationToken)
    {
        if (valid.Sweep.Hash != job.SweepHash)
        {
            throw new InvalidOperationException($"job {job.JobId}: its request prepares as sweep {valid.Sweep.Hash[..16]}… here, the job was planned as {job.SweepHash[..16]}…; its shards cannot be sent again.");
        }

        var (plan, _) = Plan(valid.Sweep, job.Bars, job.ShardSeconds, job.MinimumShards, cancellationToken, fixedSeconds: true);
        if (plan.Count != job.ShardsTotal)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"job {job.JobId}: re-planning gives {plan.Count} shards, the job recorded {job.ShardsTotal}; its shards cannot be sent again."));
        }

        var missing = plan.Where(s => !job.IsCounted(s.Number)).ToList();
        await EnqueueAsync(job.JobId, missing, cancellationToken).ConfigureAwait(false);
        Resent(logger, job.JobId, missing.Count, job.ShardsTotal);
        return (await store.UpdateJobAsync(job.JobId, j => j.Enqueued ? null : j with { Enqueued = true }, cancellationToken).ConfigureAwait(false)).Job ?? job;
    }

    /// <summary>Plans shards of about the target duration, lengthening them when the plan would exceed <see cref="SweepJobOptions.MaxShards"/>.</summary>
    private (IReadOnlyList<SweepShard> Plan, double Seconds) Plan(PreparedSweep sweep, int bars, double seconds, int minimumShards, CancellationToken cancellationToken, bool fixedSeconds = false)
    {
        while (true)
        {
            var plan = Sweep.Plan(sweep, bars, new ShardSizing { TargetDuration = TimeSpan.FromSeconds(seconds), MinimumShards = minimumShards }, cancellationToken);
            if (plan.Count <= options.MaxShards || fixedSeconds)
            {
                return (plan, seconds);
            }

            seconds *= plan.Count / (double)options.MaxShards * 1.05;
        }
    }

    private async Task EnqueueAsync(string jobId, IReadOnlyList<SweepShard> plan, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref queueReady) == 0)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref queueReady, 1);
        }

        await Parallel.ForEachAsync(
            plan,
            new ParallelOptions { MaxDegreeOfParallelism = options.SendConcurrency, CancellationToken = cancellationToken },
            async (shard, token) => await queue.SendAsync(new ShardMessage(jobId, shard.Number, shard.Start, shard.End).ToJson(), cancellationToken: token).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static string NewJobId(DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"sw-{now.UtcDateTime:yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");

    private static string KeyedJobId(string key) => "sw-k" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("sweep idempotency key\n" + key)))[..24];

    [GeneratedRegex("^sw-[a-z0-9][a-z0-9-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex JobIdPattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: started {Name}: {Combinations} combinations in {Shards} shards on {Bars} bars ({Data})")]
    private static partial void Started(ILogger logger, string jobId, string name, long combinations, int shards, int bars, string data);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: sent the messages of {Count} of its {Total} shards again")]
    private static partial void Resent(ILogger logger, string jobId, int count, int total);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: cancelled with {Done} done and {Failed} failed of {Total} shards")]
    private static partial void Cancelled(ILogger logger, string jobId, int done, int failed, int total);
}
