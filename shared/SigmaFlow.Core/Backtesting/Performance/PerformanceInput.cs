namespace SigmaFlow.Core.Backtesting.Performance;

/// <summary>
/// Everything <see cref="PerformanceCalculator.Compute"/> needs to report on one backtest: the equity curve as columns
/// (one entry per bar, aligned with <see cref="Time"/>), the closed trades and a few totals the engine keeps.
/// </summary>
/// <remarks>
/// <see cref="Equity"/>[0] is the equity at the first bar's close. Per-bar returns, the running peak and the drawdown
/// start there; <see cref="InitialCash"/> is used only for <see cref="PerformanceMetrics.TotalReturn"/> and
/// <see cref="PerformanceMetrics.Cagr"/>, so fees paid on the very first bar still count against the total return.
/// </remarks>
public sealed record PerformanceInput
{
    /// <summary>Bar close times, Unix milliseconds UTC, strictly increasing.</summary>
    public required long[] Time { get; init; }

    /// <summary>Account equity (cash plus marked-to-market positions) at each bar's close; same length as <see cref="Time"/>; finite values.</summary>
    public required double[] Equity { get; init; }

    /// <summary>
    /// Benchmark price at each bar's close (buy-and-hold of the traded instrument); same length as <see cref="Equity"/>,
    /// or empty when there is no benchmark. NaN (or a non-positive value) marks a bar where the benchmark is not defined,
    /// for example before it starts. Default: empty.
    /// </summary>
    public double[] Benchmark { get; init; } = [];

    /// <summary>Closed round trips, in the order they closed. Default: none.</summary>
    public IReadOnlyList<TradeRecord> Trades { get; init; } = [];

    /// <summary>Cash the account started with; must be finite and greater than 0.</summary>
    public required double InitialCash { get; init; }

    /// <summary>Total commissions and fees paid over the backtest (reported as is). Default: 0.</summary>
    public double FeesPaid { get; init; }

    /// <summary>Sum of |fill value| over every fill, in money; at least 0. Default: 0.</summary>
    public double TradedValue { get; init; }

    /// <summary>Number of bars that closed with an open position; between 0 and the number of bars. Default: 0.</summary>
    public int BarsInMarket { get; init; }

    /// <summary>Annual risk-free rate as a fraction (0.03 = 3 % a year), used by Sharpe, Sortino and alpha. Default: 0.</summary>
    public double RiskFreeRate { get; init; }

    /// <summary>
    /// Bars per year used to annualise per-bar statistics; null (the default) infers it from the time span as
    /// (bars − 1) / years, with 365.25-day years. When given it must be finite and greater than 0.
    /// </summary>
    public double? BarsPerYear { get; init; }
}
