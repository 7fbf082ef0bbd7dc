using System.Globalization;

namespace SigmaFlow.Core.Data;

/// <summary>Aggregates bars into a coarser timeframe.</summary>
public static class Resampler
{
    private const long Week = 7 * 86_400_000L;

    /// <summary>1970-01-05T00:00Z, the first Monday after the Unix epoch: weekly buckets start on Mondays.</summary>
    private const long FirstMonday = 4 * 86_400_000L;

    /// <summary>
    /// Groups bars into buckets of <paramref name="timeframe"/> and aggregates each bucket: time = bucket start,
    /// open = first open, high = highest high, low = lowest low, close = last close, volume = sum. Buckets are aligned
    /// to the Unix epoch in UTC (start = floor(time / length) × length); timeframes of whole weeks are aligned to Monday
    /// 00:00 UTC. Empty buckets produce no bar; a partial bucket at either end produces a bar from the bars it has.
    /// A timeframe finer than the source simply yields one bar per source bar, re-stamped to its bucket start.
    /// </summary>
    /// <param name="source">The bars.</param>
    /// <param name="timeframe">The target bar length.</param>
    /// <returns>The aggregated series, with the source's symbol.</returns>
    public static BarSeries Resample(BarSeries source, Timeframe timeframe)
    {
        ArgumentNullException.ThrowIfNull(source);
        var length = timeframe.Milliseconds;
        if (length <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(timeframe),
                timeframe,
                string.Create(CultureInfo.InvariantCulture, $"{nameof(timeframe)} must be longer than 0 ms; got {length} ms."));
        }

        var anchor = length % Week == 0 ? FirstMonday : 0;
        var n = source.Count;
        var inTime = source.Time;
        var inOpen = source.Open;
        var inHigh = source.High;
        var inLow = source.Low;
        var inClose = source.Close;
        var inVolume = source.Volume;
        var time = new long[n];
        var open = new double[n];
        var high = new double[n];
        var low = new double[n];
        var close = new double[n];
        var volume = new double[n];

        var k = -1;
        var bucket = long.MinValue;
        for (var i = 0; i < n; i++)
        {
            var start = (UnixTimeText.FloorDivide(inTime[i] - anchor, length) * length) + anchor;
            if (k < 0 || start != bucket)
            {
                k++;
                bucket = start;
                time[k] = start;
                open[k] = inOpen[i];
                high[k] = inHigh[i];
                low[k] = inLow[i];
                close[k] = inClose[i];
                volume[k] = inVolume[i];
                continue;
            }

            if (inHigh[i] > high[k])
            {
                high[k] = inHigh[i];
            }

            if (inLow[i] < low[k])
            {
                low[k] = inLow[i];
            }

            close[k] = inClose[i];
            volume[k] += inVolume[i];
        }

        var count = k + 1;
        return count == n
            ? new BarSeries(time, open, high, low, close, volume, source.Symbol)
            : new BarSeries(
                time.AsSpan(0, count).ToArray(),
                open.AsSpan(0, count).ToArray(),
                high.AsSpan(0, count).ToArray(),
                low.AsSpan(0, count).ToArray(),
                close.AsSpan(0, count).ToArray(),
                volume.AsSpan(0, count).ToArray(),
                source.Symbol);
    }
}
