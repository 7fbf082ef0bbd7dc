using SigmaFlow.Core.Optimization;
using SigmaFlow.Core.Optimization.Statistics;

namespace SigmaFlow.Platform.Jobs;

/// <summary>One thing wrong with a request: the field (a JSON path such as <c>data.synthetic.bars</c>) and what is wrong, naming the rule and the value.</summary>
/// <param name="Field">The field, camelCase as in the request's JSON.</param>
/// <param name="Message">The rule and the offending value, e.g. <c>must be between 30 and 1000000; got 10</c>.</param>
public sealed record JobProblem(string Field, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>
/// What <see cref="SweepJobService.StartSweepAsync"/> did: the job (new, or the one an idempotency key already started),
/// or every problem with the request.
/// </summary>
/// <param name="Job">The job, or null when the request was refused.</param>
/// <param name="Created">True when this call created the job; false when the idempotency key named an existing one.</param>
/// <param name="Problems">Why the request was refused (empty when accepted).</param>
public sealed record SweepJobStart(JobStatus? Job, bool Created, IReadOnlyList<JobProblem> Problems)
{
    /// <summary>Whether the job exists (created now or before).</summary>
    public bool Accepted => Job is not null;
}

/// <summary>The final result of a completed sweep job, reassembled from its chunks.</summary>
/// <param name="Job">The job.</param>
/// <param name="ParameterNames">Parameter names in document order (the order of <see cref="TrialResult.Parameters"/>).</param>
/// <param name="Result">The merged result of every shard that ran: ranking, totals, CSCV sample, trial failures.</param>
/// <param name="FailedShards">Shards that could not run: their combinations are missing from <see cref="Result"/>.</param>
public sealed record SweepJobResult(JobStatus Job, IReadOnlyList<string> ParameterNames, SweepResult Result, IReadOnlyList<FailedShard> FailedShards)
{
    /// <summary>Combinations backtested: the trials the Deflated Sharpe Ratio deflates for.</summary>
    public long Trials => Result.Combinations;

    /// <summary>The Deflated Sharpe Ratio of the best combination.</summary>
    public double DeflatedSharpe => Result.DeflatedSharpe;

    /// <summary>The Probability of Backtest Overfitting (CSCV).</summary>
    public PboResult Pbo => Result.Pbo;

    /// <summary>Whether every shard ran (no combination is missing).</summary>
    public bool IsComplete => FailedShards.Count == 0;
}
