using System.Globalization;
using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Backtesting.Performance;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Strategies.Rules;

namespace SigmaFlow.Core.Optimization;

/// <summary>Window layout of a walk-forward analysis, in bars.</summary>
public sealed record WalkForwardOptions
{
    /// <summary>Bars each optimisation sees.</summary>
    public required int InSampleBars { get; init; }

    /// <summary>Bars each winner then trades, unseen.</summary>
    public required int OutOfSampleBars { get; init; }

    /// <summary>Bars between window starts (default: <see cref="OutOfSampleBars"/>, so out-of-sample windows tile without gaps).</summary>
    public int? StepBars { get; init; }

    /// <summary>Anchored: every in-sample window starts at the first bar and grows; rolling (false): it slides.</summary>
    public bool Anchored { get; init; }

    /// <summary>Checks the layout against a series.</summary>
    /// <param name="range">Bars available.</param>
    /// <exception cref="ArgumentException">A length is out of range; the message names it, the rule and the value.</exception>
    public void Validate(BarRange range)
    {
        static void Check(bool ok, string name, string rule, int value)
        {
            if (!ok)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be {rule}; got {value}."), name);
            }
        }

        Check(InSampleBars >= 2, nameof(InSampleBars), "at least 2", InSampleBars);
        Check(OutOfSampleBars >= 2, nameof(OutOfSampleBars), "at least 2", OutOfSampleBars);
        Check(StepBars is null || StepBars >= OutOfSampleBars, nameof(StepBars), string.Create(CultureInfo.InvariantCulture, $"at least the out-of-sample length {OutOfSampleBars}, so out-of-sample windows do not overlap"), StepBars ?? 0);
        Check(InSampleBars <= range.Length - OutOfSampleBars, nameof(InSampleBars), string.Create(CultureInfo.InvariantCulture, $"such that in-sample + out-of-sample ({InSampleBars} + {OutOfSampleBars}) fits in the {range.Length} bars"), InSampleBars);
    }
}

/// <summary>One walk-forward window: the optimisation and what its winner did next.</summary>
/// <param name="Number">Window number (0-based).</param>
/// <param name="InSample">Bars optimised on.</param>
/// <param name="OutOfSample">Bars traded with the winner.</param>
/// <param name="Parameters">The winner's parameters (document order); null when no combination was ranked (the window then stays in cash).</param>
/// <param name="Trials">Combinations tried in sample.</param>
/// <param name="InSampleObjective">The winner's objective in sample.</param>
/// <param name="InSampleMetrics">The winner's in-sample metrics.</param>
/// <param name="OutOfSampleObjective">The objective out of sample.</param>
/// <param name="OutOfSampleMetrics">Out-of-sample metrics (null when the window stayed in cash).</param>
/// <param name="DeflatedSharpe">The in-sample winner's Deflated Sharpe Ratio.</param>
/// <param name="Efficiency">Out-of-sample CAGR / in-sample CAGR (NaN unless the in-sample CAGR is positive).</param>
public sealed record WalkForwardWindow(
    int Number,
    BarRange InSample,
    BarRange OutOfSample,
    double[]? Parameters,
    long Trials,
    double InSampleObjective,
    PerformanceMetrics? InSampleMetrics,
    double OutOfSampleObjective,
    PerformanceMetrics? OutOfSampleMetrics,
    double DeflatedSharpe,
    double Efficiency);

/// <summary>How much a parameter's chosen value moved between windows.</summary>
/// <param name="Name">Parameter.</param>
/// <param name="Values">Chosen value per window (NaN where no winner).</param>
/// <param name="Mean">Mean of the chosen values.</param>
/// <param name="StandardDeviation">Sample standard deviation.</param>
/// <param name="CoefficientOfVariation">Standard deviation / |mean|.</param>
/// <param name="RelativeSpread">Standard deviation / (largest − smallest value of the swept axis): 0 = always the same, about 0.3 = all over the range.</param>
/// <param name="Distinct">Distinct values chosen.</param>
/// <param name="Changes">Windows whose value differs from the previous window's.</param>
public sealed record ParameterStability(string Name, double[] Values, double Mean, double StandardDeviation, double CoefficientOfVariation, double RelativeSpread, int Distinct, int Changes);

/// <summary>The result of a walk-forward analysis.</summary>
/// <param name="Windows">Every window.</param>
/// <param name="Time">Times of the stitched out-of-sample equity curve.</param>
/// <param name="Equity">Stitched out-of-sample equity: each window starts with the equity the previous one ended with.</param>
/// <param name="Metrics">Metrics of the stitched curve and the out-of-sample trades.</param>
/// <param name="Trades">Every out-of-sample trade.</param>
/// <param name="Efficiency">Walk-forward efficiency (Pardo): stitched out-of-sample CAGR / mean in-sample CAGR of the winners; NaN when that mean is not positive.</param>
/// <param name="ObjectiveEfficiency">Mean out-of-sample objective / mean in-sample objective.</param>
/// <param name="Stability">Per swept parameter, how stable the choice was.</param>
/// <param name="Trials">Combinations tried over all windows.</param>
/// <param name="Stopped">Why the analysis stopped before the last window (the account was wiped out), or null.</param>
public sealed record WalkForwardReport(
    IReadOnlyList<WalkForwardWindow> Windows,
    long[] Time,
    double[] Equity,
    PerformanceMetrics Metrics,
    IReadOnlyList<TradeRecord> Trades,
    double Efficiency,
    double ObjectiveEfficiency,
    IReadOnlyList<ParameterStability> Stability,
    long Trials,
    string? Stopped = null);

/// <summary>
/// Walk-forward analysis: optimise on an in-sample window, trade the winner on the following out-of-sample window,
/// move on. Rules are evaluated over the whole series (indicators at a bar depend only on bars up to it), so every
/// out-of-sample window starts with warmed-up indicators and no look-ahead. Positions are closed at the end of each
/// out-of-sample window (costs charged) and the next window starts with the equity left.
/// </summary>
public static class WalkForwardAnalysis
{
    /// <summary>The windows a layout gives over a range.</summary>
    /// <param name="options">The layout.</param>
    /// <param name="range">Bars available.</param>
    /// <returns>(in-sample, out-of-sample) pairs; the last out-of-sample window may be shorter (at least 2 bars).</returns>
    public static IReadOnlyList<(BarRange InSample, BarRange OutOfSample)> Windows(WalkForwardOptions options, BarRange range)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(range);
        var step = options.StepBars ?? options.OutOfSampleBars;
        var windows = new List<(BarRange, BarRange)>();
        for (var start = range.Start; ; start += step)
        {
            var isStart = options.Anchored ? range.Start : start;
            var oosStart = start + options.InSampleBars;
            var oosLength = Math.Min(options.OutOfSampleBars, range.End - oosStart);
            if (oosLength < 2)
            {
                break;
            }

            windows.Add((new BarRange(isStart, oosStart - isStart), new BarRange(oosStart, oosLength)));
        }

        return windows;
    }

    /// <summary>Runs the analysis.</summary>
    /// <param name="sweep">The optimisation run in every window (its <see cref="SweepDefinition.Range"/>, if any, bounds the whole analysis).</param>
    /// <param name="bars">The bars.</param>
    /// <param name="options">Window layout.</param>
    /// <param name="execution">How sweeps run (defaults when null).</param>
    /// <param name="progress">Receives the number of windows finished.</param>
    /// <param name="cancellationToken">Stops the analysis.</param>
    /// <returns>The report.</returns>
    public static WalkForwardReport Run(SweepDefinition sweep, BarSeries bars, WalkForwardOptions options, LocalExecution? execution = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(bars);
        var full = sweep.Range ?? new BarRange(0, bars.Count);
        full.Validate(bars.Count);
        var layout = Windows(options, full);
        var cache = execution?.Cache ?? new IndicatorColumnCache();
        execution = (execution ?? new LocalExecution()) with { Cache = cache, Progress = null };
        var space = ParameterSpace.Create(sweep.Strategy, sweep.Axes, sweep.Constraints);

        var windows = new List<WalkForwardWindow>();
        var time = new List<long>();
        var equity = new List<double>();
        var benchmark = new List<double>();
        var trades = new List<TradeRecord>();
        var cash = sweep.Options.InitialCash;
        double fees = 0, traded = 0;
        var inMarket = 0;
        long trials = 0;
        string? stopped = null;
        for (var w = 0; w < layout.Count && stopped is null; w++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (inSample, outOfSample) = layout[w];
            var optimised = LocalSweepExecutor.Run(sweep with { Range = inSample }, bars, execution, cancellationToken);
            trials += optimised.Trials;
            var best = optimised.Result.Best;
            if (best is null)
            {
                for (var i = outOfSample.Start; i < outOfSample.End; i++)
                {
                    time.Add(bars.Time[i]);
                    equity.Add((double)cash);
                    benchmark.Add(bars.Close[i]);
                }

                windows.Add(new WalkForwardWindow(w, inSample, outOfSample, null, optimised.Trials, double.NaN, null, double.NaN, null, double.NaN, double.NaN));
                progress?.Report(w + 1);
                continue;
            }

            var overrides = new Dictionary<string, double>(StringComparer.Ordinal);
            space.ToOverrides(best.Parameters, overrides);
            var strategy = StrategyCompiler.Compile(sweep.Strategy, overrides);
            var result = BacktestEngine.Run(bars, strategy, sweep.Options with { InitialCash = cash, CloseAtEnd = true }, cache, outOfSample);
            time.AddRange(result.Time);
            benchmark.AddRange(bars.Close.AsSpan(outOfSample.Start, outOfSample.Length));
            equity.AddRange(result.Equity);
            trades.AddRange(result.Trades);
            fees += result.Metrics.FeesPaid;
            traded += result.TradedValue;
            inMarket += result.BarsInMarket;
            if (!(result.FinalEquity > 0) || !double.IsFinite(result.FinalEquity))
            {
                stopped = string.Create(CultureInfo.InvariantCulture, $"the account was wiped out in window {w} (equity {result.FinalEquity:0.##} at {Formats.Iso(bars.Time[outOfSample.End - 1])}); later windows were not run");
            }
            else
            {
                cash = (decimal)result.FinalEquity;
            }

            var values = new double[MetricValues.Names.Count];
            MetricValues.Fill(result.Metrics, values);
            var oosObjective = optimised.Sweep.Objective.Evaluate(values);
            var efficiency = best.Metrics.Cagr > 0 ? result.Metrics.Cagr / best.Metrics.Cagr : double.NaN;
            windows.Add(new WalkForwardWindow(w, inSample, outOfSample, best.Parameters, optimised.Trials, best.Objective, best.Metrics, oosObjective, result.Metrics, optimised.DeflatedSharpe, efficiency));
            progress?.Report(w + 1);
        }

        var stitchedTime = time.ToArray();
        var stitchedEquity = equity.ToArray();
        var report = PerformanceCalculator.Compute(new PerformanceInput
        {
            Time = stitchedTime,
            Equity = stitchedEquity,
            Benchmark = [.. benchmark],
            Trades = trades,
            InitialCash = (double)sweep.Options.InitialCash,
            FeesPaid = fees,
            TradedValue = traded,
            BarsInMarket = inMarket,
            RiskFreeRate = sweep.Options.RiskFreeRate,
        });

        var chosen = windows.Where(w => w.InSampleMetrics is not null).ToList();
        var meanInSampleCagr = chosen.Count > 0 ? chosen.Average(w => w.InSampleMetrics!.Cagr) : double.NaN;
        var efficiencyAll = meanInSampleCagr > 0 ? report.Metrics.Cagr / meanInSampleCagr : double.NaN;
        var meanIs = chosen.Count > 0 ? chosen.Average(w => w.InSampleObjective) : double.NaN;
        var meanOos = chosen.Count > 0 ? chosen.Average(w => w.OutOfSampleObjective) : double.NaN;
        var objectiveEfficiency = meanIs != 0 ? meanOos / meanIs : double.NaN;
        return new WalkForwardReport(windows, stitchedTime, stitchedEquity, report.Metrics, trades, efficiencyAll, objectiveEfficiency, Stability(space, windows), trials, stopped);
    }

    private static class Formats
    {
        public static string Iso(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    private static List<ParameterStability> Stability(ParameterSpace space, List<WalkForwardWindow> windows)
    {
        var result = new List<ParameterStability>();
        foreach (var axis in space.Axes.Where(a => a.Values.Count > 1))
        {
            var slot = space.Names.ToList().IndexOf(axis.Name);
            var values = windows.Select(w => w.Parameters is null ? double.NaN : w.Parameters[slot]).ToArray();
            var known = values.Where(v => !double.IsNaN(v)).ToArray();
            var mean = known.Length > 0 ? known.Average() : double.NaN;
            var sd = known.Length >= 2 ? Math.Sqrt(known.Sum(v => (v - mean) * (v - mean)) / (known.Length - 1)) : double.NaN;
            var width = axis.Values.Max() - axis.Values.Min();
            var changes = 0;
            for (var i = 1; i < known.Length; i++)
            {
                changes += known[i] != known[i - 1] ? 1 : 0;
            }

            result.Add(new ParameterStability(axis.Name, values, mean, sd, mean != 0 ? sd / Math.Abs(mean) : double.NaN, width > 0 ? sd / width : double.NaN, known.Distinct().Count(), changes));
        }

        return result;
    }
}
