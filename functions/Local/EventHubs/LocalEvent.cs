namespace SigmaFlow.Functions.Local.EventHubs;

/// <summary>
/// One stored event, with everything the Functions host's <c>eventHubTrigger</c> hands a function: body, partition
/// key, sequence number, offset, enqueued time and application properties (the local runtime builds the
/// <c>PartitionKeyArray</c>, <c>SequenceNumberArray</c>, <c>OffsetArray</c>, <c>EnqueuedTimeUtcArray</c> and
/// <c>PropertiesArray</c> metadata from these).
/// </summary>
/// <param name="EventHubName">The hub, as configured.</param>
/// <param name="PartitionId">The partition, 0 to count − 1.</param>
/// <param name="SequenceNumber">Position in the partition: 0 for its first event, then +1 per event, never reused.</param>
/// <param name="Offset">Byte position in the partition's stream: the summed body sizes (at least 1 each) of earlier events; unique and increasing.</param>
/// <param name="EnqueuedTime">When the log accepted it (the log's clock; never earlier than the partition's previous event).</param>
/// <param name="PartitionKey">The partition key it was sent with, or null.</param>
/// <param name="Body">The body bytes (owned by the log; do not change).</param>
/// <param name="Properties">Application properties: string, long, double or bool values.</param>
public sealed record LocalEvent(
    string EventHubName,
    int PartitionId,
    long SequenceNumber,
    long Offset,
    DateTimeOffset EnqueuedTime,
    string? PartitionKey,
    ReadOnlyMemory<byte> Body,
    IReadOnlyDictionary<string, object> Properties);

/// <summary>An event to append: body, application properties and an optional partition key.</summary>
/// <param name="Body">The body (copied on append).</param>
/// <param name="Properties">Application properties (string, number or bool values), or null.</param>
/// <param name="PartitionKey">The partition key, or null to let the log choose (round robin, or the request's partition).</param>
public sealed record LocalEventInput(ReadOnlyMemory<byte> Body, IReadOnlyDictionary<string, object>? Properties = null, string? PartitionKey = null);

/// <summary>What <see cref="LocalEventLog.Read"/> returns: events in sequence order, and where the partition's retained range starts.</summary>
/// <param name="Events">Up to the requested number of events, ascending by sequence number, with no gaps.</param>
/// <param name="FirstAvailableSequenceNumber">Oldest sequence number still retained (equal to <paramref name="NextSequenceNumber"/> when the partition is empty).</param>
/// <param name="NextSequenceNumber">The sequence number the next appended event will get.</param>
/// <param name="Missed">How many of the requested events were already dropped (the batch then starts at the first available one); 0 normally.</param>
public sealed record LocalEventBatch(IReadOnlyList<LocalEvent> Events, long FirstAvailableSequenceNumber, long NextSequenceNumber, long Missed);

/// <summary>A partition's retained range.</summary>
/// <param name="PartitionId">The partition.</param>
/// <param name="FirstAvailableSequenceNumber">Oldest retained sequence number (equals <paramref name="NextSequenceNumber"/> when empty).</param>
/// <param name="NextSequenceNumber">The sequence number the next event will get; the last stored one is this − 1.</param>
/// <param name="LastEnqueuedTime">Enqueued time of the newest event, or null when none was ever appended.</param>
public sealed record LocalPartitionInfo(int PartitionId, long FirstAvailableSequenceNumber, long NextSequenceNumber, DateTimeOffset? LastEnqueuedTime)
{
    /// <summary>Number of events retained.</summary>
    public long Count => NextSequenceNumber - FirstAvailableSequenceNumber;
}

/// <summary>What a durable log reloaded from its data directory when it was created.</summary>
/// <param name="DataDirectory">The folder's full path.</param>
/// <param name="Created">True when the folder held no log before (a fresh start).</param>
/// <param name="Events">Events reloaded into the partitions (at most the retention of each).</param>
/// <param name="Repairs">One line per torn record dropped (a record cut short by a crash while it was written, whose send was never acknowledged).</param>
public sealed record LocalEventLogRecovery(string DataDirectory, bool Created, long Events, IReadOnlyList<string> Repairs);
