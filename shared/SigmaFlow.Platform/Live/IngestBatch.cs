using System.Globalization;

namespace SigmaFlow.Platform.Live;

/// <summary>
/// One event of an Event Hubs batch: its body (text as the Functions host hands it over with <c>dataType: string</c>,
/// or bytes) and the metadata the pipeline needs for exactly-once effects and dead letters.
/// </summary>
public readonly record struct IngestEvent
{
    /// <summary>An event with a text body.</summary>
    /// <param name="body">The body (one tick as JSON).</param>
    /// <param name="sequenceNumber">Its sequence number in the partition.</param>
    /// <param name="enqueuedTime">When Event Hubs accepted it.</param>
    /// <param name="partitionKey">The partition key it was sent with, or null.</param>
    /// <param name="eventId">An id from the event's application properties, or null.</param>
    public IngestEvent(string body, long sequenceNumber, DateTimeOffset enqueuedTime, string? partitionKey = null, string? eventId = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        Text = body;
        SequenceNumber = sequenceNumber;
        EnqueuedTime = enqueuedTime;
        PartitionKey = partitionKey;
        EventId = eventId;
    }

    /// <summary>An event with a binary (UTF-8) body.</summary>
    /// <param name="body">The body (one tick as UTF-8 JSON); not copied.</param>
    /// <param name="sequenceNumber">Its sequence number in the partition.</param>
    /// <param name="enqueuedTime">When Event Hubs accepted it.</param>
    /// <param name="partitionKey">The partition key it was sent with, or null.</param>
    /// <param name="eventId">An id from the event's application properties, or null.</param>
    public IngestEvent(ReadOnlyMemory<byte> body, long sequenceNumber, DateTimeOffset enqueuedTime, string? partitionKey = null, string? eventId = null)
    {
        Bytes = body;
        SequenceNumber = sequenceNumber;
        EnqueuedTime = enqueuedTime;
        PartitionKey = partitionKey;
        EventId = eventId;
    }

    /// <summary>The text body, or null when the body is <see cref="Bytes"/>.</summary>
    public string? Text { get; }

    /// <summary>The binary body (empty when the body is <see cref="Text"/>).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Sequence number in the partition (increasing; a restarted local log starts again at 0).</summary>
    public long SequenceNumber { get; }

    /// <summary>When Event Hubs accepted the event; also the "received" time of the future-time rule.</summary>
    public DateTimeOffset EnqueuedTime { get; }

    /// <summary>The partition key (the symbol, by convention), or null.</summary>
    public string? PartitionKey { get; }

    /// <summary>An id from the event's application properties (<c>eventId</c>, <c>id</c> or <c>messageId</c>), or null.</summary>
    public string? EventId { get; }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"event {SequenceNumber} enqueued {EnqueuedTime:O}");
}

/// <summary>One batch of one Event Hubs partition, in sequence order, as one trigger invocation delivers it.</summary>
/// <param name="PartitionId">The partition.</param>
/// <param name="Events">The events, ascending by sequence number.</param>
public sealed record IngestBatch(string PartitionId, IReadOnlyList<IngestEvent> Events);
