using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;

namespace SigmaFlow.Platform.Live;

/// <summary>
/// One symbol inside a partition's pipeline: its <see cref="LiveSymbol"/>, the batch's output, duplicate detection
/// state and the latest quote. Not thread-safe (a partition's batches run one at a time).
/// </summary>
internal sealed class SymbolSlot
{
    private bool hasQuote;

    public SymbolSlot(LiveSymbol live, IReadOnlyList<Timeframe> timeframes, StoredSymbolState? state, string partitionId)
    {
        Live = live;
        Symbol = live.Symbol;
        BarGroups = new string[timeframes.Count];
        for (var i = 0; i < BarGroups.Length; i++)
        {
            BarGroups[i] = LiveNames.BarsGroup(Symbol, timeframes[i]);
        }

        QuoteGroup = LiveNames.QuotesGroup(Symbol);
        SignalGroup = LiveNames.SymbolSignalsGroup(Symbol);
        if (state is not null)
        {
            LastSequence = state.LastSequence;
            LastTickTime = state.LastTickTime;

            // Event sequence numbers only mean something in the partition that wrote them.
            if (string.Equals(state.PartitionId, partitionId, StringComparison.Ordinal))
            {
                LastEventSequence = state.LastEventSequence;
                LastEventEnqueued = state.LastEventEnqueued;
            }
        }
    }

    public string Symbol { get; }

    public LiveSymbol Live { get; }

    public LiveOutput Output { get; } = new();

    /// <summary>Web PubSub group per timeframe (index as in the options' timeframes).</summary>
    public string[] BarGroups { get; }

    public string QuoteGroup { get; }

    public string SignalGroup { get; }

    public long LastSequence { get; private set; } = -1;

    public long LastTickTime { get; private set; } = long.MinValue;

    public long LastEventSequence { get; private set; } = -1;

    public long LastEventEnqueued { get; private set; } = long.MinValue;

    /// <summary>Something to store after this batch (a tick processed, a bar closed, the watermark moved).</summary>
    public bool Dirty { get; set; }

    public Tick Quote { get; private set; }

    public bool QuoteChanged { get; private set; }

    public void BeginBatch()
    {
        Output.Clear();
        Dirty = false;
        QuoteChanged = false;
    }

    /// <summary>
    /// Whether the tick's effects are already in this state: the same event seen before (a re-run or a redelivery:
    /// sequence number and enqueued time both not after the last one processed), or a publisher <c>seq</c> not after
    /// the last one unless its time is after every accepted tick (the publisher restarted its numbering).
    /// </summary>
    public bool IsDuplicate(in Tick tick, long sequenceNumber, long enqueued, out bool publisherRestarted)
    {
        publisherRestarted = false;
        if (LastEventSequence >= 0 && sequenceNumber <= LastEventSequence && enqueued <= LastEventEnqueued)
        {
            return true;
        }

        if (tick.Sequence < 0 || tick.Sequence > LastSequence)
        {
            return false;
        }

        if (tick.Time <= LastTickTime)
        {
            return true;
        }

        publisherRestarted = true;
        return false;
    }

    /// <summary>Records a tick as processed (applied or dead-lettered).</summary>
    public void Processed(in Tick tick, long sequenceNumber, long enqueued)
    {
        if (tick.Sequence >= 0)
        {
            LastSequence = tick.Sequence;
        }

        LastEventSequence = sequenceNumber;
        LastEventEnqueued = enqueued;
        Dirty = true;
    }

    /// <summary>Records an accepted tick: newest event time and latest quote.</summary>
    public void Accepted(in Tick tick)
    {
        if (tick.Time > LastTickTime)
        {
            LastTickTime = tick.Time;
        }

        // A late tick inside the tolerance updates its bar, not the quote.
        if (!hasQuote || tick.Time >= Quote.Time)
        {
            Quote = tick;
            hasQuote = true;
            QuoteChanged = true;
        }
    }

    /// <summary>Moves the symbol's watermark; bars it closes land in <see cref="Output"/>.</summary>
    public void Advance(long watermark)
    {
        var finalUntil = Live.FinalUntil;
        var finals = Output.Final.Count;
        Live.Advance(watermark, Output);
        if (Live.FinalUntil != finalUntil || Output.Final.Count != finals)
        {
            Dirty = true;
        }
    }

    public StoredSymbolState ToStored(string partitionId, DateTimeOffset now) =>
        new(Symbol, partitionId, Live.Capture(), LastSequence, LastTickTime, LastEventSequence, LastEventEnqueued, now);
}
