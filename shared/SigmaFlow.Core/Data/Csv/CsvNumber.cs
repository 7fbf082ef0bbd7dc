using System.Globalization;

namespace SigmaFlow.Core.Data;

/// <summary>
/// Parses CSV numbers with the invariant culture. Plain decimals of up to 2^53 in their digits and at most 22
/// decimal places (the usual price and volume text) take an exact fast path: the integer of the digits divided by a
/// power of ten, both exact doubles, so the single IEEE division rounds correctly and the result equals
/// <see cref="double.Parse(string, IFormatProvider)"/> bit for bit. Everything else (exponents, NaN, long digit strings)
/// goes to <see cref="double.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider, out double)"/>.
/// </summary>
internal static class CsvNumber
{
    private const ulong MaxExactMantissa = 1UL << 53;
    private const int MaxDigits = 19;

    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>Parses a trimmed field.</summary>
    /// <param name="text">The field.</param>
    /// <param name="value">The number.</param>
    /// <returns>True when the field is a number.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out double value)
    {
        var i = 0;
        var negative = false;
        if (text.Length > 0 && text[0] is '-' or '+')
        {
            negative = text[0] == '-';
            i = 1;
        }

        ulong mantissa = 0;
        var digits = 0;
        var decimals = 0;
        var seenPoint = false;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                if (++digits > MaxDigits)
                {
                    return Fallback(text, out value);
                }

                mantissa = (mantissa * 10) + (ulong)(c - '0');
                if (seenPoint)
                {
                    decimals++;
                }
            }
            else if (c == '.' && !seenPoint)
            {
                seenPoint = true;
            }
            else
            {
                return Fallback(text, out value);
            }
        }

        if (digits == 0 || mantissa > MaxExactMantissa || decimals >= PowersOfTen.Length)
        {
            return Fallback(text, out value);
        }

        value = decimals == 0 ? mantissa : mantissa / PowersOfTen[decimals];
        if (negative)
        {
            value = -value;
        }

        return true;
    }

    private static bool Fallback(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
