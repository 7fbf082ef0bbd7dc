using System.Globalization;

namespace SigmaFlow.Core.Data;

/// <summary>
/// A bar length such as <c>1m</c>, <c>4h</c> or <c>1w</c>, stored as milliseconds. Text form:
/// <c>&lt;n&gt;&lt;unit&gt;</c> with unit <c>ms</c>, <c>s</c>, <c>m</c> (minutes), <c>h</c>, <c>d</c> or <c>w</c>.
/// </summary>
public readonly record struct Timeframe
{
    private const long Second = 1000;
    private const long Minute = 60 * Second;
    private const long Hour = 60 * Minute;
    private const long Day = 24 * Hour;
    private const long Week = 7 * Day;

    /// <summary>Creates a timeframe.</summary>
    /// <param name="milliseconds">Length in milliseconds, greater than 0.</param>
    public Timeframe(long milliseconds)
    {
        if (milliseconds <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(milliseconds),
                milliseconds,
                string.Create(CultureInfo.InvariantCulture, $"{nameof(milliseconds)} must be greater than 0; got {milliseconds}."));
        }

        Milliseconds = milliseconds;
    }

    /// <summary>Length in milliseconds (0 only for <c>default</c>, which is not a usable timeframe).</summary>
    public long Milliseconds { get; }

    /// <summary>Length as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan Duration => TimeSpan.FromMilliseconds(Milliseconds);

    /// <summary>Creates a timeframe from a duration of whole milliseconds.</summary>
    /// <param name="duration">The duration, at least 1 ms and a whole number of milliseconds.</param>
    /// <returns>The timeframe.</returns>
    public static Timeframe FromTimeSpan(TimeSpan duration)
    {
        if (duration.Ticks <= 0 || duration.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(duration),
                duration,
                string.Create(CultureInfo.InvariantCulture, $"{nameof(duration)} must be a positive whole number of milliseconds; got {duration}."));
        }

        return new Timeframe(duration.Ticks / TimeSpan.TicksPerMillisecond);
    }

    /// <summary>Parses <c>&lt;n&gt;&lt;unit&gt;</c>, e.g. <c>1m</c>, <c>15m</c>, <c>4h</c>, <c>1d</c>, <c>1w</c>, <c>500ms</c>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The timeframe.</returns>
    /// <exception cref="FormatException">The text is not a timeframe; the message says what was expected.</exception>
    public static Timeframe Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var timeframe, out var error) ? timeframe : throw new FormatException(error);
    }

    /// <summary>Tries to parse <c>&lt;n&gt;&lt;unit&gt;</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="timeframe">The timeframe, or <c>default</c>.</param>
    /// <returns>True when the text is a timeframe.</returns>
    public static bool TryParse(string? text, out Timeframe timeframe) => TryParse(text, out timeframe, out _);

    /// <summary>The text form with the largest unit that divides the length, e.g. <c>90m</c> → <c>90m</c>, <c>60m</c> → <c>1h</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var ms = Milliseconds;
        if (ms <= 0)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var (unit, suffix) = ms % Week == 0 ? (Week, "w")
            : ms % Day == 0 ? (Day, "d")
            : ms % Hour == 0 ? (Hour, "h")
            : ms % Minute == 0 ? (Minute, "m")
            : ms % Second == 0 ? (Second, "s")
            : (1L, "ms");
        return (ms / unit).ToString(CultureInfo.InvariantCulture) + suffix;
    }

    private static bool TryParse(string? text, out Timeframe timeframe, out string error)
    {
        timeframe = default;
        var span = text.AsSpan().Trim();
        var digits = 0;
        while (digits < span.Length && char.IsAsciiDigit(span[digits]))
        {
            digits++;
        }

        var suffix = span[digits..];
        long unit = suffix switch
        {
            "ms" or "MS" or "Ms" or "mS" => 1,
            "s" or "S" => Second,
            "m" => Minute,
            "h" or "H" => Hour,
            "d" or "D" => Day,
            "w" or "W" => Week,
            _ => 0,
        };

        if (digits == 0 || unit == 0)
        {
            var hint = suffix is "M" ? " ('M' is ambiguous; months are not supported, use 'm' for minutes)" : string.Empty;
            error = string.Create(
                CultureInfo.InvariantCulture,
                $"Timeframe '{text}' is not valid{hint}: expected <number><unit> with unit ms, s, m, h, d or w, e.g. 1m, 15m, 4h, 1d, 1w.");
            return false;
        }

        if (!long.TryParse(span[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0 || count > long.MaxValue / unit)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"Timeframe '{text}' is not valid: the number must be at least 1 and the length must fit in 64-bit milliseconds.");
            return false;
        }

        timeframe = new Timeframe(count * unit);
        error = string.Empty;
        return true;
    }
}
