using System.Collections.ObjectModel;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace SigmaFlow.Functions.Local.EventHubs;

/// <summary>
/// The local stand-in's storage: per event hub, a fixed number of partitions, each an in-memory append-only log with
/// sequence numbers, offsets and enqueued times, bounded in size (the oldest events are dropped). Events with a
/// partition key always land on the partition <see cref="PartitionFor"/> picks (FNV-1a of the key, stable across
/// processes and runs); events without one go round robin. Readers read by sequence number and can await new events
/// without polling. Thread-safe: writers and readers of one partition serialise on that partition's lock only.
/// </summary>
public sealed class LocalEventLog
{
    private static readonly IReadOnlyDictionary<string, object> NoProperties = new ReadOnlyDictionary<string, object>(new Dictionary<string, object>());
    private readonly Dictionary<string, Hub> hubs;
    private readonly int maxEventsPerPartition;

    /// <summary>Creates an empty log.</summary>
    /// <param name="options">Hubs, partition counts and retention, or null for the defaults (hub <c>ticks</c>, 4 partitions).</param>
    /// <param name="clock">Clock for enqueued times, or null for the system clock.</param>
    /// <exception cref="ArgumentException">The options are out of range.</exception>
    public LocalEventLog(LocalEventLogOptions? options = null, TimeProvider? clock = null)
    {
        options ??= new LocalEventLogOptions();
        options.Validate();
        Clock = clock ?? TimeProvider.System;
        maxEventsPerPartition = options.MaxEventsPerPartition;
        hubs = new Dictionary<string, Hub>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, count) in options.Hubs)
        {
            hubs[name] = new Hub(name, count, maxEventsPerPartition);
        }

        Hubs = new ReadOnlyDictionary<string, int>(hubs.Values.ToDictionary(h => h.Name, h => h.Partitions.Length, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>The clock enqueued times come from (the stand-in also checks token expiry against it).</summary>
    public TimeProvider Clock { get; }

    /// <summary>The hubs and their partition counts.</summary>
    public IReadOnlyDictionary<string, int> Hubs { get; }

    /// <summary>Events each partition retains.</summary>
    public int MaxEventsPerPartition => maxEventsPerPartition;

    /// <summary>
    /// The partition of a partition key: FNV-1a (32-bit) of the key's UTF-8 bytes, modulo the partition count. It is
    /// not the service's hash (so a key may map to another partition number in Azure), but it is the same in every
    /// process and run, which is what keeping a symbol's state with its partition needs.
    /// </summary>
    /// <param name="partitionKey">The key.</param>
    /// <param name="partitionCount">The hub's partition count.</param>
    /// <returns>The partition, 0 to <paramref name="partitionCount"/> − 1.</returns>
    public static int PartitionFor(string partitionKey, int partitionCount)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        return (int)(Fnv1a(partitionKey) % (uint)partitionCount);
    }

    /// <summary>Whether the hub exists, and its partition count.</summary>
    /// <param name="hub">The hub name (case-insensitive).</param>
    /// <param name="partitionCount">Its partition count, or 0.</param>
    /// <returns>True when it exists.</returns>
    public bool TryGetPartitionCount(string hub, out int partitionCount)
    {
        ArgumentNullException.ThrowIfNull(hub);
        partitionCount = hubs.TryGetValue(hub, out var h) ? h.Partitions.Length : 0;
        return partitionCount > 0;
    }

    /// <summary>Appends one event.</summary>
    /// <param name="hub">The hub.</param>
    /// <param name="partitionKey">Its partition key, or null.</param>
    /// <param name="partitionId">The partition to write to, or null to route by key (or round robin without one).</param>
    /// <param name="body">The body (copied).</param>
    /// <param name="properties">Application properties (string, number or bool values), or null.</param>
    /// <returns>The stored event with its partition, sequence number, offset and enqueued time.</returns>
    /// <exception cref="KeyNotFoundException">The hub does not exist.</exception>
    /// <exception cref="ArgumentException">Both a key and a partition were given, the partition is out of range, or a property value is not a string, number or bool.</exception>
    public LocalEvent Append(string hub, string? partitionKey, int? partitionId, ReadOnlySpan<byte> body, IReadOnlyDictionary<string, object>? properties = null) =>
        AppendCore(hub, partitionId, [new LocalEventInput(body.ToArray(), properties, partitionKey)], copyBodies: false)[0];

    /// <summary>
    /// Appends the events of one request. Events with a key go to their key's partition; those without go, together,
    /// to one partition (<paramref name="partitionId"/>, or the next one round robin). Events bound for one partition
    /// are stored contiguously and in order.
    /// </summary>
    /// <param name="hub">The hub.</param>
    /// <param name="partitionId">The partition for every event (none may then carry a key), or null.</param>
    /// <param name="events">The events.</param>
    /// <returns>The stored events, in the order given.</returns>
    /// <exception cref="KeyNotFoundException">The hub does not exist.</exception>
    /// <exception cref="ArgumentException">An event carries a key while <paramref name="partitionId"/> is given, the partition is out of range, or a property value is not a string, number or bool.</exception>
    public IReadOnlyList<LocalEvent> AppendBatch(string hub, int? partitionId, IReadOnlyList<LocalEventInput> events) =>
        AppendCore(hub, partitionId, events, copyBodies: true);

    /// <summary>Reads events of a partition from a sequence number on.</summary>
    /// <param name="hub">The hub.</param>
    /// <param name="partitionId">The partition.</param>
    /// <param name="fromSequenceNumber">The first sequence number wanted; when already dropped, the batch starts at the first available one and says how many were missed.</param>
    /// <param name="maxCount">Most events to return, at least 1.</param>
    /// <returns>The events (possibly none, when there is nothing at or after <paramref name="fromSequenceNumber"/> yet).</returns>
    /// <exception cref="KeyNotFoundException">The hub does not exist.</exception>
    /// <exception cref="ArgumentException">The partition is out of range, the sequence number is negative or the count is below 1.</exception>
    public LocalEventBatch Read(string hub, int partitionId, long fromSequenceNumber, int maxCount)
    {
        var h = GetHub(hub);
        CheckPartition(h, partitionId);
        ArgumentOutOfRangeException.ThrowIfNegative(fromSequenceNumber);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var partition = h.Partitions[partitionId];
        lock (partition.Gate)
        {
            return partition.Read(fromSequenceNumber, maxCount);
        }
    }

    /// <summary>The retained range of a partition.</summary>
    /// <param name="hub">The hub.</param>
    /// <param name="partitionId">The partition.</param>
    /// <returns>Its first available and next sequence numbers.</returns>
    public LocalPartitionInfo GetPartitionInfo(string hub, int partitionId)
    {
        var h = GetHub(hub);
        CheckPartition(h, partitionId);
        var partition = h.Partitions[partitionId];
        lock (partition.Gate)
        {
            return new LocalPartitionInfo(partitionId, partition.FirstSequence, partition.NextSequence, partition.LastEnqueued);
        }
    }

    /// <summary>
    /// Completes once the partition holds an event with a sequence number above <paramref name="afterSequenceNumber"/>
    /// (at once when it already does), without polling.
    /// </summary>
    /// <param name="hub">The hub.</param>
    /// <param name="partitionId">The partition.</param>
    /// <param name="afterSequenceNumber">The last sequence number the reader has seen; −1 to wait for any event.</param>
    /// <param name="cancellationToken">Stops waiting (the task is then cancelled).</param>
    /// <returns>The newest sequence number in the partition.</returns>
    public async Task<long> WaitForEventsAsync(string hub, int partitionId, long afterSequenceNumber, CancellationToken cancellationToken = default)
    {
        var h = GetHub(hub);
        CheckPartition(h, partitionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(afterSequenceNumber, -1);
        var partition = h.Partitions[partitionId];
        while (true)
        {
            Task signal;
            lock (partition.Gate)
            {
                if (partition.NextSequence - 1 > afterSequenceNumber)
                {
                    return partition.NextSequence - 1;
                }

                signal = partition.Waiters().Task;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private LocalEvent[] AppendCore(string hub, int? partitionId, IReadOnlyList<LocalEventInput> events, bool copyBodies)
    {
        ArgumentNullException.ThrowIfNull(events);
        var h = GetHub(hub);
        if (partitionId is { } fixedPartition)
        {
            CheckPartition(h, fixedPartition);
        }

        // Route and copy first, so a bad event leaves the log untouched.
        var routes = new int[events.Count];
        var bodies = new byte[events.Count][];
        var properties = new IReadOnlyDictionary<string, object>[events.Count];
        int? roundRobin = null;
        for (var i = 0; i < events.Count; i++)
        {
            var input = events[i] ?? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"event {i} is null."), nameof(events));
            if (input.PartitionKey is not null && partitionId is not null)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"event {i} has partition key '{input.PartitionKey}' but the events are sent to partition {partitionId}; use one or the other."), nameof(events));
            }

            routes[i] = partitionId
                ?? (input.PartitionKey is not null ? PartitionFor(input.PartitionKey, h.Partitions.Length) : roundRobin ??= h.NextRoundRobin());
            bodies[i] = copyBodies || !MemoryMarshal.TryGetArray(input.Body, out var segment) || segment.Offset != 0 || segment.Count != segment.Array!.Length ? input.Body.ToArray() : segment.Array;
            properties[i] = CopyProperties(input.Properties, i);
        }

        var stored = new LocalEvent[events.Count];
        var now = Clock.GetUtcNow();
        for (var p = 0; p < h.Partitions.Length; p++)
        {
            if (Array.IndexOf(routes, p) < 0)
            {
                continue;
            }

            var partition = h.Partitions[p];
            TaskCompletionSource? wake;
            lock (partition.Gate)
            {
                for (var i = 0; i < events.Count; i++)
                {
                    if (routes[i] == p)
                    {
                        stored[i] = partition.Append(h.Name, p, now, events[i].PartitionKey, bodies[i], properties[i]);
                    }
                }

                wake = partition.TakeWaiters();
            }

            wake?.TrySetResult();
        }

        return stored;
    }

    private static uint Fnv1a(string text)
    {
        Span<byte> small = stackalloc byte[256];
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var bytes = max <= small.Length ? small : new byte[max];
        var length = Encoding.UTF8.GetBytes(text, bytes);
        var hash = 2166136261u;
        for (var i = 0; i < length; i++)
        {
            hash = unchecked((hash ^ bytes[i]) * 16777619u);
        }

        return hash;
    }

    private static void CheckPartition(Hub h, int partitionId)
    {
        if ((uint)partitionId >= (uint)h.Partitions.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(partitionId), partitionId, string.Create(CultureInfo.InvariantCulture, $"event hub '{h.Name}' has partitions 0 to {h.Partitions.Length - 1}."));
        }
    }

    private static IReadOnlyDictionary<string, object> CopyProperties(IReadOnlyDictionary<string, object>? properties, int index)
    {
        if (properties is null || properties.Count == 0)
        {
            return NoProperties;
        }

        var copy = new Dictionary<string, object>(properties.Count, StringComparer.Ordinal);
        foreach (var (name, value) in properties)
        {
            if (value is not (string or bool or long or int or double or decimal or float or short or byte or uint or ulong or ushort or sbyte))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"event {index}: property '{name}' must be a string, number or bool; got {value?.GetType().Name ?? "null"}."), nameof(properties));
            }

            copy[name] = value;
        }

        return new ReadOnlyDictionary<string, object>(copy);
    }

    private Hub GetHub(string hub)
    {
        ArgumentNullException.ThrowIfNull(hub);
        return hubs.TryGetValue(hub, out var h)
            ? h
            : throw new KeyNotFoundException($"event hub '{hub}' does not exist in the local log (hubs: {string.Join(", ", hubs.Keys.Order(StringComparer.Ordinal))}).");
    }

    private sealed class Hub(string name, int partitionCount, int capacity)
    {
        private int roundRobin = -1;

        public string Name { get; } = name;

        public Partition[] Partitions { get; } = Enumerable.Range(0, partitionCount).Select(_ => new Partition(capacity)).ToArray();

        public int NextRoundRobin() => (int)((uint)Interlocked.Increment(ref roundRobin) % (uint)Partitions.Length);
    }

    /// <summary>One partition: a ring of the newest events that grows on demand up to its capacity. Callers hold <see cref="Gate"/>.</summary>
    private sealed class Partition
    {
        private readonly int capacity;
        private LocalEvent[] ring;
        private int head;
        private int count;
        private long nextOffset;
        private TaskCompletionSource? waiters;

        public Partition(int capacity)
        {
            this.capacity = capacity;
            ring = new LocalEvent[Math.Min(capacity, 1024)];
        }

        public Lock Gate { get; } = new();

        public long FirstSequence => NextSequence - count;

        public long NextSequence { get; private set; }

        public DateTimeOffset? LastEnqueued { get; private set; }

        public LocalEvent Append(string hub, int partitionId, DateTimeOffset now, string? partitionKey, byte[] body, IReadOnlyDictionary<string, object> properties)
        {
            var enqueued = LastEnqueued is { } last && last > now ? last : now;
            var stored = new LocalEvent(hub, partitionId, NextSequence, nextOffset, enqueued, partitionKey, body, properties);
            if (count == ring.Length && ring.Length < capacity)
            {
                Grow();
            }

            if (count == ring.Length)
            {
                ring[head] = stored; // full: overwrite the oldest
                head = (head + 1) % ring.Length;
            }
            else
            {
                ring[(head + count) % ring.Length] = stored;
                count++;
            }

            NextSequence++;
            nextOffset += Math.Max(1, body.Length);
            LastEnqueued = enqueued;
            return stored;
        }

        public LocalEventBatch Read(long from, int maxCount)
        {
            var first = FirstSequence;
            var missed = from < first ? first - from : 0;
            var start = Math.Max(from, first);
            var available = Math.Max(0, NextSequence - start);
            var take = (int)Math.Min(available, maxCount);
            var events = new LocalEvent[take];
            var offset = (int)(start - first);
            for (var i = 0; i < take; i++)
            {
                events[i] = ring[(head + offset + i) % ring.Length];
            }

            return new LocalEventBatch(events, first, NextSequence, missed);
        }

        public TaskCompletionSource Waiters() => waiters ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource? TakeWaiters()
        {
            var taken = waiters;
            waiters = null;
            return taken;
        }

        private void Grow()
        {
            var bigger = new LocalEvent[(int)Math.Min((long)ring.Length * 2, capacity)];
            for (var i = 0; i < count; i++)
            {
                bigger[i] = ring[(head + i) % ring.Length];
            }

            ring = bigger;
            head = 0;
        }
    }
}
