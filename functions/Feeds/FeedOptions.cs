using System.Globalization;

namespace SigmaFlow.Functions.Feeds;

/// <summary>
/// How a <see cref="FeedPump"/> publishes. Defaults: a batch per symbol every 50 ms, no tick or time limit, a status
/// line every 5 seconds, at most 10,000 ticks gathered per round, 8 sends at once, and 5 seconds for sends under way
/// to finish after a stop is asked for.
/// </summary>
internal sealed record FeedOptions
{
    /// <summary>How often due ticks are gathered and sent, one batch per symbol (partition key). Default 50 ms.</summary>
    public TimeSpan BatchInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Stop after this many ticks (sent or lost), or null for no limit.</summary>
    public long? MaxTicks { get; init; }

    /// <summary>Stop once this much wall-clock time has passed (ticks due later are not sent), or null for no limit.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>How often a status line goes to stderr, or null for none (<c>--quiet</c>). Default 5 s.</summary>
    public TimeSpan? StatusInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most ticks gathered in one round; a backlog (speed 0, a slow endpoint) is sent in rounds of this size. Default 10,000.</summary>
    public int MaxTicksPerRound { get; init; } = 10_000;

    /// <summary>Most batches in flight at once (each to a different partition key, so a key's order is kept). Default 8.</summary>
    public int MaxConcurrentSends { get; init; } = 8;

    /// <summary>How long sends already under way may take to finish after a stop (Ctrl+C) before they are cancelled. Default 5 s.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it, the rule and the value.</exception>
    public void Validate()
    {
        static void Check(bool ok, string name, string rule, object? value)
        {
            if (!ok)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be {rule}; got {value}."), name);
            }
        }

        Check(BatchInterval >= TimeSpan.FromMilliseconds(1) && BatchInterval <= TimeSpan.FromMinutes(1), nameof(BatchInterval), "between 1 ms and 1 minute", BatchInterval);
        Check(MaxTicks is null or > 0, nameof(MaxTicks), "above 0 when set", MaxTicks);
        Check(Duration is null || Duration > TimeSpan.Zero, nameof(Duration), "above 0 when set", Duration);
        Check(StatusInterval is null || StatusInterval > TimeSpan.Zero, nameof(StatusInterval), "above 0 when set", StatusInterval);
        Check(MaxTicksPerRound is >= 1 and <= 1_000_000, nameof(MaxTicksPerRound), "between 1 and 1000000", MaxTicksPerRound);
        Check(MaxConcurrentSends is >= 1 and <= 256, nameof(MaxConcurrentSends), "between 1 and 256", MaxConcurrentSends);
        Check(StopGrace >= TimeSpan.Zero, nameof(StopGrace), "0 or more", StopGrace);
    }
}
