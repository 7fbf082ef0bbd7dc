using System.Collections.Concurrent;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>Where an Event Hubs trigger has got to in one partition of one consumer group.</summary>
/// <param name="EventHubName">The hub.</param>
/// <param name="ConsumerGroup">The consumer group.</param>
/// <param name="PartitionId">The partition.</param>
/// <param name="Epoch">The epoch of the local event log the sequence number belongs to (a new <c>sigmaflow serve</c> process has a new log whose numbers restart).</param>
/// <param name="SequenceNumber">The last event handled.</param>
/// <param name="Offset">Its offset.</param>
public sealed record EventHubCheckpoint(string EventHubName, string ConsumerGroup, int PartitionId, string Epoch, long SequenceNumber, long Offset);

/// <summary>A timer's schedule status (the host's <c>ScheduleStatus</c>), kept between runs.</summary>
/// <param name="Schedule">The schedule expression it was computed for.</param>
/// <param name="Last">The last run, or null before the first.</param>
/// <param name="Next">The next occurrence due.</param>
/// <param name="LastUpdated">When it was last written, or null.</param>
public sealed record TimerScheduleStatus(string Schedule, DateTimeOffset? Last, DateTimeOffset Next, DateTimeOffset? LastUpdated);

/// <summary>
/// The local runtime's own state: Event Hubs checkpoints and timer schedule status. In Azure the host keeps these in
/// the <c>AzureWebJobsStorage</c> account (blobs); locally they go to Azurite tables (<see cref="Tables"/>) or, without
/// storage, to memory (<see cref="InMemory"/>).
/// </summary>
public abstract class RuntimeStateStore
{
    /// <summary>The table of checkpoints (the ingest pipeline's own <c>checkpoints</c> table is a different thing).</summary>
    public const string CheckpointTable = "runtimecheckpoints";

    /// <summary>The table of timer schedule status.</summary>
    public const string ScheduleTable = "runtimeschedules";

    /// <summary>State in Azure Table storage (Azurite locally).</summary>
    /// <param name="tables">The table service.</param>
    /// <returns>The store.</returns>
    public static RuntimeStateStore Tables(TableServiceClient tables) => new TableStore(tables);

    /// <summary>State in memory, lost with the process.</summary>
    /// <returns>The store.</returns>
    public static RuntimeStateStore InMemory() => new MemoryStore();

    /// <summary>Where the state lives, for messages.</summary>
    /// <returns>A description.</returns>
    public abstract override string ToString();

    /// <summary>Reads a checkpoint.</summary>
    /// <param name="eventHubName">The hub.</param>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="partitionId">The partition.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The checkpoint, or null.</returns>
    public abstract Task<EventHubCheckpoint?> GetCheckpointAsync(string eventHubName, string consumerGroup, int partitionId, CancellationToken cancellationToken);

    /// <summary>Writes a checkpoint.</summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when it is stored.</returns>
    public abstract Task SetCheckpointAsync(EventHubCheckpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>Reads a timer's status.</summary>
    /// <param name="functionName">The function.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The status, or null.</returns>
    public abstract Task<TimerScheduleStatus?> GetScheduleStatusAsync(string functionName, CancellationToken cancellationToken);

    /// <summary>Writes a timer's status.</summary>
    /// <param name="functionName">The function.</param>
    /// <param name="status">The status.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when it is stored.</returns>
    public abstract Task SetScheduleStatusAsync(string functionName, TimerScheduleStatus status, CancellationToken cancellationToken);

    private static string CheckpointPartition(string hub, string group) => $"{hub.ToLowerInvariant()}:{group.ToLowerInvariant()}";

    private sealed class MemoryStore : RuntimeStateStore
    {
        private readonly ConcurrentDictionary<(string, int), EventHubCheckpoint> checkpoints = new();
        private readonly ConcurrentDictionary<string, TimerScheduleStatus> schedules = new(StringComparer.OrdinalIgnoreCase);

        public override string ToString() => "memory (lost when serve stops)";

        public override Task<EventHubCheckpoint?> GetCheckpointAsync(string eventHubName, string consumerGroup, int partitionId, CancellationToken cancellationToken) =>
            Task.FromResult(checkpoints.TryGetValue((CheckpointPartition(eventHubName, consumerGroup), partitionId), out var c) ? c : null);

        public override Task SetCheckpointAsync(EventHubCheckpoint checkpoint, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(checkpoint);
            checkpoints[(CheckpointPartition(checkpoint.EventHubName, checkpoint.ConsumerGroup), checkpoint.PartitionId)] = checkpoint;
            return Task.CompletedTask;
        }

        public override Task<TimerScheduleStatus?> GetScheduleStatusAsync(string functionName, CancellationToken cancellationToken) =>
            Task.FromResult(schedules.TryGetValue(functionName, out var s) ? s : null);

        public override Task SetScheduleStatusAsync(string functionName, TimerScheduleStatus status, CancellationToken cancellationToken)
        {
            schedules[functionName] = status;
            return Task.CompletedTask;
        }
    }

    private sealed class TableStore(TableServiceClient tables) : RuntimeStateStore
    {
        private readonly TableClient checkpointTable = tables.GetTableClient(CheckpointTable);
        private readonly TableClient scheduleTable = tables.GetTableClient(ScheduleTable);
        private Task? creating;

        public override string ToString() => $"tables '{CheckpointTable}' and '{ScheduleTable}' at {tables.Endpoint}";

        public override async Task<EventHubCheckpoint?> GetCheckpointAsync(string eventHubName, string consumerGroup, int partitionId, CancellationToken cancellationToken)
        {
            await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
            var entity = await checkpointTable.GetEntityAsync(CheckpointPartition(eventHubName, consumerGroup), Row(partitionId), cancellationToken: cancellationToken).ConfigureAwait(false);
            return entity is null || entity.GetString("Epoch") is not { } epoch || entity.GetInt64("SequenceNumber") is not { } sequence
                ? null
                : new EventHubCheckpoint(eventHubName, consumerGroup, partitionId, epoch, sequence, entity.GetInt64("Offset") ?? 0);
        }

        public override async Task SetCheckpointAsync(EventHubCheckpoint checkpoint, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(checkpoint);
            await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
            var entity = new TableEntity(CheckpointPartition(checkpoint.EventHubName, checkpoint.ConsumerGroup), Row(checkpoint.PartitionId))
            {
                ["EventHubName"] = checkpoint.EventHubName,
                ["ConsumerGroup"] = checkpoint.ConsumerGroup,
                ["Epoch"] = checkpoint.Epoch,
                ["SequenceNumber"] = checkpoint.SequenceNumber,
                ["Offset"] = checkpoint.Offset,
            };
            await checkpointTable.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }

        public override async Task<TimerScheduleStatus?> GetScheduleStatusAsync(string functionName, CancellationToken cancellationToken)
        {
            await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
            var entity = await scheduleTable.GetEntityAsync("timers", functionName.ToLowerInvariant(), cancellationToken: cancellationToken).ConfigureAwait(false);
            return entity is null || entity.GetString("Schedule") is not { } schedule || entity.GetDateTimeOffset("Next") is not { } next
                ? null
                : new TimerScheduleStatus(schedule, entity.GetDateTimeOffset("Last"), next, entity.GetDateTimeOffset("LastUpdated"));
        }

        public override async Task SetScheduleStatusAsync(string functionName, TimerScheduleStatus status, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(status);
            await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
            var entity = new TableEntity("timers", functionName.ToLowerInvariant())
            {
                ["Function"] = functionName,
                ["Schedule"] = status.Schedule,
                ["Next"] = status.Next,
            };
            if (status.Last is { } last)
            {
                entity["Last"] = last;
            }

            if (status.LastUpdated is { } updated)
            {
                entity["LastUpdated"] = updated;
            }

            await scheduleTable.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }

        private static string Row(int partitionId) => partitionId.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

        private Task EnsureTablesAsync(CancellationToken cancellationToken)
        {
            var task = Volatile.Read(ref creating);
            if (task is { IsCompletedSuccessfully: true })
            {
                return Task.CompletedTask;
            }

            if (task is null || task.IsFaulted || task.IsCanceled)
            {
                // A failed attempt (storage not up yet) is retried by the next caller.
                Interlocked.CompareExchange(ref creating, CreateTablesAsync(), task);
                task = Volatile.Read(ref creating)!;
            }

            return task.WaitAsync(cancellationToken);
        }

        private async Task CreateTablesAsync()
        {
            await tables.CreateTableIfNotExistsAsync(CheckpointTable, CancellationToken.None).ConfigureAwait(false);
            await tables.CreateTableIfNotExistsAsync(ScheduleTable, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
