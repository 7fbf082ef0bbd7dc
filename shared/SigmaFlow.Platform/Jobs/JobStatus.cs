using System.Text.Json.Serialization;

namespace SigmaFlow.Platform.Jobs;

/// <summary>Where a job is in its life.</summary>
public enum JobState
{
    /// <summary>Recorded and its shards enqueued; no shard has started.</summary>
    Queued,

    /// <summary>At least one shard has started.</summary>
    Running,

    /// <summary>Every shard finished (some may have failed: see <see cref="JobStatus.FailedShards"/>) and the result is stored.</summary>
    Completed,

    /// <summary>No result could be made: every shard failed, or merging failed (<see cref="JobStatus.Error"/> says why).</summary>
    Failed,

    /// <summary>Cancelled: remaining shards are skipped.</summary>
    Cancelled,
}

/// <summary>The best combination found so far (or in the end), with a few of its metrics.</summary>
/// <param name="Index">Its grid index.</param>
/// <param name="Shard">The shard that found it.</param>
/// <param name="Objective">The objective's value (may be +∞, e.g. a profit factor without losers).</param>
/// <param name="Parameters">Every parameter's value by name.</param>
/// <param name="Sharpe">Annualised Sharpe ratio.</param>
/// <param name="TotalReturn">Total return (0.1 = 10 %).</param>
/// <param name="MaxDrawdown">Maximum drawdown (negative).</param>
/// <param name="TradeCount">Closed trades.</param>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record JobBest(long Index, int Shard, double Objective, IReadOnlyDictionary<string, double> Parameters, double Sharpe, double TotalReturn, double MaxDrawdown, int TradeCount);

/// <summary>A shard that could not run, and why.</summary>
/// <param name="Shard">The shard number.</param>
/// <param name="Reason">What went wrong (the last error, a refusal such as different data, or the poison queue).</param>
public sealed record FailedShard(int Shard, string Reason);

/// <summary>A job as <see cref="SweepJobService.GetAsync"/> reports it.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Kind">What it runs (<c>sweep</c>).</param>
/// <param name="Status">Where it is.</param>
/// <param name="Name">The strategy's name.</param>
/// <param name="ShardsTotal">Shards planned.</param>
/// <param name="ShardsDone">Shards whose result is stored.</param>
/// <param name="ShardsFailed">Shards recorded as failed.</param>
/// <param name="Combinations">Combinations the sweep backtests (grid points meeting the constraints, or samples).</param>
/// <param name="Best">The best combination so far (the final best once completed), or null.</param>
/// <param name="FailedShards">Failed shards with their reasons, by shard number.</param>
/// <param name="Error">Why the job failed, or null.</param>
/// <param name="CreatedAt">When it was recorded.</param>
/// <param name="StartedAt">When its first shard started.</param>
/// <param name="FinishedAt">When it completed, failed or was cancelled.</param>
/// <param name="DataHash">SHA-256 of the bars every shard must run on.</param>
/// <param name="SweepHash">SHA-256 identity of the sweep definition.</param>
/// <param name="Bars">Number of bars.</param>
/// <param name="Data">The data source in words, e.g. <c>stored BTCUSD|1m 2026-11-01T00:00Z … 2026-11-08T00:00Z</c>.</param>
/// <param name="DeflatedSharpe">The final result's Deflated Sharpe Ratio once completed (NaN when undefined), else null.</param>
/// <param name="Pbo">The final result's Probability of Backtest Overfitting once completed (NaN when undefined), else null.</param>
public sealed record JobStatus(
    string JobId,
    string Kind,
    JobState Status,
    string Name,
    int ShardsTotal,
    int ShardsDone,
    int ShardsFailed,
    long Combinations,
    JobBest? Best,
    IReadOnlyList<FailedShard> FailedShards,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string DataHash,
    string SweepHash,
    int Bars,
    string Data,
    double? DeflatedSharpe = null,
    double? Pbo = null)
{
    /// <summary>Whether the job will change no more (completed, failed or cancelled).</summary>
    public bool IsFinished => Status is JobState.Completed or JobState.Failed or JobState.Cancelled;
}

/// <summary>One page of <see cref="SweepJobService.ListAsync"/>, newest first.</summary>
/// <param name="Jobs">The jobs.</param>
/// <param name="ContinuationToken">Pass it back for the next page; null after the last.</param>
public sealed record JobPage(IReadOnlyList<JobStatus> Jobs, string? ContinuationToken);
