using System.Globalization;
using Azure;
using SigmaFlow.Core.Data;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Live;

namespace SigmaFlow.Platform.Jobs;

/// <summary>The bars of a job could not be loaded, or are not usable; the message says which and why.</summary>
public sealed class SweepDataException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SweepDataException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    public SweepDataException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SweepDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Loads the bars of a job: a synthetic market is generated (the same settings always give the same bars), stored bars
/// are read from the live pipeline's <c>bars</c> table (partition <c>{SYMBOL}|{timeframe}</c>, one row per final bar,
/// keyed by its start) over the job's time range. Either way the series' SHA-256 is what the job records and every shard checks.
/// </summary>
/// <param name="tables">Table storage holding <c>bars</c>, or null when only synthetic data is available.</param>
internal sealed class SweepDataLoader(TableServiceClient? tables)
{
    /// <summary>Loads the bars.</summary>
    /// <param name="source">Where they come from.</param>
    /// <param name="minimumBars">Fewest bars accepted.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The bars.</returns>
    /// <exception cref="SweepDataException">No storage for stored bars, too few bars, or a stored bar that is not a usable price bar.</exception>
    public async Task<BarSeries> LoadAsync(BarSource source, int minimumBars, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        switch (source)
        {
            case SyntheticBarSource synthetic:
                return SyntheticMarket.Generate(synthetic.Options);
            case StoredBarSource stored:
                var bars = await ReadStoredAsync(stored, cancellationToken).ConfigureAwait(false);
                if (bars.Count < minimumBars)
                {
                    throw new SweepDataException(string.Create(CultureInfo.InvariantCulture, $"data.stored: {stored.Describe()} holds {bars.Count} final bars in table '{LiveNames.BarsTable}'; a sweep needs at least {minimumBars}. Check the symbol, timeframe and range (bar starts from 'from' up to, not including, 'to')."));
                }

                return bars;
            default:
                throw new ArgumentException($"source must be synthetic or stored; got {source.GetType().Name}.", nameof(source));
        }
    }

    private async Task<BarSeries> ReadStoredAsync(StoredBarSource source, CancellationToken cancellationToken)
    {
        if (tables is null)
        {
            throw new SweepDataException($"data.stored: stored bars need table storage (AzureWebJobsStorage), which is not configured here; use data.synthetic or configure storage.");
        }

        var table = tables.GetTableClient(LiveNames.BarsTable);
        var partition = LiveKeys.Bars(source.Symbol, source.Timeframe);
        var filter = TableFilter.And(
            TableFilter.Equal("PartitionKey", partition),
            TableFilter.GreaterThanOrEqual("RowKey", LiveKeys.Time(source.From)),
            TableFilter.LessThan("RowKey", LiveKeys.Time(source.To)));
        var builder = new BarSeriesBuilder(1024);
        try
        {
            await foreach (var row in table.QueryAsync(filter, ["time", "open", "high", "low", "close", "volume"], TableClient.MaxPageSize, cancellationToken).ConfigureAwait(false))
            {
                var time = row.GetInt64("time") ?? long.Parse(row.RowKey, NumberStyles.None, CultureInfo.InvariantCulture);
                var bar = new Ohlcv(time, row.GetDouble("open") ?? double.NaN, row.GetDouble("high") ?? double.NaN, row.GetDouble("low") ?? double.NaN, row.GetDouble("close") ?? double.NaN, row.GetDouble("volume") ?? 0);
                if (!(bar.Open > 0 && bar.High >= bar.Low && bar.Low > 0 && bar.Close > 0 && double.IsFinite(bar.High) && double.IsFinite(bar.Volume) && bar.Volume >= 0) || time <= builder.LastTime)
                {
                    throw new SweepDataException(string.Create(CultureInfo.InvariantCulture, $"data.stored: the bar of {source.Symbol}|{source.Timeframe} at {time} (RowKey {row.RowKey}) is not a usable bar (open {bar.Open}, high {bar.High}, low {bar.Low}, close {bar.Close}, volume {bar.Volume}); the sweep refuses it rather than trade on it."));
                }

                builder.Add(bar);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No bars table yet: no bars.
        }

        return builder.Build(source.Symbol);
    }
}
