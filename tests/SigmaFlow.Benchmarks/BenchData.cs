using SigmaFlow.Core.Data;

namespace SigmaFlow.Benchmarks;

/// <summary>Deterministic synthetic bars shared by the suites (1-minute bars, seed 42).</summary>
public static class BenchData
{
    private static readonly Dictionary<int, BarSeries> Cache = [];

    public static BarSeries Bars(int count)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(count, out var bars))
            {
                // One-minute bars: 390 per session, 252 sessions a year, so drift and volatility scale per minute.
                bars = SyntheticMarket.Generate(new SyntheticMarketOptions { Seed = 42, Bars = count, Interval = TimeSpan.FromMinutes(1), BarsPerYear = 252 * 390 });
                Cache[count] = bars;
            }

            return bars;
        }
    }
}
