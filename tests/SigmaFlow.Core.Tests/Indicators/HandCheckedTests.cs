using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Tests.Fixtures;

namespace SigmaFlow.Core.Tests.Indicators;

/// <summary>Small cases worked out by hand.</summary>
public sealed class HandCheckedTests
{
    [Fact]
    public void Sma_ThreeOverFiveValues_IsPlainMean()
    {
        Assert.Equal([double.NaN, double.NaN, 2, 3, 4], Calc(TestBars.FromCloses(1, 2, 3, 4, 5), "sma(3)", "sma"));
    }

    [Fact]
    public void Ema_SeededWithSmaThenRecursive()
    {
        // k = 2/(3+1) = 0.5; seed = mean(1,2,3) = 2; then 2 + 0.5·(4 − 2) = 3; 3 + 0.5·(10 − 3) = 6.5.
        Assert.Equal([double.NaN, double.NaN, 2, 3, 6.5], Calc(TestBars.FromCloses(1, 2, 3, 4, 10), "ema(3)", "ema"));
    }

    [Fact]
    public void Wma_WeightsNewestMost()
    {
        // (1·1 + 2·2 + 3·3)/6 = 14/6; (2·1 + 3·2 + 9·3)/6 = 35/6.
        var wma = Calc(TestBars.FromCloses(1, 2, 3, 9), "wma(3)", "wma");
        Assert.Equal(14 / 6.0, wma[2], 12);
        Assert.Equal(35 / 6.0, wma[3], 12);
    }

    [Fact]
    public void Rsi_SeedThenWilder()
    {
        // Changes: +1, −1, +2, +1. RSI(2) at bar 2: gains 1,0 → 0.5; losses 0,1 → 0.5 → RSI 50.
        // Bar 3: gain (0.5·1 + 2)/2 = 1.25, loss (0.5·1 + 0)/2 = 0.25 → RS 5 → RSI 100 − 100/6.
        var rsi = Calc(TestBars.FromCloses(10, 11, 10, 12, 13), "rsi(2)", "rsi");
        Assert.True(double.IsNaN(rsi[1]));
        Assert.Equal(50, rsi[2], 12);
        Assert.Equal(100 - (100 / 6.0), rsi[3], 12);
    }

    [Fact]
    public void Rsi_OnlyGains_Is100()
    {
        Assert.Equal(100, Calc(TestBars.FromCloses(1, 2, 3, 4), "rsi(2)", "rsi")[3]);
    }

    [Fact]
    public void Atr_FirstTrOnBarOneThenMeanThenWilder()
    {
        var bars = TestBars.FromHlc((10, 8, 9), (11, 9, 10), (12, 9, 11), (11, 10, 10.5));

        // TR: bar1 max(2, |11−9|, |9−9|) = 2; bar2 max(3, 2, 1) = 3; bar3 max(1, 0, 1) = 1.
        var (definition, arguments) = IndicatorCatalog.Parse("atr(2)");
        var result = definition.Calculate(bars, arguments);
        Assert.Equal([double.NaN, 2, 3, 1], result["tr"]);
        Assert.Equal([double.NaN, double.NaN, 2.5, 1.75], result["atr"]);
    }

    [Fact]
    public void Obv_StartsAtZeroAndFollowsCloseDirection()
    {
        Assert.Equal([0, 1000, 1000, 0], Calc(TestBars.FromCloses(5, 6, 6, 4), "obv", "obv"));
    }

    [Fact]
    public void Donchian_ExcludesTheCurrentBar()
    {
        var bars = TestBars.FromHlc((10, 5, 7), (12, 6, 8), (30, 1, 9));
        var (definition, arguments) = IndicatorCatalog.Parse("donchian(2)");
        var result = definition.Calculate(bars, arguments);
        Assert.Equal(12, result["upper"][2]);
        Assert.Equal(5, result["lower"][2]);
        Assert.Equal(8.5, result["center"][2]);
    }

    [Fact]
    public void Stoch_CloseAtHighestHigh_IsExactly100()
    {
        var bars = TestBars.FromHlc((10, 5, 7), (12, 6, 12), (12, 6, 12));
        Assert.Equal(100, Calc(bars, "stoch(2,1,1)", "k")[2]);
    }

    [Fact]
    public void Roc_ZeroBase_RocEmptyButMomentumSet()
    {
        var bars = TestBars.FromHlc((1, 0.5, 1), (1, 0.5, 1));
        var closes = new double[] { 0, 1, 2 };
        var (definition, arguments) = IndicatorCatalog.Parse("roc(1)");
        var result = definition.Calculate(TestBars.FromCloses(closes), arguments);
        Assert.Equal(1, result["momentum"][1]);
        Assert.True(double.IsNaN(result["roc"][1]));
        Assert.Equal(100, result["roc"][2]);
        Assert.Equal(2, bars.Count);
    }

    [Fact]
    public void Cmo_FlatWindow_IsZero()
    {
        Assert.Equal(0, Calc(TestBars.FromCloses(5, 5, 5, 5), "cmo(2)", "cmo")[3]);
    }

    private static double[] Calc(SigmaFlow.Core.Data.BarSeries bars, string spec, string field)
    {
        var (definition, arguments) = IndicatorCatalog.Parse(spec);
        return definition.Calculate(bars, arguments)[field];
    }
}
