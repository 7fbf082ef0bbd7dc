using SigmaFlow.Core.Data;

namespace SigmaFlow.Functions.Feeds;

/// <summary>A tick and when the feed should publish it.</summary>
/// <param name="Tick">The tick as it will be sent (time, sequence number and all).</param>
/// <param name="DueMilliseconds">When to publish it, in milliseconds after the feed started; 0 for "now".</param>
internal readonly record struct FeedTick(Tick Tick, double DueMilliseconds);

/// <summary>
/// Where a feed's ticks come from: an endless simulator or a finite replay. Ticks come in publication order; a
/// symbol's ticks have increasing sequence numbers and non-decreasing due times.
/// </summary>
internal interface ITickSource
{
    /// <summary>What the source is, for the summary: <c>simulator BTCUSD,ETHUSD (seed 1, 100 ticks/s)</c>.</summary>
    string Description { get; }

    /// <summary>True when ticks are due over time (real time or a replay speed); false when all are due at once.</summary>
    bool IsPaced { get; }

    /// <summary>The next tick, or false when the source is exhausted.</summary>
    /// <param name="next">The tick.</param>
    /// <returns>Whether there was one.</returns>
    bool TryNext(out FeedTick next);
}
