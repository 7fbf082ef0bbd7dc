using SigmaFlow.Core.Backtesting;
using static SigmaFlow.Core.Tests.Backtesting.Performance.PerformanceFixtures;

namespace SigmaFlow.Core.Tests.Backtesting.Performance;

/// <summary>Trade statistics of small trade lists worked out by hand.</summary>
public sealed class TradeStatisticsTests
{
    // Four trades, net P&L +30, +10, +50, −20; returns 3 %, 1 %, 5 %, −2 %; held 3, 5, 2, 6 bars.
    private static readonly TradeRecord[] FourTrades =
    [
        Trade(30m, 0.03, 3),
        Trade(10m, 0.01, 5),
        Trade(50m, 0.05, 2),
        Trade(-20m, -0.02, 6),
    ];

    [Fact]
    public void Compute_FourTrades_CountAndWinRate()
    {
        var metrics = Metrics(WithTrades(FourTrades));

        // 3 winners of 4.
        Assert.Equal(4, metrics.TradeCount);
        Assert.Equal(0.75, metrics.WinRate, 12);
    }

    [Fact]
    public void Compute_FourTrades_ProfitFactorExpectancyAverages()
    {
        var metrics = Metrics(WithTrades(FourTrades));

        // Gross wins 30 + 10 + 50 = 90, gross losses |−20| = 20 → profit factor 4.5.
        // Expectancy (90 − 20) / 4 = 17.5; average win 90 / 3 = 30; average loss −20; payoff 30 / 20 = 1.5.
        Assert.Equal(4.5, metrics.ProfitFactor, 12);
        Assert.Equal(17.5, metrics.Expectancy, 12);
        Assert.Equal(30, metrics.AverageWin, 12);
        Assert.Equal(-20, metrics.AverageLoss, 12);
        Assert.Equal(1.5, metrics.PayoffRatio, 12);
    }

    [Fact]
    public void Compute_FourTrades_SqnFromReturnFractions()
    {
        // R = 0.03, 0.01, 0.05, −0.02 → mean 0.0175; deviations 0.0125, −0.0075, 0.0325, −0.0375;
        // Σ² = 0.00015625 + 0.00005625 + 0.00105625 + 0.00140625 = 0.002675 → sample stdev sqrt(0.002675 / 3) ≈ 0.029861;
        // SQN = sqrt(4) · 0.0175 / 0.029861 ≈ 1.172106.
        var metrics = Metrics(WithTrades(FourTrades));

        Assert.Equal(2 * 0.0175 / Math.Sqrt(0.002675 / 3), metrics.Sqn, 10);
        Assert.Equal(1.172106, metrics.Sqn, 6);
    }

    [Fact]
    public void Compute_FourTrades_BestWorstAndBarsHeld()
    {
        var metrics = Metrics(WithTrades(FourTrades));

        // Best 5 %, worst −2 %; bars held (3 + 5 + 2 + 6) / 4 = 4.
        Assert.Equal(0.05, metrics.BestTrade);
        Assert.Equal(-0.02, metrics.WorstTrade);
        Assert.Equal(4, metrics.AverageBarsHeld, 12);
    }

    [Fact]
    public void Compute_FourTrades_StreaksThreeWinsOneLoss()
    {
        var metrics = Metrics(WithTrades(FourTrades));

        Assert.Equal(3, metrics.LongestWinningStreak);
        Assert.Equal(1, metrics.LongestLosingStreak);
    }

    [Fact]
    public void Compute_ZeroPnlTrade_BreaksBothStreaksAndCountsAsNotWinning()
    {
        // W W 0 W L L L 0 L → longest wins 2 (the first two), longest losses 3; win rate 3 / 9.
        var metrics = Metrics(WithTrades(
            Trade(1m), Trade(1m), Trade(0m), Trade(1m), Trade(-1m), Trade(-1m), Trade(-1m), Trade(0m), Trade(-1m)));

        Assert.Equal(2, metrics.LongestWinningStreak);
        Assert.Equal(3, metrics.LongestLosingStreak);
        Assert.Equal(3 / 9.0, metrics.WinRate, 12);
    }

    [Fact]
    public void Compute_OnlyWinners_ProfitFactorIsPositiveInfinityAndLossStatsNaN()
    {
        var metrics = Metrics(WithTrades(Trade(10m, 0.01), Trade(20m, 0.02)));

        Assert.Equal(double.PositiveInfinity, metrics.ProfitFactor);
        Assert.Equal(1, metrics.WinRate);
        Assert.Equal(0, metrics.LongestLosingStreak);
        AssertNaN(metrics.AverageLoss);
        AssertNaN(metrics.PayoffRatio);
    }

    [Fact]
    public void Compute_OnlyLosers_ProfitFactorZeroAndWinStatsNaN()
    {
        var metrics = Metrics(WithTrades(Trade(-10m, -0.01), Trade(-30m, -0.03)));

        Assert.Equal(0, metrics.ProfitFactor);
        Assert.Equal(0, metrics.WinRate);
        Assert.Equal(-20, metrics.AverageLoss, 12);
        AssertNaN(metrics.AverageWin);
        AssertNaN(metrics.PayoffRatio);
    }

    [Fact]
    public void Compute_OnlyBreakEvenTrades_ProfitFactorNaN()
    {
        var metrics = Metrics(WithTrades(Trade(0m), Trade(0m)));

        AssertNaN(metrics.ProfitFactor);
        Assert.Equal(0, metrics.WinRate);
        Assert.Equal(0, metrics.Expectancy);
    }

    [Fact]
    public void Compute_NoTrades_TradeStatisticsNaNAndCountsZero()
    {
        var metrics = Metrics(WithTrades());

        Assert.Equal(0, metrics.TradeCount);
        AssertNaN(metrics.WinRate);
        AssertNaN(metrics.ProfitFactor);
        AssertNaN(metrics.Expectancy);
        AssertNaN(metrics.AverageWin);
        AssertNaN(metrics.AverageLoss);
        AssertNaN(metrics.PayoffRatio);
        AssertNaN(metrics.Sqn);
        AssertNaN(metrics.BestTrade);
        AssertNaN(metrics.WorstTrade);
        AssertNaN(metrics.AverageBarsHeld);
        Assert.Equal(0, metrics.LongestWinningStreak);
        Assert.Equal(0, metrics.LongestLosingStreak);
    }

    [Fact]
    public void Compute_OneTrade_SqnNaN()
    {
        AssertNaN(Metrics(WithTrades(Trade(10m, 0.01))).Sqn);
    }

    [Fact]
    public void Compute_IdenticalTradeReturns_SqnNaN()
    {
        AssertNaN(Metrics(WithTrades(Trade(10m, 0.01), Trade(10m, 0.01), Trade(10m, 0.01))).Sqn);
    }

    [Fact]
    public void Compute_MoreThanHundredTrades_SqnCapsTheCountAtHundred()
    {
        // 144 trades alternating R = 0.02 and 0.00: mean 0.01, every deviation ±0.01 →
        // sample stdev 0.01 · sqrt(144 / 143); SQN = sqrt(100) · 0.01 / stdev = 10 · sqrt(143 / 144), not 12 · ….
        var trades = new TradeRecord[144];
        for (var i = 0; i < trades.Length; i++)
        {
            trades[i] = i % 2 == 0 ? Trade(2m, 0.02) : Trade(0m, 0.00);
        }

        Assert.Equal(10 * Math.Sqrt(143 / 144.0), Metrics(WithTrades(trades)).Sqn, 10);
    }
}
