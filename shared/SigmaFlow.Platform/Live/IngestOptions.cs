using System.Globalization;
using SigmaFlow.Core.Live;

namespace SigmaFlow.Platform.Live;

/// <summary>Settings of the tick ingest pipeline. Defaults suit the Functions host's batches of up to 256 events.</summary>
public sealed record IngestOptions
{
    /// <summary>Bars, indicators, strategies and tick rules per symbol (default: 1m/5m/15m/1h, the ten indicators, no strategies, default rules).</summary>
    public LiveSymbolOptions Live { get; init; } = new();

    /// <summary>What is read, the key of the checkpoints (default <c>ticks</c>, the event hub's name).</summary>
    public string Source { get; init; } = "ticks";

    /// <summary>Final bars of the first timeframe replayed to warm a symbol's indicators on a cold start (default 500).</summary>
    public int WarmBars { get; init; } = 500;

    /// <summary>Bytes of a bad event's body kept in its dead letter (default 2,048).</summary>
    public int MaxDeadLetterBodyBytes { get; init; } = 2048;

    /// <summary>Most symbols one partition tracks; ticks of further symbols are dead-lettered (default 10,000).</summary>
    public int MaxSymbolsPerPartition { get; init; } = 10_000;

    /// <summary>
    /// Runs of a batch inside one invocation when storage fails transiently (default 2). Each run starts from the stored
    /// state; after the last one the failure is thrown so that the invocation fails and the host's retry policy runs it again.
    /// </summary>
    public int MaxAttempts { get; init; } = 2;

    /// <summary>Pause before the next in-process run, multiplied by the run number (default 1 s).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Time allowed for a batch's pushes; sends still running then are cancelled and counted as failures (default 5 s).</summary>
    public TimeSpan PushTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Web PubSub groups sent to at the same time (default 16; each group's messages go in order).</summary>
    public int PushConcurrency { get; init; } = 16;

    /// <summary>Storage requests (loads, table transactions) in flight at the same time (default 8).</summary>
    public int StorageConcurrency { get; init; } = 8;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it, the rule and the value.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Live, nameof(Live));
        Live.Validate();
        if (string.IsNullOrWhiteSpace(Source) || Source.Length > 200)
        {
            throw new ArgumentException($"Source must be 1 to 200 characters; got '{Source}'.", nameof(Source));
        }

        Check(WarmBars, 0, 10_000, nameof(WarmBars));
        Check(MaxDeadLetterBodyBytes, 64, 32 * 1024, nameof(MaxDeadLetterBodyBytes));
        Check(MaxSymbolsPerPartition, 1, 1_000_000, nameof(MaxSymbolsPerPartition));
        Check(MaxAttempts, 1, 10, nameof(MaxAttempts));
        Check(PushConcurrency, 1, 256, nameof(PushConcurrency));
        Check(StorageConcurrency, 1, 64, nameof(StorageConcurrency));
        if (RetryDelay < TimeSpan.Zero || RetryDelay > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"RetryDelay must be between 0 and 1 minute; got {RetryDelay}.", nameof(RetryDelay));
        }

        if (PushTimeout <= TimeSpan.Zero || PushTimeout > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException($"PushTimeout must be more than 0 and at most 5 minutes; got {PushTimeout}.", nameof(PushTimeout));
        }
    }

    private static void Check(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min} and {max}; got {value}."), name);
        }
    }
}
