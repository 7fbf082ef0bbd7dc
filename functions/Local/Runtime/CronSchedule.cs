using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>
/// A six-field NCRONTAB schedule, the timer trigger's format: <c>{second} {minute} {hour} {day} {month} {day-of-week}</c>,
/// evaluated in UTC. Each field is <c>*</c>, a value, a range <c>a-b</c>, a step <c>*/n</c>, <c>a-b/n</c> or
/// <c>a/n</c> (from a to the field's maximum), or a comma-separated list of those. Months take <c>JAN</c>…<c>DEC</c>
/// and days of the week <c>SUN</c>…<c>SAT</c> (Sunday is 0) in any letter case, or any longer prefix of the English
/// name (<c>Mon</c>, <c>Monday</c>). As in NCrontab (which the host uses): a day must match both the day-of-month and
/// the day-of-week fields, and a reversed range (<c>5-1</c>) means the same as the ordered one. Stricter than NCrontab:
/// a step must be at least 1, names need three letters, and a schedule that can never fire is refused.
/// </summary>
public sealed class CronSchedule : TimerSchedule
{
    private static readonly string[] MonthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    private static readonly Field[] Fields =
    [
        new("second", 0, 59, null),
        new("minute", 0, 59, null),
        new("hour", 0, 23, null),
        new("day of month", 1, 31, null),
        new("month", 1, 12, MonthNames),
        new("day of week", 0, 6, DayNames),
    ];

    private readonly ulong seconds;
    private readonly ulong minutes;
    private readonly ulong hours;
    private readonly ulong days;
    private readonly ulong months;
    private readonly ulong daysOfWeek;

    private CronSchedule(string expression, ulong[] sets)
    {
        Expression = expression;
        seconds = sets[0];
        minutes = sets[1];
        hours = sets[2];
        days = sets[3];
        months = sets[4];
        daysOfWeek = sets[5];
    }

    /// <inheritdoc />
    public override string Expression { get; }

    /// <inheritdoc />
    public override bool AdjustForDst => true;

    /// <summary>Parses an NCRONTAB expression.</summary>
    /// <param name="expression">Six whitespace-separated fields.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="FormatException">The expression is invalid; the message names the field, the rule and the value.</exception>
    public static new CronSchedule Parse(string expression) =>
        TryParse(expression, out var schedule, out var error) ? schedule : throw new FormatException(error);

    /// <summary>Parses an NCRONTAB expression without throwing.</summary>
    /// <param name="expression">Six whitespace-separated fields.</param>
    /// <param name="schedule">The schedule, when valid.</param>
    /// <param name="error">What is wrong, when not: the field, the rule and the offending text.</param>
    /// <returns>True when valid.</returns>
    public static bool TryParse(string? expression, [NotNullWhen(true)] out CronSchedule? schedule, [NotNullWhen(false)] out string? error)
    {
        schedule = null;
        var parts = (expression ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 6)
        {
            error = parts.Length == 5
                ? $"'{expression}' has 5 fields; the timer trigger's NCRONTAB needs 6, seconds first ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}): did you mean '0 {string.Join(' ', parts)}'?"
                : string.Create(CultureInfo.InvariantCulture, $"'{expression}' has {parts.Length} fields; NCRONTAB needs 6, seconds first: {{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}} (e.g. '0 */5 * * * *').");
            return false;
        }

        var sets = new ulong[6];
        for (var i = 0; i < 6; i++)
        {
            if (!Fields[i].TryParse(parts[i], out sets[i], out var fieldError))
            {
                error = $"'{expression}': {fieldError}";
                return false;
            }
        }

        var candidate = new CronSchedule(string.Join(' ', parts), sets);

        // Some combinations never happen (31 February, 30 February on any weekday): refuse them instead of idling forever.
        if (candidate.GetNextOccurrence(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero)) is null)
        {
            error = $"'{expression}' never fires: no date has that day of month in those months (and on those days of the week).";
            return false;
        }

        schedule = candidate;
        error = null;
        return true;
    }

    /// <inheritdoc />
    public override DateTimeOffset? GetNextOccurrence(DateTimeOffset after)
    {
        var utc = after.UtcDateTime;
        if (utc.Year >= 9999)
        {
            return null;
        }

        // Whole seconds strictly after the given time.
        var t = new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc).AddSeconds(1);

        // Dates and weekdays repeat every 400 years (the Gregorian cycle), so a longer search means the schedule
        // never fires again.
        var limit = t.Year + 400;
        while (t.Year <= limit && t.Year < 9999)
        {
            var month = Next(months, t.Month);
            if (month < 0)
            {
                t = new DateTime(t.Year + 1, 1, 1, 0, 0, 0, DateTimeKind.Utc);
                continue;
            }

            if (month != t.Month)
            {
                t = new DateTime(t.Year, month, 1, 0, 0, 0, DateTimeKind.Utc);
            }

            if (!Has(days, t.Day) || !Has(daysOfWeek, (int)t.DayOfWeek))
            {
                t = t.Date.AddDays(1);
                continue;
            }

            var hour = Next(hours, t.Hour);
            if (hour < 0)
            {
                t = t.Date.AddDays(1);
                continue;
            }

            if (hour != t.Hour)
            {
                t = t.Date.AddHours(hour);
            }

            var minute = Next(minutes, t.Minute);
            if (minute < 0)
            {
                t = t.Date.AddHours(t.Hour + 1);
                continue;
            }

            if (minute != t.Minute)
            {
                t = t.Date.AddHours(t.Hour).AddMinutes(minute);
            }

            var second = Next(seconds, t.Second);
            if (second < 0)
            {
                t = t.Date.AddHours(t.Hour).AddMinutes(t.Minute + 1);
                continue;
            }

            return new DateTimeOffset(t.Date.AddHours(t.Hour).AddMinutes(t.Minute).AddSeconds(second), TimeSpan.Zero);
        }

        return null;
    }

    /// <summary>The next occurrences after a time.</summary>
    /// <param name="after">The time.</param>
    /// <param name="count">How many.</param>
    /// <returns>Up to <paramref name="count"/> occurrences, ascending.</returns>
    public IReadOnlyList<DateTimeOffset> GetNextOccurrences(DateTimeOffset after, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var result = new List<DateTimeOffset>(count);
        var next = GetNextOccurrence(after);
        while (next is { } occurrence && result.Count < count)
        {
            result.Add(occurrence);
            next = GetNextOccurrence(occurrence);
        }

        return result;
    }

    private static bool Has(ulong set, int value) => (set & (1UL << value)) != 0;

    /// <summary>The smallest value in the set at or above <paramref name="from"/>, or −1.</summary>
    private static int Next(ulong set, int from)
    {
        var rest = set >> from;
        return rest == 0 ? -1 : from + BitOperations.TrailingZeroCount(rest);
    }

    private sealed class Field(string name, int min, int max, string[]? names)
    {
        public bool TryParse(string text, out ulong set, [NotNullWhen(false)] out string? error)
        {
            set = 0;
            foreach (var item in text.Split(','))
            {
                if (!TryParseItem(item, ref set, out error))
                {
                    return false;
                }
            }

            error = null;
            return true;
        }

        private bool TryParseItem(string item, ref ulong set, [NotNullWhen(false)] out string? error)
        {
            if (item.Length == 0)
            {
                error = $"the {name} field has an empty item in a list (two commas in a row, or one at an end).";
                return false;
            }

            var range = item;
            var step = 1;
            var slash = item.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                range = item[..slash];
                var stepText = item[(slash + 1)..];
                if (!int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1)
                {
                    error = $"the {name} field's step in '{item}' must be a whole number of at least 1; got '{stepText}'.";
                    return false;
                }

                if (range.Length == 0)
                {
                    error = $"the {name} field's step '{item}' needs something to step through: '*/{stepText}', 'a-b/{stepText}' or 'a/{stepText}'.";
                    return false;
                }
            }

            int first;
            int last;
            if (range == "*")
            {
                first = min;
                last = max;
            }
            else
            {
                var dash = range.IndexOf('-', StringComparison.Ordinal);
                if (dash >= 0)
                {
                    if (!TryValue(range[..dash], item, out first, out error) || !TryValue(range[(dash + 1)..], item, out last, out error))
                    {
                        return false;
                    }

                    if (first > last)
                    {
                        (first, last) = (last, first);
                    }
                }
                else
                {
                    if (!TryValue(range, item, out first, out error))
                    {
                        return false;
                    }

                    last = slash >= 0 ? max : first;
                }
            }

            for (var v = first; v <= last; v += step)
            {
                set |= 1UL << v;
            }

            error = null;
            return true;
        }

        private bool TryValue(string text, string item, out int value, [NotNullWhen(false)] out string? error)
        {
            error = null;
            if (text.Length > 0 && char.IsAsciiDigit(text[0]))
            {
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
                {
                    error = $"the {name} field's value '{text}' in '{item}' is not a whole number.";
                    return false;
                }

                if (value < min || value > max)
                {
                    var hint = names == DayNames && value == 7 ? " (Sunday is 0 or SUN)" : string.Empty;
                    error = string.Create(CultureInfo.InvariantCulture, $"the {name} field's value {value} in '{item}' is out of range: it must be {min} to {max}{hint}.");
                    return false;
                }

                return true;
            }

            value = -1;
            if (names is not null && text.Length >= 3)
            {
                for (var i = 0; i < names.Length; i++)
                {
                    if (names[i].StartsWith(text, StringComparison.OrdinalIgnoreCase))
                    {
                        value = min + i;
                        return true;
                    }
                }
            }

            error = names is null
                ? $"the {name} field's value '{text}' in '{item}' is not a number from {min} to {max} (or '*')."
                : $"the {name} field's value '{text}' in '{item}' is neither a number from {min} to {max} nor a name ({string.Join(", ", names.Select(n => n[..3].ToUpperInvariant()))}, or a longer prefix of the English name).";
            return false;
        }
    }
}
