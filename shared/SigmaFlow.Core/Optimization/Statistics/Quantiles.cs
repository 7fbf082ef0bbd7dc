using System.Globalization;

namespace SigmaFlow.Core.Optimization.Statistics;

/// <summary>
/// Sample quantiles by linear interpolation between order statistics: Hyndman &amp; Fan (1996) type 7, the default of
/// numpy's <c>quantile</c>/<c>percentile</c>, R's <c>quantile</c> and Excel's <c>PERCENTILE.INC</c>.
/// </summary>
public static class Quantiles
{
    /// <summary>The percentile levels <see cref="Bands"/> returns, in order.</summary>
    private static readonly double[] BandLevels = [0.05, 0.25, 0.50, 0.75, 0.95];

    /// <summary>
    /// The type-7 quantile of sorted values: with h = (n − 1) · p and j = ⌊h⌋, x[j] + (h − j) · (x[j+1] − x[j]).
    /// </summary>
    /// <param name="sorted">The values in ascending order, without NaN (not checked).</param>
    /// <param name="p">The probability, in [0, 1].</param>
    /// <returns>
    /// The quantile; NaN when <paramref name="sorted"/> is empty. As numpy does, the interpolation is computed from the
    /// upper neighbour (x[j+1] − (x[j+1] − x[j]) · (1 − (h − j))) when h − j ≥ 0.5, so the result is monotone in p and
    /// exact at both neighbours. A quantile that falls on an order statistic, or between two equal ones, is that value;
    /// between a finite and an infinite neighbour it is the infinite one; between −∞ and +∞ it is NaN.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is NaN or outside [0, 1].</exception>
    public static double Linear(ReadOnlySpan<double> sorted, double p)
    {
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, string.Create(CultureInfo.InvariantCulture, $"p must be a probability between 0 and 1; got {p}."));
        }

        var n = sorted.Length;
        if (n == 0)
        {
            return double.NaN;
        }

        var h = (n - 1) * p;
        var j = (int)Math.Floor(h);
        if (j >= n - 1)
        {
            return sorted[n - 1];
        }

        var fraction = h - j;
        var lower = sorted[j];
        var upper = sorted[j + 1];
        if (fraction == 0 || lower == upper)
        {
            return lower;
        }

        var difference = upper - lower;
        if (!double.IsFinite(difference))
        {
            // An infinite neighbour wins (opposite infinities: NaN); finite neighbours whose gap overflows are weighted.
            if (double.IsInfinity(lower) || double.IsInfinity(upper))
            {
                return double.IsInfinity(lower) && double.IsInfinity(upper) ? double.NaN : double.IsInfinity(lower) ? lower : upper;
            }

            return (lower * (1 - fraction)) + (upper * fraction);
        }

        return fraction >= 0.5 ? upper - (difference * (1 - fraction)) : lower + (difference * fraction);
    }

    /// <summary>
    /// The 5th, 25th, 50th, 75th and 95th type-7 percentiles of <paramref name="values"/>, which is reordered in place.
    /// </summary>
    /// <param name="values">
    /// The values. NaNs are left out: the numbers are first moved, in their original order, to the front of the span,
    /// the NaNs are written after them, and the numbers (the first n − #NaN elements) are then sorted ascending. On return
    /// the span therefore holds the sorted numbers followed by the NaNs. Infinities are kept and sort to the ends.
    /// </param>
    /// <returns>
    /// A new array { P5, P25, P50, P75, P95 }; all NaN when there is no number. See <see cref="Linear"/> for infinities.
    /// </returns>
    public static double[] Bands(Span<double> values)
    {
        var count = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            if (!double.IsNaN(value))
            {
                values[count++] = value;
            }
        }

        values[count..].Fill(double.NaN);
        var numbers = values[..count];
        numbers.Sort();

        var bands = new double[BandLevels.Length];
        for (var i = 0; i < bands.Length; i++)
        {
            bands[i] = Linear(numbers, BandLevels[i]);
        }

        return bands;
    }
}
