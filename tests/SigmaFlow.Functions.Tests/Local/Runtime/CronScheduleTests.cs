using System.Globalization;
using SigmaFlow.Functions.Local.Runtime;

namespace SigmaFlow.Functions.Tests.Local.Runtime;

/// <summary>
/// The NCRONTAB parser. Expected occurrences were worked out by hand from a calendar: 2026-01-01 is a Thursday, so
/// the base time 2026-01-15T10:20:30Z is a Thursday too; 2028 is the next leap year.
/// </summary>
public sealed class CronScheduleTests
{
    private static readonly DateTimeOffset Base = At("2026-01-15T10:20:30");

    [Theory]
    [InlineData("0 */5 * * * *", "2026-01-15T10:25:00", "2026-01-15T10:30:00", "2026-01-15T10:35:00")]
    [InlineData("*/15 * * * * *", "2026-01-15T10:20:45", "2026-01-15T10:21:00", "2026-01-15T10:21:15")]
    [InlineData("0 0 * * * *", "2026-01-15T11:00:00", "2026-01-15T12:00:00", "2026-01-15T13:00:00")]
    [InlineData("0 30 9 * * MON-FRI", "2026-01-16T09:30:00", "2026-01-19T09:30:00", "2026-01-20T09:30:00")]
    [InlineData("0 0 0 1 JAN *", "2027-01-01T00:00:00", "2028-01-01T00:00:00", "2029-01-01T00:00:00")]
    [InlineData("0 0 12 * * SUN", "2026-01-18T12:00:00", "2026-01-25T12:00:00", "2026-02-01T12:00:00")]
    [InlineData("30 15 10 15 * *", "2026-02-15T10:15:30", "2026-03-15T10:15:30", "2026-04-15T10:15:30")]
    [InlineData("0 0 0 29 FEB *", "2028-02-29T00:00:00", "2032-02-29T00:00:00", "2036-02-29T00:00:00")]
    [InlineData("0 0 0 31 * *", "2026-01-31T00:00:00", "2026-03-31T00:00:00", "2026-05-31T00:00:00")]
    [InlineData("0 0 8-10/2 * * *", "2026-01-16T08:00:00", "2026-01-16T10:00:00", "2026-01-17T08:00:00")]
    [InlineData("0 5,10,50 * * * *", "2026-01-15T10:50:00", "2026-01-15T11:05:00", "2026-01-15T11:10:00")]
    [InlineData("0 0 0 13 * FRI", "2026-02-13T00:00:00", "2026-03-13T00:00:00", "2026-11-13T00:00:00")]
    [InlineData("5/20 * * * * *", "2026-01-15T10:20:45", "2026-01-15T10:21:05", "2026-01-15T10:21:25")]
    [InlineData("0 0 0 * DEC,jan Monday", "2026-01-19T00:00:00", "2026-01-26T00:00:00", "2026-12-07T00:00:00")]
    [InlineData("0 0 0 * * FRI-MON", "2026-01-16T00:00:00", "2026-01-19T00:00:00", "2026-01-20T00:00:00")]
    [InlineData("  0  0   6 * *  sat ", "2026-01-17T06:00:00", "2026-01-24T06:00:00", "2026-01-31T06:00:00")]
    public void GetNextOccurrences_HandComputed(string expression, string first, string second, string third)
    {
        var schedule = CronSchedule.Parse(expression);
        Assert.Equal([At(first), At(second), At(third)], schedule.GetNextOccurrences(Base, 3));
    }

    [Theory]
    [InlineData("0 */5 * * * *", "2026-01-15T10:25:00", "2026-01-15T10:30:00")]
    [InlineData("0 */5 * * * *", "2026-01-15T10:24:59.9", "2026-01-15T10:25:00")]
    [InlineData("59 59 23 31 DEC *", "2026-12-31T23:59:58", "2026-12-31T23:59:59")]
    [InlineData("59 59 23 31 DEC *", "2026-12-31T23:59:59", "2027-12-31T23:59:59")]
    public void GetNextOccurrence_IsStrictlyAfter(string expression, string after, string expected) =>
        Assert.Equal(At(expected), CronSchedule.Parse(expression).GetNextOccurrence(At(after)));

    [Fact]
    public void GetNextOccurrence_OtherOffsets_AreComparedInUtc()
    {
        var schedule = CronSchedule.Parse("0 0 12 * * *");
        var noonInNewYork = new DateTimeOffset(2026, 1, 15, 7, 0, 0, TimeSpan.FromHours(-5));
        Assert.Equal(At("2026-01-16T12:00:00"), schedule.GetNextOccurrence(noonInNewYork));
    }

    [Theory]
    [InlineData("* * * * *", "has 5 fields; the timer trigger's NCRONTAB needs 6, seconds first")]
    [InlineData("*/5 * * * *", "did you mean '0 */5 * * * *'?")]
    [InlineData("0 0 * * * * *", "has 7 fields; NCRONTAB needs 6")]
    [InlineData("0 60 * * * *", "the minute field's value 60 in '60' is out of range: it must be 0 to 59.")]
    [InlineData("60 * * * * *", "the second field's value 60 in '60' is out of range: it must be 0 to 59.")]
    [InlineData("0 0 24 * * *", "the hour field's value 24 in '24' is out of range: it must be 0 to 23.")]
    [InlineData("0 0 0 0 * *", "the day of month field's value 0 in '0' is out of range: it must be 1 to 31.")]
    [InlineData("0 0 0 * 13 *", "the month field's value 13 in '13' is out of range: it must be 1 to 12.")]
    [InlineData("0 0 0 * * 7", "the day of week field's value 7 in '7' is out of range: it must be 0 to 6 (Sunday is 0 or SUN).")]
    [InlineData("0 0 1-30/0 * * *", "the hour field's step in '1-30/0' must be a whole number of at least 1; got '0'.")]
    [InlineData("0 */x * * * *", "the minute field's step in '*/x' must be a whole number of at least 1; got 'x'.")]
    [InlineData("0 /5 * * * *", "the minute field's step '/5' needs something to step through")]
    [InlineData("0 0 0 * FOO *", "the month field's value 'FOO' in 'FOO' is neither a number from 1 to 12 nor a name (JAN, FEB, MAR")]
    [InlineData("0 0 0 * * MO", "the day of week field's value 'MO' in 'MO' is neither a number from 0 to 6 nor a name (SUN, MON")]
    [InlineData("0 1,,2 * * * *", "the minute field has an empty item in a list")]
    [InlineData("a * * * * *", "the second field's value 'a' in 'a' is not a number from 0 to 59 (or '*').")]
    [InlineData("0 0 0 1- * *", "the day of month field's value '' in '1-' is not a number from 1 to 31")]
    [InlineData("0 0 0 30 FEB *", "never fires")]
    [InlineData("0 0 0 31 APR,JUN,SEP,NOV *", "never fires")]
    public void Parse_Invalid_SaysWhereAndWhy(string expression, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => CronSchedule.Parse(expression));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"'{expression}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TimerSchedule_CronFirst_ThenTimeSpan_LikeTheHost()
    {
        var cron = TimerSchedule.Parse("0 */5 * * * *");
        Assert.IsType<CronSchedule>(cron);
        Assert.True(cron.AdjustForDst);

        var interval = Assert.IsType<IntervalSchedule>(TimerSchedule.Parse("00:05:00"));
        Assert.Equal(TimeSpan.FromMinutes(5), interval.Interval);
        Assert.False(interval.AdjustForDst);
        Assert.Equal(Base.AddMinutes(5), interval.GetNextOccurrence(Base));

        // TimeSpan.TryParse reads a bare number as days, so the host takes "5" as every five days; so do we.
        Assert.Equal(TimeSpan.FromDays(5), Assert.IsType<IntervalSchedule>(TimerSchedule.Parse("5")).Interval);
        Assert.Equal(TimeSpan.FromDays(1), Assert.IsType<IntervalSchedule>(TimerSchedule.Parse("1.00:00:00")).Interval);
    }

    [Theory]
    [InlineData("", "the schedule is empty")]
    [InlineData("   ", "the schedule is empty")]
    [InlineData("00:00:00", "the interval schedule '00:00:00' must be longer than zero.")]
    [InlineData("-00:05:00", "must be longer than zero.")]
    [InlineData("every 5 minutes", "is neither an NCRONTAB expression nor a TimeSpan such as '00:05:00': 'every 5 minutes' has 3 fields")]
    [InlineData("0 */5 * * *", "did you mean '0 0 */5 * * *'?")]
    public void TimerSchedule_Invalid_SaysWhy(string expression, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => TimerSchedule.Parse(expression));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    private static DateTimeOffset At(string utc) =>
        DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
