using System.Globalization;
using SigmaFlow.Core.Data;
using static SigmaFlow.Core.Tests.Data.CsvSamples;

namespace SigmaFlow.Core.Tests.Data;

/// <summary>Cadence, gaps and the text rendering of the data-quality report.</summary>
public sealed class DataQualityReportTests
{
    private const long Minute = 60_000;

    /// <summary>Evenly spaced minute bars have a one-minute cadence and no gaps.</summary>
    [Fact]
    public void Analyze_EvenMinuteBars_OneMinuteCadenceNoGaps()
    {
        var report = DataQualityReport.Analyze(Minutes(0, 1, 2, 3, 4));

        Assert.Equal(TimeSpan.FromMinutes(1), report.Cadence);
        Assert.Equal(0, report.GapCount);
        Assert.Equal(0, report.MissingBarsEstimate);
        Assert.Empty(report.Gaps);
        Assert.Equal(5, report.RowsRead);
        Assert.Equal(5, report.RowsAccepted);
        Assert.Equal(0, report.ProblemCount);
    }

    /// <summary>A hole of two minutes in minute bars is one gap with two missing bars; 1.5 × cadence is still normal.</summary>
    [Fact]
    public void Analyze_MinuteBarsWithHole_ReportsGapAndMissingBars()
    {
        var report = DataQualityReport.Analyze(Minutes(0, 1, 2, 5, 6, 7, 8));

        Assert.Equal(TimeSpan.FromMinutes(1), report.Cadence);
        Assert.Equal(1, report.GapCount);
        Assert.Equal(2, report.MissingBarsEstimate);
        Assert.Equal(new BarGap(2 * Minute, 5 * Minute, 2), Assert.Single(report.Gaps));
        Assert.Equal(TimeSpan.FromMinutes(3), report.Gaps[0].Duration);
    }

    /// <summary>The cadence is the median interval, so a few long intervals do not move it.</summary>
    [Fact]
    public void Analyze_MostlyFiveMinuteBars_CadenceIsMedian()
    {
        var report = DataQualityReport.Analyze(Minutes(0, 5, 10, 15, 20, 60, 65));

        Assert.Equal(TimeSpan.FromMinutes(5), report.Cadence);
        Assert.Equal(1, report.GapCount);
        Assert.Equal(7, report.MissingBarsEstimate);
    }

    /// <summary>Daily weekday bars: weekends and a long weekend are normal; a five-day hole is a gap counted in weekdays.</summary>
    [Fact]
    public void Read_DailyWeekdayBars_WeekendsNormalLongHoleCountsMissingWeekdays()
    {
        var csv = WithRows(
            "2024-01-04,1,1,1,1,1",  // Thu
            "2024-01-05,1,1,1,1,1",  // Fri
            "2024-01-08,1,1,1,1,1",  // Mon after a weekend
            "2024-01-09,1,1,1,1,1",
            "2024-01-10,1,1,1,1,1",
            "2024-01-11,1,1,1,1,1",
            "2024-01-12,1,1,1,1,1",  // Fri
            "2024-01-16,1,1,1,1,1",  // Tue after a long weekend: 4 days, normal
            "2024-01-17,1,1,1,1,1",  // Wed
            "2024-01-22,1,1,1,1,1",  // Mon: 5 days, gap missing Thu and Fri
            "2024-01-23,1,1,1,1,1");

        var report = BarCsvReader.Read(csv).Quality;

        Assert.Equal(TimeSpan.FromDays(1), report.Cadence);
        Assert.Equal(1, report.GapCount);
        Assert.Equal(2, report.MissingBarsEstimate);
        Assert.Equal(new BarGap(Utc("2024-01-17"), Utc("2024-01-22"), 2), Assert.Single(report.Gaps));
    }

    /// <summary>Weekly bars are not all gaps: the threshold is at least 1.5 × cadence.</summary>
    [Fact]
    public void Analyze_WeeklyBars_NoGapsUntilAWeekIsMissing()
    {
        var week = 7 * 86_400_000L;
        var times = new long[] { 0, week, 2 * week, 4 * week, 5 * week };
        var bars = new BarSeries(times, Ones(5), Ones(5), Ones(5), Ones(5), Ones(5));

        var report = DataQualityReport.Analyze(bars);

        Assert.Equal(TimeSpan.FromDays(7), report.Cadence);
        Assert.Equal(1, report.GapCount);
        Assert.Equal(1, report.MissingBarsEstimate);
    }

    /// <summary>Only the first 20 gaps are listed; all are counted.</summary>
    [Fact]
    public void Analyze_ThirtyGaps_ListsTwentyCountsThirty()
    {
        var minutes = new List<long>();
        for (var i = 0; i < 30; i++)
        {
            minutes.AddRange([i * 10, (i * 10) + 1, (i * 10) + 2, (i * 10) + 3]);
        }

        var report = DataQualityReport.Analyze(Minutes([.. minutes]));

        Assert.Equal(29, report.GapCount);
        Assert.Equal(DataQualityReport.MaxListedGaps, report.Gaps.Count);
        Assert.Equal(29 * 6, report.MissingBarsEstimate);
        Assert.Equal(3 * Minute, report.Gaps[0].From);
    }

    /// <summary>The text names the counts, the cadence, the gaps and the notes, in invariant format.</summary>
    [Fact]
    public void ToText_LoadWithProblemsAndGap_RendersEverything()
    {
        var csv = "date,open,high,low,close\n" +
            "2020-12-15 09:30,1,1,1,1\n" +
            "2020-12-15 09:31,1,1,1,1\n" +
            "2020-12-15 09:32,0,1,1,1\n" +
            "2020-12-15 09:32,1,1,1,1\n" +
            "2020-12-15 09:36,1.5,2,1,1.25\n";
        var previous = CultureInfo.CurrentCulture;
        var commaDecimals = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        commaDecimals.NumberFormat.NumberDecimalSeparator = ",";
        commaDecimals.NumberFormat.NumberGroupSeparator = ".";
        CultureInfo.CurrentCulture = commaDecimals;
        try
        {
            var text = BarCsvReader.Read(csv, new BarLoadOptions { SkipBadRows = true }).Quality.ToText();

            Assert.Contains("rows read:     5", text, StringComparison.Ordinal);
            Assert.Contains("rows accepted: 4", text, StringComparison.Ordinal);
            Assert.Contains("rows skipped:  1", text, StringComparison.Ordinal);
            Assert.Contains("NonPositivePrice: 1", text, StringComparison.Ordinal);
            Assert.Contains("first bar:     2020-12-15T09:30:00Z", text, StringComparison.Ordinal);
            Assert.Contains("cadence:       1m", text, StringComparison.Ordinal);
            Assert.Contains("gaps:          1, about 3 missing bar(s)", text, StringComparison.Ordinal);
            Assert.Contains("2020-12-15T09:32:00Z -> 2020-12-15T09:36:00Z (4m, about 3 missing)", text, StringComparison.Ordinal);
            Assert.Contains("note: no volume column; volume set to 0", text, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    /// <summary>A report for a failed load still measures the accepted rows.</summary>
    [Fact]
    public void Read_FailedLoad_ReportStillFilled()
    {
        var result = BarCsvReader.Read(WithRows("2017-01-03,1,1,1,1,1", "2017-01-04,1,1,1,1,-1", "2017-01-05,1,1,1,1,1"));

        Assert.False(result.Success);
        Assert.Equal(2, result.Quality.RowsAccepted);
        Assert.Equal(Utc("2017-01-03"), result.Quality.FirstTime);
        Assert.Equal(Utc("2017-01-05"), result.Quality.LastTime);
        Assert.Equal(TimeSpan.FromDays(2), result.Quality.Cadence);
    }

    /// <summary>Durations render compactly with several units.</summary>
    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(60_000L, "1m")]
    [InlineData(86_400_000L, "1d")]
    [InlineData(63_000_000L, "17h 30m")]
    [InlineData(1_500L, "1.5s")]
    [InlineData(-60_000L, "-1m")]
    public void FormatDuration_Milliseconds_CompactText(long milliseconds, string expected)
    {
        Assert.Equal(expected, DataQualityReport.FormatDuration(milliseconds));
    }

    /// <summary>An empty series has no cadence and renders without bars.</summary>
    [Fact]
    public void Analyze_EmptySeries_NoCadence()
    {
        var report = DataQualityReport.Analyze(BarSeries.Empty);

        Assert.Null(report.Cadence);
        Assert.Null(report.FirstTime);
        Assert.Contains("bars:          none", report.ToText(), StringComparison.Ordinal);
    }

    private static BarSeries Minutes(params long[] minutes)
    {
        var times = new long[minutes.Length];
        for (var i = 0; i < minutes.Length; i++)
        {
            times[i] = minutes[i] * Minute;
        }

        return new BarSeries(times, Ones(times.Length), Ones(times.Length), Ones(times.Length), Ones(times.Length), Ones(times.Length));
    }

    private static double[] Ones(int count)
    {
        var values = new double[count];
        Array.Fill(values, 1.0);
        return values;
    }
}
