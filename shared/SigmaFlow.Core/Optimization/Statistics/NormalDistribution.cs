namespace SigmaFlow.Core.Optimization.Statistics;

/// <summary>
/// The standard normal distribution: its cumulative distribution function Φ and its inverse Φ⁻¹, both to full double
/// precision (.NET has no <c>erf</c>). Pure functions; no allocation.
/// </summary>
/// <remarks>
/// Φ is W. J. Cody's rational Chebyshev approximation (ACM TOMS 715, routine ANORM, the algorithm behind R's
/// <c>pnorm</c>): three ranges split at |x| = 0.67448975 and √32, with the Gaussian factor evaluated as
/// exp(−x̃²/2) · exp(−(x − x̃)(x + x̃)/2), x̃ = x rounded down to 1/16, so the far lower tail keeps its relative
/// accuracy (about 1e-15) down to the underflow limit. Φ⁻¹ is Wichura's AS241 (PPND16), accurate to about 1e-16.
/// </remarks>
public static class NormalDistribution
{
    // Φ(x) underflows below DBL_MIN for x < −37.5193; 1 − Φ(x) rounds to 0 in double for x > 8.2924.
    private const double LowerUnderflow = -37.5193;
    private const double UpperSaturation = 8.2924;
    private const double CentralLimit = 0.67448975;
    private const double Sqrt32 = 5.656854249492380195206754896838;
    private const double InverseSqrtTwoPi = 0.398942280401432677939946059934;
    private const double Sixteen = 16;

    private static readonly double[] A =
    [
        2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249,
        0.065682337918207449113,
    ];

    private static readonly double[] B =
    [
        47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956,
    ];

    private static readonly double[] C =
    [
        0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226,
        2494.5375852903726711, 6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218,
        1.0765576773720192317e-8,
    ];

    private static readonly double[] D =
    [
        22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755,
        18615.571640885098091, 34900.952721145977266, 38912.003286093271411, 19685.429676859990727,
    ];

    private static readonly double[] P =
    [
        0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466,
        2.9112874951168792e-5, 0.02307344176494017303,
    ];

    private static readonly double[] Q =
    [
        1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244,
        7.29751555083966205e-5,
    ];

    /// <summary>The standard normal cumulative distribution function Φ(x) = P[Z ≤ x].</summary>
    /// <param name="x">The point.</param>
    /// <returns>
    /// Φ(x) in [0, 1] with a relative error of about 1e-15 (also in the lower tail, down to Φ ≈ 2.2e-308);
    /// exactly 0.5 at 0, 0 below −37.5193 (where Φ underflows), 1 above 8.2924 (where 1 − Φ is below half an ulp of 1),
    /// 0 at −∞, 1 at +∞ and NaN for NaN.
    /// </returns>
    public static double Cdf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        var y = Math.Abs(x);
        if (y <= CentralLimit)
        {
            double numerator = 0, denominator = 0;
            if (y > 1.1e-16)
            {
                var square = x * x;
                numerator = A[4] * square;
                denominator = square;
                for (var i = 0; i < 3; i++)
                {
                    numerator = (numerator + A[i]) * square;
                    denominator = (denominator + B[i]) * square;
                }
            }

            return 0.5 + (x * (numerator + A[3]) / (denominator + B[3]));
        }

        double tail;
        if (y <= Sqrt32)
        {
            var numerator = C[8] * y;
            var denominator = y;
            for (var i = 0; i < 7; i++)
            {
                numerator = (numerator + C[i]) * y;
                denominator = (denominator + D[i]) * y;
            }

            tail = GaussianFactor(y) * (numerator + C[7]) / (denominator + D[7]);
        }
        else if (x > LowerUnderflow && x < UpperSaturation)
        {
            var inverseSquare = 1 / (x * x);
            var numerator = P[5] * inverseSquare;
            var denominator = inverseSquare;
            for (var i = 0; i < 4; i++)
            {
                numerator = (numerator + P[i]) * inverseSquare;
                denominator = (denominator + Q[i]) * inverseSquare;
            }

            var ratio = inverseSquare * (numerator + P[4]) / (denominator + Q[4]);
            tail = GaussianFactor(y) * (InverseSqrtTwoPi - ratio) / y;
        }
        else
        {
            tail = 0;
        }

        // tail = P[Z > |x|] = Φ(−|x|).
        return x > 0 ? 1 - tail : tail;
    }

    /// <summary>The standard normal quantile function Φ⁻¹(p): the x with Φ(x) = p.</summary>
    /// <param name="p">The probability.</param>
    /// <returns>
    /// Φ⁻¹(p) to about 1e-16 relative (Wichura's AS241); −∞ for p = 0, +∞ for p = 1, NaN for NaN or p outside [0, 1].
    /// Above 0.5 the result is computed from 1 − p, so for the upper tail pass the lower-tail probability and negate
    /// (Φ⁻¹(1 − q) = −Φ⁻¹(q)) when q is tiny.
    /// </returns>
    public static double InverseCdf(double p)
    {
        if (double.IsNaN(p) || p < 0 || p > 1)
        {
            return double.NaN;
        }

        if (p == 0)
        {
            return double.NegativeInfinity;
        }

        if (p == 1)
        {
            return double.PositiveInfinity;
        }

        var q = p - 0.5;
        if (Math.Abs(q) <= 0.425)
        {
            var s = 0.180625 - (q * q);
            var numerator = (((((((((((((2509.0809287301226727 * s) + 33430.575583588128105) * s)
                + 67265.770927008700853) * s) + 45921.953931549871457) * s) + 13731.693765509461125) * s)
                + 1971.5909503065514427) * s) + 133.14166789178437745) * s) + 3.387132872796366608;
            var denominator = (((((((((((((5226.495278852854561 * s) + 28729.085735721942674) * s)
                + 39307.89580009271061) * s) + 21213.794301586595867) * s) + 5394.1960214247511077) * s)
                + 687.1870074920579083) * s) + 42.313330701600911252) * s) + 1;
            return q * numerator / denominator;
        }

        var r = Math.Sqrt(-Math.Log(q < 0 ? p : 1 - p));
        double x;
        if (r <= 5)
        {
            r -= 1.6;
            var numerator = (((((((((((((7.7454501427834140764e-4 * r) + 0.0227238449892691845833) * r)
                + 0.24178072517745061177) * r) + 1.27045825245236838258) * r) + 3.64784832476320460504) * r)
                + 5.7694972214606914055) * r) + 4.6303378461565452959) * r) + 1.42343711074968357734;
            var denominator = (((((((((((((1.05075007164441684324e-9 * r) + 5.475938084995344946e-4) * r)
                + 0.0151986665636164571966) * r) + 0.14810397642748007459) * r) + 0.68976733498510000455) * r)
                + 1.6763848301838038494) * r) + 2.05319162663775882187) * r) + 1;
            x = numerator / denominator;
        }
        else
        {
            r -= 5;
            var numerator = (((((((((((((2.01033439929228813265e-7 * r) + 2.71155556874348757815e-5) * r)
                + 0.0012426609473880784386) * r) + 0.026532189526576123093) * r) + 0.29656057182850489123) * r)
                + 1.7848265399172913358) * r) + 5.4637849111641143699) * r) + 6.6579046435011037772;
            var denominator = (((((((((((((2.04426310338993978564e-15 * r) + 1.4215117583164458887e-7) * r)
                + 1.8463183175100546818e-5) * r) + 7.868691311456132591e-4) * r) + 0.0148753612908506148525) * r)
                + 0.13692988092273580531) * r) + 0.59983220655588793769) * r) + 1;
            x = numerator / denominator;
        }

        return q < 0 ? -x : x;
    }

    /// <summary>exp(−y²/2) without losing relative accuracy for large y: y is split into a part exact in 1/16 and a remainder.</summary>
    private static double GaussianFactor(double y)
    {
        var rounded = Math.Truncate(y * Sixteen) / Sixteen;
        var remainder = (y - rounded) * (y + rounded);
        return Math.Exp(-rounded * rounded * 0.5) * Math.Exp(-remainder * 0.5);
    }
}
