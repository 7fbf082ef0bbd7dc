namespace SigmaFlow.Core.Backtesting.Performance;

/// <summary>The result of <see cref="PerformanceCalculator.Compute"/>: the headline statistics and the drawdown curve.</summary>
/// <param name="Metrics">The statistics.</param>
/// <param name="Drawdown">
/// Per bar, aligned with <see cref="PerformanceInput.Time"/>: E_t / max(E_0 … E_t) − 1, a fraction ≤ 0 (NaN while the
/// running peak is not positive).
/// </param>
public sealed record PerformanceReport(PerformanceMetrics Metrics, double[] Drawdown);
