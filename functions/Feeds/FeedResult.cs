namespace SigmaFlow.Functions.Feeds;

/// <summary>Why a feed stopped.</summary>
internal enum FeedStopReason
{
    /// <summary>The replay reached the end of its file.</summary>
    EndOfData,

    /// <summary>The <c>--count</c> limit was reached.</summary>
    Count,

    /// <summary>The <c>--duration</c> limit was reached.</summary>
    Duration,

    /// <summary>Stopped by the user (Ctrl+C).</summary>
    Cancelled,
}

/// <summary>What a feed published, overall and per symbol.</summary>
internal sealed record FeedResult
{
    /// <summary>Ticks the service accepted.</summary>
    public required long TicksSent { get; init; }

    /// <summary>Ticks of batches that failed after the client's retries (or were cut off by a stop).</summary>
    public required long TicksLost { get; init; }

    /// <summary>Batches sent (one per symbol per round), failed ones included.</summary>
    public required long Batches { get; init; }

    /// <summary>Batches that failed.</summary>
    public required long FailedBatches { get; init; }

    /// <summary>HTTP requests that carried the sent batches (a batch over the request size limit takes several).</summary>
    public required long Requests { get; init; }

    /// <summary>Wall-clock time from start to stop.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Why the feed stopped.</summary>
    public required FeedStopReason StopReason { get; init; }

    /// <summary>Per symbol, in the order symbols first appeared.</summary>
    public required IReadOnlyList<FeedSymbolTotals> Symbols { get; init; }

    /// <summary>Ticks sent per second of wall-clock time.</summary>
    public double TicksPerSecond => Elapsed > TimeSpan.Zero ? TicksSent / Elapsed.TotalSeconds : 0;
}

/// <summary>One symbol's totals.</summary>
/// <param name="Symbol">The symbol (the partition key).</param>
/// <param name="Sent">Ticks sent.</param>
/// <param name="Lost">Ticks lost with failed batches.</param>
/// <param name="FirstSequence">Sequence number of the first tick gathered, or -1.</param>
/// <param name="LastSequence">Sequence number of the last tick gathered, or -1.</param>
internal sealed record FeedSymbolTotals(string Symbol, long Sent, long Lost, long FirstSequence, long LastSequence);
