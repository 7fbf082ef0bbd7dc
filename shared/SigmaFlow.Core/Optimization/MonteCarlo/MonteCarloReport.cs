namespace SigmaFlow.Core.Optimization.MonteCarlo;

/// <summary>Percentiles of one statistic over the paths (type 7, linear interpolation between order statistics; NaN paths left out).</summary>
/// <param name="P5">5th percentile.</param>
/// <param name="P25">25th percentile.</param>
/// <param name="P50">Median.</param>
/// <param name="P75">75th percentile.</param>
/// <param name="P95">95th percentile.</param>
public sealed record PercentileBands(double P5, double P25, double P50, double P75, double P95)
{
    /// <summary>Bands with every percentile equal to <paramref name="value"/>, as reported for a method that did not run.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The bands.</returns>
    public static PercentileBands Constant(double value) => new(value, value, value, value, value);
}

/// <summary>
/// The statistics of the unperturbed baseline, measured the same way as the method's paths so the bands can be compared
/// with them: for the trade-sequence methods the baseline's own trade returns compounded in their original order, for
/// <see cref="MonteCarloMethod.Costs"/> the baseline backtest's metrics and equity curve.
/// </summary>
/// <param name="FinalEquity">Final equity.</param>
/// <param name="MaxDrawdown">Deepest drawdown, a fraction ≤ 0.</param>
/// <param name="Sharpe">Annualised Sharpe ratio (NaN when not calculable).</param>
/// <param name="Ruined">Whether equity reached the ruin level.</param>
public sealed record MonteCarloBaseline(double FinalEquity, double MaxDrawdown, double Sharpe, bool Ruined);

/// <summary>What one method produced.</summary>
/// <param name="Method">The method.</param>
/// <param name="Paths">Paths simulated (0 when the method was skipped).</param>
/// <param name="SkippedReason">Why the method did not run, or null when it ran.</param>
/// <param name="FinalEquity">Final equity over the paths.</param>
/// <param name="MaxDrawdown">Deepest drawdown over the paths (fractions ≤ 0; P5 is the bad tail).</param>
/// <param name="Sharpe">Annualised Sharpe ratio over the paths (paths where it is NaN are left out; all NaN gives NaN bands).</param>
/// <param name="ProbabilityOfRuin">Share of paths whose equity reached the ruin level.</param>
/// <param name="Baseline">The unperturbed values to compare with.</param>
/// <remarks>
/// A skipped method reports bands equal to its baseline values and a probability of ruin of 1 when the baseline itself
/// was ruined, else 0.
/// </remarks>
public sealed record MonteCarloMethodReport(
    MonteCarloMethod Method,
    int Paths,
    string? SkippedReason,
    PercentileBands FinalEquity,
    PercentileBands MaxDrawdown,
    PercentileBands Sharpe,
    double ProbabilityOfRuin,
    MonteCarloBaseline Baseline);

/// <summary>The result of <see cref="MonteCarloAnalysis.Run"/>.</summary>
/// <param name="Options">The options used.</param>
/// <param name="Seed">The seed every path's generator was derived from (the same as <see cref="MonteCarloOptions.Seed"/>).</param>
/// <param name="Methods">One report per requested method, in the order of <see cref="MonteCarloOptions.Methods"/>.</param>
public sealed record MonteCarloReport(MonteCarloOptions Options, ulong Seed, IReadOnlyList<MonteCarloMethodReport> Methods);
