using SigmaFlow.Core.Backtesting.Performance;
using static SigmaFlow.Core.Tests.Backtesting.Performance.PerformanceFixtures;

namespace SigmaFlow.Core.Tests.Backtesting.Performance;

/// <summary>Return, risk and drawdown metrics of small equity curves worked out by hand.</summary>
public sealed class EquityCurveTests
{
    // The five-bar curve: returns +10 %, −10 %, +10 %, +10 %.
    // Equity 100 → 110 → 99 → 108.9 → 119.79.
    // Running peak 100, 110, 110, 110, 119.79 → drawdown 0, 0, −0.1, 108.9/110 − 1 = −0.01, 0.
    // mean(r) = 0.2/4 = 0.05; deviations 0.05, −0.15, 0.05, 0.05 → Σ² = 0.03 → sample var 0.01 → stdev 0.1.
    private static readonly double[] FiveBars = [100, 110, 99, 108.9, 119.79];

    [Fact]
    public void Compute_FiveBarCurve_TotalReturnAndFinalEquity()
    {
        var metrics = Metrics(Curve(FiveBars));

        // 119.79 / 100 − 1.
        Assert.Equal(0.1979, metrics.TotalReturn, 12);
        Assert.Equal(119.79, metrics.FinalEquity);
    }

    [Fact]
    public void Compute_FiveBarCurve_DrawdownCurvePerBar()
    {
        var drawdown = PerformanceCalculator.Compute(Curve(FiveBars)).Drawdown;

        double[] expected = [0, 0, -0.1, -0.01, 0];
        Assert.Equal(expected.Length, drawdown.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], drawdown[i], 12);
        }
    }

    [Fact]
    public void Compute_FiveBarCurve_MaxDrawdownIsMinusTenPercent()
    {
        Assert.Equal(-0.1, Metrics(Curve(FiveBars)).MaxDrawdown, 12);
    }

    [Fact]
    public void Compute_FiveBarCurve_DrawdownLastsFromPeakBarToRecoveryBar()
    {
        // Peak at bar 1 (110), first bar back at or above 110 is bar 4: 4 − 1 = 3 bars.
        // With a weekend gap the times are days 0, 1, 2, 5, 6: day 6 − day 1 = 5 calendar days.
        var metrics = Metrics(Curve(FiveBars) with { Time = Days(0, 1, 2, 5, 6) });

        Assert.Equal(3, metrics.MaxDrawdownDurationBars);
        Assert.Equal(5, metrics.MaxDrawdownDurationDays, 12);
    }

    [Fact]
    public void Compute_FiveBarCurve_UlcerIndexFromPercentDrawdowns()
    {
        // Drawdowns in percent 0, 0, −10, −1, 0 → squares 0, 0, 100, 1, 0 → mean 101/5 = 20.2 → sqrt ≈ 4.4944.
        Assert.Equal(Math.Sqrt(20.2), Metrics(Curve(FiveBars)).UlcerIndex, 12);
    }

    [Fact]
    public void Compute_FiveBarCurve_VolatilitySharpeSortino()
    {
        var metrics = Metrics(Curve(FiveBars, barsPerYear: 252));

        // Volatility 0.1 · sqrt(252) ≈ 1.5875; Sharpe 0.05 / 0.1 · sqrt(252) ≈ 7.9373.
        // Downside: min(r, 0)² = 0, 0.01, 0, 0 → mean over ALL four returns 0.0025 → DD 0.05;
        // Sortino 0.05 / 0.05 · sqrt(252) ≈ 15.8745.
        Assert.Equal(0.1 * Math.Sqrt(252), metrics.AnnualVolatility, 12);
        Assert.Equal(0.5 * Math.Sqrt(252), metrics.Sharpe, 12);
        Assert.Equal(Math.Sqrt(252), metrics.Sortino, 12);
        Assert.Equal(252, metrics.BarsPerYear);
    }

    [Fact]
    public void Compute_RiskFreeRate_SubtractedPerBarFromSharpeAndSortino()
    {
        // rf = 2.52 % a year at 252 bars → 0.0001 a bar. Sharpe (0.05 − 0.0001) / 0.1 · sqrt(252) ≈ 7.9214.
        // Excess returns 0.0999, −0.1001, 0.0999, 0.0999 → downside sqrt(0.1001² / 4) = 0.05005;
        // Sortino 0.0499 / 0.05005 · sqrt(252) ≈ 15.8269.
        var metrics = Metrics(Curve(FiveBars, barsPerYear: 252) with { RiskFreeRate = 0.0252 });

        Assert.Equal(0.0499 / 0.1 * Math.Sqrt(252), metrics.Sharpe, 10);
        Assert.Equal(0.0499 / 0.05005 * Math.Sqrt(252), metrics.Sortino, 10);
    }

    [Fact]
    public void Compute_TwoYearsTenPercentAYear_CagrAndCalmar()
    {
        // Bars one 365.25-day year apart: 100 → 90 → 121. CAGR = (121/100)^(1/2) − 1 = 0.1.
        // MaxDrawdown 90/100 − 1 = −0.1 → Calmar 0.1 / 0.1 = 1. Inferred bars per year (3 − 1) / 2 = 1.
        var input = new PerformanceInput
        {
            Time = Days(0, 365.25, 730.5),
            Equity = [100, 90, 121],
            InitialCash = 100,
        };

        var metrics = Metrics(input);

        Assert.Equal(0.1, metrics.Cagr, 12);
        Assert.Equal(-0.1, metrics.MaxDrawdown, 12);
        Assert.Equal(1, metrics.Calmar, 12);
        Assert.Equal(1, metrics.BarsPerYear, 12);
    }

    [Fact]
    public void Compute_InitialCashDiffersFromFirstEquity_TotalReturnUsesInitialCash()
    {
        // A fee on the first bar: 1000 cash, first close 998, last 1098 → 1098/1000 − 1 = 0.098.
        Assert.Equal(0.098, Metrics(Curve([998, 1050, 1098], initialCash: 1000)).TotalReturn, 12);
    }

    [Fact]
    public void Compute_FiveBarCurve_ExposureAndTurnover()
    {
        // Exposure 3 of 5 bars = 0.6.
        // Mean equity (100 + 110 + 99 + 108.9 + 119.79) / 5 = 107.538 → turnover 1000 / 107.538 ≈ 9.2990.
        var metrics = Metrics(Curve(FiveBars) with { BarsInMarket = 3, TradedValue = 1000, FeesPaid = 2.5 });

        Assert.Equal(0.6, metrics.Exposure, 12);
        Assert.Equal(1000 / 107.538, metrics.Turnover, 10);
        Assert.Equal(2.5, metrics.FeesPaid);
    }

    [Fact]
    public void Compute_LongShallowAndShortDeepDrawdowns_DurationIsTheLongest()
    {
        // 100, 50, 100 (2 bars under water, −50 %), then 99, 98, 97, 101 (peak bar 2 → recovery bar 6: 4 bars, −3 %).
        var metrics = Metrics(Curve([100, 50, 100, 99, 98, 97, 101]));

        Assert.Equal(-0.5, metrics.MaxDrawdown, 12);
        Assert.Equal(4, metrics.MaxDrawdownDurationBars);
        Assert.Equal(4, metrics.MaxDrawdownDurationDays, 12);
    }

    [Fact]
    public void Compute_NeverRecoveredDrawdown_LastsUntilTheLastBar()
    {
        // Peak 120 at bar 1, never regained: the stretch runs to bar 4 → 3 bars, 3 days; deepest 90/120 − 1 = −0.25.
        var report = PerformanceCalculator.Compute(Curve([100, 120, 90, 100, 110]));

        Assert.Equal(-0.25, report.Metrics.MaxDrawdown, 12);
        Assert.Equal(3, report.Metrics.MaxDrawdownDurationBars);
        Assert.Equal(3, report.Metrics.MaxDrawdownDurationDays, 12);
        Assert.Equal((110 / 120.0) - 1, report.Drawdown[4], 12);
    }

    [Fact]
    public void Compute_EquityBackExactlyAtPeak_CountsAsRecovered()
    {
        // 100, 90, 100, 100: recovered at bar 2 (equal to the peak) → 2 bars; staying flat at the peak is no drawdown.
        var metrics = Metrics(Curve([100, 90, 100, 100]));

        Assert.Equal(2, metrics.MaxDrawdownDurationBars);
    }

    [Fact]
    public void Compute_RisingCurve_NoDrawdownSoCalmarAndSortinoAreNaN()
    {
        var metrics = Metrics(Curve([100, 101, 103, 106]));

        Assert.Equal(0, metrics.MaxDrawdown);
        Assert.Equal(0, metrics.MaxDrawdownDurationBars);
        Assert.Equal(0, metrics.MaxDrawdownDurationDays);
        Assert.Equal(0, metrics.UlcerIndex);
        AssertNaN(metrics.Calmar);
        AssertNaN(metrics.Sortino);
        Assert.True(metrics.Sharpe > 0);
    }
}
