using System.Text;
using SigmaFlow.Functions.Local.EventHubs;

namespace SigmaFlow.Functions.Tests.Local.EventHubs;

/// <summary>
/// The log kept in a data directory: reload with the same numbers, times and epoch, continuation, retention on disk,
/// a torn last record dropped, other damage refused with the file and byte, a changed partition count refused, one
/// log per folder.
/// </summary>
public sealed class DurableEventLogTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 9, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly string[] PropertyNames = ["src", "n", "w", "live", "i"];
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("sigmaflow-eventlog-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void Reload_SameEventsNumbersTimesAndEpoch_ThenNumberingContinues()
    {
        var clock = new ManualClock(Start);
        var properties = new Dictionary<string, object> { ["src"] = "feed1", ["n"] = 3L, ["w"] = 0.5, ["live"] = true, ["i"] = 7 };
        List<LocalEvent> before;
        string epoch;
        using (var log = Open(clock: clock))
        {
            Assert.True(log.Recovery!.Created);
            log.AppendBatch("ticks", null, [new LocalEventInput("{\"p\":1}"u8.ToArray(), properties, "AAPL"), new LocalEventInput("{\"p\":2}"u8.ToArray(), null, "AAPL")]);
            clock.Advance(TimeSpan.FromSeconds(1));
            log.Append("ticks", null, 1, ""u8);
            log.Append("ticks", "ETHUSD", null, "€ body"u8);
            before = [.. All(log)];
            epoch = log.Epoch;
        }

        clock.Advance(TimeSpan.FromSeconds(-30)); // the restarted process's clock is behind: enqueued times still never go back
        using (var log = Open(clock: clock))
        {
            Assert.False(log.Recovery!.Created);
            Assert.Equal(4, log.Recovery.Events);
            Assert.Empty(log.Recovery.Repairs);
            Assert.Equal(epoch, log.Epoch);
            var after = All(log);
            Assert.Equal(before.Count, after.Count);
            for (var i = 0; i < before.Count; i++)
            {
                Assert.Equal(Describe(before[i]), Describe(after[i]));
            }

            // Numbers come back as long or double, as the REST endpoint stores them.
            Assert.Equal([typeof(string), typeof(long), typeof(double), typeof(bool), typeof(long)], PropertyNames.Select(k => after.First(e => e.Properties.Count > 0).Properties[k].GetType()));

            var next = log.Append("ticks", "AAPL", null, "{\"p\":3}"u8);
            Assert.Equal(2, next.SequenceNumber);
            Assert.Equal(14, next.Offset); // 7 + 7 bytes before it
            Assert.Equal(Start, next.EnqueuedTime); // the partition's last event was enqueued at Start; the clock now says 29 s before
        }

        using (var log = Open(clock: clock))
        {
            Assert.Equal(3, log.GetPartitionInfo("ticks", LocalEventLog.PartitionFor("AAPL", 4)).NextSequenceNumber);
            Assert.Equal("{\"p\":3}", Encoding.UTF8.GetString(log.Read("ticks", LocalEventLog.PartitionFor("AAPL", 4), 2, 1).Events[0].Body.Span));
        }
    }

    [Fact]
    public void Reload_KeepsTheRetention_InMemoryAndOnDisk()
    {
        using (var log = Open(maxEvents: 8))
        {
            for (var i = 0; i < 30; i++)
            {
                log.Append("ticks", null, 0, Encoding.UTF8.GetBytes($"event {i}"));
            }

            Assert.Equal(22, log.GetPartitionInfo("ticks", 0).FirstAvailableSequenceNumber);
        }

        // Segments of 2 events: the newest 8 events need at most 5 files (the newest partly filled).
        var files = Directory.GetFiles(Path.Combine(folder.FullName, "ticks", "0"), "*.events").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.InRange(files.Count, 4, 5);
        Assert.Equal("00000000000000000028.events", files[^1]);

        using (var log = Open(maxEvents: 8))
        {
            var info = log.GetPartitionInfo("ticks", 0);
            Assert.Equal((22L, 30L), (info.FirstAvailableSequenceNumber, info.NextSequenceNumber));
            Assert.Equal(Enumerable.Range(22, 8).Select(i => $"event {i}"), log.Read("ticks", 0, 0, 100).Events.Select(e => Encoding.UTF8.GetString(e.Body.Span)));
            Assert.Equal(22, log.Read("ticks", 0, 0, 100).Missed);
        }
    }

    [Theory]
    [InlineData("cut", 5)]
    [InlineData("cut", 40)]
    [InlineData("flip", 0)]
    [InlineData("garbage", 3)]
    [InlineData("zeros", 64)]
    public void Reload_TornLastRecord_IsDroppedAndReported_AndItsNumberIsReused(string damage, int bytes)
    {
        using (var log = Open())
        {
            for (var i = 0; i < 5; i++)
            {
                log.Append("ticks", null, 2, Encoding.UTF8.GetBytes($"{{\"tick\":{i},\"padding\":\"0123456789012345678901234567890123456789\"}}"));
            }
        }

        var file = Directory.GetFiles(Path.Combine(folder.FullName, "ticks", "2"), "*.events").Single();
        var length = new FileInfo(file).Length;
        var recordLength = (length - 24) / 5;
        var expectedKept = 4;
        switch (damage)
        {
            case "cut": // a crash in the middle of writing the last record
                using (var stream = new FileStream(file, FileMode.Open))
                {
                    stream.SetLength(length - bytes);
                }

                break;
            case "flip": // the last record's bytes reached the disk only in part
                var content = File.ReadAllBytes(file);
                content[^3] ^= 0x5A;
                File.WriteAllBytes(file, content);
                break;
            case "garbage": // the start of a record that never got further
                File.AppendAllText(file, new string('x', bytes));
                expectedKept = 5;
                break;
            default: // a file system that extended the file with zeros before the crash
                File.WriteAllBytes(file, [.. File.ReadAllBytes(file), .. new byte[bytes]]);
                expectedKept = 5;
                break;
        }

        using (var log = Open())
        {
            var repair = Assert.Single(log.Recovery!.Repairs);
            Assert.StartsWith("ticks/2: dropped a torn record at byte ", repair, StringComparison.Ordinal);
            Assert.Contains(Path.GetFileName(file), repair, StringComparison.Ordinal);
            Assert.Equal(expectedKept, log.GetPartitionInfo("ticks", 2).NextSequenceNumber);
            Assert.Equal(24 + (expectedKept * recordLength), new FileInfo(file).Length);
            var next = log.Append("ticks", null, 2, "after"u8);
            Assert.Equal(expectedKept, next.SequenceNumber);
        }

        using (var log = Open())
        {
            Assert.Empty(log.Recovery!.Repairs);
            Assert.Equal("after", Encoding.UTF8.GetString(log.Read("ticks", 2, expectedKept, 1).Events[0].Body.Span));
        }
    }

    [Fact]
    public void Reload_DamageInAnOlderSegment_FailsNamingTheFileAndByte()
    {
        using (var log = Open(maxEvents: 8))
        {
            for (var i = 0; i < 6; i++)
            {
                log.Append("ticks", null, 0, Encoding.UTF8.GetBytes($"event {i}"));
            }
        }

        var oldest = Path.Combine(folder.FullName, "ticks", "0", "00000000000000000000.events");
        var content = File.ReadAllBytes(oldest);
        content[^1] ^= 0x01; // the second record of a closed segment
        File.WriteAllBytes(oldest, content);

        var error = Assert.Throws<InvalidDataException>(() => Open(maxEvents: 8));
        Assert.Contains(oldest, error.Message, StringComparison.Ordinal);
        Assert.Contains("byte 75", error.Message, StringComparison.Ordinal); // a 24-byte header, then one record of 8 + 36 + 7 bytes
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
        Assert.Contains("move its folder away", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_SegmentsThatDoNotJoin_AreRefused()
    {
        using (var log = Open(maxEvents: 8))
        {
            for (var i = 0; i < 6; i++)
            {
                log.Append("ticks", null, 0, "x"u8);
            }
        }

        File.Delete(Path.Combine(folder.FullName, "ticks", "0", "00000000000000000002.events"));
        var error = Assert.Throws<InvalidDataException>(() => Open(maxEvents: 8));
        Assert.Contains("starts at sequence number 4 but the segment before it ends at 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_ForeignFile_IsRefused()
    {
        using (Open())
        {
        }

        var stray = Path.Combine(folder.FullName, "ticks", "1", "notes.events");
        File.WriteAllText(stray, "hello");
        var error = Assert.Throws<InvalidDataException>(() => Open());
        Assert.Contains("notes.events", error.Message, StringComparison.Ordinal);
        Assert.Contains("20-digit sequence number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_RandomBytesInTheNewestSegment_NeverCrash()
    {
        var random = new Random(42);
        for (var round = 0; round < 30; round++)
        {
            var root = Path.Combine(folder.FullName, "fuzz" + round);
            var options = new LocalEventLogOptions { Hubs = new Dictionary<string, int> { ["ticks"] = 1 }, DataDirectory = root };
            using (var log = new LocalEventLog(options))
            {
                for (var i = 0; i < 3; i++)
                {
                    log.Append("ticks", "k", null, Encoding.UTF8.GetBytes($"event {i}"));
                }
            }

            var file = Directory.GetFiles(Path.Combine(root, "ticks", "0"), "*.events").Single();
            var content = File.ReadAllBytes(file);
            var at = random.Next(24, content.Length);
            var noise = new byte[random.Next(1, 40)];
            random.NextBytes(noise);
            File.WriteAllBytes(file, [.. content.AsSpan(0, at), .. noise]);

            using var reloaded = new LocalEventLog(options);
            var info = reloaded.GetPartitionInfo("ticks", 0);
            Assert.InRange(info.NextSequenceNumber, 0, 3);
            Assert.Equal(info.NextSequenceNumber, reloaded.Append("ticks", "k", null, "next"u8).SequenceNumber);
        }
    }

    [Fact]
    public void Open_PartitionCountChanged_IsRefusedNamingTheHubAndCounts()
    {
        using (Open())
        {
        }

        var error = Assert.Throws<InvalidDataException>(() => Open(partitions: 8));
        Assert.Contains("event hub 'ticks' is kept there with 4 partitions but is configured with 8 now", error.Message, StringComparison.Ordinal);
        Assert.Contains("--partitions 4", error.Message, StringComparison.Ordinal);

        // A hub added later is recorded beside it.
        var options = new LocalEventLogOptions { Hubs = new Dictionary<string, int> { ["ticks"] = 4, ["trades"] = 2 }, DataDirectory = folder.FullName };
        using (new LocalEventLog(options))
        {
        }

        Assert.Contains("\"trades\": 2", File.ReadAllText(Path.Combine(folder.FullName, "log.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NotAManifest_IsRefused()
    {
        File.WriteAllText(Path.Combine(folder.FullName, "log.json"), "{\"format\":9}");
        var error = Assert.Throws<InvalidDataException>(() => Open());
        Assert.Contains("not a manifest of this log", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_FolderInUse_IsRefusedUntilTheFirstLogIsDisposed()
    {
        var first = Open();
        var error = Assert.Throws<IOException>(() => Open());
        Assert.Contains("in use by another process", error.Message, StringComparison.Ordinal);
        first.Dispose();
        Assert.Throws<ObjectDisposedException>(() => first.Append("ticks", null, 0, "late"u8));
        using var second = Open();
        Assert.Equal(first.Epoch, second.Epoch);
    }

    [Fact]
    public void InMemoryLog_HasItsOwnEpoch_AndNoRecovery()
    {
        using var one = new LocalEventLog();
        using var two = new LocalEventLog();
        Assert.NotEqual(one.Epoch, two.Epoch);
        Assert.Null(one.Recovery);
    }

    [Fact]
    public void PinEnqueuedTime_StampsAppends_UntilUnpinned_NeverGoingBack()
    {
        var clock = new ManualClock(Start);
        using var log = new LocalEventLog(clock: clock);
        log.PinEnqueuedTime(Start.AddMinutes(-10));
        Assert.Equal(Start.AddMinutes(-10), log.Append("ticks", null, 0, "a"u8).EnqueuedTime);
        log.PinEnqueuedTime(Start.AddMinutes(-9));
        Assert.Equal(Start.AddMinutes(-9), log.Append("ticks", null, 0, "b"u8).EnqueuedTime);
        log.PinEnqueuedTime(Start.AddMinutes(-20));
        Assert.Equal(Start.AddMinutes(-9), log.Append("ticks", null, 0, "c"u8).EnqueuedTime);
        log.PinEnqueuedTime(null);
        Assert.Null(log.PinnedEnqueuedTime);
        Assert.Equal(Start, log.Append("ticks", null, 0, "d"u8).EnqueuedTime);
    }

    [Fact]
    public void Options_BlankDataDirectory_NamesTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new LocalEventLog(new LocalEventLogOptions { DataDirectory = " " }));
        Assert.Equal("DataDirectory", error.ParamName);
    }

    private static List<LocalEvent> All(LocalEventLog log) =>
        Enumerable.Range(0, 4).SelectMany(p => log.Read("ticks", p, 0, 1000).Events).ToList();

    private static string Describe(LocalEvent e) =>
        $"{e.EventHubName}/{e.PartitionId}/{e.SequenceNumber}/{e.Offset}/{e.EnqueuedTime:O}/{e.PartitionKey}/{Encoding.UTF8.GetString(e.Body.Span)}/"
        + string.Join(",", e.Properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    private LocalEventLog Open(int partitions = 4, int maxEvents = 100_000, TimeProvider? clock = null) => new(
        new LocalEventLogOptions { Hubs = new Dictionary<string, int> { ["ticks"] = partitions }, MaxEventsPerPartition = maxEvents, DataDirectory = folder.FullName },
        clock);
}
