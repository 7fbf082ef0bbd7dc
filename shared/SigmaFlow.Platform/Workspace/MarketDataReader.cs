using System.Text.Json;
using SigmaFlow.Core.Data;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Live;

namespace SigmaFlow.Platform.Workspace;

/// <summary>A stored final bar with the indicator values the live pipeline computed on it.</summary>
/// <param name="Bar">The bar.</param>
/// <param name="Indicators">Indicator values by field name (null where not yet warm); empty when none were stored.</param>
public sealed record StoredBar(Ohlcv Bar, IReadOnlyDictionary<string, double?> Indicators);

/// <summary>A latest quote.</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="Time">Tick time, Unix ms.</param>
/// <param name="Price">Last price.</param>
/// <param name="Size">Last size.</param>
/// <param name="Bid">Bid, if known.</param>
/// <param name="Ask">Ask, if known.</param>
/// <param name="UpdatedAt">When the row was written.</param>
public sealed record StoredQuote(string Symbol, long Time, double Price, double Size, double? Bid, double? Ask, DateTimeOffset UpdatedAt);

/// <summary>A recorded strategy signal.</summary>
/// <param name="Id">The signal id.</param>
/// <param name="Symbol">The symbol.</param>
/// <param name="Strategy">The strategy.</param>
/// <param name="Timeframe">The timeframe.</param>
/// <param name="Kind">longEntry, longExit, shortEntry or shortExit.</param>
/// <param name="Time">Start of the bar it fired on, Unix ms.</param>
/// <param name="Price">That bar's close.</param>
/// <param name="RecordedAt">When it was stored.</param>
public sealed record StoredSignal(string Id, string Symbol, string Strategy, string Timeframe, string Kind, long Time, double Price, DateTimeOffset? RecordedAt);

/// <summary>
/// Reads what the live pipeline stores (<see cref="LiveNames"/>): final bars by symbol, timeframe and time range,
/// latest quotes and recorded signals. Queries are range scans on the tables' keys (bars: partition
/// <c>SYMBOL|tf</c>, row key the zero-padded start time), so a range costs what it returns.
/// </summary>
public sealed class MarketDataReader
{
    /// <summary>Most bars one call returns.</summary>
    public const int MaxBars = 50_000;

    private readonly TableClient bars;
    private readonly TableClient quotes;
    private readonly TableClient signals;

    /// <summary>Creates the reader.</summary>
    /// <param name="tables">The table service.</param>
    public MarketDataReader(TableServiceClient tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        bars = tables.GetTableClient(LiveNames.BarsTable);
        quotes = tables.GetTableClient(LiveNames.QuotesTable);
        signals = tables.GetTableClient(LiveNames.SignalsTable);
    }

    /// <summary>Final bars with start time in [from, to), oldest first; the newest <paramref name="limit"/> when more match.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="timeframe">The timeframe.</param>
    /// <param name="from">Earliest start, Unix ms (inclusive).</param>
    /// <param name="to">Latest start, Unix ms (exclusive).</param>
    /// <param name="limit">Most bars (1–<see cref="MaxBars"/>).</param>
    /// <param name="withIndicators">Whether to read the stored indicator values.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The bars; empty when the table or symbol does not exist.</returns>
    public async Task<IReadOnlyList<StoredBar>> BarsAsync(string symbol, Timeframe timeframe, long from, long to, int limit, bool withIndicators, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxBars);
        from = Math.Max(0, from);
        if (to <= from)
        {
            return [];
        }

        var partition = LiveKeys.Bars(symbol, timeframe);
        var filter = TableFilter.Create($"PartitionKey eq {partition} and RowKey ge {LiveKeys.Time(from)} and RowKey lt {LiveKeys.Time(Math.Min(to, 999_999_999_999_999))}");
        string[] select = withIndicators ? ["time", "open", "high", "low", "close", "volume", "indicators"] : ["time", "open", "high", "low", "close", "volume"];
        var result = new Queue<StoredBar>();
        try
        {
            await foreach (var row in bars.QueryAsync(filter, select, TableClient.MaxPageSize, cancellationToken).ConfigureAwait(false))
            {
                result.Enqueue(new StoredBar(
                    new Ohlcv(row.GetInt64("time") ?? 0, row.GetDouble("open") ?? double.NaN, row.GetDouble("high") ?? double.NaN, row.GetDouble("low") ?? double.NaN, row.GetDouble("close") ?? double.NaN, row.GetDouble("volume") ?? 0),
                    withIndicators ? Indicators(row.GetString("indicators")) : Empty));
                if (result.Count > limit)
                {
                    result.Dequeue();
                }
            }
        }
        catch (global::Azure.RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }

        return result.ToList();
    }

    /// <summary>Latest quotes, by symbol.</summary>
    /// <param name="symbols">Only these symbols; every symbol when null or empty.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The quotes found (a symbol never seen is simply absent).</returns>
    public async Task<IReadOnlyList<StoredQuote>> QuotesAsync(IReadOnlyCollection<string>? symbols, CancellationToken cancellationToken = default)
    {
        var result = new List<StoredQuote>();
        try
        {
            if (symbols is { Count: > 0 })
            {
                foreach (var symbol in symbols)
                {
                    var row = await quotes.GetEntityAsync(LiveNames.QuotesPartition, LiveKeys.Escape(symbol), cancellationToken: cancellationToken).ConfigureAwait(false);
                    if (row is not null)
                    {
                        result.Add(Quote(row));
                    }
                }
            }
            else
            {
                await foreach (var row in quotes.QueryAsync(TableFilter.Equal("PartitionKey", LiveNames.QuotesPartition), cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    result.Add(Quote(row));
                }
            }
        }
        catch (global::Azure.RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }

        return result.OrderBy(q => q.Symbol, StringComparer.Ordinal).ToList();
    }

    /// <summary>Recorded signals, newest first.</summary>
    /// <param name="symbol">Only this symbol, or null.</param>
    /// <param name="strategy">Only this strategy, or null.</param>
    /// <param name="since">Only bars starting at or after this time (Unix ms).</param>
    /// <param name="limit">Most signals.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The signals.</returns>
    public async Task<IReadOnlyList<StoredSignal>> SignalsAsync(string? symbol, string? strategy, long since, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var filters = new List<string> { TableFilter.GreaterThanOrEqual("time", since) };
        if (symbol is not null)
        {
            filters.Add(TableFilter.Equal("PartitionKey", LiveKeys.Escape(symbol)));
        }

        if (strategy is not null)
        {
            filters.Add(TableFilter.Equal("strategy", strategy));
        }

        var result = new List<StoredSignal>();
        try
        {
            await foreach (var row in signals.QueryAsync(TableFilter.And([.. filters]), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (row.GetString("id") is not { } id)
                {
                    continue;
                }

                result.Add(new StoredSignal(
                    id,
                    row.GetString("symbol") ?? LiveKeys.Unescape(row.PartitionKey),
                    row.GetString("strategy") ?? string.Empty,
                    row.GetString("timeframe") ?? string.Empty,
                    row.GetString("kind") ?? string.Empty,
                    row.GetInt64("time") ?? 0,
                    row.GetDouble("price") ?? double.NaN,
                    row.GetDateTimeOffset("recordedAt")));
            }
        }
        catch (global::Azure.RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }

        return result.OrderByDescending(s => s.Time).ThenBy(s => s.Id, StringComparer.Ordinal).Take(limit).ToList();
    }

    /// <inheritdoc />
    public override string ToString() => $"market data in {bars}";

    private static readonly IReadOnlyDictionary<string, double?> Empty = new Dictionary<string, double?>();

    private static StoredQuote Quote(TableEntity row) => new(
        row.GetString("symbol") ?? LiveKeys.Unescape(row.RowKey),
        row.GetInt64("time") ?? 0,
        row.GetDouble("price") ?? double.NaN,
        row.GetDouble("size") ?? 0,
        row.GetDouble("bid"),
        row.GetDouble("ask"),
        row.GetDateTimeOffset("updatedAt") ?? DateTimeOffset.MinValue);

    private static IReadOnlyDictionary<string, double?> Indicators(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return Empty;
        }

        var values = new Dictionary<string, double?>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            values[property.Name] = property.Value.ValueKind == JsonValueKind.Number ? property.Value.GetDouble() : null;
        }

        return values;
    }
}
