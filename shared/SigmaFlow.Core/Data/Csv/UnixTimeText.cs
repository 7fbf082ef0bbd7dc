using System.Globalization;

namespace SigmaFlow.Core.Data;

/// <summary>
/// Allocation-free conversion between time text and Unix milliseconds UTC. Parses ISO 8601 dates and date-times (with
/// <c>Z</c> or a numeric offset), US <c>M/D/YYYY</c> and <c>MM/DD/YY</c> dates with an optional time, and Unix seconds or
/// milliseconds. Formats ISO 8601 UTC (<c>yyyy-MM-ddTHH:mm:ssZ</c>, with <c>.fff</c> only when the milliseconds are
/// not zero).
/// </summary>
internal static class UnixTimeText
{
    /// <summary>0001-01-01T00:00:00Z.</summary>
    public const long MinMilliseconds = -62_135_596_800_000;

    /// <summary>9999-12-31T23:59:59.999Z.</summary>
    public const long MaxMilliseconds = 253_402_300_799_999;

    /// <summary>Integers with an absolute value at least this large are milliseconds; smaller ones are seconds.</summary>
    public const long MillisecondsThreshold = 100_000_000_000;

    /// <summary>Longest text <see cref="Format(long, Span{char})"/> writes.</summary>
    public const int MaxFormattedLength = 24;

    private const long MillisecondsPerDay = 86_400_000;

    /// <summary>Parses a time; times without an offset are UTC.</summary>
    /// <param name="text">The text, already trimmed.</param>
    /// <param name="milliseconds">Unix milliseconds UTC.</param>
    /// <returns>True when the text is a valid time.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out long milliseconds)
    {
        milliseconds = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        if (IsWholeNumber(text))
        {
            return TryParseUnix(text, out milliseconds);
        }

        var pos = 0;
        var first = ReadDigits(text, ref pos, 4, out var firstDigits);
        if (firstDigits == 0 || pos >= text.Length)
        {
            return false;
        }

        int year, month, day;
        if (text[pos] == '-' && firstDigits == 4)
        {
            year = first;
            pos++;
            month = ReadDigits(text, ref pos, 2, out var monthDigits);
            if (monthDigits == 0 || pos >= text.Length || text[pos] != '-')
            {
                return false;
            }

            pos++;
            day = ReadDigits(text, ref pos, 2, out var dayDigits);
            if (dayDigits == 0)
            {
                return false;
            }
        }
        else if (text[pos] == '/' && firstDigits <= 2)
        {
            month = first;
            pos++;
            day = ReadDigits(text, ref pos, 2, out var dayDigits);
            if (dayDigits == 0 || pos >= text.Length || text[pos] != '/')
            {
                return false;
            }

            pos++;
            year = ReadDigits(text, ref pos, 4, out var yearDigits);
            if (yearDigits == 2)
            {
                year += year < 50 ? 2000 : 1900;
            }
            else if (yearDigits != 4)
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        long timeOfDay = 0;
        long offsetMinutes = 0;
        if (pos < text.Length)
        {
            var separator = text[pos];
            if (separator != 'T' && separator != 't' && separator != ' ')
            {
                return false;
            }

            pos++;
            SkipSpaces(text, ref pos);
            if (!TryParseTimeOfDay(text, ref pos, out timeOfDay) || !TryParseOffset(text, ref pos, out offsetMinutes) || pos != text.Length)
            {
                return false;
            }
        }

        milliseconds = (DaysFromCivil(year, month, day) * MillisecondsPerDay) + timeOfDay - (offsetMinutes * 60_000);
        return milliseconds is >= MinMilliseconds and <= MaxMilliseconds;
    }

    /// <summary>Formats a time as ISO 8601 UTC into <paramref name="destination"/>.</summary>
    /// <param name="milliseconds">Unix milliseconds UTC, within years 1 to 9999.</param>
    /// <param name="destination">At least <see cref="MaxFormattedLength"/> characters.</param>
    /// <returns>Characters written.</returns>
    public static int Format(long milliseconds, Span<char> destination)
    {
        if (milliseconds is < MinMilliseconds or > MaxMilliseconds)
        {
            throw new ArgumentOutOfRangeException(
                nameof(milliseconds),
                milliseconds,
                string.Create(CultureInfo.InvariantCulture, $"Time must lie between {MinMilliseconds} and {MaxMilliseconds} Unix milliseconds (years 1 to 9999); got {milliseconds}."));
        }

        var days = FloorDivide(milliseconds, MillisecondsPerDay);
        var msOfDay = milliseconds - (days * MillisecondsPerDay);
        CivilFromDays(days, out var year, out var month, out var day);
        var hour = (int)(msOfDay / 3_600_000);
        var minute = (int)(msOfDay / 60_000 % 60);
        var second = (int)(msOfDay / 1000 % 60);
        var fraction = (int)(msOfDay % 1000);

        Write(destination, 0, year, 4);
        destination[4] = '-';
        Write(destination, 5, month, 2);
        destination[7] = '-';
        Write(destination, 8, day, 2);
        destination[10] = 'T';
        Write(destination, 11, hour, 2);
        destination[13] = ':';
        Write(destination, 14, minute, 2);
        destination[16] = ':';
        Write(destination, 17, second, 2);
        var length = 19;
        if (fraction != 0)
        {
            destination[19] = '.';
            Write(destination, 20, fraction, 3);
            length = 23;
        }

        destination[length] = 'Z';
        return length + 1;
    }

    /// <summary>Formats a time as ISO 8601 UTC.</summary>
    /// <param name="milliseconds">Unix milliseconds UTC.</param>
    /// <returns>The text.</returns>
    public static string Format(long milliseconds)
    {
        Span<char> buffer = stackalloc char[MaxFormattedLength];
        var length = Format(milliseconds, buffer);
        return new string(buffer[..length]);
    }

    /// <summary>Floor division for a positive divisor.</summary>
    /// <param name="value">Dividend.</param>
    /// <param name="divisor">Divisor, greater than 0.</param>
    /// <returns>The largest integer not above value / divisor.</returns>
    public static long FloorDivide(long value, long divisor)
    {
        var quotient = Math.DivRem(value, divisor, out var remainder);
        return remainder < 0 ? quotient - 1 : quotient;
    }

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).</summary>
    /// <param name="year">Year.</param>
    /// <param name="month">Month 1-12.</param>
    /// <param name="day">Day of month.</param>
    /// <returns>Days since the Unix epoch.</returns>
    public static long DaysFromCivil(int year, int month, int day)
    {
        long y = month <= 2 ? year - 1 : year;
        var era = (y >= 0 ? y : y - 399) / 400;
        var yearOfEra = y - (era * 400);
        var dayOfYear = ((153 * (month > 2 ? month - 3 : month + 9)) + 2) / 5 + day - 1;
        var dayOfEra = (yearOfEra * 365) + (yearOfEra / 4) - (yearOfEra / 100) + dayOfYear;
        return (era * 146_097) + dayOfEra - 719_468;
    }

    private static void CivilFromDays(long days, out int year, out int month, out int day)
    {
        var z = days + 719_468;
        var era = (z >= 0 ? z : z - 146_096) / 146_097;
        var dayOfEra = z - (era * 146_097);
        var yearOfEra = (dayOfEra - (dayOfEra / 1460) + (dayOfEra / 36_524) - (dayOfEra / 146_096)) / 365;
        var dayOfYear = dayOfEra - ((365 * yearOfEra) + (yearOfEra / 4) - (yearOfEra / 100));
        var monthIndex = ((5 * dayOfYear) + 2) / 153;
        day = (int)(dayOfYear - (((153 * monthIndex) + 2) / 5) + 1);
        month = (int)(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9);
        year = (int)(yearOfEra + (era * 400) + (month <= 2 ? 1 : 0));
    }

    private static bool IsWholeNumber(ReadOnlySpan<char> text)
    {
        var start = text[0] is '-' or '+' ? 1 : 0;
        if (start == text.Length)
        {
            return false;
        }

        for (var i = start; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryParseUnix(ReadOnlySpan<char> text, out long milliseconds)
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            milliseconds = 0;
            return false;
        }

        // Seconds below 1e11 reach the year 5138; milliseconds below 1e11 would all fall in early 1973.
        milliseconds = value is > -MillisecondsThreshold and < MillisecondsThreshold ? value * 1000 : value;
        return milliseconds is >= MinMilliseconds and <= MaxMilliseconds;
    }

    private static bool TryParseTimeOfDay(ReadOnlySpan<char> text, ref int pos, out long milliseconds)
    {
        milliseconds = 0;
        var hour = ReadDigits(text, ref pos, 2, out var hourDigits);
        if (hourDigits == 0 || pos >= text.Length || text[pos] != ':')
        {
            return false;
        }

        pos++;
        var minute = ReadDigits(text, ref pos, 2, out var minuteDigits);
        if (minuteDigits != 2)
        {
            return false;
        }

        var second = 0;
        var fraction = 0;
        if (pos < text.Length && text[pos] == ':')
        {
            pos++;
            second = ReadDigits(text, ref pos, 2, out var secondDigits);
            if (secondDigits != 2)
            {
                return false;
            }

            if (pos < text.Length && text[pos] is '.' or ',')
            {
                pos++;
                var fractionDigits = 0;
                while (pos < text.Length && char.IsAsciiDigit(text[pos]))
                {
                    // Keep milliseconds; finer digits are truncated.
                    if (fractionDigits < 3)
                    {
                        fraction = (fraction * 10) + (text[pos] - '0');
                    }

                    fractionDigits++;
                    pos++;
                }

                if (fractionDigits == 0)
                {
                    return false;
                }

                for (var i = fractionDigits; i < 3; i++)
                {
                    fraction *= 10;
                }
            }
        }

        SkipSpaces(text, ref pos);
        if (pos + 1 < text.Length && (text[pos + 1] is 'M' or 'm') && (text[pos] is 'A' or 'a' or 'P' or 'p'))
        {
            if (hour is < 1 or > 12)
            {
                return false;
            }

            var afternoon = text[pos] is 'P' or 'p';
            hour = (hour % 12) + (afternoon ? 12 : 0);
            pos += 2;
            SkipSpaces(text, ref pos);
        }

        if (hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        milliseconds = (hour * 3_600_000L) + (minute * 60_000L) + (second * 1000L) + fraction;
        return true;
    }

    private static bool TryParseOffset(ReadOnlySpan<char> text, ref int pos, out long minutes)
    {
        minutes = 0;
        if (pos >= text.Length)
        {
            return true;
        }

        var sign = text[pos];
        if (sign is 'Z' or 'z')
        {
            pos++;
            return true;
        }

        if (sign is not ('+' or '-'))
        {
            return false;
        }

        pos++;
        if (!TryReadTwoDigits(text, ref pos, out var hours))
        {
            return false;
        }

        var offsetMinutes = 0;
        if (pos < text.Length)
        {
            if (text[pos] == ':')
            {
                pos++;
            }

            if (!TryReadTwoDigits(text, ref pos, out offsetMinutes))
            {
                return false;
            }
        }

        if (hours > 23 || offsetMinutes > 59)
        {
            return false;
        }

        minutes = (hours * 60) + offsetMinutes;
        if (sign == '-')
        {
            minutes = -minutes;
        }

        return true;
    }

    /// <summary>Reads up to <paramref name="maxDigits"/> ASCII digits; more digits than that make the count exceed it.</summary>
    private static int ReadDigits(ReadOnlySpan<char> text, ref int pos, int maxDigits, out int digits)
    {
        var value = 0;
        digits = 0;
        while (pos < text.Length && char.IsAsciiDigit(text[pos]))
        {
            if (digits == maxDigits)
            {
                digits = 0;
                return 0;
            }

            value = (value * 10) + (text[pos] - '0');
            digits++;
            pos++;
        }

        return value;
    }

    private static bool TryReadTwoDigits(ReadOnlySpan<char> text, ref int pos, out int value)
    {
        if (pos + 1 < text.Length && char.IsAsciiDigit(text[pos]) && char.IsAsciiDigit(text[pos + 1]))
        {
            value = ((text[pos] - '0') * 10) + (text[pos + 1] - '0');
            pos += 2;
            return true;
        }

        value = 0;
        return false;
    }

    private static void SkipSpaces(ReadOnlySpan<char> text, ref int pos)
    {
        while (pos < text.Length && text[pos] == ' ')
        {
            pos++;
        }
    }

    private static void Write(Span<char> destination, int start, int value, int width)
    {
        for (var i = start + width - 1; i >= start; i--)
        {
            destination[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }
}
