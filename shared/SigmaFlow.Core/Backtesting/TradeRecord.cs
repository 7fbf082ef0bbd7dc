namespace SigmaFlow.Core.Backtesting;

/// <summary>Direction of a position or trade.</summary>
public enum TradeSide
{
    /// <summary>Bought first, sold to close.</summary>
    Long,

    /// <summary>Sold first, bought to cover.</summary>
    Short,
}

/// <summary>
/// One round trip: a position from the first entry fill until it is flat again. Prices are quantity-weighted averages
/// of the entry and exit fills; <see cref="Pnl"/> is net of all commissions of the trade.
/// </summary>
/// <param name="Symbol">Instrument.</param>
/// <param name="Side">Long or short.</param>
/// <param name="EntryTime">Time of the first entry fill (Unix ms UTC).</param>
/// <param name="EntryPrice">Average entry price.</param>
/// <param name="ExitTime">Time of the last exit fill (Unix ms UTC).</param>
/// <param name="ExitPrice">Average exit price.</param>
/// <param name="Quantity">Units traded in (the largest size the position reached).</param>
/// <param name="GrossPnl">Profit before commissions.</param>
/// <param name="Commission">Commissions of all the trade's fills.</param>
/// <param name="Pnl">Net profit: gross minus commissions.</param>
/// <param name="BarsHeld">Bars from the entry fill bar to the exit fill bar.</param>
/// <param name="ReturnFraction">Net profit as a fraction of the entry value (0.02 = 2 %).</param>
/// <param name="ExitReason">Why it closed: signal, stop-loss, take-profit, trailing-stop, reverse, end-of-data.</param>
public sealed record TradeRecord(
    string Symbol,
    TradeSide Side,
    long EntryTime,
    decimal EntryPrice,
    long ExitTime,
    decimal ExitPrice,
    decimal Quantity,
    decimal GrossPnl,
    decimal Commission,
    decimal Pnl,
    int BarsHeld,
    double ReturnFraction,
    string ExitReason);
