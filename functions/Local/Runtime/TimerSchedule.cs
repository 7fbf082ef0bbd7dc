using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>
/// When a <c>timerTrigger</c> fires, parsed from its <c>schedule</c> the way the Functions host does: first as a
/// six-field NCRONTAB expression (<see cref="CronSchedule"/>), then as a <see cref="TimeSpan"/> such as
/// <c>00:05:00</c> (<see cref="IntervalSchedule"/>). Times are UTC, as in Azure unless <c>WEBSITE_TIME_ZONE</c> is set.
/// </summary>
public abstract class TimerSchedule
{
    /// <summary>The expression as written in <c>function.json</c> (after <c>%Setting%</c> resolution).</summary>
    public abstract string Expression { get; }

    /// <summary>What the host serialises as <c>Schedule.AdjustForDST</c> in <c>TimerInfo</c>: true for NCRONTAB schedules, false for intervals.</summary>
    public abstract bool AdjustForDst { get; }

    /// <summary>The first occurrence strictly after a time.</summary>
    /// <param name="after">The time (any offset; compared in UTC).</param>
    /// <returns>The next occurrence in UTC, or null when the schedule never fires again.</returns>
    public abstract DateTimeOffset? GetNextOccurrence(DateTimeOffset after);

    /// <summary>Parses a schedule: NCRONTAB first, then a TimeSpan, like the host.</summary>
    /// <param name="expression">The schedule.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="FormatException">It is neither; the message says what is wrong with it as NCRONTAB.</exception>
    public static TimerSchedule Parse(string expression) =>
        TryParse(expression, out var schedule, out var error) ? schedule : throw new FormatException(error);

    /// <summary>Parses a schedule without throwing.</summary>
    /// <param name="expression">The schedule.</param>
    /// <param name="schedule">The schedule, when valid.</param>
    /// <param name="error">Why it is not valid, when not.</param>
    /// <returns>True when valid.</returns>
    public static bool TryParse(string? expression, [NotNullWhen(true)] out TimerSchedule? schedule, [NotNullWhen(false)] out string? error)
    {
        schedule = null;
        if (string.IsNullOrWhiteSpace(expression))
        {
            error = "the schedule is empty; write a six-field NCRONTAB expression such as '0 */5 * * * *' or a TimeSpan such as '00:05:00'.";
            return false;
        }

        if (CronSchedule.TryParse(expression, out var cron, out var cronError))
        {
            schedule = cron;
            error = null;
            return true;
        }

        // The host falls back to TimeSpan.TryParse only when the text is not NCRONTAB; a one-field text like "5"
        // is therefore five days, as in Azure.
        if (!expression.Contains(' ', StringComparison.Ordinal) && TimeSpan.TryParse(expression.Trim(), CultureInfo.InvariantCulture, out var interval))
        {
            if (interval <= TimeSpan.Zero)
            {
                error = $"the interval schedule '{expression}' must be longer than zero.";
                return false;
            }

            schedule = new IntervalSchedule(expression, interval);
            error = null;
            return true;
        }

        error = $"the schedule '{expression}' is neither an NCRONTAB expression nor a TimeSpan such as '00:05:00': {cronError}";
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => Expression;
}

/// <summary>A constant interval (<c>"00:05:00"</c>): each occurrence is the interval after the previous run.</summary>
public sealed class IntervalSchedule : TimerSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="expression">The text it came from.</param>
    /// <param name="interval">The interval, above zero.</param>
    public IntervalSchedule(string expression, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Expression = expression;
        Interval = interval;
    }

    /// <summary>The interval.</summary>
    public TimeSpan Interval { get; }

    /// <inheritdoc />
    public override string Expression { get; }

    /// <inheritdoc />
    public override bool AdjustForDst => false;

    /// <inheritdoc />
    public override DateTimeOffset? GetNextOccurrence(DateTimeOffset after) =>
        after.UtcDateTime <= DateTime.MaxValue - Interval ? new DateTimeOffset(after.UtcDateTime + Interval, TimeSpan.Zero) : null;
}
