using SigmaFlow.Core.Data;

namespace SigmaFlow.Platform.Live;

/// <summary>
/// Every name the live tick pipeline uses outside the process: tables, the alerts queue and the Web PubSub groups.
/// Consumers (the HTTP API, the dashboard, the alerts feature) read the same names from here.
/// </summary>
public static class LiveNames
{
    /// <summary>Final bars: PartitionKey <c>{SYMBOL}|{timeframe}</c>, RowKey the bar's start in Unix ms, zero-padded to 15 digits.</summary>
    public const string BarsTable = "bars";

    /// <summary>Per-symbol live state (forming bars, watermark, last publisher sequence): PartitionKey the Event Hubs partition, RowKey the symbol.</summary>
    public const string SymbolStateTable = "symbolstate";

    /// <summary>Latest quote per symbol: PartitionKey <see cref="QuotesPartition"/>, RowKey the symbol.</summary>
    public const string QuotesTable = "quotes";

    /// <summary>Signal events: PartitionKey the symbol, RowKey the signal's id.</summary>
    public const string SignalsTable = "signals";

    /// <summary>Events that could not be used: PartitionKey the UTC day (<c>yyyy-MM-dd</c>) of the enqueued time, RowKey <c>{enqueued ms:D15}-{partition}-{sequence:D20}</c>.</summary>
    public const string DeadLettersTable = "deadletters";

    /// <summary>How far each partition has been processed: PartitionKey the source (event hub), RowKey the partition.</summary>
    public const string CheckpointsTable = "checkpoints";

    /// <summary>The one partition of <see cref="QuotesTable"/>.</summary>
    public const string QuotesPartition = "latest";

    /// <summary>Storage queue that receives every signal as an alert candidate.</summary>
    public const string AlertsQueue = "alerts";

    /// <summary>Web PubSub group that receives every signal.</summary>
    public const string SignalsGroup = "signals";

    /// <summary>The Web PubSub group of one symbol's bars of one timeframe, e.g. <c>bars.BTCUSD.1m</c>.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="timeframe">The timeframe.</param>
    /// <returns>The group name.</returns>
    public static string BarsGroup(string symbol, Timeframe timeframe) => $"bars.{symbol}.{timeframe}";

    /// <summary>The Web PubSub group of one symbol's quotes, e.g. <c>quotes.BTCUSD</c>.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>The group name.</returns>
    public static string QuotesGroup(string symbol) => "quotes." + symbol;

    /// <summary>The Web PubSub group of one symbol's signals, e.g. <c>signals.BTCUSD</c>.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>The group name.</returns>
    public static string SymbolSignalsGroup(string symbol) => "signals." + symbol;
}
