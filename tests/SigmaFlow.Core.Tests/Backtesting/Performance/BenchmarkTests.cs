using SigmaFlow.Core.Backtesting.Performance;
using static SigmaFlow.Core.Tests.Backtesting.Performance.PerformanceFixtures;

namespace SigmaFlow.Core.Tests.Backtesting.Performance;

/// <summary>Benchmark return, beta and Jensen's alpha.</summary>
public sealed class BenchmarkTests
{
    [Fact]
    public void Compute_BenchmarkStartingLate_ReturnFromFirstToLastValidValue()
    {
        // NaN before it starts: 60 / 50 − 1 = 0.2.
        var input = Curve([100, 100, 100, 100, 100]) with { Benchmark = [double.NaN, double.NaN, 50, 55, 60] };

        Assert.Equal(0.2, Metrics(input).BenchmarkReturn, 12);
    }

    [Fact]
    public void Compute_ThreePairedReturns_BetaAndAlphaByHand()
    {
        // Benchmark 100 → 110 → 99 → 101.97: rb = 0.1, −0.1, 0.03 (mean 0.01).
        // Equity 100 → 110 → 110 → 105.6: r = 0.1, 0, −0.04 (mean 0.02).
        // Deviations rb 0.09, −0.11, 0.02; r 0.08, −0.02, −0.06.
        // Σ dr·db = 0.0072 + 0.0022 − 0.0012 = 0.0082; Σ db² = 0.0081 + 0.0121 + 0.0004 = 0.0206.
        // Beta = 0.0082 / 0.0206 ≈ 0.39806; alpha = (0.02 − beta · 0.01) · 252 ≈ 4.0369.
        var input = Curve([100, 110, 110, 105.6], barsPerYear: 252) with { Benchmark = [100, 110, 99, 101.97] };

        var metrics = Metrics(input);

        var beta = 0.0082 / 0.0206;
        Assert.Equal(beta, metrics.Beta, 10);
        Assert.Equal((0.02 - (beta * 0.01)) * 252, metrics.Alpha, 9);
        Assert.Equal(0.0197, metrics.BenchmarkReturn, 12);
    }

    [Fact]
    public void Compute_EquityReturnsTwiceBenchmarkPlusConstant_BetaTwoAlphaConstantTimesBarsPerYear()
    {
        const double Drift = 0.0002;
        var input = LeveredCurve(Drift) with { BarsPerYear = 252 };

        var metrics = Metrics(input);

        Assert.Equal(2, metrics.Beta, 1e-9);
        Assert.Equal(Drift * 252, metrics.Alpha, 1e-9);
    }

    [Fact]
    public void Compute_EquityReturnsTwiceBenchmarkPlusConstantWithRiskFree_AlphaAddsRiskFreePerBar()
    {
        // Jensen: (mean r − f) − 2 · (mean rb − f) = c + f with f = 0.0252 / 252 = 0.0001 → alpha (c + f) · 252.
        const double Drift = 0.0002;
        var input = LeveredCurve(Drift) with { BarsPerYear = 252, RiskFreeRate = 0.0252 };

        var metrics = Metrics(input);

        Assert.Equal(2, metrics.Beta, 1e-9);
        Assert.Equal((Drift + 0.0001) * 252, metrics.Alpha, 1e-9);
    }

    [Fact]
    public void Compute_NoBenchmark_BenchmarkMetricsNaN()
    {
        var metrics = Metrics(Curve([100, 110, 105]));

        AssertNaN(metrics.BenchmarkReturn);
        AssertNaN(metrics.Beta);
        AssertNaN(metrics.Alpha);
    }

    [Fact]
    public void Compute_ConstantBenchmark_BetaAndAlphaNaN()
    {
        var metrics = Metrics(Curve([100, 110, 105, 120]) with { Benchmark = [50, 50, 50, 50] });

        Assert.Equal(0, metrics.BenchmarkReturn);
        AssertNaN(metrics.Beta);
        AssertNaN(metrics.Alpha);
    }

    [Fact]
    public void Compute_BenchmarkAllNaN_BenchmarkMetricsNaN()
    {
        var metrics = Metrics(Curve([100, 110, 105]) with { Benchmark = [double.NaN, double.NaN, double.NaN] });

        AssertNaN(metrics.BenchmarkReturn);
        AssertNaN(metrics.Beta);
    }

    /// <summary>
    /// 300 bars: the benchmark is NaN for bars 0–4 and starts at 50 on bar 5; from bar 6 on the equity return is
    /// 2 · benchmark return + <paramref name="constant"/>. Before that the equity swings ±5 % a bar, which must not
    /// leak into beta or alpha (no benchmark return is defined there).
    /// </summary>
    private static PerformanceInput LeveredCurve(double constant)
    {
        const int Bars = 300;
        var equity = new double[Bars];
        var benchmark = new double[Bars];
        equity[0] = 100;
        benchmark[0] = double.NaN;
        for (var t = 1; t < Bars; t++)
        {
            if (t < 5)
            {
                benchmark[t] = double.NaN;
                equity[t] = equity[t - 1] * (t % 2 == 0 ? 1.05 : 0.95);
            }
            else if (t == 5)
            {
                benchmark[t] = 50;
                equity[t] = equity[t - 1] * 1.05;
            }
            else
            {
                var rb = (0.01 * Math.Sin(1.3 * t)) + (0.002 * Math.Cos(0.7 * t));
                benchmark[t] = benchmark[t - 1] * (1 + rb);
                equity[t] = equity[t - 1] * (1 + (2 * rb) + constant);
            }
        }

        return new PerformanceInput { Time = Daily(Bars), Equity = equity, Benchmark = benchmark, InitialCash = 100 };
    }
}
