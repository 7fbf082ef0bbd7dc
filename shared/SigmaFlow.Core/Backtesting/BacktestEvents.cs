namespace SigmaFlow.Core.Backtesting;

/// <summary>Why an order exists.</summary>
public enum OrderPurpose
{
    /// <summary>Opens or adds to a position on an entry signal.</summary>
    Entry,

    /// <summary>Closes a position on an exit signal.</summary>
    Exit,

    /// <summary>Closes a position before an entry in the other direction.</summary>
    Reverse,

    /// <summary>Protective stop-loss.</summary>
    StopLoss,

    /// <summary>Protective take-profit.</summary>
    TakeProfit,

    /// <summary>Trailing stop.</summary>
    TrailingStop,

    /// <summary>Closes a position at the end of the data.</summary>
    EndOfData,
}

/// <summary>Order types.</summary>
public enum OrderType
{
    /// <summary>Fills at the next open (or the signal close), with slippage.</summary>
    Market,

    /// <summary>Fills at the limit or better.</summary>
    Limit,

    /// <summary>Becomes a market order when the stop trades; a gap through it fills at the open.</summary>
    Stop,
}

/// <summary>Final state of an order.</summary>
public enum OrderStatus
{
    /// <summary>Completely filled.</summary>
    Filled,

    /// <summary>Partly filled when the run ended.</summary>
    PartiallyFilled,

    /// <summary>Refused by the risk checks or the venue; see the reason.</summary>
    Rejected,

    /// <summary>A limit or stop order whose validity ran out.</summary>
    Expired,

    /// <summary>Cancelled (the position it protected or entered was closed, or the run ended).</summary>
    Cancelled,

    /// <summary>Still working when the run ended.</summary>
    Working,
}

/// <summary>One order and what became of it. Every order appears once, rejected ones included.</summary>
/// <param name="Id">Sequence number, from 1, in submission order.</param>
/// <param name="Symbol">Instrument.</param>
/// <param name="Time">Submission time (the signal bar's time).</param>
/// <param name="Buy">True for a buy.</param>
/// <param name="Quantity">Units ordered.</param>
/// <param name="Type">Order type.</param>
/// <param name="LimitOrStopPrice">Limit or stop price, for those types.</param>
/// <param name="Purpose">Why it was placed.</param>
/// <param name="Status">What became of it.</param>
/// <param name="FilledQuantity">Units filled.</param>
/// <param name="AverageFillPrice">Average fill price (0 when nothing filled).</param>
/// <param name="Commission">Commission paid.</param>
/// <param name="Reason">Why it was rejected, expired or cancelled; empty otherwise.</param>
public sealed record OrderRecord(
    int Id,
    string Symbol,
    long Time,
    bool Buy,
    decimal Quantity,
    OrderType Type,
    decimal? LimitOrStopPrice,
    OrderPurpose Purpose,
    OrderStatus Status,
    decimal FilledQuantity,
    decimal AverageFillPrice,
    decimal Commission,
    string Reason);

/// <summary>One fill.</summary>
/// <param name="OrderId">The order filled.</param>
/// <param name="Symbol">Instrument.</param>
/// <param name="Time">Fill time (the fill bar's time).</param>
/// <param name="Buy">True for a buy.</param>
/// <param name="Quantity">Units.</param>
/// <param name="Price">Price after slippage.</param>
/// <param name="Commission">Commission of this fill.</param>
public sealed record FillRecord(int OrderId, string Symbol, long Time, bool Buy, decimal Quantity, decimal Price, decimal Commission);

/// <summary>A position still open at the end of the run, marked to the last close.</summary>
/// <param name="Symbol">Instrument.</param>
/// <param name="Quantity">Signed units (negative = short).</param>
/// <param name="AveragePrice">Average entry price.</param>
/// <param name="MarkPrice">Last close.</param>
/// <param name="UnrealizedPnl">Open profit at the mark, before exit costs.</param>
public sealed record OpenPosition(string Symbol, decimal Quantity, decimal AveragePrice, decimal MarkPrice, decimal UnrealizedPnl);
