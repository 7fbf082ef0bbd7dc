using System.Globalization;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Live;

/// <summary>A bar of one symbol and timeframe, forming (it may still change) or final.</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="Timeframe">The bar length.</param>
/// <param name="Bar">The bar; <see cref="Ohlcv.Time"/> is its start.</param>
/// <param name="Final">True once the bar can no longer change.</param>
public readonly record struct BarUpdate(string Symbol, Timeframe Timeframe, Ohlcv Bar, bool Final);

/// <summary>
/// A bar still forming in a <see cref="BarBuilder"/>, with the event times of its first and last ticks (which decide
/// whether a late tick becomes its open or close), so that it can be stored and restored after a restart.
/// </summary>
/// <param name="Start">Start of the bar (Unix ms, a multiple of the timeframe).</param>
/// <param name="Open">Price of the tick with the earliest event time.</param>
/// <param name="High">Highest price.</param>
/// <param name="Low">Lowest price.</param>
/// <param name="Close">Price of the tick with the latest event time.</param>
/// <param name="Volume">Summed size.</param>
/// <param name="FirstTime">Event time of the open tick (Unix ms).</param>
/// <param name="LastTime">Event time of the close tick (Unix ms).</param>
public readonly record struct FormingBar(long Start, double Open, double High, double Low, double Close, double Volume, long FirstTime, long LastTime)
{
    /// <summary>The bar as OHLCV (start time).</summary>
    /// <returns>The bar.</returns>
    public Ohlcv ToOhlcv() => new(Start, Open, High, Low, Close, Volume);
}

/// <summary>What a <see cref="BarBuilder"/> needs to continue exactly where it stopped: its watermark and its open bars.</summary>
/// <param name="FinalUntil">Every bar starting before this time is final (<see cref="long.MinValue"/> when none is).</param>
/// <param name="MaxTime">Latest event time seen (<see cref="long.MinValue"/> before the first tick).</param>
/// <param name="Open">Bars still open, in start order.</param>
public sealed record BarBuilderState(long FinalUntil, long MaxTime, IReadOnlyList<FormingBar> Open);

/// <summary>
/// Builds one symbol's bars of one timeframe from ticks, with event-time watermarks: a bar stays open until event time
/// has passed its end by the late tolerance, so ticks that arrive a little out of order still land in the bar they
/// belong to; a tick for a bar that is already final is rejected as late. Bars start at multiples of the timeframe
/// since the Unix epoch (UTC); a period without ticks has no bar.
/// </summary>
public sealed class BarBuilder
{
    private readonly string symbol;
    private readonly Timeframe timeframe;
    private readonly long length;
    private readonly long tolerance;
    private readonly List<OpenBar> open = new(4);
    private long maxTime = long.MinValue;

    /// <summary>Creates the builder.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="timeframe">The bar length.</param>
    /// <param name="lateTolerance">How long after a bar's end it still accepts ticks.</param>
    public BarBuilder(string symbol, Timeframe timeframe, TimeSpan lateTolerance)
    {
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        if (timeframe.Milliseconds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timeframe), timeframe, "timeframe must be longer than 0 ms.");
        }

        this.symbol = symbol;
        this.timeframe = timeframe;
        length = timeframe.Milliseconds;
        tolerance = (long)lateTolerance.TotalMilliseconds;
        FinalUntil = long.MinValue;
    }

    /// <summary>Every bar starting before this time is final.</summary>
    public long FinalUntil { get; private set; }

    /// <summary>Bars still open.</summary>
    public int OpenBars => open.Count;

    /// <summary>Latest event time seen (<see cref="long.MinValue"/> before the first tick).</summary>
    public long MaxTime => maxTime;

    /// <summary>Adds a tick: finalises bars the new watermark passes, then updates the tick's bar (appending a forming update).</summary>
    /// <param name="tick">The tick (validated).</param>
    /// <param name="output">Receives the updates, final ones first, in time order.</param>
    /// <returns><see cref="TickRejection.Late"/> when the tick's bar is final already, otherwise <see cref="TickRejection.None"/>.</returns>
    public TickRejection Apply(in Tick tick, List<BarUpdate> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var start = Floor(tick.Time);
        if (start < FinalUntil || (maxTime != long.MinValue && start + length <= maxTime - tolerance))
        {
            return TickRejection.Late;
        }

        if (tick.Time > maxTime)
        {
            maxTime = tick.Time;
            Advance(maxTime - tolerance, output);
        }

        var index = open.Count - 1;
        while (index >= 0 && open[index].Start > start)
        {
            index--;
        }

        OpenBar bar;
        if (index >= 0 && open[index].Start == start)
        {
            bar = open[index];
            if (tick.Price > bar.High)
            {
                bar.High = tick.Price;
            }

            if (tick.Price < bar.Low)
            {
                bar.Low = tick.Price;
            }

            // Open and close follow event time, so a late tick inside the tolerance may become the open.
            if (tick.Time < bar.FirstTime)
            {
                bar.Open = tick.Price;
                bar.FirstTime = tick.Time;
            }

            if (tick.Time >= bar.LastTime)
            {
                bar.Close = tick.Price;
                bar.LastTime = tick.Time;
            }

            bar.Volume += tick.Size;
        }
        else
        {
            bar = new OpenBar(start, tick);
            open.Insert(index + 1, bar);
        }

        output.Add(new BarUpdate(symbol, timeframe, bar.ToOhlcv(), false));
        return TickRejection.None;
    }

    /// <summary>Finalises every open bar whose end is at or before <paramref name="watermark"/> (also called by timers, so quiet symbols' bars close).</summary>
    /// <param name="watermark">Event time up to which all ticks are taken to have arrived.</param>
    /// <param name="output">Receives the final bars in time order.</param>
    public void Advance(long watermark, List<BarUpdate> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        while (open.Count > 0 && open[0].Start + length <= watermark)
        {
            output.Add(new BarUpdate(symbol, timeframe, open[0].ToOhlcv(), true));
            FinalUntil = open[0].Start + length;
            open.RemoveAt(0);
        }

        if (open.Count == 0 && watermark != long.MinValue && Floor(watermark) > FinalUntil)
        {
            // Periods without ticks are final too: a late tick for them must not open a bar behind final ones.
            FinalUntil = Floor(watermark);
        }
    }

    /// <summary>Restores the builder after a restart: bars before <paramref name="finalUntil"/> are final.</summary>
    /// <param name="finalUntil">Start of the first bar that may still be built.</param>
    public void Resume(long finalUntil)
    {
        FinalUntil = Math.Max(FinalUntil, finalUntil);
        maxTime = Math.Max(maxTime, finalUntil - 1);
        open.RemoveAll(b => b.Start < FinalUntil);
    }

    /// <summary>The builder's state, for storing it (see <see cref="Restore"/>).</summary>
    /// <returns>The watermark and copies of the open bars.</returns>
    public BarBuilderState Capture()
    {
        var bars = new FormingBar[open.Count];
        for (var i = 0; i < bars.Length; i++)
        {
            bars[i] = open[i].ToForming();
        }

        return new BarBuilderState(FinalUntil, maxTime, bars);
    }

    /// <summary>
    /// Restores a state captured by <see cref="Capture"/> (after a restart, usually right after the final bars were
    /// replayed): the watermark moves forward to the stored one and the stored open bars replace open bars with the same
    /// start; stored bars that are already final here are dropped. Ticks then continue the bars exactly as if the
    /// builder had never stopped.
    /// </summary>
    /// <param name="state">The stored state.</param>
    /// <exception cref="ArgumentException">A stored bar does not start on a multiple of the timeframe, or its tick times lie outside it.</exception>
    public void Restore(BarBuilderState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var bar in state.Open)
        {
            if (Floor(bar.Start) != bar.Start || bar.FirstTime > bar.LastTime || Floor(bar.FirstTime) != bar.Start || Floor(bar.LastTime) != bar.Start)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"stored forming bar {bar} does not fit the {timeframe} bars of {symbol}: its start must be a multiple of {length} ms and its first and last tick times ({bar.FirstTime}, {bar.LastTime}) must lie in it, in order."), nameof(state));
            }
        }

        FinalUntil = Math.Max(FinalUntil, state.FinalUntil);
        maxTime = Math.Max(maxTime, state.MaxTime);
        open.RemoveAll(b => b.Start < FinalUntil);
        foreach (var bar in state.Open)
        {
            if (bar.Start < FinalUntil)
            {
                continue;
            }

            var index = 0;
            while (index < open.Count && open[index].Start < bar.Start)
            {
                index++;
            }

            if (index < open.Count && open[index].Start == bar.Start)
            {
                open[index] = OpenBar.From(bar);
            }
            else
            {
                open.Insert(index, OpenBar.From(bar));
            }
        }
    }

    private long Floor(long time) => UnixTimeText.FloorDivide(time, length) * length;

    private sealed class OpenBar(long start, Tick first)
    {
        public static OpenBar From(in FormingBar bar) => new(bar.Start, new Tick(string.Empty, bar.FirstTime, bar.Open, bar.Volume))
        {
            High = bar.High,
            Low = bar.Low,
            Close = bar.Close,
            LastTime = bar.LastTime,
        };

        public long Start { get; } = start;

        public double Open { get; set; } = first.Price;

        public double High { get; set; } = first.Price;

        public double Low { get; set; } = first.Price;

        public double Close { get; set; } = first.Price;

        public double Volume { get; set; } = first.Size;

        public long FirstTime { get; set; } = first.Time;

        public long LastTime { get; set; } = first.Time;

        public Ohlcv ToOhlcv() => new(Start, Open, High, Low, Close, Volume);

        public FormingBar ToForming() => new(Start, Open, High, Low, Close, Volume, FirstTime, LastTime);
    }
}

/// <summary>
/// Builds bars of a longer timeframe from the final bars of a shorter one (5-minute bars from 1-minute bars): the
/// longer bar is forming while its period runs and final when a shorter bar ends its period or a later period starts.
/// </summary>
public sealed class BarAggregator
{
    private readonly string symbol;
    private readonly Timeframe timeframe;
    private readonly long length;
    private readonly long baseLength;
    private Ohlcv current;
    private bool hasCurrent;

    /// <summary>Creates the aggregator.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="baseTimeframe">The shorter timeframe fed in.</param>
    /// <param name="timeframe">The longer timeframe built (a multiple of the shorter one).</param>
    public BarAggregator(string symbol, Timeframe baseTimeframe, Timeframe timeframe)
    {
        if (timeframe.Milliseconds <= baseTimeframe.Milliseconds || timeframe.Milliseconds % baseTimeframe.Milliseconds != 0)
        {
            throw new ArgumentException($"timeframe must be a longer multiple of the base timeframe {baseTimeframe}; got {timeframe}.", nameof(timeframe));
        }

        this.symbol = symbol;
        this.timeframe = timeframe;
        length = timeframe.Milliseconds;
        baseLength = baseTimeframe.Milliseconds;
    }

    /// <summary>The timeframe built.</summary>
    public Timeframe Timeframe => timeframe;

    /// <summary>Adds a final bar of the shorter timeframe.</summary>
    /// <param name="bar">The bar (start time).</param>
    /// <param name="output">Receives the longer bar: final when its period is complete, otherwise forming.</param>
    public void Add(in Ohlcv bar, List<BarUpdate> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var start = UnixTimeText.FloorDivide(bar.Time, length) * length;
        if (hasCurrent && current.Time != start)
        {
            output.Add(new BarUpdate(symbol, timeframe, current, true));
            hasCurrent = false;
        }

        current = hasCurrent
            ? current with { High = Math.Max(current.High, bar.High), Low = Math.Min(current.Low, bar.Low), Close = bar.Close, Volume = current.Volume + bar.Volume }
            : bar with { Time = start };
        hasCurrent = true;
        var complete = bar.Time + baseLength >= start + length;
        output.Add(new BarUpdate(symbol, timeframe, current, complete));
        if (complete)
        {
            hasCurrent = false;
        }
    }
}
