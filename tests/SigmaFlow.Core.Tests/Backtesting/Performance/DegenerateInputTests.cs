using SigmaFlow.Core.Backtesting.Performance;
using static SigmaFlow.Core.Tests.Backtesting.Performance.PerformanceFixtures;

namespace SigmaFlow.Core.Tests.Backtesting.Performance;

/// <summary>Inputs with too little information: NaN where undefined, never an exception.</summary>
public sealed class DegenerateInputTests
{
    [Fact]
    public void Compute_ConstantEquity_ZeroRiskAndNaNRatios()
    {
        var metrics = Metrics(Curve([100, 100, 100, 100]));

        Assert.Equal(0, metrics.TotalReturn);
        Assert.Equal(0, metrics.Cagr, 12);
        Assert.Equal(0, metrics.AnnualVolatility);
        AssertNaN(metrics.Sharpe);
        AssertNaN(metrics.Sortino);
        AssertNaN(metrics.Calmar);
        Assert.Equal(0, metrics.MaxDrawdown);
        Assert.Equal(0, metrics.MaxDrawdownDurationBars);
        Assert.Equal(0, metrics.UlcerIndex);
        Assert.Equal(0, metrics.Turnover);
    }

    [Fact]
    public void Compute_OneBar_EverythingNeedingReturnsIsNaN()
    {
        var report = PerformanceCalculator.Compute(new PerformanceInput
        {
            Time = [Start],
            Equity = [105],
            Benchmark = [50],
            InitialCash = 100,
            BarsInMarket = 1,
        });
        var metrics = report.Metrics;

        Assert.Equal(0.05, metrics.TotalReturn, 12);
        Assert.Equal(105, metrics.FinalEquity);
        AssertNaN(metrics.BarsPerYear);
        AssertNaN(metrics.Cagr);
        AssertNaN(metrics.AnnualVolatility);
        AssertNaN(metrics.Sharpe);
        AssertNaN(metrics.Sortino);
        AssertNaN(metrics.Calmar);
        AssertNaN(metrics.Beta);
        AssertNaN(metrics.Alpha);
        Assert.Equal(0, metrics.MaxDrawdown);
        Assert.Equal(0, metrics.UlcerIndex);
        Assert.Equal(1, metrics.Exposure);
        Assert.Equal(0, metrics.BenchmarkReturn);
        Assert.Equal(0, Assert.Single(report.Drawdown));
    }

    [Fact]
    public void Compute_TwoBars_OneReturnSoSharpeNaNButSortinoDefined()
    {
        // One return of −10 %: no sample stdev, downside sqrt(0.01 / 1) = 0.1 → Sortino −0.1 / 0.1 · sqrt(252).
        var metrics = Metrics(Curve([100, 90]));

        AssertNaN(metrics.AnnualVolatility);
        AssertNaN(metrics.Sharpe);
        Assert.Equal(-Math.Sqrt(252), metrics.Sortino, 12);
    }

    [Fact]
    public void Compute_NoBars_NaNMetricsAndEmptyDrawdown()
    {
        var report = PerformanceCalculator.Compute(new PerformanceInput { Time = [], Equity = [], InitialCash = 100 });
        var metrics = report.Metrics;

        Assert.Empty(report.Drawdown);
        Assert.Equal(100, metrics.FinalEquity);
        Assert.Equal(0, metrics.TotalReturn);
        AssertNaN(metrics.MaxDrawdown);
        AssertNaN(metrics.UlcerIndex);
        AssertNaN(metrics.Exposure);
        AssertNaN(metrics.Turnover);
        AssertNaN(metrics.Sharpe);
        AssertNaN(metrics.BarsPerYear);
    }

    [Fact]
    public void Compute_EquityWipedOut_NoExceptionAndCagrNaN()
    {
        // 100 → 50 → 0 → 0: the return after a zero equity is undefined and skipped; CAGR needs a positive final equity.
        var metrics = Metrics(Curve([100, 50, 0, 0]));

        Assert.Equal(-1, metrics.TotalReturn);
        Assert.Equal(-1, metrics.MaxDrawdown);
        Assert.Equal(3, metrics.MaxDrawdownDurationBars);
        AssertNaN(metrics.Cagr);
        Assert.False(double.IsNaN(metrics.AnnualVolatility));
    }
}
