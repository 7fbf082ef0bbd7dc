using System.Text;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Live;

namespace SigmaFlow.Platform.Tests.Live;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// Every port of the pipeline in memory: tables as dictionaries keyed like the real ones, the alerts queue and pushes
/// as lists, the order of writes, and faults injected by operation name.
/// </summary>
internal sealed class InMemoryIngestStore : IBarStore, ILiveStateStore, IQuoteStore, ISignalStore, IDeadLetterStore, IAlertPublisher, ILivePush
{
    private readonly Lock gate = new();

    public Dictionary<(string Symbol, Timeframe Timeframe, long Start), (Ohlcv Bar, double[] Indicators)> Bars { get; } = [];

    public Dictionary<(string Partition, string Symbol), StoredSymbolState> States { get; } = [];

    public Dictionary<(string Source, string Partition), PartitionCheckpoint> Checkpoints { get; } = [];

    public Dictionary<string, Tick> Quotes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, (SignalEvent Signal, bool Alerted)> Signals { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, DeadLetter> DeadLetters { get; } = new(StringComparer.Ordinal);

    public List<string> Alerts { get; } = [];

    public List<(string Group, string Json)> Pushed { get; } = [];

    /// <summary>Writes in the order they happened: <c>bars</c>, <c>states</c>, <c>quotes</c>, <c>signals</c>, <c>alert</c>, <c>alerted</c>, <c>deadletters</c>, <c>checkpoint</c>.</summary>
    public List<string> Writes { get; } = [];

    /// <summary>Fails an operation (before it changes anything) when it returns an exception.</summary>
    public Func<string, Exception?>? Fault { get; set; }

    /// <summary>Fails a push to a group when it returns true.</summary>
    public Func<string, bool>? FailPush { get; set; }

    public IngestPorts Ports(bool push = true) => new()
    {
        Bars = this,
        State = this,
        Quotes = this,
        Signals = this,
        DeadLetters = this,
        Alerts = this,
        Push = push ? this : null,
    };

    public IReadOnlyList<Ohlcv> FinalBars(string symbol, string timeframe)
    {
        var frame = Timeframe.Parse(timeframe);
        lock (gate)
        {
            return Bars.Where(b => b.Key.Symbol == symbol && b.Key.Timeframe == frame).OrderBy(b => b.Key.Start).Select(b => b.Value.Bar).ToList();
        }
    }

    public Task WriteFinalBarsAsync(IReadOnlyList<FinalBar> bars, IReadOnlyList<string> indicatorFields, CancellationToken cancellationToken) => Write("bars", () =>
    {
        foreach (var f in bars)
        {
            Bars[(f.Update.Symbol, f.Update.Timeframe, f.Update.Bar.Time)] = (f.Update.Bar, f.Indicators);
        }
    });

    public Task<IReadOnlyList<Ohlcv>> ReadFinalBarsAsync(string symbol, Timeframe timeframe, long before, int count, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            Check("readbars");
            IReadOnlyList<Ohlcv> bars = Bars.Where(b => b.Key.Symbol == symbol && b.Key.Timeframe == timeframe && b.Key.Start < before)
                .OrderBy(b => b.Key.Start).Select(b => b.Value.Bar).TakeLast(count).ToList();
            return Task.FromResult(bars);
        }
    }

    public Task<PartitionCheckpoint?> ReadCheckpointAsync(string source, string partitionId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            Check("readcheckpoint");
            return Task.FromResult(Checkpoints.GetValueOrDefault((source, partitionId)));
        }
    }

    public Task WriteCheckpointAsync(PartitionCheckpoint checkpoint, CancellationToken cancellationToken) => Write("checkpoint", () => Checkpoints[(checkpoint.Source, checkpoint.PartitionId)] = checkpoint);

    public Task<IReadOnlyList<StoredSymbolState>> ReadSymbolStatesAsync(string partitionId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            Check("readstates");
            IReadOnlyList<StoredSymbolState> states = States.Where(s => s.Key.Partition == partitionId).Select(s => s.Value).ToList();
            return Task.FromResult(states);
        }
    }

    public Task<StoredSymbolState?> ReadSymbolStateAsync(string partitionId, string symbol, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            Check("readstate");
            return Task.FromResult(States.GetValueOrDefault((partitionId, symbol)) ?? States.Values.FirstOrDefault(s => s.Symbol == symbol));
        }
    }

    public Task WriteSymbolStatesAsync(IReadOnlyList<StoredSymbolState> states, CancellationToken cancellationToken) => Write("states", () =>
    {
        foreach (var s in states)
        {
            States[(s.PartitionId, s.Symbol)] = s;
        }
    });

    public Task DeleteSymbolStateAsync(string partitionId, string symbol, CancellationToken cancellationToken) => Write("deletestate", () => States.Remove((partitionId, symbol)));

    public Task WriteQuotesAsync(IReadOnlyList<Tick> quotes, CancellationToken cancellationToken) => Write("quotes", () =>
    {
        foreach (var q in quotes)
        {
            Quotes[q.Symbol] = q;
        }
    });

    public Task<IReadOnlyList<SignalEvent>> RecordSignalsAsync(IReadOnlyList<SignalEvent> signals, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (Fault?.Invoke("signals") is { } fault)
            {
                return Task.FromException<IReadOnlyList<SignalEvent>>(fault);
            }

            var pending = new List<SignalEvent>();
            foreach (var s in signals)
            {
                if (Signals.TryGetValue(s.Id, out var known) && known.Alerted)
                {
                    continue;
                }

                Signals[s.Id] = (s, false);
                pending.Add(s);
            }

            Writes.Add("signals");
            return Task.FromResult<IReadOnlyList<SignalEvent>>(pending);
        }
    }

    public Task MarkAlertedAsync(IReadOnlyList<SignalEvent> signals, CancellationToken cancellationToken) => Write("alerted", () =>
    {
        foreach (var s in signals)
        {
            Signals[s.Id] = (s, true);
        }
    });

    public Task WriteDeadLettersAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken) => Write("deadletters", () =>
    {
        foreach (var d in deadLetters)
        {
            DeadLetters[LiveKeys.DeadLetter(d.EnqueuedTime, d.PartitionId, d.SequenceNumber)] = d;
        }
    });

    public Task EnqueueAsync(SignalEvent signal, CancellationToken cancellationToken) => Write("alert", () => Alerts.Add(LiveMessages.Signal(signal)));

    public Task SendAsync(string group, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        if (FailPush?.Invoke(group) == true)
        {
            return Task.FromException(new IOException($"push to {group} refused"));
        }

        lock (gate)
        {
            Pushed.Add((group, Encoding.UTF8.GetString(json.Span)));
        }

        return Task.CompletedTask;
    }

    private Task Write(string operation, Action apply)
    {
        lock (gate)
        {
            try
            {
                Check(operation);
            }
            catch (Exception e)
            {
                return Task.FromException(e);
            }

            apply();
            Writes.Add(operation);
            return Task.CompletedTask;
        }
    }

    private void Check(string operation)
    {
        if (Fault?.Invoke(operation) is { } fault)
        {
            throw fault;
        }
    }
}

/// <summary>Ticks, events and batches for the pipeline tests.</summary>
internal static class Ticks
{
    public const long Minute = 60_000;
    public const long T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    public static DateTimeOffset At(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs);

    public static string Json(Tick tick) => Encoding.UTF8.GetString(TickCodec.Write(tick));

    /// <summary>Simulated ticks (sequence numbers per symbol from 1).</summary>
    public static Tick[] Simulate(int count, string[] symbols, double ticksPerSecond = 5, int seed = 7, long start = T0)
    {
        var simulator = new TickSimulator(new TickSimulatorOptions { Seed = (ulong)seed, Symbols = symbols, TicksPerSecond = ticksPerSecond, StartTime = start });
        return Enumerable.Range(0, count).Select(_ => simulator.Next()).ToArray();
    }

    /// <summary>Events of a partition log: sequence numbers from <paramref name="firstSequence"/>, enqueued at the tick's time plus a delay.</summary>
    public static IngestEvent[] Events(IEnumerable<Tick> ticks, long firstSequence = 0, long delayMs = 100) =>
        ticks.Select((t, i) => new IngestEvent(Json(t), firstSequence + i, At(t.Time + delayMs), t.Symbol)).ToArray();

    /// <summary>Splits events into batches of a partition.</summary>
    public static List<IngestBatch> Batches(IngestEvent[] events, int size, string partition = "0") =>
        events.Chunk(size).Select(c => new IngestBatch(partition, c)).ToList();

    public static IngestOptions Options(params LiveStrategy[] strategies) => new()
    {
        Live = new LiveSymbolOptions { Timeframes = [Timeframe.Parse("1m"), Timeframe.Parse("5m")], Strategies = strategies },
        RetryDelay = TimeSpan.Zero,
    };
}
