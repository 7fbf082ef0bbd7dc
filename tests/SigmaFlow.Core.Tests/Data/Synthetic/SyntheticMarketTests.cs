using System.Security.Cryptography;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Tests.Data;

/// <summary>Deterministic synthetic market data: reproducibility, invariants, stylised facts and CSV round trips.</summary>
public sealed class SyntheticMarketTests
{
    /// <summary>SHA-256 of every column of the default series, frozen: any change to the generator shows up here.</summary>
    private const string DefaultSeriesHash = "5DDEFAEF89A0DDA719710A949C353B0B878288D61826AD479ADCC967B28ABC0D";

    private static readonly Lazy<BarSeries> LongSeries = new(() => SyntheticMarket.Generate(new SyntheticMarketOptions { Bars = 100_000 }));

    /// <summary>The same options give bit-identical series.</summary>
    [Fact]
    public void Generate_SameSeed_BitIdentical()
    {
        var options = new SyntheticMarketOptions { Seed = 7, Bars = 5000 };

        Assert.Equal(Hash(SyntheticMarket.Generate(options)), Hash(SyntheticMarket.Generate(options)));
    }

    /// <summary>A different seed gives a different series.</summary>
    [Fact]
    public void Generate_DifferentSeed_Differs()
    {
        var first = SyntheticMarket.Generate(new SyntheticMarketOptions { Seed = 1, Bars = 100 });
        var second = SyntheticMarket.Generate(new SyntheticMarketOptions { Seed = 2, Bars = 100 });

        Assert.NotEqual(first.Close, second.Close);
        Assert.Equal(first.Time, second.Time);
    }

    /// <summary>The default series matches its frozen hash, so results are the same on every run and platform.</summary>
    [Fact]
    public void Generate_Defaults_MatchesFrozenBaseline()
    {
        var bars = SyntheticMarket.Generate(SyntheticMarketOptions.Default);

        Assert.Equal(2520, bars.Count);
        Assert.Equal(DefaultSeriesHash, Hash(bars));
    }

    /// <summary>The documented defaults: 2,520 daily bars from 2020-01-01 UTC, opening near 100.</summary>
    [Fact]
    public void Generate_Defaults_DocumentedShape()
    {
        var bars = SyntheticMarket.Generate(new SyntheticMarketOptions());

        Assert.Equal(2520, bars.Count);
        Assert.Equal(1_577_836_800_000, bars.Time[0]);
        Assert.Equal(86_400_000, bars.Time[1] - bars.Time[0]);
        Assert.InRange(bars.Open[0], 99, 101);
        Assert.Null(bars.Symbol);
    }

    /// <summary>Over 100,000 bars: low ≤ open, close ≤ high, every price positive and finite, volume ≥ 0, times increasing.</summary>
    [Fact]
    public void Generate_HundredThousandBars_OhlcInvariantsHold()
    {
        var bars = LongSeries.Value;

        Assert.Equal(100_000, bars.Count);
        for (var i = 0; i < bars.Count; i++)
        {
            double open = bars.Open[i], high = bars.High[i], low = bars.Low[i], close = bars.Close[i];
            Assert.True(low > 0 && double.IsFinite(high), $"bar {i}: prices must be positive and finite");
            Assert.True(low <= open && open <= high, $"bar {i}: open {open} outside [{low}, {high}]");
            Assert.True(low <= close && close <= high, $"bar {i}: close {close} outside [{low}, {high}]");
            Assert.True(bars.Volume[i] >= 0 && double.IsFinite(bars.Volume[i]), $"bar {i}: volume {bars.Volume[i]}");
            Assert.True(i == 0 || bars.Time[i] > bars.Time[i - 1], $"bar {i}: time not increasing");
        }
    }

    /// <summary>GARCH clustering: squared returns are positively autocorrelated at lag 1 (an i.i.d. walk gives about 0).</summary>
    [Fact]
    public void Generate_HundredThousandBars_SquaredReturnsAutocorrelated()
    {
        var squared = SquaredReturns(LongSeries.Value);
        var noClustering = SquaredReturns(SyntheticMarket.Generate(new SyntheticMarketOptions { Bars = 100_000, GarchAlpha = 0, GarchBeta = 0, JumpProbability = 0 }));

        Assert.True(Autocorrelation(squared, 1) > 0.05, $"lag-1 autocorrelation {Autocorrelation(squared, 1)}");
        Assert.InRange(Autocorrelation(noClustering, 1), -0.02, 0.02);
    }

    /// <summary>Realised annualised volatility is near the 20 % target (jumps add a little).</summary>
    [Fact]
    public void Generate_HundredThousandBars_VolatilityNearTarget()
    {
        var squared = SquaredReturns(LongSeries.Value);
        var annualised = Math.Sqrt(squared.Average() * 252);

        Assert.InRange(annualised, 0.18, 0.23);
    }

    /// <summary>Volume rises with the size of the move.</summary>
    [Fact]
    public void Generate_HundredThousandBars_VolumeCorrelatesWithAbsoluteReturn()
    {
        var bars = LongSeries.Value;
        var absReturns = new double[bars.Count - 1];
        var logVolumes = new double[bars.Count - 1];
        for (var i = 1; i < bars.Count; i++)
        {
            absReturns[i - 1] = Math.Abs(Math.Log(bars.Close[i] / bars.Close[i - 1]));
            logVolumes[i - 1] = Math.Log(bars.Volume[i]);
        }

        Assert.True(Correlation(absReturns, logVolumes) > 0.3);
    }

    /// <summary>Intraday settings: evenly spaced times at the interval, drift scaled by bars per year.</summary>
    [Fact]
    public void Generate_MinuteInterval_EvenTimes()
    {
        var options = new SyntheticMarketOptions { Interval = TimeSpan.FromMinutes(1), BarsPerYear = 98_280, Bars = 1000, StartTime = 1_608_024_600_000 };

        var bars = SyntheticMarket.Generate(options);

        Assert.Equal(1_608_024_600_000 + (999 * 60_000L), bars.Time[^1]);
        Assert.Equal(TimeSpan.FromMinutes(1), DataQualityReport.Analyze(bars).Cadence);
    }

    /// <summary>WriteCsv then BarCsvReader gives back the same series, bit for bit.</summary>
    [Theory]
    [InlineData(86_400_000L)]
    [InlineData(60_000L)]
    [InlineData(1_500L)]
    public void WriteCsv_ThenRead_RoundTripsBitExact(long intervalMs)
    {
        var bars = SyntheticMarket.Generate(new SyntheticMarketOptions { Seed = 99, Bars = 3000, Interval = TimeSpan.FromMilliseconds(intervalMs), JumpProbability = 0.05 });
        using var writer = new StringWriter();

        SyntheticMarket.WriteCsv(bars, writer);
        var result = BarCsvReader.Read(writer.ToString());

        Assert.True(result.Success, string.Join("; ", result.Problems.Take(3)));
        Assert.Equal(Hash(bars), Hash(result.Bars));
    }

    /// <summary>The CSV has the documented header, ISO 8601 UTC timestamps and round-trip numbers with \n line ends.</summary>
    [Fact]
    public void WriteCsv_Bars_DocumentedFormat()
    {
        var bars = new BarSeries([1_577_836_800_000, 1_577_836_801_250], [0.1, 1e21], [0.30000000000000004, 2e21], [0.1, 1e21], [0.2, 1.5e21], [0, 12345]);
        using var writer = new StringWriter();

        SyntheticMarket.WriteCsv(bars, writer);

        Assert.Equal(
            "timestamp,open,high,low,close,volume\n" +
            "2020-01-01T00:00:00Z,0.1,0.30000000000000004,0.1,0.2,0\n" +
            "2020-01-01T00:00:01.250Z,1E+21,2E+21,1E+21,1.5E+21,12345\n",
            writer.ToString());
    }

    private static string Hash(BarSeries bars)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[8];
        for (var i = 0; i < bars.Count; i++)
        {
            Append(bars.Time[i]);
            Append(BitConverter.DoubleToInt64Bits(bars.Open[i]));
            Append(BitConverter.DoubleToInt64Bits(bars.High[i]));
            Append(BitConverter.DoubleToInt64Bits(bars.Low[i]));
            Append(BitConverter.DoubleToInt64Bits(bars.Close[i]));
            Append(BitConverter.DoubleToInt64Bits(bars.Volume[i]));
        }

        return Convert.ToHexString(sha.GetHashAndReset());

        void Append(long value)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(buffer, value);
            sha.AppendData(buffer);
        }
    }

    private static double[] SquaredReturns(BarSeries bars)
    {
        var squared = new double[bars.Count - 1];
        for (var i = 1; i < bars.Count; i++)
        {
            var r = Math.Log(bars.Close[i] / bars.Close[i - 1]);
            squared[i - 1] = r * r;
        }

        return squared;
    }

    private static double Autocorrelation(double[] values, int lag)
    {
        var mean = values.Average();
        double numerator = 0, denominator = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var d = values[i] - mean;
            denominator += d * d;
            if (i >= lag)
            {
                numerator += d * (values[i - lag] - mean);
            }
        }

        return numerator / denominator;
    }

    private static double Correlation(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }

        return sxy / Math.Sqrt(sxx * syy);
    }
}
