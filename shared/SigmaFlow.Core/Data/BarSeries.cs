namespace SigmaFlow.Core.Data;

/// <summary>
/// A bar series stored as columns (struct of arrays): timestamps in Unix milliseconds UTC plus open, high, low,
/// close and volume. Indicators and the backtest engine read the columns as spans; nothing here allocates per bar.
/// Timestamps are strictly increasing; the loader and <see cref="BarSeriesBuilder"/> guarantee it.
/// </summary>
public sealed class BarSeries
{
    /// <summary>Creates a series over existing columns (not copied). All columns must have the same length.</summary>
    /// <param name="time">Bar open times, Unix milliseconds UTC, strictly increasing.</param>
    /// <param name="open">Open prices.</param>
    /// <param name="high">High prices.</param>
    /// <param name="low">Low prices.</param>
    /// <param name="close">Close prices.</param>
    /// <param name="volume">Volumes.</param>
    /// <param name="symbol">Instrument symbol, if known.</param>
    public BarSeries(long[] time, double[] open, double[] high, double[] low, double[] close, double[] volume, string? symbol = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(high);
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(close);
        ArgumentNullException.ThrowIfNull(volume);
        var n = time.Length;
        if (open.Length != n || high.Length != n || low.Length != n || close.Length != n || volume.Length != n)
        {
            throw new ArgumentException(
                $"All columns must have the same length; time has {n}, open {open.Length}, high {high.Length}, low {low.Length}, close {close.Length}, volume {volume.Length}.",
                nameof(time));
        }

        for (var i = 1; i < n; i++)
        {
            if (time[i] <= time[i - 1])
            {
                throw new ArgumentException(
                    $"Timestamps must be strictly increasing; time[{i}] = {time[i]} follows time[{i - 1}] = {time[i - 1]}.",
                    nameof(time));
            }
        }

        Time = time;
        Open = open;
        High = high;
        Low = low;
        Close = close;
        Volume = volume;
        Symbol = symbol;
    }

    private string? contentHash;

    /// <summary>An empty series.</summary>
    public static BarSeries Empty { get; } = new([], [], [], [], [], []);

    /// <summary>Instrument symbol, if known.</summary>
    public string? Symbol { get; }

    /// <summary>Number of bars.</summary>
    public int Count => Time.Length;

    /// <summary>Bar open times, Unix milliseconds UTC.</summary>
    public long[] Time { get; }

    /// <summary>Open prices.</summary>
    public double[] Open { get; }

    /// <summary>High prices.</summary>
    public double[] High { get; }

    /// <summary>Low prices.</summary>
    public double[] Low { get; }

    /// <summary>Close prices.</summary>
    public double[] Close { get; }

    /// <summary>Volumes.</summary>
    public double[] Volume { get; }

    /// <summary>One bar as a value.</summary>
    /// <param name="index">Bar index, 0 = oldest.</param>
    public Ohlcv this[int index] => new(Time[index], Open[index], High[index], Low[index], Close[index], Volume[index]);

    /// <summary>
    /// SHA-256 (lowercase hex) of the time and price columns, computed on first use and kept: a series is treated as
    /// immutable once built, so runs over the same series (a sweep) hash it once.
    /// </summary>
    public string ContentHash => contentHash ??= ComputeHash();

    /// <summary>
    /// A column for a price field. Raw fields return the stored column; derived fields (hl2, hlc3, ohlc4) are computed
    /// into a new array.
    /// </summary>
    /// <param name="field">The field.</param>
    /// <returns>The column.</returns>
    public double[] Column(PriceField field)
    {
        switch (field)
        {
            case PriceField.Close: return Close;
            case PriceField.Open: return Open;
            case PriceField.High: return High;
            case PriceField.Low: return Low;
            case PriceField.Volume: return Volume;
            default:
                var result = new double[Count];
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = this[i].Get(field);
                }

                return result;
        }
    }

    private string ComputeHash()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Time.AsSpan()));
        foreach (var column in new[] { Open, High, Low, Close, Volume })
        {
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(column.AsSpan()));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A copy of bars <paramref name="start"/> .. <paramref name="start"/> + <paramref name="length"/> − 1.</summary>
    /// <param name="start">First bar index.</param>
    /// <param name="length">Number of bars.</param>
    /// <returns>The new series.</returns>
    public BarSeries Slice(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (start + length > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"start {start} + length {length} exceeds the series length {Count}.");
        }

        return new BarSeries(
            Time.AsSpan(start, length).ToArray(),
            Open.AsSpan(start, length).ToArray(),
            High.AsSpan(start, length).ToArray(),
            Low.AsSpan(start, length).ToArray(),
            Close.AsSpan(start, length).ToArray(),
            Volume.AsSpan(start, length).ToArray(),
            Symbol);
    }
}

/// <summary>Accumulates bars in time order into growable columns, then freezes them into a <see cref="BarSeries"/>.</summary>
public sealed class BarSeriesBuilder
{
    private long[] time;
    private double[] open;
    private double[] high;
    private double[] low;
    private double[] close;
    private double[] volume;

    /// <summary>Creates a builder.</summary>
    /// <param name="capacity">Initial capacity in bars.</param>
    public BarSeriesBuilder(int capacity = 256)
    {
        capacity = Math.Max(capacity, 4);
        time = new long[capacity];
        open = new double[capacity];
        high = new double[capacity];
        low = new double[capacity];
        close = new double[capacity];
        volume = new double[capacity];
    }

    /// <summary>Number of bars added.</summary>
    public int Count { get; private set; }

    /// <summary>Time of the last bar added, or <see cref="long.MinValue"/> when empty.</summary>
    public long LastTime => Count == 0 ? long.MinValue : time[Count - 1];

    /// <summary>Appends a bar; its time must be later than the last one.</summary>
    /// <param name="bar">The bar.</param>
    public void Add(in Ohlcv bar)
    {
        if (Count > 0 && bar.Time <= time[Count - 1])
        {
            throw new ArgumentException($"Bar time {bar.Time} is not after the last bar time {time[Count - 1]}.", nameof(bar));
        }

        if (Count == time.Length)
        {
            var n = time.Length * 2;
            Array.Resize(ref time, n);
            Array.Resize(ref open, n);
            Array.Resize(ref high, n);
            Array.Resize(ref low, n);
            Array.Resize(ref close, n);
            Array.Resize(ref volume, n);
        }

        time[Count] = bar.Time;
        open[Count] = bar.Open;
        high[Count] = bar.High;
        low[Count] = bar.Low;
        close[Count] = bar.Close;
        volume[Count] = bar.Volume;
        Count++;
    }

    /// <summary>Freezes the bars added so far into a series (copies the columns).</summary>
    /// <param name="symbol">Symbol to attach.</param>
    /// <returns>The series.</returns>
    public BarSeries Build(string? symbol = null) => new(
        time.AsSpan(0, Count).ToArray(),
        open.AsSpan(0, Count).ToArray(),
        high.AsSpan(0, Count).ToArray(),
        low.AsSpan(0, Count).ToArray(),
        close.AsSpan(0, Count).ToArray(),
        volume.AsSpan(0, Count).ToArray(),
        symbol);
}
