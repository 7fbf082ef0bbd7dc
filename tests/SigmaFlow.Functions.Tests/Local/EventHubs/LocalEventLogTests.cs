using System.Collections.Concurrent;
using System.Text;
using SigmaFlow.Functions.Local.EventHubs;

namespace SigmaFlow.Functions.Tests.Local.EventHubs;

/// <summary>The partitioned in-memory log: routing, ordering, bounds, waiting and concurrent writers.</summary>
public sealed class LocalEventLogTests
{
    private static readonly DateTimeOffset Start = new(2026, 9, 1, 10, 0, 0, TimeSpan.Zero);

    // Computed by partition_hash_reference.py in this folder (FNV-1a 32-bit over UTF-8, Python standard library):
    //   '': fnv1a = 2166136261, partition of 4 = 1, of 32 = 5
    //   'a': fnv1a = 3826002220, partition of 4 = 0, of 32 = 12
    //   'BTCUSD': fnv1a = 282597168, partition of 4 = 0, of 32 = 16
    //   'ETHUSD': fnv1a = 4109145476, partition of 4 = 0, of 32 = 4
    //   'AAPL': fnv1a = 1489842955, partition of 4 = 3, of 32 = 11
    //   '€URO': fnv1a = 1063636341, partition of 4 = 1, of 32 = 21
    [Theory]
    [InlineData("", 1, 5)]
    [InlineData("a", 0, 12)]
    [InlineData("BTCUSD", 0, 16)]
    [InlineData("ETHUSD", 0, 4)]
    [InlineData("AAPL", 3, 11)]
    [InlineData("€URO", 1, 21)]
    public void PartitionFor_Key_MatchesTheReferenceScript(string key, int ofFour, int ofThirtyTwo)
    {
        Assert.Equal(ofFour, LocalEventLog.PartitionFor(key, 4));
        Assert.Equal(ofThirtyTwo, LocalEventLog.PartitionFor(key, 32));
    }

    [Fact]
    public void Append_SameKey_SamePartitionWithIncreasingSequenceOffsetAndTime()
    {
        var clock = new ManualClock(Start);
        var log = new LocalEventLog(clock: clock);
        var stored = new List<LocalEvent>();
        for (var i = 0; i < 5; i++)
        {
            stored.Add(log.Append("ticks", "AAPL", null, Encoding.UTF8.GetBytes($"tick-{i}")));
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.All(stored, e => Assert.Equal(3, e.PartitionId));
        Assert.Equal([0L, 1, 2, 3, 4], stored.Select(e => e.SequenceNumber).ToArray());
        Assert.Equal([0L, 6, 12, 18, 24], stored.Select(e => e.Offset).ToArray());
        Assert.Equal(Start.AddMilliseconds(40), stored[4].EnqueuedTime);
        Assert.Equal("AAPL", stored[0].PartitionKey);
        Assert.Equal("tick-2", Encoding.UTF8.GetString(stored[2].Body.Span));
    }

    [Fact]
    public void Append_ClockGoesBack_EnqueuedTimeNeverDecreases()
    {
        var clock = new ManualClock(Start);
        var log = new LocalEventLog(clock: clock);
        var first = log.Append("ticks", "k", null, "a"u8);
        clock.Advance(TimeSpan.FromSeconds(-5));
        var second = log.Append("ticks", "k", null, "b"u8);
        Assert.Equal(first.EnqueuedTime, second.EnqueuedTime);
    }

    [Fact]
    public void Append_NoKey_GoesRoundRobin()
    {
        var log = new LocalEventLog();
        var partitions = Enumerable.Range(0, 8).Select(_ => log.Append("ticks", null, null, "x"u8).PartitionId).ToArray();
        Assert.Equal([0, 1, 2, 3, 0, 1, 2, 3], partitions);
    }

    [Fact]
    public void AppendBatch_NoKey_WholeBatchOnOnePartitionContiguously()
    {
        var log = new LocalEventLog();
        log.Append("ticks", null, null, "first"u8);
        var batch = log.AppendBatch("ticks", null, Enumerable.Range(0, 6).Select(i => new LocalEventInput(new[] { (byte)i })).ToList());
        Assert.All(batch, e => Assert.Equal(1, e.PartitionId));
        Assert.Equal([0L, 1, 2, 3, 4, 5], batch.Select(e => e.SequenceNumber).ToArray());
    }

    [Fact]
    public void AppendBatch_MixedKeys_EachKeyOnItsPartitionInOrder()
    {
        var log = new LocalEventLog();
        var inputs = new List<LocalEventInput>();
        for (var i = 0; i < 9; i++)
        {
            inputs.Add(new LocalEventInput(new[] { (byte)i }, PartitionKey: i % 3 == 0 ? "AAPL" : i % 3 == 1 ? "€URO" : "BTCUSD"));
        }

        var stored = log.AppendBatch("ticks", null, inputs);
        Assert.Equal([3, 1, 0, 3, 1, 0, 3, 1, 0], stored.Select(e => e.PartitionId).ToArray());
        var aapl = log.Read("ticks", 3, 0, 10).Events;
        Assert.Equal([0, 3, 6], aapl.Select(e => (int)e.Body.Span[0]).ToArray());
    }

    [Fact]
    public void AppendBatch_FixedPartitionAndKey_ThrowsAndStoresNothing()
    {
        var log = new LocalEventLog();
        var error = Assert.Throws<ArgumentException>(() => log.AppendBatch("ticks", 2, [new LocalEventInput(new byte[1]), new LocalEventInput(new byte[1], PartitionKey: "AAPL")]));
        Assert.Contains("event 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, log.GetPartitionInfo("ticks", 2).Count);
    }

    [Fact]
    public void Append_UnknownHubOrPartition_SaysWhatExists()
    {
        var log = new LocalEventLog();
        var hub = Assert.Throws<KeyNotFoundException>(() => log.Append("orders", null, null, "x"u8));
        Assert.Contains("'orders'", hub.Message, StringComparison.Ordinal);
        Assert.Contains("ticks", hub.Message, StringComparison.Ordinal);
        var partition = Assert.Throws<ArgumentOutOfRangeException>(() => log.Append("ticks", null, 4, "x"u8));
        Assert.Contains("partitions 0 to 3", partition.Message, StringComparison.Ordinal);
        Assert.False(log.TryGetPartitionCount("orders", out _));
        Assert.True(log.TryGetPartitionCount("TICKS", out var count));
        Assert.Equal(4, count);
    }

    [Fact]
    public void Append_UnsupportedProperty_NamesIt()
    {
        var log = new LocalEventLog();
        var error = Assert.Throws<ArgumentException>(() => log.Append("ticks", null, null, "x"u8, new Dictionary<string, object> { ["when"] = DateTime.UnixEpoch }));
        Assert.Contains("'when'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FromTheMiddle_ReturnsABatchInOrder()
    {
        var log = new LocalEventLog();
        for (var i = 0; i < 10; i++)
        {
            log.Append("ticks", null, 2, new[] { (byte)i });
        }

        var batch = log.Read("ticks", 2, 4, 3);
        Assert.Equal([4L, 5, 6], batch.Events.Select(e => e.SequenceNumber).ToArray());
        Assert.Equal(0, batch.FirstAvailableSequenceNumber);
        Assert.Equal(10, batch.NextSequenceNumber);
        Assert.Equal(0, batch.Missed);
        Assert.Empty(log.Read("ticks", 2, 10, 5).Events);
        Assert.Empty(log.Read("ticks", 1, 0, 5).Events);
    }

    [Fact]
    public void Append_PastTheBound_DropsOldestAndReaderLearnsFirstAvailable()
    {
        var log = new LocalEventLog(new LocalEventLogOptions { MaxEventsPerPartition = 5 });
        for (var i = 0; i < 12; i++)
        {
            log.Append("ticks", "AAPL", null, new[] { (byte)i });
        }

        var batch = log.Read("ticks", 3, 0, 100);
        Assert.Equal(7, batch.FirstAvailableSequenceNumber);
        Assert.Equal(7, batch.Missed);
        Assert.Equal([7L, 8, 9, 10, 11], batch.Events.Select(e => e.SequenceNumber).ToArray());
        Assert.Equal([7, 8, 9, 10, 11], batch.Events.Select(e => (int)e.Body.Span[0]).ToArray());
        Assert.Equal(5, log.GetPartitionInfo("ticks", 3).Count);
    }

    [Fact]
    public void Append_BeyondTheInitialRing_GrowsThenBoundsKeepingOrder()
    {
        var log = new LocalEventLog(new LocalEventLogOptions { MaxEventsPerPartition = 3000 });
        for (var i = 0; i < 3500; i++)
        {
            log.Append("ticks", null, 0, BitConverter.GetBytes(i));
        }

        var batch = log.Read("ticks", 0, 0, 5000);
        Assert.Equal(500, batch.FirstAvailableSequenceNumber);
        Assert.Equal(Enumerable.Range(500, 3000), batch.Events.Select(e => BitConverter.ToInt32(e.Body.Span)));
        Assert.Equal(Enumerable.Range(500, 3000).Select(i => (long)i), batch.Events.Select(e => e.SequenceNumber));
    }

    [Fact]
    public async Task WaitForEventsAsync_NothingNew_WakesOnAppend()
    {
        var log = new LocalEventLog();
        log.Append("ticks", null, 1, "old"u8);
        var wait = log.WaitForEventsAsync("ticks", 1, 0, TestContext.Current.CancellationToken);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(wait.IsCompleted);

        _ = Task.Run(() => log.Append("ticks", null, 1, "new"u8), TestContext.Current.CancellationToken);
        var last = await wait.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(1, last);
    }

    [Fact]
    public async Task WaitForEventsAsync_AlreadyThere_CompletesAtOnce()
    {
        var log = new LocalEventLog();
        log.Append("ticks", null, 0, "a"u8);
        log.Append("ticks", null, 0, "b"u8);
        var wait = log.WaitForEventsAsync("ticks", 0, -1, TestContext.Current.CancellationToken);
        Assert.True(wait.IsCompletedSuccessfully);
        Assert.Equal(1, await wait);
    }

    [Fact]
    public async Task WaitForEventsAsync_Cancelled_Throws()
    {
        var log = new LocalEventLog();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var wait = log.WaitForEventsAsync("ticks", 0, -1, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Fact]
    public async Task AppendBatch_ConcurrentWriters_EveryEventOnceWithUniqueSequencesPerPartition()
    {
        var log = new LocalEventLog(new LocalEventLogOptions { MaxEventsPerPartition = 100_000 });
        string[] symbols = ["BTCUSD", "ETHUSD", "AAPL", "MSFT", "€URO", "SOLUSD", "TSLA"];
        const int Writers = 4;
        const int PerWriter = 3000;
        using var start = new ManualResetEventSlim();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(
            () =>
            {
                start.Wait(TestContext.Current.CancellationToken);
                for (var i = 0; i < PerWriter; i += 3)
                {
                    var batch = Enumerable.Range(i, 3)
                        .Select(n => new LocalEventInput(Encoding.UTF8.GetBytes($"{w}:{n}"), PartitionKey: n % 5 == 4 ? null : symbols[n % symbols.Length]))
                        .ToList();
                    log.AppendBatch("ticks", null, batch);
                }
            },
            TestContext.Current.CancellationToken)).ToArray();

        // A reader follows partition 0 while the writers run, waiting instead of polling, until it meets the end mark.
        var followed = new List<LocalEvent>();
        var reader = Task.Run(
            async () =>
            {
                var next = 0L;
                while (true)
                {
                    await log.WaitForEventsAsync("ticks", 0, next - 1, TestContext.Current.CancellationToken);
                    foreach (var e in log.Read("ticks", 0, next, 500).Events)
                    {
                        if (e.Body.Span.SequenceEqual("END"u8))
                        {
                            return;
                        }

                        followed.Add(e);
                        next = e.SequenceNumber + 1;
                    }
                }
            },
            TestContext.Current.CancellationToken);

        start.Set();
        await Task.WhenAll(writers);
        log.Append("ticks", null, 0, "END"u8);
        await reader.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var bodies = new ConcurrentDictionary<string, int>();
        for (var p = 0; p < 4; p++)
        {
            var events = log.Read("ticks", p, 0, int.MaxValue).Events;
            Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long)i), events.Select(e => e.SequenceNumber));
            Assert.True(events.Zip(events.Skip(1)).All(pair => pair.First.Offset < pair.Second.Offset));
            foreach (var e in events.Where(e => !e.Body.Span.SequenceEqual("END"u8)))
            {
                Assert.True(bodies.TryAdd(Encoding.UTF8.GetString(e.Body.Span), p), "an event was stored twice");
                if (e.PartitionKey is not null)
                {
                    Assert.Equal(LocalEventLog.PartitionFor(e.PartitionKey, 4), p);
                }
            }

            // Each writer's events for one key keep the writer's order.
            foreach (var group in events.Where(e => e.PartitionKey is not null).GroupBy(e => (e.PartitionKey, Encoding.UTF8.GetString(e.Body.Span).Split(':')[0])))
            {
                var numbers = group.Select(e => int.Parse(Encoding.UTF8.GetString(e.Body.Span).Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
                Assert.Equal(numbers.Order(), numbers);
            }
        }

        Assert.Equal(Writers * PerWriter, bodies.Count);
        Assert.Equal(log.Read("ticks", 0, 0, int.MaxValue).Events.SkipLast(1).Select(e => e.SequenceNumber), followed.Select(e => e.SequenceNumber));
    }

    [Theory]
    [InlineData("ticks", 0, 10, "Hubs")]
    [InlineData("ticks", 33, 10, "Hubs")]
    [InlineData("-bad", 4, 10, "Hubs")]
    [InlineData("ticks", 4, 0, "MaxEventsPerPartition")]
    public void Options_OutOfRange_NameTheSetting(string hub, int partitions, int maxEvents, string setting)
    {
        var options = new LocalEventLogOptions { Hubs = new Dictionary<string, int> { [hub] = partitions }, MaxEventsPerPartition = maxEvents };
        var error = Assert.Throws<ArgumentException>(() => new LocalEventLog(options));
        Assert.Equal(setting, error.ParamName);
        Assert.Contains(setting == "Hubs" ? hub : "0", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}
