using System.Globalization;

namespace SigmaFlow.Platform.Live;

/// <summary>Why an event was dead-lettered.</summary>
public enum DeadLetterReason
{
    /// <summary>Not a tick: not JSON, not an object, a required member missing, a member of the wrong type, or a time before 1970.</summary>
    Malformed,

    /// <summary>The symbol is empty, longer than 64 characters, or holds white space or control characters.</summary>
    BadSymbol,

    /// <summary>Price not finite or not positive.</summary>
    BadPrice,

    /// <summary>Size not finite or negative.</summary>
    BadSize,

    /// <summary>Bid or ask not positive, or bid above ask.</summary>
    BadQuote,

    /// <summary>Price moved further from the last accepted price than the allowed band (a bad print).</summary>
    Jump,

    /// <summary>Event time too far after the time Event Hubs accepted the event.</summary>
    Future,

    /// <summary>The tick belongs to a bar that is already final (later than the late tolerance).</summary>
    Late,

    /// <summary>The partition already tracks the most symbols allowed (<see cref="IngestOptions.MaxSymbolsPerPartition"/>).</summary>
    SymbolLimit,
}

/// <summary>An event that could not be used, with enough to find it and understand why.</summary>
/// <param name="PartitionId">The partition it came from.</param>
/// <param name="SequenceNumber">Its sequence number.</param>
/// <param name="EnqueuedTime">When Event Hubs accepted it.</param>
/// <param name="PartitionKey">Its partition key, or null.</param>
/// <param name="EventId">Its id from the application properties, or null.</param>
/// <param name="Reason">The rule it broke.</param>
/// <param name="Message">The field, the rule and the value.</param>
/// <param name="Symbol">The tick's symbol when it could be read, or null.</param>
/// <param name="Body">The raw body as text (invalid UTF-8 replaced), cut to <see cref="IngestOptions.MaxDeadLetterBodyBytes"/> bytes.</param>
/// <param name="BodyBytes">Length of the whole body in bytes.</param>
/// <param name="BodyTruncated">True when <paramref name="Body"/> holds only the start of the body.</param>
public sealed record DeadLetter(
    string PartitionId,
    long SequenceNumber,
    DateTimeOffset EnqueuedTime,
    string? PartitionKey,
    string? EventId,
    DeadLetterReason Reason,
    string Message,
    string? Symbol,
    string Body,
    int BodyBytes,
    bool BodyTruncated)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"partition {PartitionId} event {SequenceNumber}: {Reason}: {Message}");
}
