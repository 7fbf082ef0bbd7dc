using System.Globalization;
using SigmaFlow.Core.Backtesting;

namespace SigmaFlow.Core.Optimization.MonteCarlo;

/// <summary>Statistics of one compounded trade-return path.</summary>
/// <param name="FinalEquity">E_n.</param>
/// <param name="MaxDrawdown">min over k of E_k / max(E_0 … E_k) − 1, E_0 included; ≤ 0.</param>
/// <param name="Sharpe">mean(r) / stdev(r) · sqrt(n / years); NaN with fewer than 2 returns, no time span or zero stdev.</param>
/// <param name="Ruined">Whether some E_k (k ≥ 0) was at or below the ruin level.</param>
internal readonly record struct PathStats(double FinalEquity, double MaxDrawdown, double Sharpe, bool Ruined);

/// <summary>The trade-sequence model: returns on equity of the baseline's trades, and one path compounded from them.</summary>
internal static class TradePath
{
    private const double MillisecondsPerYear = 365.25 * 86_400_000d;

    /// <summary>
    /// Compounds <paramref name="returns"/> from <paramref name="initialEquity"/>: E_0 = initial, E_k = E_(k−1) · (1 + r_k).
    /// Once some E_k is at or below 0 the account is wiped out and equity stays at E_k (a negative balance does not compound).
    /// </summary>
    /// <param name="returns">The path's trade returns on equity, in path order.</param>
    /// <param name="initialEquity">E_0.</param>
    /// <param name="ruinLevel">Equity at or below which the path counts as ruined.</param>
    /// <param name="years">Years spanned by the baseline (for annualising the Sharpe ratio).</param>
    /// <returns>The path's statistics.</returns>
    public static PathStats Evaluate(ReadOnlySpan<double> returns, double initialEquity, double ruinLevel, double years)
    {
        var equity = initialEquity;
        var peak = initialEquity;
        var maxDrawdown = 0.0;
        var ruined = equity <= ruinLevel;
        var wipedOut = equity <= 0;
        var sum = 0.0;
        for (var k = 0; k < returns.Length; k++)
        {
            var r = returns[k];
            sum += r;
            if (!wipedOut)
            {
                equity *= 1 + r;
                wipedOut = equity <= 0;
            }

            if (equity > peak)
            {
                peak = equity;
            }

            var drawdown = (equity / peak) - 1;
            if (drawdown < maxDrawdown)
            {
                maxDrawdown = drawdown;
            }

            ruined |= equity <= ruinLevel;
        }

        return new PathStats(equity, maxDrawdown, Sharpe(returns, sum, years), ruined);
    }

    /// <summary>Years between the first and the last time (365.25-day years); 0 with fewer than 2 times.</summary>
    /// <param name="time">Times, Unix milliseconds.</param>
    /// <returns>The span in years.</returns>
    public static double Years(long[] time) =>
        time.Length >= 2 ? (time[^1] - time[0]) / MillisecondsPerYear : 0;

    /// <summary>
    /// Fills <paramref name="destination"/> with r_i = Pnl_i / (InitialCash + Pnl_0 + … + Pnl_(i−1)), the return of each
    /// trade on the equity before it, in the baseline's trade order.
    /// </summary>
    /// <param name="trades">The baseline's closed trades.</param>
    /// <param name="initialCash">The baseline's starting cash.</param>
    /// <param name="destination">One slot per trade.</param>
    /// <returns>Null, or why the returns are undefined (the equity before a trade was not positive).</returns>
    public static string? ReturnsOnEquity(IReadOnlyList<TradeRecord> trades, decimal initialCash, double[] destination)
    {
        var before = initialCash;
        for (var i = 0; i < trades.Count; i++)
        {
            if (before <= 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"the equity before trade {i} is {before}, not positive, so its return on equity is undefined");
            }

            var pnl = trades[i].Pnl;
            destination[i] = (double)pnl / (double)before;
            before += pnl;
        }

        return null;
    }

    /// <summary>The baseline's statistics from the running sum of P&amp;L, used when returns on equity are undefined.</summary>
    /// <param name="trades">The baseline's closed trades.</param>
    /// <param name="initialCash">The baseline's starting cash.</param>
    /// <param name="ruinLevel">Equity at or below which the path counts as ruined.</param>
    /// <returns>Final equity, drawdown and ruin of E_k = InitialCash + Pnl_0 + … + Pnl_(k−1); Sharpe NaN.</returns>
    public static PathStats FromPnl(IReadOnlyList<TradeRecord> trades, decimal initialCash, double ruinLevel)
    {
        var equity = initialCash;
        var peak = (double)initialCash;
        var maxDrawdown = 0.0;
        var ruined = (double)equity <= ruinLevel;
        foreach (var trade in trades)
        {
            equity += trade.Pnl;
            var value = (double)equity;
            peak = Math.Max(peak, value);
            maxDrawdown = Math.Min(maxDrawdown, (value / peak) - 1);
            ruined |= value <= ruinLevel;
        }

        return new PathStats((double)equity, maxDrawdown, double.NaN, ruined);
    }

    private static double Sharpe(ReadOnlySpan<double> returns, double sum, double years)
    {
        var n = returns.Length;
        if (n < 2 || !(years > 0))
        {
            return double.NaN;
        }

        var mean = sum / n;
        var squares = 0.0;
        for (var k = 0; k < n; k++)
        {
            var d = returns[k] - mean;
            squares += d * d;
        }

        var stdev = Math.Sqrt(squares / (n - 1));
        return stdev > 0 ? mean / stdev * Math.Sqrt(n / years) : double.NaN;
    }
}
