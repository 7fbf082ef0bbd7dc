using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Live;

namespace SigmaFlow.Functions.Tests.EndToEnd;

/// <summary>One round of the script: every tick with an event time in [<see cref="End"/> − round length, <see cref="End"/>), by symbol.</summary>
/// <param name="Index">Position in the script.</param>
/// <param name="End">End of the round (Unix ms): the broker clock is pinned here while the round is published.</param>
/// <param name="Batches">Per symbol (in the script's symbol order) its ticks in time order, as event bodies.</param>
internal sealed record ScriptRound(int Index, long End, IReadOnlyList<(string Symbol, IReadOnlyList<byte[]> Bodies)> Batches);

/// <summary>
/// The deterministic market the end-to-end test plays, and what the live pipeline must make of it. Ticks come from a
/// seeded <see cref="TickSimulator"/> and are cut into rounds of event time; each round is published with the Event
/// Hubs stand-in's clock pinned to the round's end, so enqueued times (which close bars in the pipeline) depend on
/// the script alone, not on how fast it is played or where serve is restarted. The expected bars, indicators and
/// signals are computed offline with the same domain code (<see cref="LiveSymbol"/>, the platform's default options
/// and strategy) over the same ticks as the pipeline parses them.
/// </summary>
internal sealed class MarketScript
{
    /// <summary>Creates the script and its expectations.</summary>
    /// <param name="seed">The simulator's seed.</param>
    /// <param name="symbols">The symbols.</param>
    /// <param name="start">Event time of the first round's start (Unix ms, a whole minute).</param>
    /// <param name="rounds">Number of rounds.</param>
    /// <param name="roundMilliseconds">Event time per round.</param>
    /// <param name="ticksPerSecond">The simulator's average rate over all symbols.</param>
    public MarketScript(ulong seed, IReadOnlyList<string> symbols, long start, int rounds, long roundMilliseconds, double ticksPerSecond)
    {
        Options = new IngestOptions { Live = new LiveSymbolOptions { Strategies = [LiveStrategies.Default()] } }.Live;
        var simulator = new TickSimulator(new TickSimulatorOptions { Seed = seed, Symbols = symbols, StartTime = start, TicksPerSecond = ticksPerSecond });
        var table = new SymbolTable();
        var live = symbols.ToDictionary(s => s, s => new LiveSymbol(s, Options), StringComparer.Ordinal);
        var outputs = symbols.ToDictionary(s => s, _ => new LiveOutput(), StringComparer.Ordinal);
        var list = new List<ScriptRound>(rounds);
        var pending = simulator.Next();
        var count = 0;
        var smallestSize = double.PositiveInfinity;
        for (var r = 0; r < rounds; r++)
        {
            var end = start + ((r + 1) * roundMilliseconds);
            var bySymbol = symbols.ToDictionary(s => s, _ => new List<byte[]>(), StringComparer.Ordinal);
            while (pending.Time < end)
            {
                var body = TickCodec.Write(pending);

                // What the pipeline sees: the tick as parsed from its body, received at the round's pinned clock.
                if (!TickCodec.TryParse(body, table, out var parsed, out var error))
                {
                    throw new InvalidOperationException($"the simulator's tick does not parse: {error}");
                }

                var verdict = live[parsed.Symbol].Apply(parsed, end, outputs[parsed.Symbol], out var why);
                if (verdict != TickRejection.None)
                {
                    throw new InvalidOperationException($"the script's tick {parsed} would be rejected ({verdict}: {why}); choose other settings.");
                }

                bySymbol[parsed.Symbol].Add(body);
                smallestSize = Math.Min(smallestSize, parsed.Size);
                count++;
                pending = simulator.Next();
            }

            list.Add(new ScriptRound(r, end, symbols.Select(s => (s, (IReadOnlyList<byte[]>)bySymbol[s])).Where(b => b.Item2.Count > 0).ToList()));
        }

        // The last round's batch watermark closes what the pipeline's last batch of each partition closes.
        var watermark = list[^1].End - (long)Options.Rules.LateTolerance.TotalMilliseconds;
        foreach (var symbol in symbols)
        {
            live[symbol].Advance(watermark, outputs[symbol]);
        }

        Rounds = list;
        TickCount = count;
        SmallestSize = smallestSize;
        Finals = symbols.SelectMany(s => outputs[s].Final).ToList();
        Signals = symbols.SelectMany(s => outputs[s].Signals).ToList();
    }

    /// <summary>The per-symbol options the function app uses (default timeframes, indicators and rules; the built-in ema-cross strategy).</summary>
    public LiveSymbolOptions Options { get; }

    /// <summary>The rounds, in order.</summary>
    public IReadOnlyList<ScriptRound> Rounds { get; }

    /// <summary>Ticks in the script.</summary>
    public int TickCount { get; }

    /// <summary>The smallest tick size (above 0, so every tick lost or counted twice changes a bar's volume).</summary>
    public double SmallestSize { get; }

    /// <summary>Every final bar of every timeframe the pipeline must store, with its indicators.</summary>
    public IReadOnlyList<FinalBar> Finals { get; }

    /// <summary>Every signal the pipeline must record and push.</summary>
    public IReadOnlyList<SignalEvent> Signals { get; }

    /// <summary>The index of the round that ends at a time.</summary>
    /// <param name="end">The round's end (Unix ms).</param>
    /// <returns>The index.</returns>
    public int RoundEndingAt(long end) => Rounds.Single(r => r.End == end).Index;
}
