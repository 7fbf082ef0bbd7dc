using System.Globalization;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Strategies.Rules;

namespace SigmaFlow.Core.Live;

/// <summary>Which rule of a strategy fired.</summary>
public enum SignalKind
{
    /// <summary>Long entry.</summary>
    LongEntry,

    /// <summary>Long exit.</summary>
    LongExit,

    /// <summary>Short entry.</summary>
    ShortEntry,

    /// <summary>Short exit.</summary>
    ShortExit,
}

/// <summary>A strategy running live on one timeframe of every symbol it is given.</summary>
/// <param name="Name">Name used in signals.</param>
/// <param name="Strategy">The compiled strategy.</param>
/// <param name="Timeframe">The bars its rules see.</param>
public sealed record LiveStrategy(string Name, CompiledStrategy Strategy, Timeframe Timeframe);

/// <summary>A strategy rule that fired on a final bar.</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="Strategy">The strategy's name.</param>
/// <param name="Timeframe">The bars it runs on.</param>
/// <param name="Kind">Which rule.</param>
/// <param name="Time">Start of the bar it fired on (Unix ms).</param>
/// <param name="Price">That bar's close.</param>
public readonly record struct SignalEvent(string Symbol, string Strategy, Timeframe Timeframe, SignalKind Kind, long Time, double Price)
{
    /// <summary>A stable id: the same signal computed twice (a redelivered batch, a restart) has the same id.</summary>
    public string Id => string.Create(CultureInfo.InvariantCulture, $"{Symbol}|{Strategy}|{Timeframe}|{Kind}|{Time}");
}

/// <summary>A final bar with the indicator values computed on it.</summary>
/// <param name="Update">The bar.</param>
/// <param name="Indicators">Indicator outputs on the bar, in <see cref="LiveSymbolOptions.IndicatorFields"/> order (NaN while warming up).</param>
public readonly record struct FinalBar(BarUpdate Update, double[] Indicators);

/// <summary>What one symbol produced from a batch of ticks; reused between batches (<see cref="Clear"/>).</summary>
public sealed class LiveOutput
{
    /// <summary>Forming bar updates (every tick; callers may send only the latest per bar).</summary>
    public List<BarUpdate> Forming { get; } = [];

    /// <summary>Bars that became final, in time order per timeframe, with their indicators.</summary>
    public List<FinalBar> Final { get; } = [];

    /// <summary>Signals, in the order they fired.</summary>
    public List<SignalEvent> Signals { get; } = [];

    /// <summary>Empties the lists.</summary>
    public void Clear()
    {
        Forming.Clear();
        Final.Clear();
        Signals.Clear();
    }
}

/// <summary>What a <see cref="LiveSymbol"/> needs, beyond its final bars, to continue exactly where it stopped.</summary>
/// <param name="Bars">The first timeframe's watermark and forming bars.</param>
/// <param name="LastPrice">Last accepted trade price (NaN before the first), which the jump rule compares against.</param>
public sealed record LiveSymbolState(BarBuilderState Bars, double LastPrice);

/// <summary>Settings of the live pipeline per symbol.</summary>
public sealed record LiveSymbolOptions
{
    /// <summary>Timeframes built: the first from ticks, the others from its final bars (multiples of the first).</summary>
    public IReadOnlyList<Timeframe> Timeframes { get; init; } = [Timeframe.Parse("1m"), Timeframe.Parse("5m"), Timeframe.Parse("15m"), Timeframe.Parse("1h")];

    /// <summary>Indicators computed on every final bar of every timeframe (catalog specs).</summary>
    public IReadOnlyList<string> Indicators { get; init; } = ["sma(20)", "ema(50)", "rsi(14)", "macd(12,26,9)", "bb(20,2)", "atr(14)", "adx(14)", "stoch(14,3,3)", "obv", "supertrend(10,3)"];

    /// <summary>Strategies evaluated on final bars.</summary>
    public IReadOnlyList<LiveStrategy> Strategies { get; init; } = [];

    /// <summary>Tick validation rules.</summary>
    public TickRules Rules { get; init; } = new();

    /// <summary>Names of the indicator outputs in <see cref="FinalBar.Indicators"/>: <c>spec.field</c>.</summary>
    public IReadOnlyList<string> IndicatorFields => Indicators.SelectMany(spec =>
    {
        var (definition, _) = IndicatorCatalog.Parse(spec);
        return definition.Outputs.Select(o => $"{spec}.{o.Name}");
    }).ToArray();

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it, the rule and the value.</exception>
    public void Validate()
    {
        if (Timeframes.Count == 0)
        {
            throw new ArgumentException("Timeframes must hold at least one timeframe.", nameof(Timeframes));
        }

        foreach (var t in Timeframes.Skip(1))
        {
            if (t.Milliseconds <= Timeframes[0].Milliseconds || t.Milliseconds % Timeframes[0].Milliseconds != 0)
            {
                throw new ArgumentException($"Timeframes after the first must be longer multiples of {Timeframes[0]}; got {t}.", nameof(Timeframes));
            }
        }

        foreach (var spec in Indicators)
        {
            IndicatorCatalog.Parse(spec);
        }

        foreach (var s in Strategies)
        {
            if (!Timeframes.Contains(s.Timeframe))
            {
                throw new ArgumentException($"strategy '{s.Name}' runs on {s.Timeframe}, which is not among the timeframes built ({string.Join(", ", Timeframes)}).", nameof(Strategies));
            }
        }

        Rules.Validate();
    }
}

/// <summary>
/// One symbol's live state: bars of every timeframe built from its ticks, streaming indicators and live strategy rules
/// computed on every final bar, and the last accepted price. The same kernels as backtests, so a bar's indicator
/// values and a strategy's signals are what a backtest over the same bars computes.
/// </summary>
public sealed class LiveSymbol
{
    private readonly LiveSymbolOptions options;
    private readonly BarBuilder builder;
    private readonly BarAggregator[] aggregators;
    private readonly ILiveIndicator[][] indicators;
    private readonly StrategyState[] strategies;
    private readonly int fieldCount;
    private readonly List<BarUpdate> scratch = new(8);
    private readonly List<BarUpdate> higher = new(8);

    /// <summary>Creates the state for a symbol.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="options">Settings (validated by the caller once for all symbols).</param>
    public LiveSymbol(string symbol, LiveSymbolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Symbol = symbol;
        this.options = options;
        var frames = options.Timeframes;
        builder = new BarBuilder(symbol, frames[0], options.Rules.LateTolerance);
        aggregators = frames.Skip(1).Select(t => new BarAggregator(symbol, frames[0], t)).ToArray();
        var specs = options.Indicators.Select(IndicatorCatalog.Parse).ToArray();
        fieldCount = specs.Sum(s => s.Definition.Outputs.Count);
        indicators = frames.Select(_ => specs.Select(s => s.Definition.CreateLive(s.Arguments)).ToArray()).ToArray();
        strategies = options.Strategies.Select(s => new StrategyState(s, IndexOf(frames, s.Timeframe))).ToArray();
        LastPrice = double.NaN;
    }

    /// <summary>The symbol.</summary>
    public string Symbol { get; }

    /// <summary>Last accepted trade price (NaN before the first).</summary>
    public double LastPrice { get; private set; }

    /// <summary>Last accepted tick.</summary>
    public Tick LastTick { get; private set; }

    /// <summary>Every bar of the first timeframe starting before this time is final.</summary>
    public long FinalUntil => builder.FinalUntil;

    /// <summary>Validates and applies a tick.</summary>
    /// <param name="tick">The tick.</param>
    /// <param name="receivedAt">When it was received (Unix ms).</param>
    /// <param name="output">Receives bars and signals.</param>
    /// <param name="message">Why it was rejected, when it was.</param>
    /// <returns>The verdict.</returns>
    public TickRejection Apply(in Tick tick, long receivedAt, LiveOutput output, out string? message)
    {
        ArgumentNullException.ThrowIfNull(output);
        var verdict = options.Rules.Check(tick, receivedAt, LastPrice, out message);
        if (verdict != TickRejection.None)
        {
            return verdict;
        }

        scratch.Clear();
        if (builder.Apply(tick, scratch) == TickRejection.Late)
        {
            message = string.Create(CultureInfo.InvariantCulture, $"time {tick.Time} falls in a bar that is already final (bars before {builder.FinalUntil} are closed; tolerance {options.Rules.LateTolerance.TotalSeconds:0.###} s)");
            return TickRejection.Late;
        }

        LastPrice = tick.Price;
        LastTick = tick;
        Route(scratch, output, emitSignals: true);
        return TickRejection.None;
    }

    /// <summary>Finalises bars up to a watermark (timers call this so a quiet symbol's last bar closes).</summary>
    /// <param name="watermark">Event time up to which all ticks are taken to have arrived.</param>
    /// <param name="output">Receives bars and signals.</param>
    public void Advance(long watermark, LiveOutput output)
    {
        scratch.Clear();
        builder.Advance(watermark, scratch);
        Route(scratch, output, emitSignals: true);
    }

    /// <summary>
    /// Rebuilds indicator and strategy state from stored final bars of the first timeframe (a cold start, or a
    /// partition that moved here), without emitting anything; ticks for those bars are then late.
    /// </summary>
    /// <param name="bars">Final bars in time order.</param>
    public void Warm(IEnumerable<Ohlcv> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var sink = new LiveOutput();
        var last = long.MinValue;
        foreach (var bar in bars)
        {
            scratch.Clear();
            scratch.Add(new BarUpdate(Symbol, options.Timeframes[0], bar, true));
            Route(scratch, sink, emitSignals: false);
            sink.Clear();
            last = bar.Time;
            LastPrice = bar.Close;
        }

        if (last != long.MinValue)
        {
            builder.Resume(last + options.Timeframes[0].Milliseconds);
        }
    }

    /// <summary>The state to store so that a restart continues the forming bars (see <see cref="Restore"/>).</summary>
    /// <returns>The watermark, forming bars and last price.</returns>
    public LiveSymbolState Capture() => new(builder.Capture(), LastPrice);

    /// <summary>
    /// Restores a stored state after <see cref="Warm"/> replayed the stored final bars: the forming bars of the first
    /// timeframe, its watermark and the last price come back, so the minute in progress at the restart ends with
    /// exactly the bar an uninterrupted run builds (longer timeframes' forming bars come from the replayed final bars).
    /// </summary>
    /// <param name="state">The stored state.</param>
    /// <exception cref="ArgumentException">A stored forming bar does not fit the first timeframe.</exception>
    public void Restore(LiveSymbolState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        builder.Restore(state.Bars);
        if (double.IsFinite(state.LastPrice))
        {
            LastPrice = state.LastPrice;
        }
    }

    private void Route(List<BarUpdate> updates, LiveOutput output, bool emitSignals)
    {
        foreach (var update in updates)
        {
            if (!update.Final)
            {
                output.Forming.Add(update);
                continue;
            }

            Finish(0, update, output, emitSignals);
            higher.Clear();
            foreach (var aggregator in aggregators)
            {
                aggregator.Add(update.Bar, higher);
            }

            foreach (var h in higher)
            {
                if (h.Final)
                {
                    Finish(IndexOf(options.Timeframes, h.Timeframe), h, output, emitSignals);
                }
                else
                {
                    output.Forming.Add(h);
                }
            }
        }
    }

    private void Finish(int frame, BarUpdate update, LiveOutput output, bool emitSignals)
    {
        var values = new double[fieldCount];
        var k = 0;
        foreach (var indicator in indicators[frame])
        {
            indicator.Update(update.Bar);
            foreach (var v in indicator.Values)
            {
                values[k++] = v;
            }
        }

        output.Final.Add(new FinalBar(update, values));
        foreach (var s in strategies)
        {
            if (s.Frame != frame)
            {
                continue;
            }

            s.Rules.Update(update.Bar);
            if (!emitSignals)
            {
                continue;
            }

            foreach (var (rule, kind) in Kinds)
            {
                var slot = s.Live.Strategy.Slot(rule);
                if (slot >= 0 && s.Rules.Value(slot) == 1)
                {
                    output.Signals.Add(new SignalEvent(Symbol, s.Live.Name, s.Live.Timeframe, kind, update.Bar.Time, update.Bar.Close));
                }
            }
        }
    }

    private static readonly (StrategyRule Rule, SignalKind Kind)[] Kinds =
    [
        (StrategyRule.LongExit, SignalKind.LongExit),
        (StrategyRule.ShortExit, SignalKind.ShortExit),
        (StrategyRule.LongEntry, SignalKind.LongEntry),
        (StrategyRule.ShortEntry, SignalKind.ShortEntry),
    ];

    private static int IndexOf(IReadOnlyList<Timeframe> frames, Timeframe t)
    {
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames[i] == t)
            {
                return i;
            }
        }

        return -1;
    }

    private sealed class StrategyState(LiveStrategy live, int frame)
    {
        public LiveStrategy Live { get; } = live;

        public int Frame { get; } = frame;

        public LiveRuleSet Rules { get; } = live.Strategy.Program.CreateLive();
    }
}
