using SigmaFlow.Core.Optimization;

namespace SigmaFlow.Platform.Jobs;

/// <summary>From stored documents to what callers see: a job's status, the best combination of a result.</summary>
internal static class JobProjection
{
    public static JobStatus ToStatus(JobDocument job, IReadOnlyList<FailedShard>? failedShards = null) => new(
        job.JobId,
        job.Kind,
        job.Status,
        job.Name,
        job.ShardsTotal,
        job.Done.Count,
        job.Failed.Count,
        job.Combinations,
        job.Best,
        failedShards ?? job.FailedShards,
        job.Error,
        job.CreatedAt,
        job.StartedAt,
        job.FinishedAt,
        job.DataHash,
        job.SweepHash,
        job.Bars,
        job.Data,
        job.DeflatedSharpe,
        job.Pbo);

    /// <summary>The best trial of a result as a <see cref="JobBest"/>, or null when nothing was ranked.</summary>
    public static JobBest? BestOf(SweepResult result, IReadOnlyList<string> names, int shard)
    {
        if (result.Best is not { } best)
        {
            return null;
        }

        var parameters = new Dictionary<string, double>(names.Count, StringComparer.Ordinal);
        for (var i = 0; i < names.Count && i < best.Parameters.Length; i++)
        {
            parameters[names[i]] = best.Parameters[i];
        }

        return new JobBest(best.Index, shard, best.Objective, parameters, best.Metrics.Sharpe, best.Metrics.TotalReturn, best.Metrics.MaxDrawdown, best.Metrics.TradeCount);
    }

    /// <summary>Whether <paramref name="candidate"/> ranks before <paramref name="current"/>: higher objective, then lower grid index (the sweep's own ranking).</summary>
    public static bool Better(JobBest candidate, JobBest? current)
    {
        if (current is null)
        {
            return true;
        }

        var byObjective = candidate.Objective.CompareTo(current.Objective);
        return byObjective > 0 || (byObjective == 0 && candidate.Index < current.Index);
    }
}
