using System.Globalization;
using System.Text;

namespace SigmaFlow.Core.Data;

/// <summary>
/// What a load found: row and problem counts, the detected cadence and the gaps in it. Produced for every load,
/// successful or not (cadence and gaps are measured over the accepted rows), or for any series with
/// <see cref="Analyze(BarSeries)"/>.
/// </summary>
/// <remarks>
/// The cadence is the median of the differences between consecutive bar times. A gap is a difference above
/// 1.5 × cadence; for daily or coarser cadences (at least 20 hours) weekends and holidays are normal, so a gap is a
/// difference above both 4 days and 1.5 × cadence. The missing-bar estimate of a gap is difference / cadence − 1
/// (rounded), except for daily data that has no weekend bars, where it counts the weekdays in between.
/// </remarks>
public sealed class DataQualityReport
{
    /// <summary>How many gaps <see cref="Gaps"/> lists at most.</summary>
    public const int MaxListedGaps = 20;

    private const long Day = 86_400_000;
    private static readonly long DailyCadenceThreshold = 20 * 3_600_000L;
    private static readonly long DailyGapThreshold = 4 * Day;
    private static readonly BarProblemKind[] Kinds = Enum.GetValues<BarProblemKind>();

    private readonly int[] counts;

    internal DataQualityReport(int rowsRead, int rowsAccepted, int rowsSkipped, int[] problemCounts, IReadOnlyList<string> notes, ReadOnlySpan<long> times)
    {
        RowsRead = rowsRead;
        RowsAccepted = rowsAccepted;
        RowsSkipped = rowsSkipped;
        counts = problemCounts;
        var byKind = new Dictionary<BarProblemKind, int>();
        var total = 0;
        foreach (var kind in Kinds)
        {
            var count = counts[(int)kind];
            if (count > 0)
            {
                byKind[kind] = count;
                total += count;
            }
        }

        ProblemCounts = byKind;
        ProblemCount = total;
        Notes = notes;

        var gaps = new List<BarGap>();
        if (times.Length > 0)
        {
            FirstTime = times[0];
            LastTime = times[^1];
        }

        if (times.Length > 1)
        {
            var cadence = MedianInterval(times);
            Cadence = TimeSpan.FromMilliseconds(cadence);
            FindGaps(times, cadence, gaps, out var gapCount, out var missing);
            GapCount = gapCount;
            MissingBarsEstimate = missing;
        }

        Gaps = gaps;
    }

    /// <summary>Data rows read after the header, blank rows included (blank lines at the end of the input excluded).</summary>
    public int RowsRead { get; }

    /// <summary>Rows that passed every check.</summary>
    public int RowsAccepted { get; }

    /// <summary>Rows with a problem: skipped in skip mode, the cause of the failure otherwise.</summary>
    public int RowsSkipped { get; }

    /// <summary>All problems found, header problems included, even beyond <see cref="BarLoadOptions.MaxProblems"/>.</summary>
    public int ProblemCount { get; }

    /// <summary>Problem counts for the kinds that occurred.</summary>
    public IReadOnlyDictionary<BarProblemKind, int> ProblemCounts { get; }

    /// <summary>Time of the first accepted bar, Unix milliseconds UTC; null when there is none.</summary>
    public long? FirstTime { get; }

    /// <summary>Time of the last accepted bar, Unix milliseconds UTC; null when there is none.</summary>
    public long? LastTime { get; }

    /// <summary>Median difference between consecutive bar times; null with fewer than two bars.</summary>
    public TimeSpan? Cadence { get; }

    /// <summary>Number of gaps in the cadence.</summary>
    public int GapCount { get; }

    /// <summary>Estimated number of bars missing across all gaps.</summary>
    public long MissingBarsEstimate { get; }

    /// <summary>The first <see cref="MaxListedGaps"/> gaps, in time order.</summary>
    public IReadOnlyList<BarGap> Gaps { get; }

    /// <summary>Remarks about the input, such as a missing volume column.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Measures cadence and gaps of an existing series (every bar counts as read and accepted).</summary>
    /// <param name="bars">The series.</param>
    /// <returns>The report.</returns>
    public static DataQualityReport Analyze(BarSeries bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        return new DataQualityReport(bars.Count, bars.Count, 0, new int[Kinds.Length], [], bars.Time);
    }

    /// <summary>How many problems of one kind were found.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The count, 0 when none.</returns>
    public int CountOf(BarProblemKind kind) => (int)kind >= 0 && (int)kind < counts.Length ? counts[(int)kind] : 0;

    /// <summary>Renders the report as readable lines (invariant culture, <c>\n</c> line ends).</summary>
    /// <returns>The text.</returns>
    public string ToText()
    {
        var text = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        text.Append("Data quality report\n");
        text.Append(ci, $"  rows read:     {RowsRead}\n");
        text.Append(ci, $"  rows accepted: {RowsAccepted}\n");
        text.Append(ci, $"  rows skipped:  {RowsSkipped}\n");
        text.Append(ci, $"  problems:      {ProblemCount}\n");
        foreach (var kind in Kinds)
        {
            var count = counts[(int)kind];
            if (count > 0)
            {
                text.Append(ci, $"    {kind}: {count}\n");
            }
        }

        if (FirstTime is { } first && LastTime is { } last)
        {
            text.Append(ci, $"  first bar:     {UnixTimeText.Format(first)}\n");
            text.Append(ci, $"  last bar:      {UnixTimeText.Format(last)}\n");
        }
        else
        {
            text.Append("  bars:          none\n");
        }

        if (Cadence is { } cadence)
        {
            text.Append(ci, $"  cadence:       {FormatDuration((long)cadence.TotalMilliseconds)} (median interval)\n");
            text.Append(ci, $"  gaps:          {GapCount}, about {MissingBarsEstimate} missing bar(s)\n");
            foreach (var gap in Gaps)
            {
                text.Append(ci, $"    {UnixTimeText.Format(gap.From)} -> {UnixTimeText.Format(gap.To)} ({FormatDuration(gap.To - gap.From)}, about {gap.MissingBars} missing)\n");
            }

            if (GapCount > Gaps.Count)
            {
                text.Append(ci, $"    and {GapCount - Gaps.Count} more\n");
            }
        }

        foreach (var note in Notes)
        {
            text.Append("  note: ").Append(note).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Compact duration such as <c>1d</c>, <c>17h 30m</c> or <c>1.5s</c>.</summary>
    internal static string FormatDuration(long milliseconds)
    {
        if (milliseconds == 0)
        {
            return "0s";
        }

        var text = new StringBuilder();
        if (milliseconds < 0)
        {
            text.Append('-');
            milliseconds = -milliseconds;
        }

        var ci = CultureInfo.InvariantCulture;
        var days = milliseconds / Day;
        var hours = milliseconds / 3_600_000 % 24;
        var minutes = milliseconds / 60_000 % 60;
        var seconds = milliseconds / 1000 % 60;
        var fraction = milliseconds % 1000;
        AppendPart(text, days, "d");
        AppendPart(text, hours, "h");
        AppendPart(text, minutes, "m");
        if (fraction != 0)
        {
            if (text.Length > 0 && text[^1] != '-')
            {
                text.Append(' ');
            }

            text.Append(ci, $"{seconds + (fraction / 1000.0)}s");
        }
        else
        {
            AppendPart(text, seconds, "s");
        }

        return text.ToString();

        static void AppendPart(StringBuilder text, long value, string unit)
        {
            if (value == 0)
            {
                return;
            }

            if (text.Length > 0 && text[^1] != '-')
            {
                text.Append(' ');
            }

            text.Append(value.ToString(CultureInfo.InvariantCulture)).Append(unit);
        }
    }

    private static long MedianInterval(ReadOnlySpan<long> times)
    {
        var intervals = new long[times.Length - 1];
        for (var i = 1; i < times.Length; i++)
        {
            intervals[i - 1] = times[i] - times[i - 1];
        }

        Array.Sort(intervals);
        var middle = intervals.Length / 2;
        return intervals.Length % 2 == 1
            ? intervals[middle]
            : intervals[middle - 1] + ((intervals[middle] - intervals[middle - 1]) / 2);
    }

    private static void FindGaps(ReadOnlySpan<long> times, long cadence, List<BarGap> gaps, out int gapCount, out long missing)
    {
        gapCount = 0;
        missing = 0;
        if (cadence <= 0)
        {
            return;
        }

        var daily = cadence >= DailyCadenceThreshold;
        var threshold = cadence + (cadence / 2);
        if (daily)
        {
            threshold = Math.Max(threshold, DailyGapThreshold);
        }

        // Daily data without any weekend bar is a weekday market: count the weekdays a gap skips.
        var weekdaysOnly = daily && cadence < 2 * Day && !HasWeekendBar(times);
        for (var i = 1; i < times.Length; i++)
        {
            var difference = times[i] - times[i - 1];
            if (difference <= threshold)
            {
                continue;
            }

            var gapMissing = weekdaysOnly
                ? WeekdaysBetween(times[i - 1], times[i])
                : Math.Max(0, ((difference + (cadence / 2)) / cadence) - 1);
            gapCount++;
            missing += gapMissing;
            if (gaps.Count < MaxListedGaps)
            {
                gaps.Add(new BarGap(times[i - 1], times[i], gapMissing));
            }
        }
    }

    private static bool HasWeekendBar(ReadOnlySpan<long> times)
    {
        foreach (var time in times)
        {
            if (DayOfWeekIndex(UnixTimeText.FloorDivide(time, Day)) >= 5)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>0 = Monday … 6 = Sunday; 1970-01-01 was a Thursday.</summary>
    private static int DayOfWeekIndex(long day) => (int)(((day % 7) + 7 + 3) % 7);

    /// <summary>Weekdays strictly after the day of <paramref name="from"/> and strictly before the day of <paramref name="to"/>.</summary>
    private static long WeekdaysBetween(long from, long to)
    {
        var firstDay = UnixTimeText.FloorDivide(from, Day) + 1;
        var lastDay = UnixTimeText.FloorDivide(to, Day) - 1;
        if (lastDay < firstDay)
        {
            return 0;
        }

        var days = lastDay - firstDay + 1;
        var result = days / 7 * 5;
        var weekday = DayOfWeekIndex(firstDay);
        for (var i = 0; i < days % 7; i++)
        {
            if ((weekday + i) % 7 < 5)
            {
                result++;
            }
        }

        return result;
    }
}
