using System.Globalization;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;

namespace SigmaFlow.Platform.Live;

/// <summary>How far a partition has been processed: the last event whose effects are all stored.</summary>
/// <param name="Source">What was read (the event hub), so that two hubs never share checkpoints.</param>
/// <param name="PartitionId">The partition.</param>
/// <param name="SequenceNumber">Sequence number of the last event processed.</param>
/// <param name="EnqueuedTime">That event's enqueued time (a later event with a lower number means the log restarted its numbering).</param>
/// <param name="UpdatedAt">When the checkpoint was written.</param>
public sealed record PartitionCheckpoint(string Source, string PartitionId, long SequenceNumber, DateTimeOffset EnqueuedTime, DateTimeOffset UpdatedAt)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Source} partition {PartitionId} at {SequenceNumber} ({EnqueuedTime:O})");
}

/// <summary>
/// One symbol's live state as stored after each batch: with the stored final bars it rebuilds the symbol exactly, and
/// it holds what duplicate detection needs.
/// </summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="PartitionId">The partition that wrote it.</param>
/// <param name="Live">Forming bars, watermark and last price (<see cref="LiveSymbol.Capture"/>).</param>
/// <param name="LastSequence">The publisher's last <c>seq</c> processed for the symbol (-1 when none had one).</param>
/// <param name="LastTickTime">Latest event time of an accepted tick (Unix ms; <see cref="long.MinValue"/> before the first).</param>
/// <param name="LastEventSequence">Sequence number of the last event processed for the symbol in <paramref name="PartitionId"/> (-1 when none).</param>
/// <param name="LastEventEnqueued">That event's enqueued time (Unix ms).</param>
/// <param name="UpdatedAt">When it was written.</param>
public sealed record StoredSymbolState(
    string Symbol,
    string PartitionId,
    LiveSymbolState Live,
    long LastSequence,
    long LastTickTime,
    long LastEventSequence,
    long LastEventEnqueued,
    DateTimeOffset UpdatedAt);

/// <summary>Final bars (table <c>bars</c>).</summary>
public interface IBarStore
{
    /// <summary>Upserts final bars with their indicator values (idempotent: a bar's key is its symbol, timeframe and start).</summary>
    /// <param name="bars">The bars, any symbols and timeframes.</param>
    /// <param name="indicatorFields">Names of the values in <see cref="FinalBar.Indicators"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when every bar is stored.</returns>
    Task WriteFinalBarsAsync(IReadOnlyList<FinalBar> bars, IReadOnlyList<string> indicatorFields, CancellationToken cancellationToken);

    /// <summary>The latest stored final bars of a symbol and timeframe that start before a time, in time order.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="timeframe">The timeframe.</param>
    /// <param name="before">Only bars starting before this (Unix ms).</param>
    /// <param name="count">At most this many (the latest ones).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The bars, oldest first.</returns>
    Task<IReadOnlyList<Ohlcv>> ReadFinalBarsAsync(string symbol, Timeframe timeframe, long before, int count, CancellationToken cancellationToken);
}

/// <summary>The pipeline's own bookkeeping: symbol states (table <c>symbolstate</c>) and partition checkpoints (table <c>checkpoints</c>).</summary>
public interface ILiveStateStore
{
    /// <summary>The checkpoint of a partition, or null.</summary>
    /// <param name="source">The source (event hub).</param>
    /// <param name="partitionId">The partition.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The checkpoint.</returns>
    Task<PartitionCheckpoint?> ReadCheckpointAsync(string source, string partitionId, CancellationToken cancellationToken);

    /// <summary>Writes (replaces) a partition's checkpoint.</summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when it is stored.</returns>
    Task WriteCheckpointAsync(PartitionCheckpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>Every symbol state last written by a partition.</summary>
    /// <param name="partitionId">The partition.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The states.</returns>
    Task<IReadOnlyList<StoredSymbolState>> ReadSymbolStatesAsync(string partitionId, CancellationToken cancellationToken);

    /// <summary>One symbol's state, looked up in <paramref name="partitionId"/> first and then in any partition (a symbol that moved).</summary>
    /// <param name="partitionId">The partition asking.</param>
    /// <param name="symbol">The symbol.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The state, or null when the symbol has none.</returns>
    Task<StoredSymbolState?> ReadSymbolStateAsync(string partitionId, string symbol, CancellationToken cancellationToken);

    /// <summary>Upserts symbol states (each under its <see cref="StoredSymbolState.PartitionId"/>).</summary>
    /// <param name="states">The states.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when every state is stored.</returns>
    Task WriteSymbolStatesAsync(IReadOnlyList<StoredSymbolState> states, CancellationToken cancellationToken);

    /// <summary>Removes a symbol's state from a partition it moved away from (nothing happens when it is not there).</summary>
    /// <param name="partitionId">The old partition.</param>
    /// <param name="symbol">The symbol.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when it is gone.</returns>
    Task DeleteSymbolStateAsync(string partitionId, string symbol, CancellationToken cancellationToken);
}

/// <summary>Latest quote per symbol (table <c>quotes</c>).</summary>
public interface IQuoteStore
{
    /// <summary>Upserts the latest accepted tick of each symbol (trade price, size, bid, ask, time, seq).</summary>
    /// <param name="quotes">One tick per symbol.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when every quote is stored.</returns>
    Task WriteQuotesAsync(IReadOnlyList<Tick> quotes, CancellationToken cancellationToken);
}

/// <summary>Signal events (table <c>signals</c>), with a mark once their alert was enqueued.</summary>
public interface ISignalStore
{
    /// <summary>Records signals (idempotent by <see cref="SignalEvent.Id"/>) and returns those whose alert has not been marked enqueued yet.</summary>
    /// <param name="signals">The signals.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The signals still to alert, in the given order.</returns>
    Task<IReadOnlyList<SignalEvent>> RecordSignalsAsync(IReadOnlyList<SignalEvent> signals, CancellationToken cancellationToken);

    /// <summary>Marks signals' alerts as enqueued, so a re-run does not enqueue them again.</summary>
    /// <param name="signals">The signals.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when every mark is stored.</returns>
    Task MarkAlertedAsync(IReadOnlyList<SignalEvent> signals, CancellationToken cancellationToken);
}

/// <summary>Dead letters (table <c>deadletters</c>).</summary>
public interface IDeadLetterStore
{
    /// <summary>Upserts dead letters (idempotent: the key is the event's enqueued time, partition and sequence number).</summary>
    /// <param name="deadLetters">The dead letters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when every record is stored.</returns>
    Task WriteDeadLettersAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken);
}

/// <summary>Publishes alert candidates (queue <c>alerts</c>), consumed by the alerts feature.</summary>
public interface IAlertPublisher
{
    /// <summary>Enqueues one signal as a JSON object message (<see cref="LiveMessages.Signal"/>).</summary>
    /// <param name="signal">The signal.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the message is stored.</returns>
    Task EnqueueAsync(SignalEvent signal, CancellationToken cancellationToken);
}

/// <summary>Live updates to dashboard clients (Web PubSub groups).</summary>
public interface ILivePush
{
    /// <summary>Sends one JSON message to a group.</summary>
    /// <param name="group">The group, e.g. <c>bars.BTCUSD.1m</c>.</param>
    /// <param name="json">One JSON object (UTF-8).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service accepted the message.</returns>
    Task SendAsync(string group, ReadOnlyMemory<byte> json, CancellationToken cancellationToken);
}

/// <summary>
/// Everything the pipeline reads and writes outside the process. The lists the pipeline passes to a port belong to the
/// pipeline and are reused once the returned task completes: an implementation copies what it keeps.
/// </summary>
public sealed record IngestPorts
{
    /// <summary>Final bars.</summary>
    public required IBarStore Bars { get; init; }

    /// <summary>Symbol states and checkpoints.</summary>
    public required ILiveStateStore State { get; init; }

    /// <summary>Latest quotes.</summary>
    public required IQuoteStore Quotes { get; init; }

    /// <summary>Signal events.</summary>
    public required ISignalStore Signals { get; init; }

    /// <summary>Dead letters.</summary>
    public required IDeadLetterStore DeadLetters { get; init; }

    /// <summary>Alert candidates.</summary>
    public required IAlertPublisher Alerts { get; init; }

    /// <summary>Live updates, or null to push nothing (Web PubSub not configured).</summary>
    public ILivePush? Push { get; init; }
}
