using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Backtesting;

/// <summary>
/// Where orders are matched. The <see cref="TradingSession"/> decides what to trade and checks risk; the venue says
/// at what price a working order fills on a bar, if at all. The simulated venue below serves backtests and paper
/// trading on live bars; a broker adapter implements the same contract.
/// </summary>
public interface IExecutionVenue
{
    /// <summary>The price at which an order fills on this bar, or NaN when it does not fill.</summary>
    /// <param name="type">Market, limit or stop.</param>
    /// <param name="buy">True for a buy.</param>
    /// <param name="level">The limit or stop price (ignored for market orders).</param>
    /// <param name="bar">The bar the order works in.</param>
    /// <returns>Fill price or NaN.</returns>
    double Match(OrderType type, bool buy, double level, in Ohlcv bar);

    /// <summary>The price of a market order filled at a bar's close (the close fill timing and end-of-data exits).</summary>
    /// <param name="buy">True for a buy.</param>
    /// <param name="bar">The bar.</param>
    /// <returns>Fill price.</returns>
    double MatchAtClose(bool buy, in Ohlcv bar);
}

/// <summary>
/// The simulated venue: market orders fill at the open; limit orders at the open when it is through the limit, else
/// at the limit when the bar trades there (no slippage, never worse than the limit); stop orders at the open when it
/// gaps through the stop, else at the stop when the bar trades there; market and stop fills take slippage.
/// </summary>
/// <param name="slippage">Slippage model applied to market and stop fills.</param>
public sealed class SimulatedVenue(SlippageModel slippage) : IExecutionVenue
{
    /// <inheritdoc />
    public double Match(OrderType type, bool buy, double level, in Ohlcv bar)
    {
        switch (type)
        {
            case OrderType.Market:
                return slippage.Apply(bar.Open, buy, bar.High, bar.Low);
            case OrderType.Limit:
                if (buy ? bar.Open <= level : bar.Open >= level)
                {
                    return bar.Open;
                }

                return (buy ? bar.Low <= level : bar.High >= level) ? level : double.NaN;
            default:
                if (buy ? bar.Open >= level : bar.Open <= level)
                {
                    return slippage.Apply(bar.Open, buy, bar.High, bar.Low);
                }

                return (buy ? bar.High >= level : bar.Low <= level) ? slippage.Apply(level, buy, bar.High, bar.Low) : double.NaN;
        }
    }

    /// <inheritdoc />
    public double MatchAtClose(bool buy, in Ohlcv bar) => slippage.Apply(bar.Close, buy, bar.High, bar.Low);
}
