using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.IngestTicks;
using SigmaFlow.Platform.Live;

namespace SigmaFlow.Benchmarks;

/// <summary>
/// The live ingest path with storage excluded (ports that complete at once and keep nothing, push included so that
/// its messages are still built): host envelopes of 256 ticks of 10 symbols → <c>IngestTicksHandler</c>'s entry for
/// the request body (the one the custom-handler server calls: envelope reading) → <c>IngestPipeline</c> (parse,
/// duplicate checks, tick rules, 1m bars and 5m/15m/1h bars from them, the 10 default indicators on every final bar,
/// the ema-cross strategy, push messages). One operation is one tick: 400 batches (102,400 ticks, about an hour of
/// market time: 15 ticks/s scaled by the simulator's intraday profile) per invoke, through a fresh pipeline each time
/// (its first batch cold-starts the 10 symbols from the empty store). Envelopes use Json.NET's escaping, as the host
/// writes them. <c>TickCodec</c> is the floor (only turning the event strings into ticks); <c>Envelope</c> is the
/// handler's reading alone (<c>IngestTicksHandler.ReadBatch</c> on the body bytes, no pipeline), and
/// <c>EnvelopeGeneral</c> the same through <c>InvocationRequest.Parse</c>, the reader that decides the odd shapes.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(3)]
[IterationCount(10)]
public class IngestBenchmarks
{
    private const int BatchSize = 256;
    private const int BatchCount = 400;
    private const int TickCount = BatchSize * BatchCount;

    /// <summary>Json.NET's escaping, as the host writes envelopes (quotes as \", not \u0022).</summary>
    private static readonly JsonSerializerOptions HostJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly string[] Symbols = ["BTCUSD", "ETHUSD", "SOLUSD", "XRPUSD", "ADAUSD", "DOGEUSD", "DOTUSD", "LTCUSD", "LINKUSD", "AVAXUSD"];
    private readonly NoStorage storage = new();
    private readonly byte[] utf8 = new byte[1024];
    private byte[][] envelopes = [];
    private IngestBatch[] batches = [];
    private IngestOptions options = new();

    [GlobalSetup]
    public void Setup()
    {
        var simulator = new TickSimulator(new TickSimulatorOptions { Seed = 42, Symbols = Symbols, TicksPerSecond = 15 });
        var ticks = Enumerable.Range(0, TickCount).Select(_ => simulator.Next()).ToArray();
        batches = ticks.Chunk(BatchSize).Select((chunk, b) => new IngestBatch("0", chunk.Select((t, i) =>
            new IngestEvent(Encoding.UTF8.GetString(Core.Data.TickCodec.Write(t)), ((long)b * BatchSize) + i, DateTimeOffset.FromUnixTimeMilliseconds(t.Time + 20), t.Symbol)).ToArray())).ToArray();
        envelopes = batches.Select(HostEnvelope).ToArray();
        options = new IngestOptions { Live = new LiveSymbolOptions { Strategies = [LiveStrategies.Default()] } };

        // The path must do the whole job: every tick accepted, bars closed, signals fired, messages built.
        storage.Reset();
        var accepted = Pipeline();
        if (accepted != TickCount || storage.FinalBars < 10 * 30 || storage.Signals == 0 || storage.Messages == 0 || Handler() != BatchCount)
        {
            throw new InvalidOperationException($"unexpected: {accepted} ticks accepted, {storage.FinalBars} final bars, {storage.Signals} signals, {storage.Messages} messages");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = TickCount)]
    public int TickCodec()
    {
        var symbols = new SymbolTable();
        var parsed = 0;
        foreach (var batch in batches)
        {
            foreach (var e in batch.Events)
            {
                var length = Encoding.UTF8.GetBytes(e.Text!, utf8);
                if (Core.Data.TickCodec.TryParse(utf8.AsSpan(0, length), symbols, out _, out _))
                {
                    parsed++;
                }
            }
        }

        return parsed;
    }

    [Benchmark(OperationsPerInvoke = TickCount)]
    public int Pipeline()
    {
        using var pipeline = new IngestPipeline("0", options, storage.Ports);
        var accepted = 0;
        foreach (var batch in batches)
        {
            accepted += pipeline.ProcessAsync(batch).GetAwaiter().GetResult().Accepted;
        }

        return accepted;
    }

    [Benchmark(OperationsPerInvoke = TickCount)]
    public int Envelope()
    {
        var events = 0;
        foreach (var envelope in envelopes)
        {
            events += IngestTicksHandler.ReadBatch(envelope).Events.Count;
        }

        return events;
    }

    [Benchmark(OperationsPerInvoke = TickCount)]
    public int EnvelopeGeneral()
    {
        var events = 0;
        foreach (var envelope in envelopes)
        {
            events += IngestTicksHandler.ReadBatch(InvocationRequest.Parse(envelope)).Events.Count;
        }

        return events;
    }

    [Benchmark(OperationsPerInvoke = TickCount)]
    public int Handler()
    {
        var pipelines = new List<IngestPipeline>();
        var handler = new IngestTicksHandler(id =>
        {
            var pipeline = new IngestPipeline(id, options, storage.Ports);
            pipelines.Add(pipeline);
            return pipeline;
        });
        var lines = 0;
        foreach (var envelope in envelopes)
        {
            lines += handler.InvokeAsync(envelope, "bench", CancellationToken.None).GetAwaiter().GetResult().Logs.Count;
        }

        var symbols = pipelines[0].SymbolCount;
        pipelines.ForEach(p => p.Dispose());
        return symbols == Symbols.Length ? lines : -1;
    }

    /// <summary>The envelope the Functions host posts for one batch (values JSON-serialised inside strings, Json.NET's escaping).</summary>
    private static byte[] HostEnvelope(IngestBatch batch)
    {
        static JsonNode Text(object value) => JsonValue.Create(JsonSerializer.Serialize(value, HostJson))!;
        var events = batch.Events;
        var body = new JsonObject
        {
            ["Data"] = new JsonObject { ["events"] = Text(events.Select(e => e.Text).ToArray()) },
            ["Metadata"] = new JsonObject
            {
                ["PartitionContext"] = new JsonObject { ["FullyQualifiedNamespace"] = "sigmaflow.servicebus.windows.net", ["EventHubName"] = "ticks", ["ConsumerGroup"] = "ingest", ["PartitionId"] = batch.PartitionId },
                ["PartitionKeyArray"] = Text(events.Select(e => e.PartitionKey).ToArray()),
                ["OffsetArray"] = Text(events.Select(e => (e.SequenceNumber * 128).ToString(CultureInfo.InvariantCulture)).ToArray()),
                ["SequenceNumberArray"] = Text(events.Select(e => e.SequenceNumber).ToArray()),
                ["EnqueuedTimeUtcArray"] = Text(events.Select(e => e.EnqueuedTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)).ToArray()),
                ["PropertiesArray"] = Text(events.Select(_ => new Dictionary<string, object>()).ToArray()),
                ["sys"] = new JsonObject { ["MethodName"] = "IngestTicks", ["UtcNow"] = "2026-01-01T00:00:00Z", ["RandGuid"] = Guid.Empty.ToString() },
            },
        };
        return JsonSerializer.SerializeToUtf8Bytes(body, HostJson);
    }

    /// <summary>Every port, completing at once and keeping only counts.</summary>
    private sealed class NoStorage : IBarStore, ILiveStateStore, IQuoteStore, ISignalStore, IDeadLetterStore, IAlertPublisher, ILivePush
    {
        public NoStorage() => Ports = new IngestPorts { Bars = this, State = this, Quotes = this, Signals = this, DeadLetters = this, Alerts = this, Push = this };

        public IngestPorts Ports { get; }

        public int FinalBars { get; private set; }

        public int Signals { get; private set; }

        public int Messages { get; private set; }

        public void Reset() => (FinalBars, Signals, Messages) = (0, 0, 0);

        public Task WriteFinalBarsAsync(IReadOnlyList<FinalBar> bars, IReadOnlyList<string> indicatorFields, CancellationToken cancellationToken)
        {
            FinalBars += bars.Count;
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<Ohlcv>> ReadFinalBarsAsync(string symbol, Timeframe timeframe, long before, int count, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Ohlcv>>([]);

        public Task<PartitionCheckpoint?> ReadCheckpointAsync(string source, string partitionId, CancellationToken cancellationToken) => Task.FromResult<PartitionCheckpoint?>(null);

        public Task WriteCheckpointAsync(PartitionCheckpoint checkpoint, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<StoredSymbolState>> ReadSymbolStatesAsync(string partitionId, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<StoredSymbolState>>([]);

        public Task<StoredSymbolState?> ReadSymbolStateAsync(string partitionId, string symbol, CancellationToken cancellationToken) => Task.FromResult<StoredSymbolState?>(null);

        public Task WriteSymbolStatesAsync(IReadOnlyList<StoredSymbolState> states, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeleteSymbolStateAsync(string partitionId, string symbol, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WriteQuotesAsync(IReadOnlyList<Tick> quotes, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<SignalEvent>> RecordSignalsAsync(IReadOnlyList<SignalEvent> signals, CancellationToken cancellationToken)
        {
            Signals += signals.Count;
            return Task.FromResult(signals);
        }

        public Task MarkAlertedAsync(IReadOnlyList<SignalEvent> signals, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WriteDeadLettersAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task EnqueueAsync(SignalEvent signal, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task SendAsync(string group, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
        {
            Messages++;
            return Task.CompletedTask;
        }
    }
}
