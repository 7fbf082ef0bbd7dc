using System.Diagnostics;
using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Optimization.Statistics;
using SigmaFlow.Core.Strategies.Rules;

namespace SigmaFlow.Core.Optimization;

/// <summary>How the local executor runs a sweep.</summary>
public sealed record LocalExecution
{
    /// <summary>Shards run at once (default: every core).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Target duration of one shard; several shards per worker keep the cores evenly busy.</summary>
    public TimeSpan TargetShardDuration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Receives progress (from worker threads; at most every 16 combinations per shard).</summary>
    public IProgress<SweepProgress>? Progress { get; init; }

    /// <summary>Indicator columns of the bars, when the caller keeps them across sweeps (walk-forward does).</summary>
    public IndicatorColumnCache? Cache { get; init; }
}

/// <summary>One rung of successive halving.</summary>
/// <param name="Range">Bars it ran on.</param>
/// <param name="Candidates">Combinations tried.</param>
/// <param name="Survivors">Combinations passed on to the next rung (0 on the last).</param>
public sealed record RungSummary(BarRange Range, long Candidates, int Survivors);

/// <summary>A finished sweep with what the executor knows beyond the merged result.</summary>
/// <param name="Sweep">The sweep (the last rung's, for successive halving).</param>
/// <param name="Result">The merged result (the last rung's, for successive halving).</param>
/// <param name="Trials">Distinct combinations tried over every rung: the trial count the Deflated Sharpe Ratio uses.</param>
/// <param name="Backtests">Backtests run over every rung (equal to <see cref="SweepResult.Combinations"/> for grid and random).</param>
/// <param name="Shards">Shards run.</param>
/// <param name="Rungs">Successive-halving rungs (empty for grid and random).</param>
/// <param name="Elapsed">Wall-clock time.</param>
public sealed record OptimizationResult(PreparedSweep Sweep, SweepResult Result, long Trials, long Backtests, int Shards, IReadOnlyList<RungSummary> Rungs, TimeSpan Elapsed)
{
    /// <summary>
    /// Per-bar Sharpe ratios of every trial, for the Deflated Sharpe Ratio's variance: the merged result's for grid and
    /// random; for successive halving those of the first rung, which tried every candidate (on its shorter window, so
    /// the variance is larger and the deflation more conservative than the final rung's few survivors would give).
    /// </summary>
    public ExactMoments TrialSharpes { get; init; } = Result.Totals.Sharpe;

    /// <summary>Deflated Sharpe Ratio of the best combination, deflated for <see cref="Trials"/> with the variance of <see cref="TrialSharpes"/>.</summary>
    public double DeflatedSharpe => Result.DeflatedSharpeFor(Trials, TrialSharpes);

    /// <summary>Probability of Backtest Overfitting.</summary>
    public PboResult Pbo => Result.Pbo;
}

/// <summary>Runs sweeps on this machine: plans shards, runs them on all cores with one shared indicator cache, merges.</summary>
public static class LocalSweepExecutor
{
    /// <summary>Runs a sweep of any method (successive halving runs its rungs one after another).</summary>
    /// <param name="definition">The sweep.</param>
    /// <param name="bars">The bars.</param>
    /// <param name="execution">Execution settings (defaults when null).</param>
    /// <param name="cancellationToken">Stops the sweep; throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The result.</returns>
    public static OptimizationResult Run(SweepDefinition definition, BarSeries bars, LocalExecution? execution = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(bars);
        execution ??= new LocalExecution();
        var clock = Stopwatch.StartNew();
        var cache = execution.Cache ?? new IndicatorColumnCache();
        if (definition.Method != SearchMethod.Adaptive || definition.Candidates is not null)
        {
            var sweep = Sweep.Prepare(definition);
            var (result, shards) = RunPrepared(sweep, bars, cache, execution, 0, sweep.Positions, cancellationToken);
            return new OptimizationResult(sweep, result, result.Combinations, result.Combinations, shards, [], clock.Elapsed);
        }

        return RunAdaptive(definition, bars, cache, execution, clock, cancellationToken);
    }

    /// <summary>Plans a prepared sweep, runs its shards in parallel and merges them.</summary>
    /// <param name="sweep">The sweep.</param>
    /// <param name="bars">The bars.</param>
    /// <param name="cache">Indicator columns of the bars.</param>
    /// <param name="execution">Execution settings.</param>
    /// <param name="cancellationToken">Stops the sweep.</param>
    /// <returns>The merged result and the number of shards.</returns>
    public static (SweepResult Result, int Shards) RunPrepared(PreparedSweep sweep, BarSeries bars, IndicatorColumnCache cache, LocalExecution execution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        return RunPrepared(sweep, bars, cache, execution, 0, sweep.Positions, cancellationToken);
    }

    private static (SweepResult Result, int Shards) RunPrepared(PreparedSweep sweep, BarSeries bars, IndicatorColumnCache cache, LocalExecution execution, long doneBefore, long total, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(execution);
        cache.Bind(bars);
        var workers = Math.Clamp(execution.Workers, 1, 256);
        var plan = Sweep.Plan(sweep, bars.Count, new ShardSizing { TargetDuration = execution.TargetShardDuration, MinimumShards = workers * 4 }, cancellationToken);
        var progress = execution.Progress is null ? null : new Counter(execution.Progress, total, doneBefore);

        // Each finished shard is merged at once, so memory holds one merged result plus the shards in flight, however
        // many shards there are; merging is associative and commutative, so the order shards finish in does not matter.
        SweepResult? merged = null;
        var gate = new Lock();
        try
        {
            Parallel.For(0, plan.Count, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken }, i =>
            {
                var piece = Sweep.RunShard(sweep, bars, plan[i], cache, progress, cancellationToken);
                lock (gate)
                {
                    merged = merged is null ? piece : SweepResult.Merge(merged, piece);
                }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            // Surface the first shard's own exception (an invalid setting, a cancellation), not the wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }

        return (merged!, plan.Count);
    }

    private static OptimizationResult RunAdaptive(SweepDefinition definition, BarSeries bars, IndicatorColumnCache cache, LocalExecution execution, Stopwatch clock, CancellationToken cancellationToken)
    {
        var full = definition.Range ?? new BarRange(0, bars.Count);
        full.Validate(bars.Count);
        var first = Sweep.Prepare(definition with { Method = SearchMethod.Random });
        IReadOnlyList<long> candidates = first.Candidates!;
        var rungs = new List<RungSummary>();
        var trials = (long)candidates.Count;
        var shards = 0;
        var done = 0L;
        var backtests = 0L;
        ExactMoments? firstSharpes = null;

        // Progress over every rung: n + ⌈n/η⌉ + ⌈n/η²⌉ + … candidates.
        var total = 0L;
        for (long n = candidates.Count, r = 0; r < definition.Rungs; r++, n = (long)Math.Ceiling(n / (double)definition.HalvingRate))
        {
            total += n;
        }

        var minimumBars = Math.Min(full.Length, Math.Max(2 * definition.PboBlocks + 2, 30));
        for (var r = 0; r < definition.Rungs; r++)
        {
            var last = r == definition.Rungs - 1;
            var length = last ? full.Length : Math.Max(minimumBars, (int)(full.Length / Math.Pow(definition.HalvingRate, definition.Rungs - 1 - r)));
            var range = new BarRange(full.End - length, length);
            var survivors = last ? 0 : Math.Max(1, (int)Math.Ceiling(candidates.Count / (double)definition.HalvingRate));
            var rung = Sweep.Prepare(definition with
            {
                Method = SearchMethod.Random,
                Candidates = candidates,
                Range = range,
                Top = last ? definition.Top : Math.Max(definition.Top, survivors),
                MinTrades = last ? definition.MinTrades : (int)Math.Ceiling(definition.MinTrades * (double)length / full.Length),
            });
            var (result, count) = RunPrepared(rung, bars, cache, execution, done, total, cancellationToken);
            done += rung.Positions;
            shards += count;
            backtests += result.Combinations;
            firstSharpes ??= result.Totals.Sharpe;
            if (last || result.Top.Count == 0)
            {
                rungs.Add(new RungSummary(range, candidates.Count, 0));
                return new OptimizationResult(rung, result, trials, backtests, shards, rungs, clock.Elapsed) { TrialSharpes = firstSharpes.Value };
            }

            var next = result.Top.Take(survivors).Select(t => t.Index).Order().ToArray();
            rungs.Add(new RungSummary(range, candidates.Count, next.Length));
            candidates = next;
        }

        throw new UnreachableException("the last rung returns");
    }

    private sealed class Counter(IProgress<SweepProgress> target, long total, long start) : IProgress<long>
    {
        private long done = start;

        public void Report(long value) => target.Report(new SweepProgress(Interlocked.Add(ref done, value), total));
    }
}
