using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;

namespace SigmaFlow.Platform.Live;

/// <summary>
/// The live tick pipeline of one Event Hubs partition: parses a batch of tick events, drops what was already applied,
/// validates and applies the rest to one <see cref="LiveSymbol"/> per symbol (bars of every timeframe, indicators and
/// strategy signals on final bars), stores the effects, then pushes them to dashboard clients. The instance that owns
/// the partition keeps the symbols in memory; the first time it sees a symbol it rebuilds it from stored bars and
/// the stored symbol state. Batches of one partition run one at a time.
/// </summary>
/// <remarks>
/// Exactly-once effects on at-least-once delivery: every write is an idempotent upsert keyed by what it describes,
/// the checkpoint is written last, events at or below the checkpoint (or below a symbol's last processed event or
/// publisher <c>seq</c>) are skipped, and any failure makes the pipeline forget its in-memory state so that the next
/// run rebuilds it from what was stored (see README.md beside this file for the argument).
/// </remarks>
public sealed partial class IngestPipeline : IDisposable
{
    private const int MaxSymbolLength = 64;
    private readonly IngestOptions options;
    private readonly IngestPorts ports;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly SymbolTable symbols;
    private readonly IngestHealth? health;
    private readonly IReadOnlyList<Timeframe> timeframes;
    private readonly string[] timeframeNames;
    private readonly IReadOnlyList<string> indicatorFields;
    private readonly long tolerance;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<string, SymbolSlot> slots = new(StringComparer.Ordinal);
    private readonly List<SymbolSlot> slotList = [];
    private readonly List<Parsed> parsed = [];
    private readonly HashSet<string> pendingSet = new(StringComparer.Ordinal);
    private readonly List<string> pending = [];
    private readonly List<DeadLetter> deadLetters = [];
    private readonly List<FinalBar> finals = [];
    private readonly List<SignalEvent> signals = [];
    private readonly List<Tick> quotes = [];
    private readonly List<StoredSymbolState> states = [];
    private readonly List<(string Group, byte[] Json)> messages = [];
    private readonly List<(long Timeframe, long Start)> seenBars = [];
    private readonly ArrayBufferWriter<byte> jsonBuffer = new(512);
    private readonly Utf8JsonWriter json;
    private byte[] utf8 = new byte[1024];
    private PartitionCheckpoint? checkpoint;
    private bool loaded;

    /// <summary>Creates the pipeline of one partition.</summary>
    /// <param name="partitionId">The partition it owns.</param>
    /// <param name="options">Settings (validated here).</param>
    /// <param name="ports">Stores, queue and push.</param>
    /// <param name="clock">The clock (lag, timestamps, retry pauses); the system clock when null.</param>
    /// <param name="logger">Warnings and cold starts; nothing when null.</param>
    /// <param name="symbols">Symbol interning shared by the process's pipelines; a new table when null.</param>
    /// <param name="health">Where to report health, or null.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public IngestPipeline(string partitionId, IngestOptions options, IngestPorts ports, TimeProvider? clock = null, ILogger? logger = null, SymbolTable? symbols = null, IngestHealth? health = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(partitionId);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(ports);
        options.Validate();
        PartitionId = partitionId;
        this.options = options;
        this.ports = ports;
        this.clock = clock ?? TimeProvider.System;
        this.logger = logger ?? NullLogger.Instance;
        this.symbols = symbols ?? new SymbolTable();
        this.health = health;
        timeframes = options.Live.Timeframes;
        timeframeNames = timeframes.Select(t => t.ToString()).ToArray();
        indicatorFields = options.Live.IndicatorFields;
        tolerance = (long)options.Live.Rules.LateTolerance.TotalMilliseconds;
        json = new Utf8JsonWriter(jsonBuffer);
    }

    /// <summary>The partition this pipeline owns.</summary>
    public string PartitionId { get; }

    /// <summary>Names of the indicator values stored and pushed with final bars.</summary>
    public IReadOnlyList<string> IndicatorFields => indicatorFields;

    /// <summary>Symbols held in memory.</summary>
    public int SymbolCount => slots.Count;

    /// <summary>
    /// Processes one batch: parse, skip duplicates, validate and apply, close bars at the batch's watermark, store
    /// (dead letters, final bars, quotes, signals and alerts; then symbol states; the checkpoint last), then push.
    /// A transient storage failure re-runs the batch from the stored state (<see cref="IngestOptions.MaxAttempts"/>);
    /// the last failure is thrown so that the invocation fails and the host retries it. Push failures never fail a batch.
    /// </summary>
    /// <param name="batch">The batch, of this pipeline's partition.</param>
    /// <param name="cancellationToken">Cancels the work (the batch is then re-run from the stored state).</param>
    /// <returns>What the batch did.</returns>
    /// <exception cref="ArgumentException">The batch belongs to another partition.</exception>
    public async Task<IngestReport> ProcessAsync(IngestBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(batch.Events, nameof(batch));
        if (!string.Equals(batch.PartitionId, PartitionId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"this pipeline owns partition '{PartitionId}'; the batch is of partition '{batch.PartitionId}'.", nameof(batch));
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = clock.GetTimestamp();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var report = await RunAsync(batch, attempt, started, cancellationToken).ConfigureAwait(false);
                    health?.Completed(report);
                    return report;
                }
                catch (Exception e) when (ShouldRunAgain(e, attempt, cancellationToken))
                {
                    RunFailed(logger, PartitionId, attempt, e.GetType().Name, e.Message);
                    await Task.Delay(options.RetryDelay * attempt, clock, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        gate.Dispose();
        json.Dispose();
    }

    /// <summary>Whether a failure is transient: the service throttled, timed out, failed with 5xx, or could not be reached.</summary>
    /// <param name="error">The failure.</param>
    /// <returns>True when running again may succeed.</returns>
    public static bool IsTransient(Exception error) => error switch
    {
        RequestFailedException r => r.Status is 0 or 408 or 429 or 500 or 502 or 503 or 504,
        HttpRequestException or IOException or TimeoutException => true,
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsTransient),
        _ => false,
    };

    private bool ShouldRunAgain(Exception error, int attempt, CancellationToken cancellationToken)
    {
        // Whatever failed, the in-memory state may now be ahead of what was stored: forget it, the next run reloads.
        Forget();
        health?.Failed(PartitionId, error);
        return !cancellationToken.IsCancellationRequested && attempt < options.MaxAttempts && IsTransient(error);
    }

    private void Forget()
    {
        slots.Clear();
        slotList.Clear();
        checkpoint = null;
        loaded = false;
    }

    private async Task<IngestReport> RunAsync(IngestBatch batch, int attempt, long started, CancellationToken cancellationToken)
    {
        var events = batch.Events;
        if (loaded && checkpoint is { } known && events.Count > 0 && events[0].SequenceNumber > known.SequenceNumber + 1 && events[0].EnqueuedTime >= known.EnqueuedTime)
        {
            // Events between the checkpoint and this batch were processed elsewhere (the partition moved away and
            // back): what is in memory is stale.
            PartitionGap(logger, PartitionId, known.SequenceNumber, events[0].SequenceNumber);
            Forget();
        }

        var symbolsLoaded = 0;
        if (!loaded)
        {
            symbolsLoaded += await LoadPartitionAsync(cancellationToken).ConfigureAwait(false);
        }

        var counts = Parse(events);
        if (pending.Count > 0)
        {
            symbolsLoaded += await LoadSymbolsAsync(cancellationToken).ConfigureAwait(false);
        }

        Apply(events, ref counts);
        if (counts.MaxEnqueued != long.MinValue)
        {
            var watermark = counts.MaxEnqueued - tolerance;
            foreach (var slot in CollectionsMarshal.AsSpan(slotList))
            {
                slot.Advance(watermark);
            }
        }

        var now = clock.GetUtcNow();
        Collect(now);
        var alerts = await StoreAsync(events, now, cancellationToken).ConfigureAwait(false);
        var (pushed, pushFailures, pushError) = ports.Push is null ? (0, 0, null) : await PushAsync(cancellationToken).ConfigureAwait(false);

        long? newest = null;
        foreach (var slot in CollectionsMarshal.AsSpan(slotList))
        {
            if (slot.LastTickTime != long.MinValue && (newest is null || slot.LastTickTime > newest))
            {
                newest = slot.LastTickTime;
            }
        }

        return new IngestReport
        {
            PartitionId = PartitionId,
            Events = events.Count,
            Accepted = counts.Accepted,
            Duplicates = counts.Duplicates,
            DeadLettered = deadLetters.Count,
            Late = counts.Late,
            SymbolsLoaded = symbolsLoaded,
            FinalBars = finals.Count,
            Signals = signals.Count,
            AlertsEnqueued = alerts,
            Pushed = pushed,
            PushFailures = pushFailures,
            PushError = pushError,
            Attempts = attempt,
            Checkpoint = checkpoint?.SequenceNumber,
            LastEnqueuedTime = events.Count > 0 ? events[^1].EnqueuedTime : null,
            NewestTickTime = newest,
            Lag = newest is { } n ? now - DateTimeOffset.FromUnixTimeMilliseconds(n) : null,
            Elapsed = clock.GetElapsedTime(started),
        };
    }

    /// <summary>Phase 1: parse every event not covered by the checkpoint; bad ones become dead letters.</summary>
    private Counts Parse(IReadOnlyList<IngestEvent> events)
    {
        deadLetters.Clear();
        parsed.Clear();
        pending.Clear();
        pendingSet.Clear();
        foreach (var slot in CollectionsMarshal.AsSpan(slotList))
        {
            slot.BeginBatch();
        }

        var counts = new Counts { MaxEnqueued = long.MinValue };
        var checkpointSequence = checkpoint?.SequenceNumber ?? long.MinValue;
        var checkpointEnqueued = checkpoint?.EnqueuedTime.ToUnixTimeMilliseconds() ?? long.MinValue;
        var restarted = false;
        var all = Span(events);

        // Room for every event up front; the parsed ones are written in place and the count set at the end.
        CollectionsMarshal.SetCount(parsed, all.Length);
        var into = CollectionsMarshal.AsSpan(parsed);
        var count = 0;
        for (var i = 0; i < all.Length; i++)
        {
            ref readonly var e = ref all[i];
            var enqueued = e.EnqueuedTime.ToUnixTimeMilliseconds();
            if (enqueued > counts.MaxEnqueued)
            {
                counts.MaxEnqueued = enqueued;
            }

            if (e.SequenceNumber <= checkpointSequence)
            {
                if (enqueued <= checkpointEnqueued)
                {
                    counts.Duplicates++;
                    continue;
                }

                // A lower number enqueued later than the checkpoint: the log restarted its numbering (a restarted
                // local runtime). The event is new; per-symbol publisher sequences catch republished ticks.
                if (!restarted)
                {
                    restarted = true;
                    NumberingRestarted(logger, PartitionId, e.SequenceNumber, checkpointSequence);
                }
            }

            var body = Body(e);
            if (!TickCodec.TryParse(body, symbols, out var tick, out var error))
            {
                Dead(e, DeadLetterReason.Malformed, error ?? "not a tick", null, body);
                continue;
            }

            if (tick.Time < 0)
            {
                Dead(e, DeadLetterReason.Malformed, string.Create(CultureInfo.InvariantCulture, $"'time' must be on or after 1970-01-01T00:00:00Z; got {tick.Time}"), tick.Symbol, body);
                continue;
            }

            if (!slots.TryGetValue(tick.Symbol, out var slot))
            {
                if (!IsValidSymbol(tick.Symbol, out var why))
                {
                    Dead(e, DeadLetterReason.BadSymbol, why, tick.Symbol, body);
                    continue;
                }

                if (pendingSet.Add(tick.Symbol))
                {
                    pending.Add(tick.Symbol);
                }
            }

            into[count++] = new Parsed(i, tick, slot, e.SequenceNumber, enqueued);
        }

        CollectionsMarshal.SetCount(parsed, count);
        return counts;
    }

    /// <summary>The events as a span (a batch's events are an array or a list; anything else is copied once).</summary>
    private static ReadOnlySpan<IngestEvent> Span(IReadOnlyList<IngestEvent> events) => events switch
    {
        IngestEvent[] array => array,
        List<IngestEvent> list => CollectionsMarshal.AsSpan(list),
        _ => events.ToArray(),
    };

    /// <summary>Phase 3: validate and apply the parsed ticks in order.</summary>
    private void Apply(IReadOnlyList<IngestEvent> events, ref Counts counts)
    {
        foreach (ref readonly var p in CollectionsMarshal.AsSpan(parsed))
        {
            var slot = p.Slot;
            if (slot is null && !slots.TryGetValue(p.Tick.Symbol, out slot))
            {
                var e = events[p.Index];
                Dead(e, DeadLetterReason.SymbolLimit, string.Create(CultureInfo.InvariantCulture, $"partition {PartitionId} already tracks {slots.Count} symbols, the most allowed (MaxSymbolsPerPartition); '{p.Tick.Symbol}' is not tracked"), p.Tick.Symbol, Body(e));
                continue;
            }

            if (slot.IsDuplicate(p.Tick, p.SequenceNumber, p.Enqueued, out var publisherRestarted))
            {
                counts.Duplicates++;
                continue;
            }

            if (publisherRestarted)
            {
                PublisherRestarted(logger, PartitionId, slot.Symbol, p.Tick.Sequence, slot.LastSequence);
            }

            var verdict = slot.Live.Apply(p.Tick, p.Enqueued, slot.Output, out var message);
            slot.Processed(p.Tick, p.SequenceNumber, p.Enqueued);
            if (verdict == TickRejection.None)
            {
                counts.Accepted++;
                slot.Accepted(p.Tick);
                continue;
            }

            if (verdict == TickRejection.Late)
            {
                counts.Late++;
            }

            var rejected = events[p.Index];
            Dead(rejected, Reason(verdict), message ?? verdict.ToString(), slot.Symbol, Body(rejected));
        }
    }

    /// <summary>Gathers the batch's effects from the symbols that changed.</summary>
    private void Collect(DateTimeOffset now)
    {
        finals.Clear();
        signals.Clear();
        quotes.Clear();
        states.Clear();
        foreach (var slot in CollectionsMarshal.AsSpan(slotList))
        {
            if (!slot.Dirty)
            {
                continue;
            }

            finals.AddRange(slot.Output.Final);
            signals.AddRange(slot.Output.Signals);
            if (slot.QuoteChanged)
            {
                quotes.Add(slot.Quote);
            }

            states.Add(slot.ToStored(PartitionId, now));
        }
    }

    /// <summary>
    /// Phase 5: store. Dead letters, final bars, quotes and signals (then their alerts) first, in parallel; then the
    /// symbol states (which make the batch's ticks duplicates); the checkpoint last.
    /// </summary>
    private async Task<int> StoreAsync(IReadOnlyList<IngestEvent> events, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var signalsTask = signals.Count > 0 ? RecordSignalsAsync(cancellationToken) : Task.FromResult(0);
        await Task.WhenAll(
            deadLetters.Count > 0 ? ports.DeadLetters.WriteDeadLettersAsync(deadLetters, cancellationToken) : Task.CompletedTask,
            finals.Count > 0 ? ports.Bars.WriteFinalBarsAsync(finals, indicatorFields, cancellationToken) : Task.CompletedTask,
            quotes.Count > 0 ? ports.Quotes.WriteQuotesAsync(quotes, cancellationToken) : Task.CompletedTask,
            signalsTask).ConfigureAwait(false);
        if (states.Count > 0)
        {
            await ports.State.WriteSymbolStatesAsync(states, cancellationToken).ConfigureAwait(false);
        }

        if (events.Count > 0)
        {
            var last = events[^1];
            if (checkpoint is not { } previous || last.SequenceNumber > previous.SequenceNumber || last.EnqueuedTime > previous.EnqueuedTime)
            {
                var next = new PartitionCheckpoint(options.Source, PartitionId, last.SequenceNumber, last.EnqueuedTime, now);
                await ports.State.WriteCheckpointAsync(next, cancellationToken).ConfigureAwait(false);
                checkpoint = next;
            }
        }

        return await signalsTask.ConfigureAwait(false);
    }

    /// <summary>Records signals, enqueues the alerts not yet marked, then marks them (a crash in between enqueues them again: at least once).</summary>
    private async Task<int> RecordSignalsAsync(CancellationToken cancellationToken)
    {
        var toAlert = await ports.Signals.RecordSignalsAsync(signals, cancellationToken).ConfigureAwait(false);
        if (toAlert.Count == 0)
        {
            return 0;
        }

        foreach (var signal in toAlert)
        {
            await ports.Alerts.EnqueueAsync(signal, cancellationToken).ConfigureAwait(false);
        }

        await ports.Signals.MarkAlertedAsync(toAlert, cancellationToken).ConfigureAwait(false);
        return toAlert.Count;
    }

    /// <summary>
    /// Phase 6: push, after the checkpoint, so clients only see stored data. Per symbol: final bars (with indicators)
    /// and the latest forming update of each other bar to <c>bars.{SYMBOL}.{timeframe}</c>, the latest quote to
    /// <c>quotes.{SYMBOL}</c>, signals to <c>signals</c> and <c>signals.{SYMBOL}</c>. Each group's messages go in order;
    /// groups in parallel. Failures and sends cut by <see cref="IngestOptions.PushTimeout"/> are counted, never thrown.
    /// </summary>
    private async Task<(int Pushed, int Failures, string? Error)> PushAsync(CancellationToken cancellationToken)
    {
        BuildMessages();
        if (messages.Count == 0)
        {
            return (0, 0, null);
        }

        var groups = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal);
        foreach (var (group, payload) in messages)
        {
            if (!groups.TryGetValue(group, out var list))
            {
                list = new List<byte[]>(2);
                groups.Add(group, list);
            }

            list.Add(payload);
        }

        var tally = new PushTally(ports.Push!);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.PushTimeout);
        using var limiter = new SemaphoreSlim(options.PushConcurrency);
        var sends = new Task[groups.Count];
        var index = 0;
        foreach (var (group, payloads) in groups)
        {
            sends[index++] = tally.SendAsync(group, payloads, limiter, timeout.Token);
        }

        await Task.WhenAll(sends).ConfigureAwait(false);
        var sent = tally.Sent;
        var firstError = tally.FirstError;
        var failures = messages.Count - sent;
        if (failures > 0)
        {
            PushFailed(logger, PartitionId, failures, messages.Count, firstError ?? "unknown");
        }

        return (sent, failures, firstError);
    }

    private void BuildMessages()
    {
        messages.Clear();
        foreach (var slot in CollectionsMarshal.AsSpan(slotList))
        {
            if (!slot.Dirty)
            {
                continue;
            }

            var output = slot.Output;
            seenBars.Clear();
            foreach (var final in output.Final)
            {
                var frame = FrameIndex(final.Update.Timeframe);
                seenBars.Add((final.Update.Timeframe.Milliseconds, final.Update.Bar.Time));
                json.Reset();
                jsonBuffer.ResetWrittenCount();
                LiveMessages.WriteBar(json, final.Update, timeframeNames[frame], final.Indicators, indicatorFields);
                json.Flush();
                messages.Add((slot.BarGroups[frame], jsonBuffer.WrittenSpan.ToArray()));
            }

            // The latest forming update of each bar that did not become final in this batch, oldest bar first.
            var firstForming = messages.Count;
            var forming = CollectionsMarshal.AsSpan(output.Forming);
            for (var i = forming.Length - 1; i >= 0; i--)
            {
                ref readonly var update = ref forming[i];
                var key = (update.Timeframe.Milliseconds, update.Bar.Time);
                if (seenBars.Contains(key))
                {
                    continue;
                }

                seenBars.Add(key);
                var frame = FrameIndex(update.Timeframe);
                json.Reset();
                jsonBuffer.ResetWrittenCount();
                LiveMessages.WriteBar(json, update, timeframeNames[frame], null, null);
                json.Flush();
                messages.Add((slot.BarGroups[frame], jsonBuffer.WrittenSpan.ToArray()));
            }

            messages.Reverse(firstForming, messages.Count - firstForming);
            if (slot.QuoteChanged)
            {
                json.Reset();
                jsonBuffer.ResetWrittenCount();
                LiveMessages.WriteQuote(json, slot.Quote);
                json.Flush();
                messages.Add((slot.QuoteGroup, jsonBuffer.WrittenSpan.ToArray()));
            }

            foreach (var signal in output.Signals)
            {
                json.Reset();
                jsonBuffer.ResetWrittenCount();
                LiveMessages.WriteSignal(json, signal);
                json.Flush();
                var payload = jsonBuffer.WrittenSpan.ToArray();
                messages.Add((LiveNames.SignalsGroup, payload));
                messages.Add((slot.SignalGroup, payload));
            }
        }
    }

    /// <summary>Cold start of the partition: its checkpoint and every symbol it last wrote, rebuilt from storage.</summary>
    private async Task<int> LoadPartitionAsync(CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        checkpoint = await ports.State.ReadCheckpointAsync(options.Source, PartitionId, cancellationToken).ConfigureAwait(false);
        var stored = await ports.State.ReadSymbolStatesAsync(PartitionId, cancellationToken).ConfigureAwait(false);
        var count = Math.Min(stored.Count, options.MaxSymbolsPerPartition);
        var built = await BuildSlotsAsync(count, i => (stored[i].Symbol, stored[i]), cancellationToken).ConfigureAwait(false);
        foreach (var slot in built)
        {
            Add(slot);
        }

        loaded = true;
        var milliseconds = clock.GetElapsedTime(started).TotalMilliseconds;
        PartitionLoaded(logger, PartitionId, built.Length, checkpoint?.SequenceNumber ?? -1, milliseconds);
        return built.Length;
    }

    /// <summary>Phase 2: symbols seen for the first time, rebuilt from their stored state and bars (or new).</summary>
    private async Task<int> LoadSymbolsAsync(CancellationToken cancellationToken)
    {
        var room = Math.Max(0, options.MaxSymbolsPerPartition - slots.Count);
        var count = Math.Min(room, pending.Count);
        if (count == 0)
        {
            return 0;
        }

        var found = new StoredSymbolState?[count];
        await ForEachAsync(count, async i => found[i] = await ports.State.ReadSymbolStateAsync(PartitionId, pending[i], cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var built = await BuildSlotsAsync(count, i => (pending[i], found[i]), cancellationToken).ConfigureAwait(false);

        // A symbol without a state here gets one at once, describing it before this batch: a re-run of the batch after
        // a failure then rebuilds it from exactly the bars it had, not from bars the failed run already stored.
        var now = clock.GetUtcNow();
        var initial = new List<StoredSymbolState>();
        var moved = new List<StoredSymbolState>();
        for (var i = 0; i < count; i++)
        {
            if (found[i] is not { } state || !string.Equals(state.PartitionId, PartitionId, StringComparison.Ordinal))
            {
                initial.Add(built[i].ToStored(PartitionId, now));
                if (found[i] is { } other)
                {
                    moved.Add(other);
                }
            }
        }

        if (initial.Count > 0)
        {
            await ports.State.WriteSymbolStatesAsync(initial, cancellationToken).ConfigureAwait(false);
        }

        foreach (var old in moved)
        {
            SymbolMoved(logger, old.Symbol, old.PartitionId, PartitionId);
            await ports.State.DeleteSymbolStateAsync(old.PartitionId, old.Symbol, cancellationToken).ConfigureAwait(false);
        }

        foreach (var slot in built)
        {
            slot.BeginBatch();
            Add(slot);
        }

        return count;
    }

    private async Task<SymbolSlot[]> BuildSlotsAsync(int count, Func<int, (string Symbol, StoredSymbolState? State)> source, CancellationToken cancellationToken)
    {
        var built = new SymbolSlot[count];
        await ForEachAsync(count, async i =>
        {
            var (symbol, state) = source(i);
            built[i] = await BuildSlotAsync(symbols.Intern(symbol), state, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return built;
    }

    /// <summary>
    /// Rebuilds one symbol: replays its latest stored final bars of the first timeframe that start before the stored
    /// state's watermark (all of them when there is no state), then restores the forming bars, watermark and last
    /// price. The result is the symbol exactly as it was after the last stored batch.
    /// </summary>
    private async Task<SymbolSlot> BuildSlotAsync(string symbol, StoredSymbolState? state, CancellationToken cancellationToken)
    {
        var before = state?.Live.Bars.FinalUntil ?? long.MaxValue;
        IReadOnlyList<Ohlcv> bars = before == long.MinValue || options.WarmBars == 0
            ? []
            : await ports.Bars.ReadFinalBarsAsync(symbol, timeframes[0], before, options.WarmBars, cancellationToken).ConfigureAwait(false);
        var live = new LiveSymbol(symbol, options.Live);
        live.Warm(bars);
        if (state is not null)
        {
            try
            {
                live.Restore(state.Live);
            }
            catch (ArgumentException e)
            {
                // A stored state that does not fit (edited by hand, or the timeframes changed) must not block the
                // partition: continue from the final bars alone.
                BadStoredState(logger, symbol, PartitionId, e.Message);
            }
        }

        return new SymbolSlot(live, timeframes, state, PartitionId);
    }

    private async Task ForEachAsync(int count, Func<int, Task> body, CancellationToken cancellationToken)
    {
        if (count == 1)
        {
            await body(0).ConfigureAwait(false);
            return;
        }

        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = options.StorageConcurrency, CancellationToken = cancellationToken }, async (i, _) => await body(i).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private void Add(SymbolSlot slot)
    {
        if (slots.TryAdd(slot.Symbol, slot))
        {
            slotList.Add(slot);
        }
    }

    private int FrameIndex(Timeframe timeframe)
    {
        for (var i = 0; i < timeframes.Count; i++)
        {
            if (timeframes[i] == timeframe)
            {
                return i;
            }
        }

        throw new UnreachableException($"timeframe {timeframe} is not built.");
    }

    private ReadOnlySpan<byte> Body(in IngestEvent e)
    {
        if (e.Text is not { } text)
        {
            return e.Bytes.Span;
        }

        if (utf8.Length < text.Length * 3)
        {
            utf8 = new byte[Math.Max(text.Length * 3, utf8.Length * 2)];
        }

        return utf8.AsSpan(0, Encoding.UTF8.GetBytes(text, utf8));
    }

    private void Dead(in IngestEvent e, DeadLetterReason reason, string message, string? symbol, ReadOnlySpan<byte> body)
    {
        var kept = Math.Min(body.Length, options.MaxDeadLetterBodyBytes);
        deadLetters.Add(new DeadLetter(PartitionId, e.SequenceNumber, e.EnqueuedTime, e.PartitionKey, e.EventId, reason, message, symbol, Encoding.UTF8.GetString(body[..kept]), body.Length, kept < body.Length));
    }

    private static bool IsValidSymbol(string symbol, out string why)
    {
        if (symbol.Length > MaxSymbolLength)
        {
            why = string.Create(CultureInfo.InvariantCulture, $"'symbol' must be at most {MaxSymbolLength} characters; got {symbol.Length}");
            return false;
        }

        foreach (var c in symbol)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                why = string.Create(CultureInfo.InvariantCulture, $"'symbol' must not hold white space or control characters; got '{symbol.ReplaceLineEndings(" ")}' (U+{(int)c:X4})");
                return false;
            }
        }

        why = string.Empty;
        return true;
    }

    private static DeadLetterReason Reason(TickRejection rejection) => rejection switch
    {
        TickRejection.BadPrice => DeadLetterReason.BadPrice,
        TickRejection.BadSize => DeadLetterReason.BadSize,
        TickRejection.BadQuote => DeadLetterReason.BadQuote,
        TickRejection.Jump => DeadLetterReason.Jump,
        TickRejection.Future => DeadLetterReason.Future,
        TickRejection.Late => DeadLetterReason.Late,
        _ => DeadLetterReason.Malformed,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "IngestTicks partition {Partition}: run {Attempt} failed ({ErrorType}: {Error}); running the batch again from the stored state")]
    private static partial void RunFailed(ILogger logger, string partition, int attempt, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "IngestTicks partition {Partition}: checkpoint {Checkpoint} but the batch starts at {First}; events in between were processed elsewhere, reloading the partition from storage")]
    private static partial void PartitionGap(ILogger logger, string partition, long checkpoint, long first);

    [LoggerMessage(Level = LogLevel.Warning, Message = "IngestTicks partition {Partition}: event {Sequence} was enqueued after checkpoint {Checkpoint} but has a lower number; the log restarted its numbering (a restarted local runtime?), events are taken as new")]
    private static partial void NumberingRestarted(ILogger logger, string partition, long sequence, long checkpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "IngestTicks partition {Partition}: {Symbol} seq {Sequence} is not after {Last} but its tick is newer than every accepted one; the publisher restarted its numbering")]
    private static partial void PublisherRestarted(ILogger logger, string partition, string symbol, long sequence, long last);

    [LoggerMessage(Level = LogLevel.Information, Message = "IngestTicks partition {Partition}: loaded {Symbols} symbols and checkpoint {Checkpoint} from storage in {Milliseconds:0} ms")]
    private static partial void PartitionLoaded(ILogger logger, string partition, int symbols, long checkpoint, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "IngestTicks: {Symbol} moved from partition {From} to {To}; its state moves with it")]
    private static partial void SymbolMoved(ILogger logger, string symbol, string from, string to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "IngestTicks partition {Partition}: the stored state of {Symbol} does not fit and is ignored (the symbol continues from its final bars): {Reason}")]
    private static partial void BadStoredState(ILogger logger, string symbol, string partition, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "IngestTicks partition {Partition}: {Failures} of {Messages} push messages failed (the batch is stored; clients catch up from the API): {Error}")]
    private static partial void PushFailed(ILogger logger, string partition, int failures, int messages, string error);

    /// <summary>Sends groups' messages (each group in order, groups in parallel) and counts what went through; never throws.</summary>
    private sealed class PushTally(ILivePush push)
    {
        private int sent;
        private string? firstError;

        public int Sent => Volatile.Read(ref sent);

        public string? FirstError => Volatile.Read(ref firstError);

        public async Task SendAsync(string group, List<byte[]> payloads, SemaphoreSlim limiter, CancellationToken cancellationToken)
        {
            try
            {
                await limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Interlocked.CompareExchange(ref firstError, $"{group}: not sent in time", null);
                return;
            }

            try
            {
                foreach (var payload in payloads)
                {
                    await push.SendAsync(group, payload, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref sent);
                }
            }
#pragma warning disable CA1031 // A failed push must not fail the batch: it is counted, logged and reported.
            catch (Exception e)
#pragma warning restore CA1031
            {
                var reason = e is OperationCanceledException && cancellationToken.IsCancellationRequested ? "cancelled or timed out" : $"{e.GetType().Name}: {e.Message}";
                Interlocked.CompareExchange(ref firstError, $"{group}: {reason}", null);
            }
            finally
            {
                limiter.Release();
            }
        }
    }

    private readonly record struct Parsed(int Index, Tick Tick, SymbolSlot? Slot, long SequenceNumber, long Enqueued);

    private struct Counts
    {
        public int Accepted;
        public int Duplicates;
        public int Late;
        public long MaxEnqueued;
    }
}
