using System.Globalization;
using System.Runtime.ExceptionServices;
using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Optimization.Statistics;

namespace SigmaFlow.Core.Optimization.MonteCarlo;

/// <summary>
/// Monte Carlo robustness analysis of a backtest: how final equity, drawdown, Sharpe ratio and the chance of ruin spread
/// when the trade sequence or the trading costs are perturbed. See the folder's README for every formula.
/// </summary>
/// <remarks>
/// <para>
/// The trade-sequence methods (<see cref="MonteCarloMethod.Reshuffle"/>, <see cref="MonteCarloMethod.Bootstrap"/>,
/// <see cref="MonteCarloMethod.Skip"/>) work on each closed trade's return on the equity before it,
/// r_i = Pnl_i / (InitialCash + Pnl_0 + … + Pnl_(i−1)), and compound a path as E_0 = InitialCash,
/// E_k = E_(k−1) · (1 + r_k). Reshuffling therefore leaves the final equity of every path equal to the baseline's (up to
/// floating-point rounding, as long as every 1 + r_i &gt; 0): the product is commutative, only the path changes.
/// Positions still open at the end of the baseline are not part of the trade list and so not part of these paths.
/// </para>
/// <para>
/// <see cref="MonteCarloMethod.Costs"/> re-runs the backtest through the caller's function with scaled commission and
/// slippage and reads the statistics from the re-run's metrics.
/// </para>
/// <para>
/// Every (method, path) draws from its own <c>xoshiro256**</c> generator seeded from (seed, method, path index), and each
/// path writes only its own result slot, so the report is identical for the same seed whatever the thread count.
/// </para>
/// </remarks>
public static class MonteCarloAnalysis
{
    /// <summary>Runs every method of <paramref name="options"/> against <paramref name="baseline"/>.</summary>
    /// <param name="baseline">The backtest to perturb.</param>
    /// <param name="options">Settings; validated first.</param>
    /// <param name="rerun">
    /// For <see cref="MonteCarloMethod.Costs"/>: re-runs the same strategy on the same bars with the options given (the
    /// baseline's options with commission and slippage scaled). Called from several threads at once unless
    /// <see cref="MonteCarloOptions.MaxDegreeOfParallelism"/> is 1. Without it the Costs method is reported as skipped.
    /// An exception it throws is rethrown as is (the first one, when several paths fail at once).
    /// </param>
    /// <param name="progress">
    /// Receives the whole percent of all paths done (over every method that runs), each time it grows, ending with 100.
    /// </param>
    /// <param name="cancellationToken">Stops the analysis between paths.</param>
    /// <returns>One report per method, in the order of <see cref="MonteCarloOptions.Methods"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="baseline"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option breaks its rule (see <see cref="MonteCarloOptions.Validate"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="rerun"/> returned null.</exception>
    public static MonteCarloReport Run(
        BacktestResult baseline,
        MonteCarloOptions options,
        Func<BacktestOptions, BacktestResult>? rerun = null,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        var initialCash = baseline.Options.InitialCash;
        var context = new Context(
            options,
            (double)initialCash,
            (double)initialCash * (1 - options.RuinThreshold),
            TradePath.Years(baseline.Time),
            new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism });

        // The trade-sequence model, shared by the three trade methods.
        var returns = new double[baseline.Trades.Count];
        var returnsProblem = TradePath.ReturnsOnEquity(baseline.Trades, initialCash, returns);
        var tradeStats = returnsProblem is null
            ? TradePath.Evaluate(returns, context.InitialEquity, context.RuinLevel, context.Years)
            : TradePath.FromPnl(baseline.Trades, initialCash, context.RuinLevel);
        var tradeBaseline = new MonteCarloBaseline(tradeStats.FinalEquity, tradeStats.MaxDrawdown, tradeStats.Sharpe, tradeStats.Ruined);
        var tradeSkip = returns.Length == 0
            ? "the baseline has no closed trades; the trade-sequence methods need at least one"
            : returnsProblem;

        var costBaseline = new MonteCarloBaseline(baseline.FinalEquity, baseline.Metrics.MaxDrawdown, baseline.Metrics.Sharpe, MinEquity(baseline.Equity) <= context.RuinLevel);
        var costSkip = rerun is null
            ? "the Costs method needs a rerun function that re-runs the strategy on the same bars with the options given; none was passed"
            : HasCosts(baseline.Options) ? null : "the baseline has neither commission nor slippage, so scaling them changes nothing";

        var running = 0;
        foreach (var method in options.Methods)
        {
            if ((method == MonteCarloMethod.Costs ? costSkip : tradeSkip) is null)
            {
                running++;
            }
        }

        var tracker = new ProgressTracker(progress, (long)running * options.Paths);
        var reports = new List<MonteCarloMethodReport>(options.Methods.Count);
        foreach (var method in options.Methods)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var report = method == MonteCarloMethod.Costs
                ? (costSkip is null ? RunCosts(baseline, rerun!, context, tracker, costBaseline) : Skipped(method, costSkip, costBaseline))
                : (tradeSkip is null ? RunTrades(method, returns, context, tracker, tradeBaseline) : Skipped(method, tradeSkip, tradeBaseline));
            reports.Add(report);
        }

        tracker.Finish();
        return new MonteCarloReport(options, options.Seed, reports);
    }

    /// <summary>
    /// The seed of the generator of one (method, path): three SplitMix64 steps, mixing in the run seed, the method's
    /// ordinal + 1 and the path index.
    /// </summary>
    /// <param name="seed">The run seed.</param>
    /// <param name="method">The method.</param>
    /// <param name="path">The path index.</param>
    /// <returns>The path's seed.</returns>
    internal static ulong PathSeed(ulong seed, MonteCarloMethod method, int path)
    {
        var state = seed;
        state = Xoshiro256StarStar.SplitMix64(ref state) ^ ((ulong)method + 1);
        state = Xoshiro256StarStar.SplitMix64(ref state) ^ (ulong)path;
        return Xoshiro256StarStar.SplitMix64(ref state);
    }

    /// <summary>A uniform integer in [0, <paramref name="bound"/>) without modulo bias.</summary>
    internal static int NextIndex(Xoshiro256StarStar random, int bound) => (int)random.NextBelow((ulong)bound);

    /// <summary>Draws one path's returns into <paramref name="buffer"/> and returns how many there are.</summary>
    internal static int DrawPath(MonteCarloMethod method, ReadOnlySpan<double> returns, Span<double> buffer, Xoshiro256StarStar random, double skipProbability)
    {
        var n = returns.Length;
        switch (method)
        {
            case MonteCarloMethod.Reshuffle:
                // Fisher–Yates from the top: every permutation equally likely.
                returns.CopyTo(buffer);
                for (var i = n - 1; i > 0; i--)
                {
                    var j = NextIndex(random, i + 1);
                    (buffer[i], buffer[j]) = (buffer[j], buffer[i]);
                }

                return n;
            case MonteCarloMethod.Bootstrap:
                for (var i = 0; i < n; i++)
                {
                    buffer[i] = returns[NextIndex(random, n)];
                }

                return n;
            default:
                var kept = 0;
                for (var i = 0; i < n; i++)
                {
                    if (random.NextDouble() >= skipProbability)
                    {
                        buffer[kept++] = returns[i];
                    }
                }

                return kept;
        }
    }

    private static MonteCarloMethodReport RunTrades(MonteCarloMethod method, double[] returns, Context context, ProgressTracker tracker, MonteCarloBaseline baseline)
    {
        var paths = context.Options.Paths;
        var results = new PathResults(paths);
        var seed = context.Options.Seed;
        var skipProbability = context.Options.SkipProbability;
        ForEachPath(
            paths,
            context.Parallel,
            () => new double[returns.Length],
            (path, buffer) =>
            {
                var random = new Xoshiro256StarStar(PathSeed(seed, method, path));
                var count = DrawPath(method, returns, buffer, random, skipProbability);
                results.Set(path, TradePath.Evaluate(buffer.AsSpan(0, count), context.InitialEquity, context.RuinLevel, context.Years));
                tracker.Advance();
            });
        return results.ToReport(method, baseline);
    }

    private static MonteCarloMethodReport RunCosts(BacktestResult baseline, Func<BacktestOptions, BacktestResult> rerun, Context context, ProgressTracker tracker, MonteCarloBaseline costBaseline)
    {
        var paths = context.Options.Paths;
        var results = new PathResults(paths);
        var seed = context.Options.Seed;
        var low = context.Options.CostFactorLow;
        var width = context.Options.CostFactorHigh - low;
        var options = baseline.Options;
        ForEachPath<object?>(
            paths,
            context.Parallel,
            () => null,
            (path, _) =>
            {
                var random = new Xoshiro256StarStar(PathSeed(seed, MonteCarloMethod.Costs, path));
                var commissionFactor = low + (width * random.NextDouble());
                var slippageFactor = low + (width * random.NextDouble());
                var scaled = options with
                {
                    Commission = options.Commission with
                    {
                        Rate = options.Commission.Rate * (decimal)commissionFactor,
                        Minimum = options.Commission.Minimum * (decimal)commissionFactor,
                    },
                    Slippage = options.Slippage with { Value = options.Slippage.Value * slippageFactor },
                };
                var result = rerun(scaled) ?? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"rerun must return a backtest result; it returned null for path {path}."));
                results.Set(path, new PathStats(result.FinalEquity, result.Metrics.MaxDrawdown, result.Metrics.Sharpe, MinEquity(result.Equity) <= context.RuinLevel));
                tracker.Advance();
            });
        return results.ToReport(MonteCarloMethod.Costs, costBaseline);
    }

    /// <summary>Runs <paramref name="body"/> for every path (in parallel), with one scratch value per worker; rethrows the first failure as itself.</summary>
    private static void ForEachPath<TScratch>(int paths, ParallelOptions parallel, Func<TScratch> scratch, Action<int, TScratch> body)
    {
        try
        {
            Parallel.For(
                0,
                paths,
                parallel,
                scratch,
                (path, _, local) =>
                {
                    body(path, local);
                    return local;
                },
                _ => { });
        }
        catch (AggregateException failure)
        {
            // Several workers may fail before the loop stops; the caller sees the first failure as it was thrown.
            parallel.CancellationToken.ThrowIfCancellationRequested();
            ExceptionDispatchInfo.Capture(failure.Flatten().InnerExceptions[0]).Throw();
            throw;
        }
    }

    private static MonteCarloMethodReport Skipped(MonteCarloMethod method, string reason, MonteCarloBaseline baseline) => new(
        method,
        0,
        reason,
        PercentileBands.Constant(baseline.FinalEquity),
        PercentileBands.Constant(baseline.MaxDrawdown),
        PercentileBands.Constant(baseline.Sharpe),
        baseline.Ruined ? 1 : 0,
        baseline);

    private static bool HasCosts(BacktestOptions options) =>
        (options.Commission.Kind != CommissionKind.None && (options.Commission.Rate != 0 || options.Commission.Minimum != 0))
        || (options.Slippage.Kind != SlippageKind.None && options.Slippage.Value != 0);

    private static double MinEquity(double[] equity)
    {
        var min = double.PositiveInfinity;
        for (var i = 0; i < equity.Length; i++)
        {
            min = Math.Min(min, equity[i]);
        }

        return min;
    }

    /// <summary>Type-7 5/25/50/75/95 percentiles of <paramref name="values"/>, NaNs left out (reorders the array).</summary>
    private static PercentileBands Bands(double[] values)
    {
        var bands = Quantiles.Bands(values);
        return new PercentileBands(bands[0], bands[1], bands[2], bands[3], bands[4]);
    }

    /// <summary>What every path of a run shares.</summary>
    private sealed record Context(MonteCarloOptions Options, double InitialEquity, double RuinLevel, double Years, ParallelOptions Parallel);

    /// <summary>One slot per path; each path writes only its own, so the result does not depend on scheduling.</summary>
    private sealed class PathResults(int paths)
    {
        private readonly double[] finalEquity = new double[paths];
        private readonly double[] maxDrawdown = new double[paths];
        private readonly double[] sharpe = new double[paths];
        private readonly bool[] ruined = new bool[paths];

        public void Set(int path, PathStats stats)
        {
            finalEquity[path] = stats.FinalEquity;
            maxDrawdown[path] = stats.MaxDrawdown;
            sharpe[path] = stats.Sharpe;
            ruined[path] = stats.Ruined;
        }

        public MonteCarloMethodReport ToReport(MonteCarloMethod method, MonteCarloBaseline baseline)
        {
            var ruinCount = 0;
            for (var i = 0; i < ruined.Length; i++)
            {
                ruinCount += ruined[i] ? 1 : 0;
            }

            return new MonteCarloMethodReport(
                method,
                paths,
                null,
                Bands(finalEquity),
                Bands(maxDrawdown),
                Bands(sharpe),
                (double)ruinCount / paths,
                baseline);
        }
    }

    /// <summary>Reports whole percents done, monotonically, from any thread.</summary>
    private sealed class ProgressTracker(IProgress<int>? progress, long total)
    {
        private readonly Lock gate = new();
        private long completed;
        private int reported = -1;

        public void Advance()
        {
            if (progress is null)
            {
                return;
            }

            var done = Interlocked.Increment(ref completed);
            Report((int)(done * 100 / total));
        }

        public void Finish() => Report(100);

        private void Report(int percent)
        {
            if (progress is null || percent <= Volatile.Read(ref reported))
            {
                return;
            }

            lock (gate)
            {
                if (percent > reported)
                {
                    reported = percent;
                    progress.Report(percent);
                }
            }
        }
    }
}
