using System.Collections.ObjectModel;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;

namespace SigmaFlow.Functions.Local.EventHubs;

/// <summary>
/// The local stand-in's storage: per event hub, a fixed number of partitions, each an append-only log with sequence
/// numbers, offsets and enqueued times, bounded in size (the oldest events are dropped). Events with a partition key
/// always land on the partition <see cref="PartitionFor"/> picks (FNV-1a of the key, stable across processes and
/// runs); events without one go round robin. Readers read by sequence number and can await new events without
/// polling. In memory only by default; with <see cref="LocalEventLogOptions.DataDirectory"/> every append is also
/// written to append-only files before it returns, and a new log on the same folder reloads them, so sequence
/// numbers, offsets, enqueued times and the <see cref="Epoch"/> continue across restarts, as Event Hubs keeps its
/// events while a consumer restarts. Thread-safe: writers and readers of one partition serialise on that partition's
/// lock only.
/// </summary>
public sealed class LocalEventLog : IDisposable
{
    private static readonly IReadOnlyDictionary<string, object> NoProperties = new ReadOnlyDictionary<string, object>(new Dictionary<string, object>());
    private readonly Dictionary<string, Hub> hubs;
    private readonly int maxEventsPerPartition;
    private readonly EventLogDirectory? directory;
    private long pinnedTicks = NotPinned;

    /// <summary>Creates the log: empty, or reloaded from <see cref="LocalEventLogOptions.DataDirectory"/>.</summary>
    /// <param name="options">Hubs, partition counts, retention and data directory, or null for the defaults (hub <c>ticks</c>, 4 partitions, in memory).</param>
    /// <param name="clock">Clock for enqueued times, or null for the system clock.</param>
    /// <exception cref="ArgumentException">The options are out of range.</exception>
    /// <exception cref="InvalidDataException">The data directory holds a damaged log (other than a torn last record, which is dropped and reported in <see cref="Recovery"/>), or keeps a hub with another partition count; the message names the file and the rule.</exception>
    /// <exception cref="IOException">The data directory is in use by another log or cannot be read or written.</exception>
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
        if (options.DataDirectory is null)
        {
            Epoch = Guid.NewGuid().ToString("N");
            return;
        }

        directory = EventLogDirectory.Open(options.DataDirectory, Hubs);
        try
        {
            // Partitions reload side by side (a full log of 4 × 100,000 ticks is about 55 MB and 1 s of CPU).
            var all = hubs.Values.OrderBy(h => h.Name, StringComparer.OrdinalIgnoreCase)
                .SelectMany(h => Enumerable.Range(0, h.Partitions.Length).Select(p => (Hub: h, Id: p)))
                .ToArray();
            var repairs = new List<string>[all.Length];
            try
            {
                Parallel.For(0, all.Length, i =>
                {
                    var (hub, id) = all[i];
                    var partition = hub.Partitions[id];
                    repairs[i] = [];
                    partition.Files = PartitionFiles.Open(directory.PartitionFolder(hub.Name, id), hub.Name, id, maxEventsPerPartition, partition.Add, out var next, repairs[i]);
                    partition.Continue(next.SequenceNumber, next.Offset);
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw(); // the damaged file's own exception
                throw;
            }

            Epoch = directory.Epoch;
            Recovery = new LocalEventLogRecovery(directory.FullPath, directory.Created, all.Sum(p => (long)p.Hub.Partitions[p.Id].Count), repairs.SelectMany(r => r).ToList());
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The clock enqueued times come from (the stand-in also checks token expiry against it).</summary>
    public TimeProvider Clock { get; }

    /// <summary>The hubs and their partition counts.</summary>
    public IReadOnlyDictionary<string, int> Hubs { get; }

    /// <summary>Events each partition retains.</summary>
    public int MaxEventsPerPartition => maxEventsPerPartition;

    /// <summary>
    /// The log's identity: a new id for each in-memory log, the id kept in the data directory for a durable one (the
    /// same after every reload). Consumers store it with their checkpoints: a checkpoint of another epoch belongs to a
    /// log whose sequence numbers started again.
    /// </summary>
    public string Epoch { get; }

    /// <summary>What was reloaded from the data directory (events, torn records dropped), or null for an in-memory log.</summary>
    public LocalEventLogRecovery? Recovery { get; }

    /// <summary>The enqueued time pinned by <see cref="PinEnqueuedTime"/>, or null when the clock stamps events.</summary>
    public DateTimeOffset? PinnedEnqueuedTime => Interlocked.Read(ref pinnedTicks) is var ticks && ticks != NotPinned ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    private const long NotPinned = long.MinValue;

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

    /// <summary>
    /// Test hook: stamps events appended from now on with this enqueued time instead of the clock's (still never earlier
    /// than a partition's previous event), or with the clock's again for null. Event Hubs stamps events with the
    /// broker's clock, and the live pipeline closes bars by enqueued time; pinning the broker's clock lets a test play
    /// minutes of market time in seconds and get the same bars whatever the speed.
    /// </summary>
    /// <param name="time">The enqueued time for the next appends, or null for the clock.</param>
    public void PinEnqueuedTime(DateTimeOffset? time) => Interlocked.Exchange(ref pinnedTicks, time?.UtcTicks ?? NotPinned);

    /// <summary>Writes nothing more to the data directory and releases it (an in-memory log has nothing to release). Appends fail afterwards; reads still work.</summary>
    public void Dispose()
    {
        foreach (var hub in hubs.Values)
        {
            foreach (var partition in hub.Partitions)
            {
                lock (partition.Gate)
                {
                    partition.Files?.Dispose();
                }
            }
        }

        directory?.Dispose();
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
    /// <exception cref="IOException">A durable log could not write a partition's events (that partition is unchanged; partitions written before it keep theirs).</exception>
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
        var pinned = Interlocked.Read(ref pinnedTicks);
        var now = pinned != NotPinned ? new DateTimeOffset(pinned, TimeSpan.Zero) : Clock.GetUtcNow();
        var staged = new List<LocalEvent>(events.Count);
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
                // Numbered first, written to the files (when durable), then made visible: a failed write leaves the
                // partition as it was.
                staged.Clear();
                var sequence = partition.NextSequence;
                var offset = partition.NextOffset;
                var enqueued = partition.LastEnqueued is { } last && last > now ? last : now;
                for (var i = 0; i < events.Count; i++)
                {
                    if (routes[i] == p)
                    {
                        stored[i] = new LocalEvent(h.Name, p, sequence++, offset, enqueued, events[i].PartitionKey, bodies[i], properties[i]);
                        offset += Math.Max(1, bodies[i].Length);
                        staged.Add(stored[i]);
                    }
                }

                partition.Files?.Append(staged);
                foreach (var e in staged)
                {
                    partition.Add(e);
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

    /// <summary>One partition: a ring of the newest events that grows on demand up to its capacity, and its files when durable. Callers hold <see cref="Gate"/>.</summary>
    private sealed class Partition
    {
        private readonly int capacity;
        private LocalEvent[] ring;
        private int head;
        private int count;
        private TaskCompletionSource? waiters;

        public Partition(int capacity)
        {
            this.capacity = capacity;
            ring = new LocalEvent[Math.Min(capacity, 1024)];
        }

        public Lock Gate { get; } = new();

        public long FirstSequence => NextSequence - count;

        public long NextSequence { get; private set; }

        public long NextOffset { get; private set; }

        public DateTimeOffset? LastEnqueued { get; private set; }

        public int Count => count;

        public PartitionFiles? Files { get; set; }

        /// <summary>Adds the next event (numbered by the caller, or reloaded from the files) to the ring.</summary>
        public void Add(LocalEvent stored)
        {
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

            NextSequence = stored.SequenceNumber + 1;
            NextOffset = stored.Offset + Math.Max(1, stored.Body.Length);
            LastEnqueued = stored.EnqueuedTime;
        }

        /// <summary>After a reload: where numbering continues (the newest segment may have no event yet).</summary>
        public void Continue(long nextSequence, long nextOffset)
        {
            NextSequence = nextSequence;
            NextOffset = nextOffset;
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
