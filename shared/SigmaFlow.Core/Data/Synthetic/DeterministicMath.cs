namespace SigmaFlow.Core.Data;

/// <summary>
/// Natural logarithm and exponential computed with IEEE-754 basic operations only (add, subtract, multiply, divide,
/// exact scaling), so results are bit-identical on every platform, unlike <see cref="Math.Log(double)"/> and
/// <see cref="Math.Exp(double)"/>, which defer to the platform's C library. Accurate to about one or two ulps.
/// </summary>
internal static class DeterministicMath
{
    // ln 2 split so that k * Ln2High is exact for |k| < 2^11 (fdlibm constants).
    private const double Ln2High = 6.93147180369123816490e-01;
    private const double Ln2Low = 1.90821492927058770002e-10;
    private const double InverseLn2 = 1.44269504088896338700e+00;
    private const double Sqrt2 = 1.41421356237309504880;
    private const double MaxExpArgument = 709.782712893383973096;
    private const double MinExpArgument = -745.133219101941108420;
    private const double SmallestNormal = 2.2250738585072014e-308;

    /// <summary>ln(x); NaN for negative or NaN input, −∞ for 0, +∞ for +∞.</summary>
    public static double Log(double x)
    {
        if (!(x > 0))
        {
            return x == 0 ? double.NegativeInfinity : double.NaN;
        }

        if (double.IsPositiveInfinity(x))
        {
            return x;
        }

        var exponent = 0;
        if (x < SmallestNormal)
        {
            // Subnormal: scale into the normal range first (exact).
            x *= 18014398509481984.0; // 2^54
            exponent = -54;
        }

        var bits = BitConverter.DoubleToInt64Bits(x);
        exponent += (int)((bits >> 52) & 0x7FF) - 1023;
        var m = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        if (m > Sqrt2)
        {
            m *= 0.5;
            exponent++;
        }

        // ln m = 2 atanh(f) = 2 (f + f^3/3 + f^5/5 + ...), |f| <= 0.1716, so f^2 <= 0.0295 and 11 terms reach 1e-18.
        var f = (m - 1.0) / (m + 1.0);
        var f2 = f * f;
        var series = 1.0 / 23.0;
        series = (series * f2) + (1.0 / 21.0);
        series = (series * f2) + (1.0 / 19.0);
        series = (series * f2) + (1.0 / 17.0);
        series = (series * f2) + (1.0 / 15.0);
        series = (series * f2) + (1.0 / 13.0);
        series = (series * f2) + (1.0 / 11.0);
        series = (series * f2) + (1.0 / 9.0);
        series = (series * f2) + (1.0 / 7.0);
        series = (series * f2) + (1.0 / 5.0);
        series = (series * f2) + (1.0 / 3.0);
        var logM = (2.0 * f) + (2.0 * f * f2 * series);
        return (exponent * Ln2High) + ((exponent * Ln2Low) + logM);
    }

    /// <summary>e^x; +∞ above about 709.78, 0 below about −745.13, NaN for NaN.</summary>
    public static double Exp(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        if (x > MaxExpArgument)
        {
            return double.PositiveInfinity;
        }

        if (x < MinExpArgument)
        {
            return 0.0;
        }

        // x = k ln 2 + r with |r| <= ln2 / 2; e^r by its Taylor series (16 terms reach 1e-19 at |r| = 0.347).
        var k = Math.Round(x * InverseLn2);
        var r = (x - (k * Ln2High)) - (k * Ln2Low);
        var sum = 1.0;
        for (var n = 16; n >= 1; n--)
        {
            sum = 1.0 + (r * sum / n);
        }

        return Math.ScaleB(sum, (int)k);
    }
}
