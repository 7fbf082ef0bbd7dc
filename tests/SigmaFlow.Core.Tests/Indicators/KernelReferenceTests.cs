using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Tests.Fixtures;

namespace SigmaFlow.Core.Tests.Indicators;

/// <summary>
/// The O(1) sliding kernels against direct, obviously-correct O(N) formulas on long random series, including a
/// series far from zero with a small spread, where naive running sums lose precision.
/// </summary>
public sealed class KernelReferenceTests
{
    private static readonly BarSeries Bars = TestBars.RandomWalk(5000, seed: 21);

    public static TheoryData<int> Lengths() => [2, 3, 14, 50];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Sma_LongSeries_MatchesDirectMean(int n)
    {
        var actual = Calc($"sma({n})", "sma");
        AssertClose(actual, i => i < n - 1 ? double.NaN : Window(Bars.Close, i, n).Average(), 1e-12);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Wma_LongSeries_MatchesDirectWeightedMean(int n)
    {
        var actual = Calc($"wma({n})", "wma");
        AssertClose(actual, i => i < n - 1 ? double.NaN : Window(Bars.Close, i, n).Select((x, j) => x * (j + 1)).Sum() / (n * (n + 1) / 2.0), 1e-12);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void StdDev_LongSeries_MatchesTwoPassPopulationDeviation(int n)
    {
        var actual = Calc($"stddev({n})", "stddev");
        AssertClose(actual, i => i < n - 1 ? double.NaN : PopulationSd(Window(Bars.Close, i, n)), 1e-9, absolute: 1e-11);
    }

    [Fact]
    public void StdDev_LargeLevelSmallSpread_StaysAccurate()
    {
        // Prices near 1e9 moving by cents: the naive Σx² − (Σx)²/N formula would return noise here.
        var closes = Enumerable.Range(0, 3000).Select(i => 1e9 + (0.01 * ((i * 7919) % 13))).ToArray();
        var bars = TestBars.FromCloses(closes);
        var (definition, arguments) = IndicatorCatalog.Parse("stddev(20)");
        var actual = definition.Calculate(bars, arguments)["stddev"];
        for (var i = 19; i < closes.Length; i++)
        {
            var expected = PopulationSd(Window(closes, i, 20));
            Assert.True(Math.Abs(actual[i] - expected) < 1e-7, $"bar {i}: {actual[i]:R} vs {expected:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void LinearRegression_LongSeries_MatchesDirectLeastSquares(int n)
    {
        var (definition, arguments) = IndicatorCatalog.Parse($"linreg({n})");
        var result = definition.Calculate(Bars, arguments);
        for (var i = n - 1; i < Bars.Count; i += 7)
        {
            var y = Window(Bars.Close, i, n);
            var mx = (n - 1) / 2.0;
            var my = y.Average();
            double sxy = 0, sxx = 0, syy = 0;
            for (var j = 0; j < n; j++)
            {
                sxy += (j - mx) * (y[j] - my);
                sxx += (j - mx) * (j - mx);
                syy += (y[j] - my) * (y[j] - my);
            }

            var slope = sxy / sxx;
            Assert.Equal(slope, result["slope"][i], 1e-9);
            Assert.Equal(my + (slope * ((n - 1) - mx)), result["intercept"][i], 1e-8);
            Assert.Equal(sxy * sxy / (sxx * syy), result["r2"][i], 1e-8);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Donchian_LongSeries_MatchesPreviousWindowExtremes(int n)
    {
        var (definition, arguments) = IndicatorCatalog.Parse($"donchian({n})");
        var result = definition.Calculate(Bars, arguments);
        for (var i = 0; i < Bars.Count; i++)
        {
            if (i < n)
            {
                Assert.True(double.IsNaN(result["upper"][i]));
                continue;
            }

            Assert.Equal(Window(Bars.High, i - 1, n).Max(), result["upper"][i]);
            Assert.Equal(Window(Bars.Low, i - 1, n).Min(), result["lower"][i]);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void WilliamsR_LongSeries_MatchesDirectFormula(int n)
    {
        var actual = Calc($"williamsr({n})", "williamsr");
        AssertClose(actual, i =>
        {
            if (i < n - 1)
            {
                return double.NaN;
            }

            var hh = Window(Bars.High, i, n).Max();
            var ll = Window(Bars.Low, i, n).Min();
            var c = Bars.Close[i];
            return hh == ll || c <= ll ? -100 : c >= hh ? 0 : (100 * (c - ll) / (hh - ll)) - 100;
        }, 1e-12);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Aroon_LongSeries_MatchesBarsSinceExtremes(int n)
    {
        var (definition, arguments) = IndicatorCatalog.Parse($"aroon({n})");
        var result = definition.Calculate(Bars, arguments);
        for (var i = n; i < Bars.Count; i++)
        {
            var highs = Window(Bars.High, i, n + 1);
            var lows = Window(Bars.Low, i, n + 1);
            var sinceHigh = n - Array.IndexOf(highs, highs.Max());
            var sinceLow = n - Array.IndexOf(lows, lows.Min());
            Assert.Equal(100.0 * (n - sinceHigh) / n, result["up"][i]);
            Assert.Equal(100.0 * (n - sinceLow) / n, result["down"][i]);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Cci_LongSeries_MatchesDirectMeanDeviation(int n)
    {
        var tp = Enumerable.Range(0, Bars.Count).Select(i => (Bars.High[i] + Bars.Low[i] + Bars.Close[i]) / 3).ToArray();
        var actual = Calc($"cci({n})", "cci");
        AssertClose(actual, i =>
        {
            if (i < n - 1)
            {
                return double.NaN;
            }

            var w = Window(tp, i, n);
            var mean = w.Average();
            var mad = w.Select(x => Math.Abs(mean - x)).Average();
            return mad == 0 ? double.NaN : (tp[i] - mean) / (0.015 * mad);
        }, 1e-8);
    }

    [Fact]
    public void Sma_MillionBarsNearOneMillion_DriftStaysBounded()
    {
        var closes = new double[1_000_000];
        var random = new TestBars.XorShift(99);
        for (var i = 0; i < closes.Length; i++)
        {
            closes[i] = 1e6 + (random.Next() * 1000);
        }

        var bars = TestBars.FromCloses(closes);
        var actual = Calc(bars, "sma(50)", "sma");
        var expected = Window(closes, closes.Length - 1, 50).Average();
        Assert.True(Math.Abs(actual[^1] - expected) / expected < 1e-14, $"{actual[^1]:R} vs {expected:R}");
    }

    private static double[] Calc(string spec, string field) => Calc(Bars, spec, field);

    private static double[] Calc(BarSeries bars, string spec, string field)
    {
        var (definition, arguments) = IndicatorCatalog.Parse(spec);
        return definition.Calculate(bars, arguments)[field];
    }

    private static double[] Window(double[] values, int end, int n) => values.AsSpan(end - n + 1, n).ToArray();

    private static double PopulationSd(double[] w)
    {
        var mean = w.Average();
        return Math.Sqrt(w.Select(x => (x - mean) * (x - mean)).Sum() / w.Length);
    }

    private static void AssertClose(double[] actual, Func<int, double> expected, double relative, double absolute = 0)
    {
        for (var i = 0; i < actual.Length; i++)
        {
            var e = expected(i);
            if (double.IsNaN(e))
            {
                Assert.True(double.IsNaN(actual[i]), $"bar {i}: expected empty, got {actual[i]:R}");
                continue;
            }

            var tolerance = Math.Max(absolute, relative * Math.Max(1, Math.Abs(e)));
            Assert.True(Math.Abs(actual[i] - e) <= tolerance, $"bar {i}: expected {e:R}, got {actual[i]:R}");
        }
    }
}
