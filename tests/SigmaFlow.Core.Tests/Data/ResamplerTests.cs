using System.Globalization;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Tests.Fixtures;
using static SigmaFlow.Core.Tests.Data.CsvSamples;

namespace SigmaFlow.Core.Tests.Data;

/// <summary>Aggregating bars into coarser timeframes.</summary>
public sealed class ResamplerTests
{
    /// <summary>
    /// 1m → 5m worked by hand: a partial first bucket (09:03–09:04), a bucket with a missing minute (09:07) and a
    /// one-bar last bucket.
    /// </summary>
    [Fact]
    public void Resample_OneMinuteToFiveMinutes_HandChecked()
    {
        var source = BarCsvReader.Read(WithRows(
            "2024-01-02 09:03,10,11,9,10.5,100",
            "2024-01-02 09:04,10.5,12,10,11,200",
            "2024-01-02 09:05,11,11.5,10.5,11.2,300",
            "2024-01-02 09:06,11.2,13,11,12.5,400",
            "2024-01-02 09:08,12.5,12.6,8,9,500",
            "2024-01-02 09:09,9,9.5,8.5,9.2,600",
            "2024-01-02 09:10,9.2,9.4,9.1,9.3,700")).ThrowIfFailed();

        var bars = Resampler.Resample(source, Timeframe.Parse("5m"));

        Assert.Equal(3, bars.Count);
        Assert.Equal(new Ohlcv(Utc("2024-01-02T09:00:00Z"), 10, 12, 9, 11, 300), bars[0]);
        Assert.Equal(new Ohlcv(Utc("2024-01-02T09:05:00Z"), 11, 13, 8, 9.2, 1800), bars[1]);
        Assert.Equal(new Ohlcv(Utc("2024-01-02T09:10:00Z"), 9.2, 9.4, 9.1, 9.3, 700), bars[2]);
    }

    /// <summary>intraday.csv 1m → 1h equals an independent LINQ aggregation, plus spot values worked out separately.</summary>
    [Fact]
    public void Resample_IntradayMinuteToHour_MatchesIndependentAggregation()
    {
        var path = SharedData.RequireFile("quotes/intraday.csv");
        BarSeries source;
        using (var reader = File.OpenText(path))
        {
            source = BarCsvReader.Read(reader).ThrowIfFailed();
        }

        var hourly = Resampler.Resample(source, Timeframe.Parse("1h"));

        var expected = File.ReadLines(path)
            .Skip(1)
            .Select(line => line.Split(','))
            .Select(f => (
                Time: DateTime.ParseExact(f[0], "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                Open: double.Parse(f[1], CultureInfo.InvariantCulture),
                High: double.Parse(f[2], CultureInfo.InvariantCulture),
                Low: double.Parse(f[3], CultureInfo.InvariantCulture),
                Close: double.Parse(f[4], CultureInfo.InvariantCulture),
                Volume: double.Parse(f[5], CultureInfo.InvariantCulture)))
            .GroupBy(b => new DateTime(b.Time.Year, b.Time.Month, b.Time.Day, b.Time.Hour, 0, 0, DateTimeKind.Utc))
            .Select(g => new Ohlcv(
                new DateTimeOffset(g.Key).ToUnixTimeMilliseconds(),
                g.First().Open,
                g.Max(b => b.High),
                g.Min(b => b.Low),
                g.Last().Close,
                g.Sum(b => b.Volume)))
            .ToList();

        Assert.Equal(32, hourly.Count);
        Assert.Equal(expected, Enumerable.Range(0, hourly.Count).Select(i => hourly[i]));

        // Worked out separately: the 09:30–09:59 partial hour, a full hour and the lone 16:00 bar.
        Assert.Equal(new Ohlcv(Utc("2020-12-15T09:00:00Z"), 367.4, 367.775, 366.69, 366.86, 4071769), hourly[0]);
        Assert.Equal(new Ohlcv(Utc("2020-12-15T10:00:00Z"), 366.85, 367.17, 366.0701, 366.721, 4843189), hourly[1]);
        Assert.Equal(new Ohlcv(Utc("2020-12-15T16:00:00Z"), 369.55, 369.59, 369.55, 369.56, 1525977), hourly[7]);
        Assert.Equal(new Ohlcv(Utc("2020-12-16T13:00:00Z"), 370.01, 370.01, 369.58, 369.8324, 1871910), hourly[12]);
    }

    /// <summary>Weekly buckets start on Monday 00:00 UTC: a Sunday and the following Monday fall in different weeks.</summary>
    [Fact]
    public void Resample_Weekly_AlignsToMonday()
    {
        var source = BarCsvReader.Read(WithRows(
            "2024-01-03,1,2,1,2,1",   // Wed
            "2024-01-07,2,3,2,3,1",   // Sun
            "2024-01-08,3,4,3,4,1",   // Mon
            "2024-01-14,4,5,4,5,1",   // Sun
            "2024-01-15T12:00Z,5,6,5,6,1")).ThrowIfFailed();

        var weekly = Resampler.Resample(source, Timeframe.Parse("1w"));

        Assert.Equal([Utc("2024-01-01"), Utc("2024-01-08"), Utc("2024-01-15")], weekly.Time);
        Assert.Equal([2.0, 2.0, 1.0], weekly.Volume);
        Assert.Equal([3.0, 5.0, 6.0], weekly.Close);
    }

    /// <summary>Daily buckets start at midnight UTC.</summary>
    [Fact]
    public void Resample_Daily_AlignsToMidnightUtc()
    {
        var source = BarCsvReader.Read(WithRows(
            "2024-01-02T23:00:00Z,1,2,1,2,1",
            "2024-01-03T00:30:00+01:00,2,3,2,3,1",
            "2024-01-03T00:00:00Z,3,4,3,4,1")).ThrowIfFailed();

        var daily = Resampler.Resample(source, Timeframe.Parse("1d"));

        Assert.Equal([Utc("2024-01-02"), Utc("2024-01-03")], daily.Time);
        Assert.Equal([2.0, 1.0], daily.Volume);
    }

    /// <summary>Times before 1970 floor to the earlier bucket.</summary>
    [Fact]
    public void Resample_TimesBeforeEpoch_FloorDownward()
    {
        var source = BarCsvReader.Read(WithRows("1969-12-31T23:59:00Z,1,1,1,1,1", "1970-01-01T00:01:00Z,1,1,1,1,1")).ThrowIfFailed();

        var bars = Resampler.Resample(source, Timeframe.Parse("1h"));

        Assert.Equal([Utc("1969-12-31T23:00:00Z"), 0L], bars.Time);
    }

    /// <summary>A timeframe finer than the data re-stamps each bar to its bucket start and keeps its values.</summary>
    [Fact]
    public void Resample_FinerThanSource_OneBarPerSourceBar()
    {
        var source = BarCsvReader.Read(GoodBars).ThrowIfFailed();

        var bars = Resampler.Resample(source, Timeframe.Parse("1m"));

        Assert.Equal(source.Time, bars.Time);
        Assert.Equal(source.Close, bars.Close);
    }

    /// <summary>Empty input gives empty output; the symbol is kept.</summary>
    [Fact]
    public void Resample_EmptyAndSymbol_Preserved()
    {
        Assert.Equal(0, Resampler.Resample(BarSeries.Empty, Timeframe.Parse("1h")).Count);
        var source = BarCsvReader.Read(GoodBars, new BarLoadOptions { Symbol = "SPY" }).ThrowIfFailed();
        Assert.Equal("SPY", Resampler.Resample(source, Timeframe.Parse("1w")).Symbol);
    }

    /// <summary>The default timeframe (0 ms) is rejected.</summary>
    [Fact]
    public void Resample_DefaultTimeframe_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.Resample(BarSeries.Empty, default));

        Assert.Equal("timeframe", error.ParamName);
    }
}
