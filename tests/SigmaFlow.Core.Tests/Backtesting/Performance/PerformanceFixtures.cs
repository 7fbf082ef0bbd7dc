using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Backtesting.Performance;

namespace SigmaFlow.Core.Tests.Backtesting.Performance;

/// <summary>Small named inputs for the performance tests.</summary>
internal static class PerformanceFixtures
{
    public const long Start = 1_600_000_000_000L;
    public const long Day = 86_400_000L;
    public const long Hour = 3_600_000L;

    /// <summary>Times at the given day offsets from <see cref="Start"/>.</summary>
    public static long[] Days(params double[] offsets)
    {
        var times = new long[offsets.Length];
        for (var i = 0; i < offsets.Length; i++)
        {
            times[i] = Start + (long)(offsets[i] * Day);
        }

        return times;
    }

    /// <summary>One bar a day from <see cref="Start"/>.</summary>
    public static long[] Daily(int count)
    {
        var times = new long[count];
        for (var i = 0; i < count; i++)
        {
            times[i] = Start + (i * Day);
        }

        return times;
    }

    /// <summary>The same value <paramref name="count"/> times.</summary>
    public static double[] Constant(int count, double value)
    {
        var values = new double[count];
        Array.Fill(values, value);
        return values;
    }

    /// <summary>An input with daily bars, no trades, no benchmark and 252 bars a year unless told otherwise.</summary>
    public static PerformanceInput Curve(double[] equity, double initialCash = 100, double? barsPerYear = 252) => new()
    {
        Time = Daily(equity.Length),
        Equity = equity,
        InitialCash = initialCash,
        BarsPerYear = barsPerYear,
    };

    /// <summary>An input that only carries trades (a flat two-bar curve around them).</summary>
    public static PerformanceInput WithTrades(params TradeRecord[] trades) => Curve([100, 100]) with { Trades = trades };

    /// <summary>A long trade with the given net P&amp;L, return and holding time; other fields are placeholders.</summary>
    public static TradeRecord Trade(decimal pnl, double returnFraction = 0, int barsHeld = 1) =>
        new("TEST", TradeSide.Long, Start, 100m, Start + (barsHeld * Day), 100m, 1m, pnl, 0m, pnl, barsHeld, returnFraction, "signal");

    public static PerformanceMetrics Metrics(PerformanceInput input) => PerformanceCalculator.Compute(input).Metrics;

    public static void AssertNaN(double actual) => Assert.True(double.IsNaN(actual), $"Expected NaN, got {actual}.");
}
