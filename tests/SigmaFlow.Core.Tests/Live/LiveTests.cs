using System.Text;
using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Live;
using SigmaFlow.Core.Strategies;

namespace SigmaFlow.Core.Tests.Live;

/// <summary>Tick parsing, the simulator, bars from ticks with late tolerance, and live indicators and signals.</summary>
public sealed class LiveTests
{
    private const long Minute = 60_000;
    private const long T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    [Fact]
    public void TickCodec_RoundTrips_AndAcceptsIsoTimesAndNumbersAsStrings()
    {
        var tick = new Tick("BTCUSD", T0 + 123, 65000.1, 0.25, 65000.0, 65000.2, 42);
        var json = TickCodec.Write(tick);
        Assert.True(TickCodec.TryParse(json, null, out var back, out var error), error);
        Assert.Equal(tick, back);

        var iso = """{"symbol":"ETHUSD","time":"2026-01-01T00:00:01.5Z","price":"3500.25","extra":{"a":[1,2]}}"""u8;
        Assert.True(TickCodec.TryParse(iso, null, out var parsed, out error), error);
        Assert.Equal(T0 + 1500, parsed.Time);
        Assert.Equal(3500.25, parsed.Price);
        Assert.Equal(0, parsed.Size);
        Assert.True(double.IsNaN(parsed.Bid));
        Assert.Equal(-1, parsed.Sequence);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1,2]", "a tick must be a JSON object")]
    [InlineData("""{"time":1,"price":1}""", "'symbol' is required")]
    [InlineData("""{"symbol":"A","price":1}""", "'time' is required")]
    [InlineData("""{"symbol":"A","time":1}""", "'price' is required")]
    [InlineData("""{"symbol":"A","time":1,"price":"abc"}""", "'price' must be a number; got 'abc'")]
    [InlineData("""{"symbol":"A","time":"yesterday","price":1}""", "'time' must be Unix milliseconds or an ISO 8601 date-time; got 'yesterday'")]
    [InlineData("""{"symbol":5,"time":1,"price":1}""", "'symbol' must be a string")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"seq":-3}""", "'seq' must be a whole number ≥ 0")]
    public void TickCodec_Malformed_SaysWhichFieldAndWhy(string text, string fragment)
    {
        Assert.False(TickCodec.TryParse(Encoding.UTF8.GetBytes(text), null, out _, out var error));
        Assert.Contains(fragment, error, StringComparison.Ordinal);
    }

    [Fact]
    public void SymbolTable_InternsOneStringPerSymbol()
    {
        var table = new SymbolTable();
        Assert.True(TickCodec.TryParse("""{"symbol":"BTCUSD","time":1,"price":1}"""u8, table, out var a, out _));
        Assert.True(TickCodec.TryParse("""{"symbol":"BTCUSD","time":2,"price":1}"""u8, table, out var b, out _));
        Assert.Same(a.Symbol, b.Symbol);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Simulator_IsDeterministic_OrderedAndRealistic()
    {
        var options = new TickSimulatorOptions { Seed = 9, Symbols = ["BTCUSD", "SPY", "XYZ"], TicksPerSecond = 30, StartTime = T0 };
        var a = Take(new TickSimulator(options), 20_000);
        var b = Take(new TickSimulator(options), 20_000);
        Assert.Equal(a, b);
        Assert.NotEqual(a, Take(new TickSimulator(options with { Seed = 10 }), 20_000));
        for (var i = 1; i < a.Length; i++)
        {
            Assert.True(a[i].Time >= a[i - 1].Time, "ticks come in time order");
        }

        foreach (var group in a.GroupBy(t => t.Symbol))
        {
            var ticks = group.ToArray();
            Assert.All(ticks, t => Assert.True(t.Bid < t.Ask && (t.Price == t.Bid || t.Price == t.Ask) && t.Size > 0));
            Assert.Equal(Enumerable.Range(1, ticks.Length).Select(i => (long)i), ticks.Select(t => t.Sequence));
            var start = group.Key switch { "BTCUSD" => 65_000, "SPY" => 600, _ => 100.0 };
            Assert.InRange(ticks[0].Price, start * 0.99, start * 1.01);
        }

        // 20,000 ticks at 30 per second span about 11 minutes; the rate follows the intraday profile at midnight (≈1.9×).
        var seconds = (a[^1].Time - a[0].Time) / 1000.0;
        Assert.InRange(20_000 / seconds, 30 * 1.5, 30 * 2.3);
        var bad = Assert.Throws<ArgumentException>(() => new TickSimulator(options with { TicksPerSecond = 0 }));
        Assert.Contains("TicksPerSecond must be in (0, 10000000]; got 0.", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_RejectBadTicks_WithTheFieldAndTheRule()
    {
        var rules = new TickRules();
        Assert.Equal(TickRejection.BadPrice, rules.Check(new Tick("A", T0, -1, 1), T0, double.NaN, out var m));
        Assert.Contains("price must be a positive number; got -1", m, StringComparison.Ordinal);
        Assert.Equal(TickRejection.BadPrice, rules.Check(new Tick("A", T0, double.NaN, 1), T0, double.NaN, out _));
        Assert.Equal(TickRejection.BadSize, rules.Check(new Tick("A", T0, 1, -2), T0, double.NaN, out _));
        Assert.Equal(TickRejection.BadQuote, rules.Check(new Tick("A", T0, 1, 1, 1.2, 1.1), T0, double.NaN, out m));
        Assert.Contains("bid ≤ ask", m, StringComparison.Ordinal);
        Assert.Equal(TickRejection.Future, rules.Check(new Tick("A", T0 + 60_000, 1, 1), T0, double.NaN, out m));
        Assert.Contains("not be more than 5 s after it was received; it is 60 s after", m, StringComparison.Ordinal);
        Assert.Equal(TickRejection.Jump, rules.Check(new Tick("A", T0, 130, 1), T0, 100, out m));
        Assert.Contains("price moved 30.0 % from the last accepted 100; the band is ±20 %", m, StringComparison.Ordinal);
        Assert.Equal(TickRejection.None, rules.Check(new Tick("A", T0, 115, 1), T0, 100, out _));
    }

    [Fact]
    public void BarBuilder_BuildsMinuteBars_AndClosesThemAtTheWatermark()
    {
        var builder = new BarBuilder("A", Timeframe.Parse("1m"), TimeSpan.FromSeconds(2));
        var updates = new List<BarUpdate>();
        Apply(builder, updates, (0, 10), (20_000, 12), (40_000, 9), (59_000, 11));
        Assert.All(updates, u => Assert.False(u.Final));
        Assert.Equal(new Ohlcv(T0, 10, 12, 9, 11, 4), updates[^1].Bar);

        // A tick at 1:01 is inside the tolerance: the first bar stays open and a late tick still lands in it.
        updates.Clear();
        Apply(builder, updates, (Minute + 1_000, 20), (58_000, 13));
        Assert.DoesNotContain(updates, u => u.Final);
        Assert.Equal(new Ohlcv(T0, 10, 13, 9, 11, 5), updates[^1].Bar);

        // Past the tolerance the first bar is final, and a tick for it is late.
        updates.Clear();
        Apply(builder, updates, (Minute + 2_500, 21));
        var final = Assert.Single(updates, u => u.Final);
        Assert.Equal(new Ohlcv(T0, 10, 13, 9, 11, 5), final.Bar);
        Assert.Equal(TickRejection.Late, builder.Apply(new Tick("A", T0 + 59_500, 10, 1), updates));
        Assert.Equal(T0 + Minute, builder.FinalUntil);
    }

    [Fact]
    public void BarBuilder_ShuffledTicksInsideTheTolerance_GiveTheSameBarsAsOrdered()
    {
        var ticks = Take(new TickSimulator(new TickSimulatorOptions { Symbols = ["A"], TicksPerSecond = 20, StartTime = T0 }), 5000);
        var ordered = FinalBars(ticks);

        // Swap neighbours that are less than 1 s apart: out of order, but inside a 2 s tolerance.
        var shuffled = (Tick[])ticks.Clone();
        for (var i = 1; i < shuffled.Length; i += 2)
        {
            if (shuffled[i].Time - shuffled[i - 1].Time < 1000)
            {
                (shuffled[i], shuffled[i - 1]) = (shuffled[i - 1], shuffled[i]);
            }
        }

        Assert.Equal(ordered, FinalBars(shuffled));
        Assert.Equal(Resampled(ticks), ordered);
    }

    [Fact]
    public void Aggregator_BuildsLongerBars_FromFinalShortOnes()
    {
        var aggregator = new BarAggregator("A", Timeframe.Parse("1m"), Timeframe.Parse("5m"));
        var output = new List<BarUpdate>();
        for (var m = 0; m < 5; m++)
        {
            aggregator.Add(new Ohlcv(T0 + (m * Minute), 10 + m, 20 + m, 5 - m, 11 + m, 100), output);
        }

        Assert.Equal(5, output.Count);
        Assert.All(output.Take(4), u => Assert.False(u.Final));
        Assert.True(output[4].Final);
        Assert.Equal(new Ohlcv(T0, 10, 24, 1, 15, 500), output[4].Bar);

        // A gap: the 10:05 bar is cut short by a bar of the next period.
        output.Clear();
        aggregator.Add(new Ohlcv(T0 + (5 * Minute), 1, 2, 1, 2, 1), output);
        aggregator.Add(new Ohlcv(T0 + (11 * Minute), 3, 4, 3, 4, 1), output);
        Assert.Equal([false, true, false], output.Select(u => u.Final));
        Assert.Equal(T0 + (5 * Minute), output[1].Bar.Time);
        Assert.Equal(T0 + (10 * Minute), output[2].Bar.Time);
    }

    [Fact]
    public void LiveSymbol_IndicatorsAndSignals_EqualABacktestOverTheSameBars()
    {
        var ticks = Take(new TickSimulator(new TickSimulatorOptions { Symbols = ["BTCUSD"], TicksPerSecond = 2, StartTime = T0, AnnualVolatility = 1.5 }), 40_000);
        var document = new StrategyDocument
        {
            Name = "cross",
            Long = new StrategySide { Entry = SourceText.Of("crossover(ema(close, 5), ema(close, 20))"), Exit = SourceText.Of("crossunder(ema(close, 5), ema(close, 20))") },
            Sizing = new SizingRule(SizingMode.Quantity, 1),
        };
        var strategy = StrategyCompiler.Compile(document);
        var options = new LiveSymbolOptions { Strategies = [new LiveStrategy("cross", strategy, Timeframe.Parse("1m"))] };
        options.Validate();
        var live = new LiveSymbol("BTCUSD", options);
        var output = new LiveOutput();
        foreach (var tick in ticks)
        {
            Assert.Equal(TickRejection.None, live.Apply(tick, tick.Time, output, out var message));
            Assert.Null(message);
        }

        var minute = output.Final.Where(f => f.Update.Timeframe == Timeframe.Parse("1m")).ToList();
        var builder = new BarSeriesBuilder();
        foreach (var f in minute)
        {
            builder.Add(f.Update.Bar);
        }

        var bars = builder.Build("BTCUSD");
        Assert.True(bars.Count > 100);

        // Indicators on each final bar equal the batch calculation over the same bars.
        var fields = options.IndicatorFields.ToList();
        var (rsi, rsiArgs) = IndicatorCatalog.Parse("rsi(14)");
        var batch = rsi.Calculate(bars, rsiArgs);
        var k = fields.IndexOf("rsi(14).rsi");
        for (var i = 0; i < bars.Count; i++)
        {
            Assert.Equal(batch.Columns[0][i], minute[i].Indicators[k]);
        }

        // Signals equal the columnar rule evaluation of the backtest engine.
        var columns = strategy.Program.Evaluate(bars);
        var entries = Enumerable.Range(0, bars.Count).Where(i => columns[strategy.Slot(StrategyRule.LongEntry)][i] == 1).Select(i => bars.Time[i]).ToList();
        var exits = Enumerable.Range(0, bars.Count).Where(i => columns[strategy.Slot(StrategyRule.LongExit)][i] == 1).Select(i => bars.Time[i]).ToList();
        Assert.NotEmpty(entries);
        Assert.Equal(entries, output.Signals.Where(s => s.Kind == SignalKind.LongEntry).Select(s => s.Time));
        Assert.Equal(exits, output.Signals.Where(s => s.Kind == SignalKind.LongExit).Select(s => s.Time));

        // Longer timeframes come from the minute bars.
        var five = output.Final.Where(f => f.Update.Timeframe == Timeframe.Parse("5m")).Select(f => f.Update.Bar).ToList();
        var resampled = Resampler.Resample(bars, Timeframe.Parse("5m"));
        Assert.Equal(Enumerable.Range(0, five.Count).Select(i => resampled[i]), five);
        _ = BacktestEngine.Version;
    }

    [Fact]
    public void LiveSymbol_WarmedFromStoredBars_ContinuesAsIfItHadSeenThem()
    {
        var ticks = Take(new TickSimulator(new TickSimulatorOptions { Symbols = ["A"], TicksPerSecond = 5, StartTime = T0 }), 20_000);
        var options = new LiveSymbolOptions { Timeframes = [Timeframe.Parse("1m")] };
        var whole = new LiveSymbol("A", options);
        var all = new LiveOutput();
        foreach (var t in ticks)
        {
            whole.Apply(t, t.Time, all, out _);
        }

        // Restart after the 100th final bar: warm from those bars, feed the ticks that follow.
        var stored = all.Final.Take(100).Select(f => f.Update.Bar).ToList();
        var resumed = new LiveSymbol("A", options);
        resumed.Warm(stored);
        var after = new LiveOutput();
        var rejectedLate = 0;
        foreach (var t in ticks)
        {
            if (resumed.Apply(t, t.Time, after, out _) == TickRejection.Late)
            {
                rejectedLate++;
            }
        }

        Assert.True(rejectedLate > 0, "ticks of bars already stored are late after a restart");
        Assert.Equal(all.Final.Skip(100).Select(f => (f.Update.Bar, string.Join(",", f.Indicators))), after.Final.Select(f => (f.Update.Bar, string.Join(",", f.Indicators))));
    }

    [Fact]
    public void BarBuilder_CapturedMidMinuteAndRestored_BuildsTheSameBarsAsAnUninterruptedRun()
    {
        var ticks = Take(new TickSimulator(new TickSimulatorOptions { Symbols = ["A"], TicksPerSecond = 20, StartTime = T0 }), 6000);
        var expected = FinalBars(ticks);

        // Stop in the middle of a minute (with a bar still open behind it inside the tolerance), store, restore, go on.
        var cut = Array.FindIndex(ticks, t => t.Time - T0 > 2 * Minute && (t.Time - T0) % Minute is > 1_000 and < 1_900);
        var first = new BarBuilder("A", Timeframe.Parse("1m"), TimeSpan.FromSeconds(2));
        var updates = new List<BarUpdate>();
        foreach (var t in ticks.AsSpan(0, cut))
        {
            Assert.Equal(TickRejection.None, first.Apply(t, updates));
        }

        var state = first.Capture();
        Assert.Equal(2, state.Open.Count);
        Assert.Equal(first.FinalUntil, state.FinalUntil);
        Assert.Equal(first.MaxTime, state.MaxTime);

        var second = new BarBuilder("A", Timeframe.Parse("1m"), TimeSpan.FromSeconds(2));
        second.Restore(state);
        Assert.Equal(state, second.Capture() with { Open = state.Open });
        Assert.Equal(state.Open, second.Capture().Open);
        foreach (var t in ticks.AsSpan(cut))
        {
            Assert.Equal(TickRejection.None, second.Apply(t, updates));
        }

        second.Advance(long.MaxValue, updates);
        Assert.Equal(expected, updates.Where(u => u.Final).Select(u => u.Bar).ToList());
    }

    [Fact]
    public void BarBuilder_Restore_DropsBarsThatAreFinal_AndRefusesBarsThatDoNotFit()
    {
        var builder = new BarBuilder("A", Timeframe.Parse("1m"), TimeSpan.FromSeconds(2));
        builder.Restore(new BarBuilderState(T0 + Minute, T0 + Minute + 500, [new FormingBar(T0, 1, 2, 1, 2, 3, T0, T0 + 10), new FormingBar(T0 + Minute, 5, 6, 4, 5, 1, T0 + Minute + 100, T0 + Minute + 500)]));
        var open = Assert.Single(builder.Capture().Open);
        Assert.Equal(T0 + Minute, open.Start);
        Assert.Equal(T0 + Minute, builder.FinalUntil);
        Assert.Equal(TickRejection.Late, builder.Apply(new Tick("A", T0 + 30_000, 1, 1), []));

        // A late tick inside the tolerance still becomes the open of the restored bar (event-time order survives).
        var updates = new List<BarUpdate>();
        Assert.Equal(TickRejection.None, builder.Apply(new Tick("A", T0 + Minute + 50, 7, 1), updates));
        Assert.Equal(new Ohlcv(T0 + Minute, 7, 7, 4, 5, 2), updates[^1].Bar);

        var bad = Assert.Throws<ArgumentException>(() => builder.Restore(new BarBuilderState(T0, T0, [new FormingBar(T0 + 5, 1, 1, 1, 1, 1, T0 + 5, T0 + 5)])));
        Assert.Contains("must be a multiple of 60000 ms", bad.Message, StringComparison.Ordinal);
        bad = Assert.Throws<ArgumentException>(() => builder.Restore(new BarBuilderState(T0, T0, [new FormingBar(T0 + (2 * Minute), 1, 1, 1, 1, 1, T0 + (3 * Minute), T0 + (3 * Minute))])));
        Assert.Contains("must lie in it", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LiveSymbol_RestartMidMinute_WarmAndRestore_GiveExactlyTheBarsAndIndicatorsOfAnUninterruptedRun()
    {
        var ticks = Take(new TickSimulator(new TickSimulatorOptions { Symbols = ["A"], TicksPerSecond = 5, StartTime = T0 }), 12_000);
        var options = new LiveSymbolOptions();
        var whole = new LiveSymbol("A", options);
        var all = new LiveOutput();
        foreach (var t in ticks)
        {
            Assert.Equal(TickRejection.None, whole.Apply(t, t.Time, all, out _));
        }

        // Stop at a tick 30 s into a minute: what was stored is the final bars so far and the captured state.
        var cut = Array.FindIndex(ticks, t => t.Time - T0 > 20 * Minute && (t.Time - T0) % Minute >= 30_000);
        var before = new LiveSymbol("A", options);
        var stored = new LiveOutput();
        foreach (var t in ticks.AsSpan(0, cut))
        {
            before.Apply(t, t.Time, stored, out _);
        }

        var state = before.Capture();
        var resumed = new LiveSymbol("A", options);
        resumed.Warm(stored.Final.Where(f => f.Update.Timeframe == options.Timeframes[0]).Select(f => f.Update.Bar));
        resumed.Restore(state);
        Assert.Equal(before.LastPrice, resumed.LastPrice);
        Assert.Equal(before.FinalUntil, resumed.FinalUntil);
        var after = new LiveOutput();
        foreach (var t in ticks.AsSpan(cut))
        {
            Assert.Equal(TickRejection.None, resumed.Apply(t, t.Time, after, out _));
        }

        static string Show(FinalBar f) => $"{f.Update.Timeframe} {f.Update.Bar} {string.Join(",", f.Indicators)}";
        Assert.Equal(all.Final.Skip(stored.Final.Count).Select(Show), after.Final.Select(Show));
        Assert.Equal(all.Forming[^1], after.Forming[^1]);
    }

    private static Tick[] Take(TickSimulator simulator, int count) => Enumerable.Range(0, count).Select(_ => simulator.Next()).ToArray();

    private static void Apply(BarBuilder builder, List<BarUpdate> updates, params (long Offset, double Price)[] ticks)
    {
        foreach (var (offset, price) in ticks)
        {
            Assert.Equal(TickRejection.None, builder.Apply(new Tick("A", T0 + offset, price, 1), updates));
        }
    }

    private static List<Ohlcv> FinalBars(Tick[] ticks)
    {
        var builder = new BarBuilder("A", Timeframe.Parse("1m"), TimeSpan.FromSeconds(2));
        var updates = new List<BarUpdate>();
        foreach (var t in ticks)
        {
            Assert.Equal(TickRejection.None, builder.Apply(t, updates));
        }

        builder.Advance(long.MaxValue, updates);
        return updates.Where(u => u.Final).Select(u => u.Bar).ToList();
    }

    private static List<Ohlcv> Resampled(Tick[] ticks) => ticks
        .GroupBy(t => t.Time / Minute * Minute)
        .Select(g => new Ohlcv(g.Key, g.First().Price, g.Max(t => t.Price), g.Min(t => t.Price), g.Last().Price, g.Sum(t => t.Size)))
        .ToList();
}
