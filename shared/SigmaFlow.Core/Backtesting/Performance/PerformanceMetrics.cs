namespace SigmaFlow.Core.Backtesting.Performance;

/// <summary>
/// The headline statistics of one backtest. Fractions are plain ratios (0.25 = 25 %), money is in the account currency.
/// A value that cannot be calculated from the input (too few bars, no trades, zero variance, …) is NaN, never an exception.
/// </summary>
/// <remarks>
/// Notation: E_t is <see cref="PerformanceInput.Equity"/> at bar t (t = 0 … n − 1), r_t = E_t / E_(t−1) − 1 the per-bar
/// simple return (t ≥ 1, defined when E_(t−1) &gt; 0), BPY = <see cref="BarsPerYear"/>, rf = the annual risk-free rate,
/// years = (Time[n − 1] − Time[0]) / (365.25 · 86 400 000 ms). "stdev" is the sample standard deviation (divisor N − 1).
/// </remarks>
public sealed record PerformanceMetrics
{
    /// <summary>Total return: E_(n−1) / InitialCash − 1. With no bars the final equity is the initial cash, so 0.</summary>
    public required double TotalReturn { get; init; }

    /// <summary>
    /// Compound annual growth rate: (E_(n−1) / InitialCash)^(1 / years) − 1. NaN when the time span is 0 (fewer than
    /// 2 bars) or the final equity is not positive.
    /// </summary>
    public required double Cagr { get; init; }

    /// <summary>Annualised volatility: stdev(r) · sqrt(BPY). NaN with fewer than 2 returns.</summary>
    public required double AnnualVolatility { get; init; }

    /// <summary>
    /// Annualised Sharpe ratio: (mean(r) − rf / BPY) / stdev(r) · sqrt(BPY). NaN with fewer than 2 returns or when
    /// stdev(r) is 0.
    /// </summary>
    public required double Sharpe { get; init; }

    /// <summary>
    /// Annualised Sortino ratio: (mean(r) − rf / BPY) / DD · sqrt(BPY), with the downside deviation
    /// DD = sqrt(mean(min(r − rf / BPY, 0)²)) taken over ALL returns (bars above the target contribute 0 to the sum but
    /// count in the mean). NaN with no returns or when DD is 0 (no bar below the target).
    /// </summary>
    public required double Sortino { get; init; }

    /// <summary>Calmar ratio: <see cref="Cagr"/> / |<see cref="MaxDrawdown"/>|. NaN when there was no drawdown.</summary>
    public required double Calmar { get; init; }

    /// <summary>
    /// Deepest drawdown: min over t of (E_t / max(E_0 … E_t) − 1); a fraction ≤ 0 (−0.25 = equity 25 % below its
    /// peak). 0 when equity never fell below a previous peak; NaN with no bars.
    /// </summary>
    public required double MaxDrawdown { get; init; }

    /// <summary>
    /// Longest drawdown in bars: the largest (recovery bar − peak bar) over every stretch that starts at a running peak
    /// and ends at the first bar whose equity is ≥ that peak again, or at the last bar if it never recovers.
    /// 0 when equity never fell below a previous peak.
    /// </summary>
    public required int MaxDrawdownDurationBars { get; init; }

    /// <summary>
    /// The same stretch as <see cref="MaxDrawdownDurationBars"/> in calendar days: (Time[end] − Time[peak]) / 86 400 000.
    /// If several stretches tie in bars, the earliest is reported.
    /// </summary>
    public required double MaxDrawdownDurationDays { get; init; }

    /// <summary>
    /// Ulcer index over the whole curve: sqrt(mean over all bars of D_t²) with D_t = 100 · (E_t / running peak − 1), the
    /// drawdown in percent (so 5.0 means a typical drawdown of about 5 %). NaN with no bars.
    /// </summary>
    public required double UlcerIndex { get; init; }

    /// <summary>Share of bars with an open position: BarsInMarket / n. NaN with no bars.</summary>
    public required double Exposure { get; init; }

    /// <summary>Number of closed trades.</summary>
    public required int TradeCount { get; init; }

    /// <summary>Winning trades (net Pnl &gt; 0) / all trades; a trade with Pnl = 0 counts as not winning. NaN with no trades.</summary>
    public required double WinRate { get; init; }

    /// <summary>
    /// Profit factor: sum of Pnl over winners / |sum of Pnl over losers| (net trade P&amp;L). <see cref="double.PositiveInfinity"/>
    /// when there are winners but no losers; NaN with no trades or when no trade won or lost.
    /// </summary>
    public required double ProfitFactor { get; init; }

    /// <summary>Expectancy: mean net Pnl per trade, in money. NaN with no trades.</summary>
    public required double Expectancy { get; init; }

    /// <summary>Mean net Pnl of the winning trades (Pnl &gt; 0), in money. NaN with no winners.</summary>
    public required double AverageWin { get; init; }

    /// <summary>Mean net Pnl of the losing trades (Pnl &lt; 0), in money; a negative number. NaN with no losers.</summary>
    public required double AverageLoss { get; init; }

    /// <summary>Payoff ratio: <see cref="AverageWin"/> / |<see cref="AverageLoss"/>|. NaN unless there are both winners and losers.</summary>
    public required double PayoffRatio { get; init; }

    /// <summary>
    /// Van Tharp's System Quality Number: sqrt(min(N, 100)) · mean(R) / stdev(R), with R = each trade's
    /// <see cref="TradeRecord.ReturnFraction"/> and N the trade count. NaN when N &lt; 2 or stdev(R) is 0.
    /// </summary>
    public required double Sqn { get; init; }

    /// <summary>Largest trade <see cref="TradeRecord.ReturnFraction"/>. NaN with no trades.</summary>
    public required double BestTrade { get; init; }

    /// <summary>Smallest trade <see cref="TradeRecord.ReturnFraction"/>. NaN with no trades.</summary>
    public required double WorstTrade { get; init; }

    /// <summary>Mean <see cref="TradeRecord.BarsHeld"/> over all trades. NaN with no trades.</summary>
    public required double AverageBarsHeld { get; init; }

    /// <summary>Most consecutive trades (in list order) with Pnl &gt; 0; a trade with Pnl = 0 ends the streak.</summary>
    public required int LongestWinningStreak { get; init; }

    /// <summary>Most consecutive trades (in list order) with Pnl &lt; 0; a trade with Pnl = 0 ends the streak.</summary>
    public required int LongestLosingStreak { get; init; }

    /// <summary>Total fees paid, as given in <see cref="PerformanceInput.FeesPaid"/>.</summary>
    public required double FeesPaid { get; init; }

    /// <summary>Turnover: TradedValue / mean(E_t over all bars). NaN with no bars or a non-positive mean equity.</summary>
    public required double Turnover { get; init; }

    /// <summary>
    /// Buy-and-hold return of the benchmark: last valid / first valid − 1, where valid means finite and &gt; 0.
    /// NaN with no benchmark or no valid value.
    /// </summary>
    public required double BenchmarkReturn { get; init; }

    /// <summary>
    /// Annualised Jensen's alpha from per-bar simple returns: ((mean(r) − rf / BPY) − <see cref="Beta"/> · (mean(rb) − rf / BPY)) · BPY,
    /// over the bars where both r and rb are defined (with rf = 0 this is (mean(r) − β · mean(rb)) · BPY). NaN when
    /// <see cref="Beta"/> is NaN.
    /// </summary>
    public required double Alpha { get; init; }

    /// <summary>
    /// Beta to the benchmark: cov(r, rb) / var(rb), with rb_t = B_t / B_(t−1) − 1, over the bars where both returns are
    /// defined (rb needs B_t finite and B_(t−1) finite and &gt; 0). NaN with fewer than 2 such bars or var(rb) = 0.
    /// </summary>
    public required double Beta { get; init; }

    /// <summary>
    /// Bars per year used for annualisation: <see cref="PerformanceInput.BarsPerYear"/> when given, otherwise
    /// (n − 1) / years (daily stock bars give about 252, daily 24/7 bars about 365, hourly 24/7 bars 8766). NaN when it
    /// must be inferred and the time span is 0.
    /// </summary>
    public required double BarsPerYear { get; init; }

    /// <summary>Equity at the last bar's close; the initial cash when there are no bars.</summary>
    public required double FinalEquity { get; init; }
}
