using System.Text;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Tests.Fixtures;
using static SigmaFlow.Core.Tests.Data.CsvSamples;

namespace SigmaFlow.Core.Tests.Data;

/// <summary>
/// Loads every reference file in ../shared/data/quotes (skipped when absent). Files are read without byte-order-mark
/// detection so that the loader itself must cope with the BOMs.
/// </summary>
public sealed class SharedQuotesTests
{
    /// <summary>The standard set: 502 daily bars, no problems, no gaps.</summary>
    [Fact]
    public void Read_Default_502BarsNoProblems()
    {
        var result = Load("default.csv");

        Assert.True(result.Success);
        Assert.Empty(result.Problems);
        Assert.Equal(502, result.Bars.Count);
        Assert.Equal(new Ohlcv(Utc("2017-01-03"), 212.61, 213.35, 211.52, 212.8, 96708880), result.Bars[0]);
        Assert.Equal(new Ohlcv(Utc("2018-12-31"), 244.92, 245.54, 242.87, 245.28, 147031456), result.Bars[^1]);
        Assert.Equal(TimeSpan.FromDays(1), result.Quality.Cadence);
        Assert.Equal(0, result.Quality.GapCount);
    }

    /// <summary>bad.csv fails by default and lists each bad row with its kind.</summary>
    [Fact]
    public void Read_BadStrict_FailsListingEveryBadRow()
    {
        var result = Load("bad.csv");

        Assert.False(result.Success);
        Assert.Equal(0, result.Bars.Count);
        var quality = result.Quality;
        Assert.Equal(165, quality.ProblemCount);
        Assert.Equal(165, result.Problems.Count);
        Assert.Equal(50, quality.CountOf(BarProblemKind.UnparsableTime));
        Assert.Equal(6, quality.CountOf(BarProblemKind.CloseOutsideRange));
        Assert.Equal(54, quality.CountOf(BarProblemKind.NonPositivePrice));
        Assert.Equal(1, quality.CountOf(BarProblemKind.NegativeVolume));
        Assert.Equal(1, quality.CountOf(BarProblemKind.OpenOutsideRange));
        Assert.Equal(2, quality.CountOf(BarProblemKind.HighBelowLow));
        Assert.Equal(51, quality.CountOf(BarProblemKind.UnparsableNumber));
        Assert.Equal(new BarProblem(202, BarProblemKind.UnparsableTime, "row 202: date is empty"), result.Problems[0]);
        Assert.Contains(result.Problems, p => p is { Row: 356, Kind: BarProblemKind.NonPositivePrice } && p.Message == "row 356: open -263.16 must be greater than 0");
        Assert.Contains(result.Problems, p => p is { Row: 360, Kind: BarProblemKind.NegativeVolume });
        Assert.Contains(result.Problems, p => p is { Row: 361, Kind: BarProblemKind.OpenOutsideRange });
        Assert.Contains(result.Problems, p => p is { Row: 362, Kind: BarProblemKind.HighBelowLow } && p.Message == "row 362: high 255.06 is below low 267.53");
        Assert.Contains(result.Problems, p => p is { Row: 451, Kind: BarProblemKind.UnparsableNumber } && p.Message == "row 451: open is empty; expected a number");
        Assert.Equal(501, result.Problems[^1].Row);
    }

    /// <summary>bad.csv loads in skip mode with the good rows only.</summary>
    [Fact]
    public void Read_BadSkipping_LoadsGoodRowsWithReport()
    {
        var result = Load("bad.csv", skipBadRows: true);

        Assert.True(result.Success);
        Assert.Equal(337, result.Bars.Count);
        Assert.Equal(502, result.Quality.RowsRead);
        Assert.Equal(337, result.Quality.RowsAccepted);
        Assert.Equal(165, result.Quality.RowsSkipped);
        Assert.Equal(Utc("2018-12-31"), result.Bars.Time[^1]);
        Assert.Contains("rows skipped:  165", result.Quality.ToText(), StringComparison.Ordinal);
    }

    /// <summary>mismatch.csv (rows out of order) reports OutOfOrderTime, first at row 21.</summary>
    [Fact]
    public void Read_Mismatch_ReportsOutOfOrderTime()
    {
        var result = Load("mismatch.csv");

        Assert.False(result.Success);
        Assert.Equal(464, result.Quality.CountOf(BarProblemKind.OutOfOrderTime));
        Assert.Equal(464, result.Quality.ProblemCount);
        var first = result.Problems[0];
        Assert.Equal(21, first.Row);
        Assert.Equal(BarProblemKind.OutOfOrderTime, first.Kind);
        Assert.Equal("row 21: timestamp 1/18/2016 (2016-01-18T00:00:00Z) is earlier than 2017-01-31T00:00:00Z of row 20, the last accepted row", first.Message);
    }

    /// <summary>intraday.csv: 1,564 one-minute bars over four sessions, BOM, three overnight gaps.</summary>
    [Fact]
    public void Read_Intraday_1564MinuteBarsThreeOvernightGaps()
    {
        var result = Load("intraday.csv");

        Assert.True(result.Success);
        Assert.Equal(1564, result.Bars.Count);
        Assert.Equal(Utc("2020-12-15T09:30:00Z"), result.Bars.Time[0]);
        Assert.Equal(Utc("2020-12-18T16:00:00Z"), result.Bars.Time[^1]);
        Assert.Equal(TimeSpan.FromMinutes(1), result.Quality.Cadence);
        Assert.Equal(3, result.Quality.GapCount);
        Assert.Equal(3 * 1049, result.Quality.MissingBarsEstimate);
    }

    /// <summary>zeros.csv: every row has non-positive prices; skip mode cannot rescue it.</summary>
    [Fact]
    public void Read_Zeros_EveryRowNonPositivePrice()
    {
        var strict = Load("zeros.csv");
        var skipping = Load("zeros.csv", skipBadRows: true);

        Assert.False(strict.Success);
        Assert.Equal(200, strict.Problems.Count);
        Assert.All(strict.Problems, p => Assert.Equal(BarProblemKind.NonPositivePrice, p.Kind));
        Assert.Equal(Enumerable.Range(2, 200), strict.Problems.Select(p => p.Row));
        Assert.Equal("row 2: open 0.00 must be greater than 0", strict.Problems[0].Message);
        Assert.False(skipping.Success);
        Assert.Equal(0, skipping.Bars.Count);
    }

    /// <summary>The M/D/Y files with BOMs (msft, spx) load completely.</summary>
    [Theory]
    [InlineData("msft.csv", 0.378, 285.59)]
    [InlineData("spx.csv", 353.4, 4259.52)]
    public void Read_MonthDayYearWithBom_Loads(string file, double firstOpen, double lastClose)
    {
        var result = Load(file);

        Assert.True(result.Success, string.Join("; ", result.Problems.Take(3)));
        Assert.Equal(8111, result.Bars.Count);
        Assert.Equal(Utc("1990-01-02"), result.Bars.Time[0]);
        Assert.Equal(Utc("2022-03-10"), result.Bars.Time[^1]);
        Assert.Equal(firstOpen, result.Bars.Open[0]);
        Assert.Equal(lastClose, result.Bars.Close[^1]);
        Assert.Equal(3, result.Quality.GapCount);
        Assert.Equal(new BarGap(Utc("2001-09-10"), Utc("2001-09-17"), 4), result.Quality.Gaps[0]);
    }

    /// <summary>The remaining clean files load with their row counts.</summary>
    [Theory]
    [InlineData("longish.csv", 5285, "1999-09-07", "2020-09-04")]
    [InlineData("bitcoin.csv", 1246, "2017-08-16", "2021-01-12")]
    [InlineData("penny.csv", 533, "2018-12-21", "2021-02-03")]
    [InlineData("max.csv", 502, "2019-08-30", "2021-01-12")]
    [InlineData("compare.csv", 502, "2017-01-03", "2018-12-31")]
    public void Read_CleanFile_LoadsEveryRow(string file, int count, string first, string last)
    {
        var result = Load(file);

        Assert.True(result.Success, string.Join("; ", result.Problems.Take(3)));
        Assert.Equal(count, result.Bars.Count);
        Assert.Equal(Utc(first), result.Bars.Time[0]);
        Assert.Equal(Utc(last), result.Bars.Time[^1]);
    }

    /// <summary>max.csv keeps its huge magnitudes exactly as written.</summary>
    [Fact]
    public void Read_Max_KeepsHugeMagnitudes()
    {
        var bars = Load("max.csv").ThrowIfFailed();

        Assert.Equal(9583943.05677936, bars.Open[0]);
        Assert.Equal(12449328258168.00, bars.Volume[^1]);
    }

    /// <summary>longish.csv: three market closures (9/11, the 2007 Ford funeral, Hurricane Sandy) are the only gaps.</summary>
    [Fact]
    public void Read_Longish_ThreeClosureGaps()
    {
        var quality = Load("longish.csv").Quality;

        Assert.Equal(3, quality.GapCount);
        Assert.Equal(8, quality.MissingBarsEstimate);
        Assert.Equal(new BarGap(Utc("2006-12-29"), Utc("2007-01-03"), 2), quality.Gaps[1]);
        Assert.Equal(new BarGap(Utc("2012-10-26"), Utc("2012-10-31"), 2), quality.Gaps[2]);
    }

    private static BarLoadResult Load(string file, bool skipBadRows = false)
    {
        var path = SharedData.RequireFile("quotes/" + file);
        using var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
        return BarCsvReader.Read(reader, new BarLoadOptions { SkipBadRows = skipBadRows });
    }
}
