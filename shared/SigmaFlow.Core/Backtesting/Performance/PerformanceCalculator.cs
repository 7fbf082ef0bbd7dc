using System.Globalization;

namespace SigmaFlow.Core.Backtesting.Performance;

/// <summary>
/// Turns the equity curve, benchmark and trade list of a backtest into a <see cref="PerformanceReport"/>. Pure and
/// deterministic: one validation pass and one statistics pass over the bar arrays, one pass over the trades.
/// </summary>
/// <remarks>
/// Annualisation: per-bar simple returns r_t = E_t / E_(t−1) − 1; bars per year are given or inferred as
/// (bars − 1) / years between the first and last time (365.25-day years); volatility = stdev(r) · sqrt(BPY);
/// Sharpe = (mean(r) − rf / BPY) / stdev(r) · sqrt(BPY); Sortino uses sqrt(mean(min(r − rf / BPY, 0)²)) over all bars;
/// CAGR = (final / initial)^(1 / years) − 1. See <see cref="PerformanceMetrics"/> for every formula.
/// </remarks>
public static class PerformanceCalculator
{
    private const double MillisecondsPerDay = 86_400_000d;
    private const double MillisecondsPerYear = 365.25 * MillisecondsPerDay;

    /// <summary>Computes the performance statistics and the drawdown curve of one backtest.</summary>
    /// <param name="input">The equity curve, benchmark, trades and totals.</param>
    /// <returns>The metrics (NaN where a value is not calculable) and the per-bar drawdown.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// An input field breaks its rule: array lengths differ (<see cref="PerformanceInput.Benchmark"/> may also be empty),
    /// times are not strictly increasing, an equity value is not finite, <see cref="PerformanceInput.InitialCash"/> is
    /// not a finite number &gt; 0, <see cref="PerformanceInput.TradedValue"/> is negative,
    /// <see cref="PerformanceInput.BarsInMarket"/> is outside 0 … bars, <see cref="PerformanceInput.RiskFreeRate"/> is not
    /// finite, or a given <see cref="PerformanceInput.BarsPerYear"/> is not a finite number &gt; 0. The message names the
    /// field, the rule and the offending value (and the bar index for per-bar values); <see cref="ArgumentException.ParamName"/>
    /// is the field path, for example <c>input.Equity</c>.
    /// </exception>
    public static PerformanceReport Compute(PerformanceInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Validate(input);

        var equity = input.Equity;
        var bars = equity.Length;
        var years = bars >= 2 ? (input.Time[bars - 1] - input.Time[0]) / MillisecondsPerYear : 0;
        var barsPerYear = input.BarsPerYear ?? (years > 0 ? (bars - 1) / years : double.NaN);
        var riskFreePerBar = input.RiskFreeRate == 0 ? 0 : input.RiskFreeRate / barsPerYear;

        var drawdown = new double[bars];
        var curve = ScanBars(input, riskFreePerBar, drawdown);
        var trades = ScanTrades(input.Trades);

        var finalEquity = bars > 0 ? equity[bars - 1] : input.InitialCash;
        var cagr = years > 0 && finalEquity > 0 ? Math.Pow(finalEquity / input.InitialCash, 1 / years) - 1 : double.NaN;
        var annualRoot = Math.Sqrt(barsPerYear);
        var stdev = curve.ReturnCount >= 2 ? Math.Sqrt(curve.ReturnM2 / (curve.ReturnCount - 1)) : double.NaN;
        var downside = curve.ReturnCount >= 1 ? Math.Sqrt(curve.DownsideSquares / curve.ReturnCount) : double.NaN;
        var excess = curve.ReturnMean - riskFreePerBar;
        var beta = curve.PairCount >= 2 && curve.BenchmarkM2 > 0 ? curve.CoMoment / curve.BenchmarkM2 : double.NaN;
        var meanEquity = bars > 0 ? curve.EquitySum / bars : double.NaN;

        var metrics = new PerformanceMetrics
        {
            TotalReturn = (finalEquity / input.InitialCash) - 1,
            Cagr = cagr,
            AnnualVolatility = stdev * annualRoot,
            Sharpe = stdev > 0 ? excess / stdev * annualRoot : double.NaN,
            Sortino = downside > 0 ? excess / downside * annualRoot : double.NaN,
            Calmar = curve.MaxDrawdown < 0 ? cagr / -curve.MaxDrawdown : double.NaN,
            MaxDrawdown = curve.MaxDrawdown,
            MaxDrawdownDurationBars = curve.LongestDrawdownBars,
            MaxDrawdownDurationDays = curve.LongestDrawdownMilliseconds / MillisecondsPerDay,
            UlcerIndex = bars > 0 ? Math.Sqrt(curve.DrawdownPercentSquares / bars) : double.NaN,
            Exposure = bars > 0 ? (double)input.BarsInMarket / bars : double.NaN,
            TradeCount = trades.Count,
            WinRate = trades.Count > 0 ? (double)trades.Wins / trades.Count : double.NaN,
            ProfitFactor = ProfitFactor(trades),
            Expectancy = trades.Count > 0 ? (double)(trades.PnlSum / trades.Count) : double.NaN,
            AverageWin = trades.Wins > 0 ? (double)(trades.WinSum / trades.Wins) : double.NaN,
            AverageLoss = trades.Losses > 0 ? (double)(trades.LossSum / trades.Losses) : double.NaN,
            PayoffRatio = trades.Wins > 0 && trades.Losses > 0 ? (double)(trades.WinSum / trades.Wins / -(trades.LossSum / trades.Losses)) : double.NaN,
            Sqn = Sqn(trades),
            BestTrade = trades.Count > 0 ? trades.BestReturn : double.NaN,
            WorstTrade = trades.Count > 0 ? trades.WorstReturn : double.NaN,
            AverageBarsHeld = trades.Count > 0 ? (double)trades.BarsHeldSum / trades.Count : double.NaN,
            LongestWinningStreak = trades.LongestWinningStreak,
            LongestLosingStreak = trades.LongestLosingStreak,
            FeesPaid = input.FeesPaid,
            Turnover = meanEquity > 0 ? input.TradedValue / meanEquity : double.NaN,
            BenchmarkReturn = curve.FirstBenchmark > 0 ? (curve.LastBenchmark / curve.FirstBenchmark) - 1 : double.NaN,
            Alpha = (curve.PairReturnMean - riskFreePerBar - (beta * (curve.PairBenchmarkMean - riskFreePerBar))) * barsPerYear,
            Beta = beta,
            BarsPerYear = barsPerYear,
            FinalEquity = finalEquity,
        };

        return new PerformanceReport(metrics, drawdown);
    }

    /// <summary>The one statistics pass over the bars: drawdown curve and its extremes, return and benchmark moments.</summary>
    private static CurveStatistics ScanBars(PerformanceInput input, double riskFreePerBar, double[] drawdown)
    {
        var equity = input.Equity;
        var time = input.Time;
        var benchmark = input.Benchmark;
        var hasBenchmark = benchmark.Length > 0;
        var stats = new CurveStatistics { FirstBenchmark = double.NaN, LastBenchmark = double.NaN };
        if (equity.Length == 0)
        {
            stats.MaxDrawdown = double.NaN;
            return stats;
        }

        var peak = equity[0];
        var peakIndex = 0;
        var underwater = false;
        for (var t = 0; t < equity.Length; t++)
        {
            var e = equity[t];
            stats.EquitySum += e;

            // Drawdown and its duration: a stretch runs from the bar that set the peak to the first bar back at or above it.
            if (e >= peak)
            {
                if (underwater)
                {
                    RecordDrawdownStretch(ref stats, peakIndex, t, time);
                    underwater = false;
                }

                peak = e;
                peakIndex = t;
            }
            else
            {
                underwater = true;
            }

            var dd = peak > 0 ? (e / peak) - 1 : double.NaN;
            drawdown[t] = dd;
            if (dd < stats.MaxDrawdown)
            {
                stats.MaxDrawdown = dd;
            }

            if (!double.IsNaN(dd))
            {
                stats.DrawdownPercentSquares += 100 * dd * (100 * dd);
            }

            // Per-bar simple return (Welford mean and M2) and the downside sum for Sortino.
            var r = double.NaN;
            if (t > 0 && equity[t - 1] > 0)
            {
                r = (e / equity[t - 1]) - 1;
                stats.ReturnCount++;
                var delta = r - stats.ReturnMean;
                stats.ReturnMean += delta / stats.ReturnCount;
                stats.ReturnM2 += delta * (r - stats.ReturnMean);
                var below = Math.Min(r - riskFreePerBar, 0);
                stats.DownsideSquares += below * below;
            }

            if (!hasBenchmark)
            {
                continue;
            }

            var b = benchmark[t];
            if (!IsValidPrice(b))
            {
                continue;
            }

            if (double.IsNaN(stats.FirstBenchmark))
            {
                stats.FirstBenchmark = b;
            }

            stats.LastBenchmark = b;

            // Paired returns (Welford co-moment) where both the strategy and the benchmark return are defined.
            if (t > 0 && IsValidPrice(benchmark[t - 1]) && !double.IsNaN(r))
            {
                var rb = (b / benchmark[t - 1]) - 1;
                stats.PairCount++;
                var dx = r - stats.PairReturnMean;
                stats.PairReturnMean += dx / stats.PairCount;
                var dy = rb - stats.PairBenchmarkMean;
                stats.PairBenchmarkMean += dy / stats.PairCount;
                stats.CoMoment += dx * (rb - stats.PairBenchmarkMean);
                stats.BenchmarkM2 += dy * (rb - stats.PairBenchmarkMean);
            }
        }

        // A drawdown still open at the end lasts until the last bar.
        if (underwater)
        {
            RecordDrawdownStretch(ref stats, peakIndex, equity.Length - 1, time);
        }
        if (stats.PairCount == 0)
        {
            stats.PairReturnMean = double.NaN;
            stats.PairBenchmarkMean = double.NaN;
        }

        return stats;
    }

    private static void RecordDrawdownStretch(ref CurveStatistics stats, int peakIndex, int endIndex, long[] time)
    {
        var length = endIndex - peakIndex;
        if (length > stats.LongestDrawdownBars)
        {
            stats.LongestDrawdownBars = length;
            stats.LongestDrawdownMilliseconds = time[endIndex] - time[peakIndex];
        }
    }

    private static bool IsValidPrice(double price) => price > 0 && !double.IsInfinity(price);

    private static TradeStatistics ScanTrades(IReadOnlyList<TradeRecord> trades)
    {
        var stats = new TradeStatistics { BestReturn = double.NegativeInfinity, WorstReturn = double.PositiveInfinity };
        var winStreak = 0;
        var lossStreak = 0;
        foreach (var trade in trades)
        {
            stats.Count++;
            stats.PnlSum += trade.Pnl;
            stats.BarsHeldSum += trade.BarsHeld;
            if (trade.Pnl > 0)
            {
                stats.Wins++;
                stats.WinSum += trade.Pnl;
                winStreak++;
                lossStreak = 0;
            }
            else if (trade.Pnl < 0)
            {
                stats.Losses++;
                stats.LossSum += trade.Pnl;
                lossStreak++;
                winStreak = 0;
            }
            else
            {
                winStreak = 0;
                lossStreak = 0;
            }

            stats.LongestWinningStreak = Math.Max(stats.LongestWinningStreak, winStreak);
            stats.LongestLosingStreak = Math.Max(stats.LongestLosingStreak, lossStreak);

            var r = trade.ReturnFraction;
            stats.BestReturn = Math.Max(stats.BestReturn, r);
            stats.WorstReturn = Math.Min(stats.WorstReturn, r);
            var delta = r - stats.ReturnMean;
            stats.ReturnMean += delta / stats.Count;
            stats.ReturnM2 += delta * (r - stats.ReturnMean);
        }

        return stats;
    }

    private static double ProfitFactor(in TradeStatistics trades)
    {
        if (trades.Losses > 0)
        {
            return (double)(trades.WinSum / -trades.LossSum);
        }

        return trades.Wins > 0 ? double.PositiveInfinity : double.NaN;
    }

    private static double Sqn(in TradeStatistics trades)
    {
        if (trades.Count < 2)
        {
            return double.NaN;
        }

        var stdev = Math.Sqrt(trades.ReturnM2 / (trades.Count - 1));
        return stdev > 0 ? Math.Sqrt(Math.Min(trades.Count, 100)) * trades.ReturnMean / stdev : double.NaN;
    }

    private static void Validate(PerformanceInput input)
    {
        var time = input.Time;
        var equity = input.Equity;
        var bars = equity.Length;
        if (time.Length != bars)
        {
            throw Invalid(nameof(input.Equity), string.Create(CultureInfo.InvariantCulture, $"Equity must have one value per bar of Time ({time.Length}); got {bars} values."));
        }

        if (input.Benchmark.Length != 0 && input.Benchmark.Length != bars)
        {
            throw Invalid(nameof(input.Benchmark), string.Create(CultureInfo.InvariantCulture, $"Benchmark must be empty or have one value per bar of Equity ({bars}); got {input.Benchmark.Length} values."));
        }

        Guard.Positive(input.InitialCash, FieldName(nameof(input.InitialCash)));
        Guard.NotNegative(input.TradedValue, FieldName(nameof(input.TradedValue)));
        if (input.BarsInMarket < 0 || input.BarsInMarket > bars)
        {
            throw OutOfRange(nameof(input.BarsInMarket), input.BarsInMarket, string.Create(CultureInfo.InvariantCulture, $"BarsInMarket must be between 0 and the number of bars ({bars}); got {input.BarsInMarket}."));
        }

        if (!double.IsFinite(input.RiskFreeRate))
        {
            throw OutOfRange(nameof(input.RiskFreeRate), input.RiskFreeRate, string.Create(CultureInfo.InvariantCulture, $"RiskFreeRate must be a finite annual rate; got {input.RiskFreeRate}."));
        }

        if (input.BarsPerYear is { } barsPerYear)
        {
            Guard.Positive(barsPerYear, FieldName(nameof(input.BarsPerYear)));
        }

        for (var t = 0; t < bars; t++)
        {
            if (!double.IsFinite(equity[t]))
            {
                throw Invalid(nameof(input.Equity), string.Create(CultureInfo.InvariantCulture, $"Equity must be finite at every bar; got {equity[t]} at bar {t}."));
            }

            if (t > 0 && time[t] <= time[t - 1])
            {
                throw Invalid(nameof(input.Time), string.Create(CultureInfo.InvariantCulture, $"Time must be strictly increasing; got {time[t]} at bar {t} after {time[t - 1]} at bar {t - 1}."));
            }
        }
    }

    // The parameter name reported is the path of the offending field, as the .NET throw helpers report "input.Equity".
    private static string FieldName(string property) => "input." + property;

    private static ArgumentException Invalid(string property, string message) => new(message, FieldName(property));

    private static ArgumentOutOfRangeException OutOfRange(string property, object actualValue, string message) =>
        new(FieldName(property), actualValue, message);

    /// <summary>Accumulators of the bar pass.</summary>
    private struct CurveStatistics
    {
        public double EquitySum;
        public double MaxDrawdown;
        public double DrawdownPercentSquares;
        public int LongestDrawdownBars;
        public long LongestDrawdownMilliseconds;
        public int ReturnCount;
        public double ReturnMean;
        public double ReturnM2;
        public double DownsideSquares;
        public double FirstBenchmark;
        public double LastBenchmark;
        public int PairCount;
        public double PairReturnMean;
        public double PairBenchmarkMean;
        public double CoMoment;
        public double BenchmarkM2;
    }

    /// <summary>Accumulators of the trade pass.</summary>
    private struct TradeStatistics
    {
        public int Count;
        public int Wins;
        public int Losses;
        public decimal PnlSum;
        public decimal WinSum;
        public decimal LossSum;
        public long BarsHeldSum;
        public int LongestWinningStreak;
        public int LongestLosingStreak;
        public double BestReturn;
        public double WorstReturn;
        public double ReturnMean;
        public double ReturnM2;
    }
}
