using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Tests.Fixtures;

/// <summary>Named bar fixtures made by the tests themselves: deterministic and small.</summary>
internal static class TestBars
{
    /// <summary>A seeded random walk with realistic OHLC relations, varying volume and a few flat bars.</summary>
    public static BarSeries RandomWalk(int count, ulong seed = 7, double start = 100, bool flatBars = true)
    {
        var random = new XorShift(seed);
        var builder = new BarSeriesBuilder(count);
        var close = start;
        var time = 1_600_000_000_000L;
        for (var i = 0; i < count; i++)
        {
            var open = close * (1 + ((random.Next() - 0.5) * 0.004));
            var vol = 0.005 + (0.02 * random.Next());
            close = open * (1 + ((random.Next() - 0.5) * vol));
            var high = Math.Max(open, close) * (1 + (random.Next() * vol * 0.5));
            var low = Math.Min(open, close) * (1 - (random.Next() * vol * 0.5));
            if (flatBars && i % 97 == 13)
            {
                // A flat bar: every price equal (exercises zero ranges).
                high = low = open = close;
            }

            var volume = Math.Round(1000 + (random.Next() * 9000));
            builder.Add(new Ohlcv(time, open, high, low, close, volume));
            time += 60_000;
        }

        return builder.Build("TEST");
    }

    /// <summary>Bars from closes alone: open = previous close, high/low = max/min of the two, volume 1000.</summary>
    public static BarSeries FromCloses(params double[] closes)
    {
        var builder = new BarSeriesBuilder(closes.Length);
        for (var i = 0; i < closes.Length; i++)
        {
            var open = i == 0 ? closes[0] : closes[i - 1];
            builder.Add(new Ohlcv(1_600_000_000_000L + (i * 86_400_000L), open, Math.Max(open, closes[i]), Math.Min(open, closes[i]), closes[i], 1000));
        }

        return builder.Build();
    }

    /// <summary>Bars from explicit (high, low, close) triples; open = close, volume as given or 1000.</summary>
    public static BarSeries FromHlc(params (double High, double Low, double Close)[] rows)
    {
        var builder = new BarSeriesBuilder(rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            builder.Add(new Ohlcv(1_600_000_000_000L + (i * 86_400_000L), rows[i].Close, rows[i].High, rows[i].Low, rows[i].Close, 1000));
        }

        return builder.Build();
    }

    /// <summary>Deterministic uniform numbers in [0, 1).</summary>
    internal sealed class XorShift(ulong seed)
    {
        private ulong state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;

        public double Next()
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return (state >> 11) * (1.0 / (1UL << 53));
        }
    }
}
