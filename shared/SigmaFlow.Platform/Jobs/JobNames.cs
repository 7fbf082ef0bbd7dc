using System.Globalization;

namespace SigmaFlow.Platform.Jobs;

/// <summary>
/// Every name the job service uses outside the process: the Cosmos container and its document ids, the shard queue
/// and its poison queue, the Web PubSub group of a job. The HTTP API, the dashboard and the functions read them here.
/// </summary>
public static class JobNames
{
    /// <summary>
    /// The Cosmos container of jobs, partitioned by <see cref="PartitionKeyPath"/>: one logical partition per job holds its
    /// job document, its shard results and failures and every chunk of its payloads; the partition
    /// <see cref="ListPartition"/> holds one small entry per job for listing.
    /// </summary>
    public const string Container = "jobs";

    /// <summary>The partition key path of <see cref="Container"/>.</summary>
    public const string PartitionKeyPath = "/jobId";

    /// <summary>The partition that lists jobs (entries keyed by job id); no job has this id.</summary>
    public const string ListPartition = "list";

    /// <summary>Storage queue of sweep shards (one message per shard); <c>RunSweepShard</c> is triggered by it.</summary>
    public const string ShardQueue = "sweep-shards";

    /// <summary>Where the Functions host moves a shard message after its last failed delivery; <c>SweepShardPoison</c> is triggered by it.</summary>
    public const string ShardPoisonQueue = ShardQueue + "-poison";

    /// <summary>The Web PubSub group of one job's progress and completion, e.g. <c>jobs.sw-20261121-1a2b3c4d</c>.</summary>
    /// <param name="jobId">The job.</param>
    /// <returns>The group name.</returns>
    public static string Group(string jobId) => "jobs." + jobId;

    /// <summary>The id of a shard's result document: <c>{jobId}:{shard}</c> (Cosmos ids cannot hold '/').</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="shard">The shard number.</param>
    /// <returns>The id.</returns>
    public static string ShardResult(string jobId, int shard) => string.Create(CultureInfo.InvariantCulture, $"{jobId}:{shard}");

    /// <summary>The id of a shard's failure document: <c>{jobId}:{shard}:failure</c>.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="shard">The shard number.</param>
    /// <returns>The id.</returns>
    public static string ShardFailure(string jobId, int shard) => string.Create(CultureInfo.InvariantCulture, $"{jobId}:{shard}:failure");

    /// <summary>The id of one chunk of a payload: <c>{jobId}:{owner}:{first 16 hex digits of its SHA-256}:{index}</c>.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="owner">Whose payload: a shard number or <c>result</c>.</param>
    /// <param name="hash">SHA-256 of the whole payload (hex).</param>
    /// <param name="index">The chunk's position.</param>
    /// <returns>The id.</returns>
    public static string Chunk(string jobId, string owner, string hash, int index) => string.Create(CultureInfo.InvariantCulture, $"{jobId}:{owner}:{hash[..16]}:{index}");

    /// <summary>The key of a shard in the job document's <c>done</c> and <c>failed</c> maps: <c>s{shard}</c>.</summary>
    /// <param name="shard">The shard number.</param>
    /// <returns>The key.</returns>
    public static string Slot(int shard) => string.Create(CultureInfo.InvariantCulture, $"s{shard}");
}
