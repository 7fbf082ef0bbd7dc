using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SigmaFlow.Functions.Local.EventHubs;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>
/// An <c>eventHubTrigger</c> over the local event log, as the Event Hubs extension runs it: every partition is read in
/// order, one invocation at a time per partition, in batches of up to <c>maxEventBatchSize</c> (cardinality
/// <c>many</c>) or one event per invocation (<c>one</c>), with the host's metadata in the host's encoding. The
/// position is checkpointed after every invocation (every <c>batchCheckpointFrequency</c>-th), whether it succeeded
/// or not — the real trigger never redelivers a failed batch — unless a function-level <c>retry</c> policy is set:
/// then the same batch is invoked again with <c>RetryContext</c> until it succeeds or the retries run out, and only
/// then checkpointed. A checkpoint is written while the next batch runs (one write at a time, in order), so the
/// store's round trip does not delay the partition; after a crash at most the batch after the last stored checkpoint
/// comes again, which the host allows too (delivery is at least once). Checkpoints carry the log's epoch: a
/// checkpoint of another epoch (an earlier serve process whose in-memory log is gone) is ignored and the partition is
/// read from the start; a durable log keeps its epoch, so a restarted serve resumes after its checkpoints. New events
/// are awaited with the log's signal, without polling.
/// </summary>
internal sealed partial class EventHubListener(FunctionDefinition function, RuntimeServices services, LocalEventLog log) : TriggerListener(function, services)
{
    private readonly EventHubTriggerDefinition trigger = (EventHubTriggerDefinition)function.Trigger;
    private readonly string epoch = EpochOf(log);

    public override string Describe()
    {
        log.TryGetPartitionCount(trigger.EventHubName, out var partitions);
        return string.Create(CultureInfo.InvariantCulture, $"event hub '{trigger.EventHubName}' ({partitions} partitions), consumer group '{trigger.ConsumerGroup}', {(trigger.ManyEvents ? $"batches of up to {Services.Host.EventHubs.MaxEventBatchSize}" : "one event per invocation")}{(Function.Retry is { } r ? $", retry {r}" : string.Empty)}");
    }

    /// <summary>The epoch id of a log: a new id for each in-memory log, the id kept with a durable log's files.</summary>
    /// <param name="eventLog">The log.</param>
    /// <returns>The epoch id.</returns>
    internal static string EpochOf(LocalEventLog eventLog) => eventLog.Epoch;

    public override Task RunAsync(CancellationToken stopping, CancellationToken abort)
    {
        if (!log.TryGetPartitionCount(trigger.EventHubName, out var partitions))
        {
            NoHub(Log, Function.Name, trigger.EventHubName, string.Join(", ", log.Hubs.Keys));
            return Task.CompletedTask;
        }

        var connection = trigger.Connection.Length > 0 ? Services.Options.ReadSetting(trigger.Connection) : null;
        var fullyQualifiedNamespace = NamespaceOf(connection);
        return Task.WhenAll(Enumerable.Range(0, partitions).Select(p => Task.Run(() => RunPartitionAsync(p, fullyQualifiedNamespace, stopping, abort), CancellationToken.None)));
    }

    /// <summary>The trigger value: the bodies as the host serialises a <c>string[]</c> (or one string, or base64 for <c>binary</c>).</summary>
    internal static JsonNode TriggerValue(IReadOnlyList<LocalEvent> events, bool many, string? dataType)
    {
        JsonNode Body(LocalEvent e) => dataType == "binary" ? JsonValue.Create(Convert.ToBase64String(e.Body.Span)) : JsonValue.Create(Encoding.UTF8.GetString(e.Body.Span));
        if (many)
        {
            return HostEncoding.Serialized(new JsonArray(events.Select(Body).ToArray()));
        }

        return dataType == "binary" ? Body(events[0]) : HostEncoding.Serialized(Body(events[0]));
    }

    /// <summary>The metadata the Event Hubs trigger binds, each value as the host serialises it.</summary>
    internal static JsonObject Metadata(IReadOnlyList<LocalEvent> events, bool many, string fullyQualifiedNamespace, string consumerGroup)
    {
        var first = events[0];
        var metadata = new JsonObject
        {
            ["PartitionContext"] = new JsonObject
            {
                ["FullyQualifiedNamespace"] = fullyQualifiedNamespace,
                ["EventHubName"] = first.EventHubName,
                ["ConsumerGroup"] = consumerGroup,
                ["PartitionId"] = first.PartitionId.ToString(CultureInfo.InvariantCulture),
            },
        };
        if (many)
        {
            metadata["PartitionKeyArray"] = HostEncoding.Serialized(new JsonArray(events.Select(e => (JsonNode?)(e.PartitionKey is null ? null : JsonValue.Create(e.PartitionKey))).ToArray()));
            metadata["OffsetArray"] = HostEncoding.Serialized(new JsonArray(events.Select(e => (JsonNode?)JsonValue.Create(e.Offset.ToString(CultureInfo.InvariantCulture))).ToArray()));
            metadata["SequenceNumberArray"] = HostEncoding.Serialized(new JsonArray(events.Select(e => (JsonNode?)JsonValue.Create(e.SequenceNumber)).ToArray()));
            metadata["EnqueuedTimeUtcArray"] = HostEncoding.Serialized(new JsonArray(events.Select(e => (JsonNode?)JsonValue.Create(HostEncoding.Unspecified(e.EnqueuedTime))).ToArray()));
            metadata["PropertiesArray"] = HostEncoding.Serialized(new JsonArray(events.Select(e => (JsonNode?)Properties(e)).ToArray()));
            metadata["SystemPropertiesArray"] = HostEncoding.Serialized(new JsonArray(events.Select(e => (JsonNode?)SystemProperties(e)).ToArray()));
            return metadata;
        }

        // Single dispatch: the host leaves out null values (an event without a partition key has no PartitionKey).
        if (first.PartitionKey is not null)
        {
            metadata["PartitionKey"] = HostEncoding.SerializedString(first.PartitionKey);
        }

        metadata["Offset"] = HostEncoding.SerializedNumber(first.Offset); // EventData.Offset, a long (the batch form is string[])
        metadata["SequenceNumber"] = HostEncoding.SerializedNumber(first.SequenceNumber);
        metadata["EnqueuedTimeUtc"] = HostEncoding.SerializedString(HostEncoding.Unspecified(first.EnqueuedTime));
        metadata["Properties"] = Properties(first);
        metadata["SystemProperties"] = SystemProperties(first);
        return metadata;
    }

    private static JsonObject Properties(LocalEvent e) =>
        new(e.Properties.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)(p.Value switch
        {
            string s => JsonValue.Create(s),
            bool b => JsonValue.Create(b),
            long l => JsonValue.Create(l),
            int i => JsonValue.Create(i),
            double d => JsonValue.Create(d),
            var other => JsonValue.Create(Convert.ToString(other, CultureInfo.InvariantCulture)),
        }))));

    /// <summary>The AMQP annotations of a received event, then the four entries the extension adds (WebJobs PR 1849).</summary>
    private static JsonObject SystemProperties(LocalEvent e)
    {
        var properties = new JsonObject
        {
            ["x-opt-sequence-number"] = e.SequenceNumber,
            ["x-opt-offset"] = e.Offset.ToString(CultureInfo.InvariantCulture),
            ["x-opt-enqueued-time"] = HostEncoding.WithOffset(e.EnqueuedTime),
        };
        if (e.PartitionKey is not null)
        {
            properties["x-opt-partition-key"] = e.PartitionKey;
        }

        properties["SequenceNumber"] = e.SequenceNumber;
        properties["Offset"] = e.Offset;
        properties["PartitionKey"] = e.PartitionKey;
        properties["EnqueuedTimeUtc"] = HostEncoding.Unspecified(e.EnqueuedTime);
        return properties;
    }

    private static string NamespaceOf(string? connection)
    {
        foreach (var part in (connection ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && part[..eq].Trim().Equals("Endpoint", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(part[(eq + 1)..].Trim(), UriKind.Absolute, out var endpoint))
            {
                return endpoint.Host;
            }
        }

        return "localhost";
    }

    private async Task RunPartitionAsync(int partition, string fullyQualifiedNamespace, CancellationToken stopping, CancellationToken abort)
    {
        var hub = trigger.EventHubName;
        var settings = Services.Host.EventHubs;
        long position;
        try
        {
            position = await StartPositionAsync(partition, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return;
        }

        LocalEvent? handled = null;
        var sinceCheckpoint = 0;
        Task written = Task.CompletedTask; // the checkpoint write in flight, if any
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var batch = log.Read(hub, partition, position, trigger.ManyEvents ? settings.MaxEventBatchSize : 1);
                if (batch.Events.Count == 0)
                {
                    await log.WaitForEventsAsync(hub, partition, position - 1, stopping).ConfigureAwait(false);
                    continue;
                }

                if (batch.Missed > 0)
                {
                    Missed(Log, Function.Name, hub, partition, batch.Missed, batch.Events[0].SequenceNumber);
                }

                var events = batch.Events;
                var first = events[0];
                var last = events[^1];
                var outcome = await FunctionRetry.InvokeAsync(
                    Services.Invoker,
                    Function,
                    string.Create(CultureInfo.InvariantCulture, $"(PartitionId={partition}, SequenceNumber={first.SequenceNumber}-{last.SequenceNumber}, Count={events.Count})"),
                    () => new JsonObject { [trigger.BindingName] = TriggerValue(events, trigger.ManyEvents, trigger.DataType) },
                    () => Metadata(events, trigger.ManyEvents, fullyQualifiedNamespace, trigger.ConsumerGroup),
                    Services.Clock,
                    Log,
                    stopping,
                    abort).ConfigureAwait(false);
                if (outcome.Abandoned || (stopping.IsCancellationRequested && outcome.Last.StatusCode == 0))
                {
                    // Stopping in the middle of retries, or the handler already gone while stopping: not checkpointed,
                    // so the batch comes again (in this epoch) rather than being skipped.
                    break;
                }

                handled = last;
                position = last.SequenceNumber + 1;
                if (++sinceCheckpoint >= settings.BatchCheckpointFrequency)
                {
                    // Written while the next batch runs: the store's round trip does not hold up the partition. One
                    // write at a time, so checkpoints land in order.
                    await written.ConfigureAwait(false);
                    written = CheckpointAsync(last, CancellationToken.None);
                    sinceCheckpoint = 0;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested || abort.IsCancellationRequested)
        {
        }

        await written.ConfigureAwait(false);
        if (sinceCheckpoint > 0 && handled is not null)
        {
            await CheckpointAsync(handled, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<long> StartPositionAsync(int partition, CancellationToken stopping)
    {
        EventHubCheckpoint? checkpoint = null;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                checkpoint = await Services.State.GetCheckpointAsync(trigger.EventHubName, trigger.ConsumerGroup, partition, stopping).ConfigureAwait(false);
                break;
            }
#pragma warning disable CA1031 // The store may come up later (Azurite started after serve): keep trying, and say so.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                CheckpointReadFailed(Log, Function.Name, partition, Services.State.ToString(), e.Message);
                if (attempt >= 3)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(attempt), Services.Clock, stopping).ConfigureAwait(false);
            }
        }

        var info = log.GetPartitionInfo(trigger.EventHubName, partition);
        if (checkpoint is not null && checkpoint.Epoch == epoch)
        {
            return checkpoint.SequenceNumber + 1;
        }

        if (checkpoint is not null)
        {
            OtherEpoch(Log, Function.Name, partition, checkpoint.SequenceNumber);
        }

        return Services.Host.EventHubs.InitialOffset == InitialOffset.FromEnd ? info.NextSequenceNumber : info.FirstAvailableSequenceNumber;
    }

    private async Task CheckpointAsync(LocalEvent last, CancellationToken cancellationToken)
    {
        try
        {
            await Services.State.SetCheckpointAsync(new EventHubCheckpoint(trigger.EventHubName, trigger.ConsumerGroup, last.PartitionId, epoch, last.SequenceNumber, last.Offset), cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The host logs checkpoint failures and keeps reading; so do we.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            CheckpointWriteFailed(Log, Function.Name, last.PartitionId, last.SequenceNumber, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function}: event hub '{Hub}' is not in the local event log (hubs: {Hubs}); the function will not run")]
    private static partial void NoHub(ILogger logger, string function, string hub, string hubs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: {Missed} events of '{Hub}' partition {Partition} were dropped from the local log before they were read; reading on from sequence number {Sequence}")]
    private static partial void Missed(ILogger logger, string function, string hub, int partition, long missed, long sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Function}: partition {Partition}'s checkpoint (sequence number {Sequence}) belongs to an earlier event log; reading the partition from the start")]
    private static partial void OtherEpoch(ILogger logger, string function, int partition, long sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: reading partition {Partition}'s checkpoint from {Store} failed: {Reason}")]
    private static partial void CheckpointReadFailed(ILogger logger, string function, int partition, string store, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: checkpointing partition {Partition} at sequence number {Sequence} failed: {Reason}")]
    private static partial void CheckpointWriteFailed(ILogger logger, string function, int partition, long sequence, string reason);
}
