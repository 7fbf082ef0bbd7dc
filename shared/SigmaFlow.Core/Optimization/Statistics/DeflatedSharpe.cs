namespace SigmaFlow.Core.Optimization.Statistics;

/// <summary>
/// The Probabilistic and Deflated Sharpe Ratios (Bailey &amp; López de Prado, 2012 and 2014): the probability that a
/// strategy's true Sharpe ratio exceeds a benchmark, given the track record's length, skewness and kurtosis, and, for
/// the deflated form, given that it is the best of several trials. Pure functions; no allocation.
/// </summary>
/// <remarks>
/// All Sharpe ratios are PER PERIOD (per bar: mean / standard deviation of the per-bar returns, not annualised), the
/// variance of the trials' Sharpe ratios is in the same per-period units, and kurtosis is the non-excess kurtosis
/// (3 for a normal distribution). To use annualised figures divide Sharpe ratios by √(periods per year) and the
/// variance by the periods per year. See <c>Optimization/Statistics/README.md</c> for the formulas.
/// </remarks>
public static class DeflatedSharpe
{
    /// <summary>The Euler–Mascheroni constant γ ≈ 0.5772156649015329.</summary>
    public const double EulerGamma = 0.5772156649015329;

    /// <summary>
    /// The expected maximum Sharpe ratio SR₀ of <paramref name="trials"/> independent trials whose true Sharpe ratio is
    /// zero and whose estimated Sharpe ratios have variance <paramref name="sharpeVariance"/>:
    /// SR₀ = √V · ((1 − γ) · Φ⁻¹(1 − 1/N) + γ · Φ⁻¹(1 − 1/(N·e))).
    /// </summary>
    /// <param name="sharpeVariance">V: the variance of the (per-period) Sharpe ratios across the trials.</param>
    /// <param name="trials">N: the number of independent trials.</param>
    /// <returns>SR₀ in per-period units; 0 for one trial; NaN when N &lt; 1 or V is negative or not finite.</returns>
    public static double ExpectedMaximumSharpe(double sharpeVariance, long trials)
    {
        if (trials < 1 || !double.IsFinite(sharpeVariance) || sharpeVariance < 0)
        {
            return double.NaN;
        }

        if (trials == 1)
        {
            return 0;
        }

        // Φ⁻¹(1 − q) = −Φ⁻¹(q) keeps full precision for tiny q (1 − q would round to 1 for N beyond 2^53).
        var n = (double)trials;
        var first = -NormalDistribution.InverseCdf(1 / n);
        var second = -NormalDistribution.InverseCdf(1 / (n * Math.E));
        return Math.Sqrt(sharpeVariance) * (((1 - EulerGamma) * first) + (EulerGamma * second));
    }

    /// <summary>
    /// The Probabilistic Sharpe Ratio: the probability that the true Sharpe ratio exceeds
    /// <paramref name="benchmarkSharpe"/>,
    /// PSR = Φ((SR − SR_b) · √(T − 1) / √(1 − γ₃·SR + (γ₄ − 1)/4 · SR²)).
    /// </summary>
    /// <param name="sharpe">SR: the observed per-period Sharpe ratio.</param>
    /// <param name="benchmarkSharpe">SR_b: the per-period benchmark Sharpe ratio.</param>
    /// <param name="observations">T: the number of returns the Sharpe ratio was estimated from.</param>
    /// <param name="skewness">γ₃: the skewness of the returns.</param>
    /// <param name="kurtosis">γ₄: the non-excess kurtosis of the returns (3 for normal returns).</param>
    /// <returns>PSR in [0, 1]; NaN when T &lt; 2, an input is not finite, or the term under the square root is ≤ 0.</returns>
    public static double Probabilistic(double sharpe, double benchmarkSharpe, long observations, double skewness, double kurtosis)
    {
        if (observations < 2 || !double.IsFinite(sharpe) || !double.IsFinite(benchmarkSharpe)
            || !double.IsFinite(skewness) || !double.IsFinite(kurtosis))
        {
            return double.NaN;
        }

        var variance = 1 - (skewness * sharpe) + ((kurtosis - 1) / 4 * sharpe * sharpe);
        if (!(variance > 0) || double.IsInfinity(variance))
        {
            return double.NaN;
        }

        var z = (sharpe - benchmarkSharpe) * Math.Sqrt(observations - 1d) / Math.Sqrt(variance);
        return NormalDistribution.Cdf(z);
    }

    /// <summary>
    /// The Deflated Sharpe Ratio (Bailey &amp; López de Prado, 2014): the Probabilistic Sharpe Ratio against the expected
    /// maximum Sharpe ratio of <paramref name="trials"/> unskilled trials,
    /// DSR = PSR(SR, SR₀(V, N), T, γ₃, γ₄).
    /// </summary>
    /// <param name="sharpe">SR: the selected strategy's observed per-period Sharpe ratio.</param>
    /// <param name="sharpeVariance">V: the variance of the per-period Sharpe ratios across the trials.</param>
    /// <param name="trials">N: the number of independent trials the strategy was selected from.</param>
    /// <param name="observations">T: the number of returns of the selected strategy.</param>
    /// <param name="skewness">γ₃: the skewness of the selected strategy's returns.</param>
    /// <param name="kurtosis">γ₄: the non-excess kurtosis of the selected strategy's returns (3 for normal returns).</param>
    /// <returns>DSR in [0, 1]; NaN when <see cref="ExpectedMaximumSharpe"/> or <see cref="Probabilistic"/> is NaN.</returns>
    public static double Compute(double sharpe, double sharpeVariance, long trials, long observations, double skewness, double kurtosis)
        => Probabilistic(sharpe, ExpectedMaximumSharpe(sharpeVariance, trials), observations, skewness, kurtosis);
}
