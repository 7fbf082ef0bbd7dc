using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Live;
using static SigmaFlow.Platform.Tests.Live.Ticks;

namespace SigmaFlow.Platform.Tests.Live;

/// <summary>The ingest pipeline with in-memory ports: bad input, duplicates, restarts, faults, watermarks, signals, push, health.</summary>
public sealed class IngestPipelineTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProcessAsync_BadEvents_AreDeadLetteredWithReasons_WhileGoodOnesProceed()
    {
        var store = new InMemoryIngestStore();
        var clock = new ManualClock(At(T0 + (2 * Minute)));
        using var pipeline = new IngestPipeline("3", Options(), store.Ports(), clock);
        var t = T0 + 1000;
        string Tick(string symbol, long time, double price, long seq, double bid = double.NaN, double ask = double.NaN) => Json(new Tick(symbol, time, price, 1, bid, ask, seq));
        var bodies = new[]
        {
            Tick("A", t, 100, 1),
            "not json",
            """{"symbol":"A","time":1767225601000,"size":1}""",
            Tick("A", t + 1, -5, 2),
            Tick("A", t + 120_000, 100, 3),
            Tick("B C", t + 2, 100, 1),
            Tick("A", t + 3, 200, 4),
            Tick("A", t + 4, 100, 5, bid: 101, ask: 100),
            """{"symbol":"A","note":" """ + new string('x', 5000) + "\"}",
            Tick("A", t + 5, 101, 6),
        };
        var events = bodies.Select((b, i) => new IngestEvent(b, 500 + i, At(t + 10 + i), "A", i == 1 ? "evt-1" : null)).ToArray();

        var report = await pipeline.ProcessAsync(new IngestBatch("3", events), Token);

        Assert.Equal(10, report.Events);
        Assert.Equal(2, report.Accepted);
        Assert.Equal(8, report.DeadLettered);
        Assert.Equal(509, report.Checkpoint);
        var letters = store.DeadLetters.Values.OrderBy(d => d.SequenceNumber).ToList();
        Assert.Equal([501L, 502, 503, 504, 505, 506, 507, 508], letters.Select(d => d.SequenceNumber));
        Assert.All(letters, d => Assert.Equal("3", d.PartitionId));
        Assert.Equal(
            [DeadLetterReason.Malformed, DeadLetterReason.Malformed, DeadLetterReason.BadPrice, DeadLetterReason.Future, DeadLetterReason.BadSymbol, DeadLetterReason.Jump, DeadLetterReason.BadQuote, DeadLetterReason.Malformed],
            letters.Select(d => d.Reason));
        Assert.Contains("not valid JSON", letters[0].Message, StringComparison.Ordinal);
        Assert.Equal("evt-1", letters[0].EventId);
        Assert.Equal("not json", letters[0].Body);
        Assert.Contains("'price' is required", letters[1].Message, StringComparison.Ordinal);
        Assert.Contains("price must be a positive number; got -5", letters[2].Message, StringComparison.Ordinal);
        Assert.Contains("time must not be more than 5 s after it was received", letters[3].Message, StringComparison.Ordinal);
        Assert.Contains("'symbol' must not hold white space", letters[4].Message, StringComparison.Ordinal);
        Assert.Equal("B C", letters[4].Symbol);
        Assert.Contains("price moved 100.0 % from the last accepted 100", letters[5].Message, StringComparison.Ordinal);
        Assert.Contains("bid ≤ ask", letters[6].Message, StringComparison.Ordinal);
        Assert.True(letters[7].BodyTruncated);
        Assert.Equal(2048, Encoding.UTF8.GetByteCount(letters[7].Body));
        Assert.Equal(Encoding.UTF8.GetByteCount(bodies[8]), letters[7].BodyBytes);
        Assert.Equal(101, store.Quotes["A"].Price);
        Assert.Equal(6, store.States[("3", "A")].LastSequence);
    }

    [Fact]
    public async Task ProcessAsync_SameBatchesAgain_CountNothingTwice_AndBarVolumesAreTheTickSizes()
    {
        var ticks = Simulate(3000, ["A", "B"]);
        var batches = Batches(Events(ticks), 64);
        var store = new InMemoryIngestStore();
        using var pipeline = new IngestPipeline("0", Options(), store.Ports(), new ManualClock(At(T0)));
        foreach (var batch in batches)
        {
            await pipeline.ProcessAsync(batch, Token);
        }

        var before = Snapshot(store);
        var reports = new List<IngestReport>();
        foreach (var batch in batches.Take(5).Concat(batches.TakeLast(3)))
        {
            reports.Add(await pipeline.ProcessAsync(batch, Token));
        }

        Assert.All(reports, r => Assert.Equal(r.Events, r.Duplicates));
        Assert.All(reports, r => Assert.Equal(0, r.Accepted));
        Assert.Equal(before, Snapshot(store));
        AssertVolumesAreTickSizes(store, ticks);
    }

    [Fact]
    public async Task ProcessAsync_ReplayAfterRestartWithNewSequenceNumbers_SkipsTicksBySeq()
    {
        var ticks = Simulate(2000, ["A", "B"]);
        var store = new InMemoryIngestStore();
        var clock = new ManualClock(At(T0));
        using (var first = new IngestPipeline("0", Options(), store.Ports(), clock))
        {
            foreach (var batch in Batches(Events(ticks), 50))
            {
                await first.ProcessAsync(batch, Token);
            }
        }

        // The local runtime restarted: its log numbers events from 0 again, and the feed re-sends the last 300 ticks
        // (same seq) before new ones.
        var more = Simulate(2400, ["A", "B"])[2000..];
        var resent = ticks[^300..].Concat(more).ToArray();
        var replay = resent.Select((t, i) => new IngestEvent(Json(t), i, At(Math.Max(t.Time + 100, ticks[^1].Time + 101 + i)), t.Symbol)).ToArray();
        using var second = new IngestPipeline("0", Options(), store.Ports(), clock);
        var reports = new List<IngestReport>();
        foreach (var batch in Batches(replay, 50))
        {
            reports.Add(await second.ProcessAsync(batch, Token));
        }

        Assert.Equal(300, reports.Sum(r => r.Duplicates));
        Assert.Equal(400, reports.Sum(r => r.Accepted));
        Assert.Equal(0, reports.Sum(r => r.DeadLettered));
        Assert.Equal(replay[^1].SequenceNumber, store.Checkpoints[("ticks", "0")].SequenceNumber);
        AssertVolumesAreTickSizes(store, ticks.Concat(more).ToArray());
    }

    [Fact]
    public async Task ProcessAsync_PublisherRestartsItsNumbering_NewerTicksAreTaken_RetriedOnesAreNot()
    {
        var store = new InMemoryIngestStore();
        using var pipeline = new IngestPipeline("0", Options(), store.Ports(), new ManualClock(At(T0)));
        var first = Enumerable.Range(1, 10).Select(i => new Tick("A", T0 + (i * 1000), 100 + i, 1, Sequence: i)).ToArray();
        await pipeline.ProcessAsync(new IngestBatch("0", Events(first)), Token);

        // A retried publish of seq 4 (old time), then the publisher restarted at seq 1 with new ticks.
        var next = new[] { first[3] }.Concat(Enumerable.Range(1, 3).Select(i => new Tick("A", T0 + 20_000 + (i * 1000), 120 + i, 1, Sequence: i))).ToArray();
        var report = await pipeline.ProcessAsync(new IngestBatch("0", Events(next, firstSequence: 10)), Token);

        Assert.Equal(1, report.Duplicates);
        Assert.Equal(3, report.Accepted);
        Assert.Equal(3, store.States[("0", "A")].LastSequence);
        Assert.Equal(123, store.Quotes["A"].Price);
    }

    [Fact]
    public async Task ProcessAsync_LateTicks_InsideTheToleranceUpdateTheirBar_LaterOnesAreDeadLettered()
    {
        var store = new InMemoryIngestStore();
        using var pipeline = new IngestPipeline("0", Options(), store.Ports(), new ManualClock(At(T0)));
        var batch1 = new[]
        {
            new IngestEvent(Json(new Tick("A", T0 + 10_000, 100, 1)), 0, At(T0 + 10_050)),
            new IngestEvent(Json(new Tick("A", T0 + 61_000, 101, 1)), 1, At(T0 + 61_050)),
            new IngestEvent(Json(new Tick("A", T0 + 59_000, 99, 2)), 2, At(T0 + 61_500)),
        };
        var first = await pipeline.ProcessAsync(new IngestBatch("0", batch1), Token);
        Assert.Equal(3, first.Accepted);
        Assert.Empty(store.FinalBars("A", "1m"));

        var batch2 = new[]
        {
            new IngestEvent(Json(new Tick("A", T0 + 63_000, 102, 1)), 3, At(T0 + 63_050)),
            new IngestEvent(Json(new Tick("A", T0 + 58_000, 98, 4)), 4, At(T0 + 63_100)),
        };
        var second = await pipeline.ProcessAsync(new IngestBatch("0", batch2), Token);

        Assert.Equal(1, second.Accepted);
        Assert.Equal(1, second.Late);
        var bar = Assert.Single(store.FinalBars("A", "1m"));
        Assert.Equal(new Ohlcv(T0, 100, 100, 99, 99, 3), bar);
        var late = Assert.Single(store.DeadLetters.Values);
        Assert.Equal(DeadLetterReason.Late, late.Reason);
        Assert.Contains("falls in a bar that is already final", late.Message, StringComparison.Ordinal);
        Assert.Equal(4, late.SequenceNumber);
    }

    [Fact]
    public async Task ProcessAsync_QuietSymbol_ItsBarClosesAtTheBatchWatermark()
    {
        var store = new InMemoryIngestStore();
        using var pipeline = new IngestPipeline("0", Options(), store.Ports(), new ManualClock(At(T0)));
        var events = new[]
        {
            new IngestEvent(Json(new Tick("A", T0 + 30_000, 100, 1)), 0, At(T0 + 30_100)),
            new IngestEvent(Json(new Tick("B", T0 + 40_000, 50, 1)), 1, At(T0 + 40_100)),
        };
        await pipeline.ProcessAsync(new IngestBatch("0", events), Token);
        var later = new[] { new IngestEvent(Json(new Tick("B", T0 + 62_500, 51, 1)), 2, At(T0 + 62_600)) };
        await pipeline.ProcessAsync(new IngestBatch("0", later), Token);

        Assert.Equal([new Ohlcv(T0, 100, 100, 100, 100, 1)], store.FinalBars("A", "1m"));
        Assert.Equal([new Ohlcv(T0, 50, 50, 50, 50, 1)], store.FinalBars("B", "1m"));
        Assert.Equal(T0 + Minute, store.States[("0", "A")].Live.Bars.FinalUntil);
    }

    [Fact]
    public async Task ProcessAsync_RestartInTheMiddleOfAMinute_GivesExactlyTheStateOfAnUninterruptedRun()
    {
        var ticks = Simulate(6000, ["A", "B", "C"], ticksPerSecond: 0.8);
        var batches = Batches(Events(ticks), 37);
        var reference = await RunAsync(batches, Options(LiveStrategies.Default()));
        Assert.NotEmpty(reference.Signals);

        // Cut where the last tick of the batch is 30 s into its minute.
        var cut = batches.FindIndex(b => b.Events.Count > 0 && (b.Events[^1].EnqueuedTime.ToUnixTimeMilliseconds() - T0) % Minute is > 20_000 and < 40_000 && b.Events[0].EnqueuedTime.ToUnixTimeMilliseconds() > T0 + (10 * Minute));
        var store = new InMemoryIngestStore();
        var clock = new ManualClock(At(T0));
        using (var before = new IngestPipeline("0", Options(LiveStrategies.Default()), store.Ports(), clock))
        {
            foreach (var batch in batches.Take(cut))
            {
                await before.ProcessAsync(batch, Token);
            }
        }

        Assert.NotEmpty(store.States[("0", "A")].Live.Bars.Open);
        using var after = new IngestPipeline("0", Options(LiveStrategies.Default()), store.Ports(), clock);
        var first = await after.ProcessAsync(batches[cut], Token);
        Assert.Equal(3, first.SymbolsLoaded);
        foreach (var batch in batches.Skip(cut + 1))
        {
            await after.ProcessAsync(batch, Token);
        }

        Assert.Equal(Snapshot(reference), Snapshot(store));
        Assert.Equal(reference.Alerts, store.Alerts);
    }

    [Theory]
    [InlineData("deadletters")]
    [InlineData("bars")]
    [InlineData("quotes")]
    [InlineData("signals")]
    [InlineData("alert")]
    [InlineData("states")]
    [InlineData("checkpoint")]
    public async Task ProcessAsync_StorageFailsBeforeTheCheckpoint_TheRerunGivesTheSameState(string failing)
    {
        var batches = FaultBatches();
        var options = Options(LiveStrategies.Default()) with { MaxAttempts = 1 };
        var reference = await RunAsync(batches, options);
        var store = new InMemoryIngestStore();
        using var pipeline = new IngestPipeline("0", options, store.Ports(), new ManualClock(At(T0)));
        var failed = 0;
        foreach (var batch in batches)
        {
            var armed = failed == 0 && batch.Events[0].SequenceNumber > 2000;
            store.Fault = armed ? op => op == failing ? new InvalidOperationException($"{op} is down") : null : null;
            try
            {
                await pipeline.ProcessAsync(batch, Token);
            }
            catch (InvalidOperationException e) when (e.Message == $"{failing} is down")
            {
                // The host's retry policy runs the invocation again.
                failed++;
                store.Fault = null;
                await pipeline.ProcessAsync(batch, Token);
            }
        }

        Assert.Equal(1, failed);
        Assert.Equal(Snapshot(reference), Snapshot(store));
        Assert.Equal(reference.Alerts, store.Alerts);
    }

    [Fact]
    public async Task ProcessAsync_NewSymbolsFirstBatchFailsAfterItsBarsWereStored_TheRerunGivesTheSameState()
    {
        var a = Enumerable.Range(0, 30).Select(i => new Tick("A", T0 + (i * 1000), 100 + (i * 0.1), 1, Sequence: i + 1)).ToArray();
        var c = Enumerable.Range(0, 40).Select(i => new Tick("C", T0 + 30_000 + (i * 1000), 50 + (i * 0.1), 1, Sequence: i + 1)).ToArray();
        var batches = new List<IngestBatch> { new("0", Events(a)), new("0", Events(c, firstSequence: 30)) };
        var reference = await RunAsync(batches, Options() with { MaxAttempts = 1 });
        Assert.Single(reference.FinalBars("C", "1m"));

        var store = new InMemoryIngestStore();
        using var pipeline = new IngestPipeline("0", Options() with { MaxAttempts = 1 }, store.Ports(), new ManualClock(At(T0)));
        await pipeline.ProcessAsync(batches[0], Token);
        var writes = 0;
        store.Fault = op => op == "states" && writes++ == 1 ? new InvalidOperationException("states are down") : null;
        await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.ProcessAsync(batches[1], Token));
        Assert.Single(store.FinalBars("C", "1m"));
        store.Fault = null;
        var rerun = await pipeline.ProcessAsync(batches[1], Token);

        Assert.Equal(0, rerun.DeadLettered);
        Assert.Equal(Snapshot(reference), Snapshot(store));
    }

    [Fact]
    public async Task ProcessAsync_CheckpointIsWrittenLast_InEveryBatch()
    {
        var batches = FaultBatches();
        var store = new InMemoryIngestStore();
        using var pipeline = new IngestPipeline("0", Options(LiveStrategies.Default()), store.Ports(), new ManualClock(At(T0)));
        foreach (var batch in batches)
        {
            var from = store.Writes.Count;
            await pipeline.ProcessAsync(batch, Token);
            var writes = store.Writes.Skip(from).ToList();
            Assert.Equal("checkpoint", writes[^1]);
            Assert.Single(writes, w => w == "checkpoint");
            var states = writes.LastIndexOf("states");
            Assert.All(writes.Where((w, i) => w is "bars" or "quotes" or "deadletters" or "signals" or "alert" or "alerted" && i > states), w => Assert.Fail($"{w} after the symbol states"));
        }

        Assert.Contains("deadletters", store.Writes);
        Assert.Contains("alerted", store.Writes);
    }

    [Fact]
    public async Task ProcessAsync_TransientFault_RunsTheBatchAgainInProcess()
    {
        var batches = FaultBatches();
        var options = Options(LiveStrategies.Default()) with { MaxAttempts = 2 };
        var reference = await RunAsync(batches, options);
        var store = new InMemoryIngestStore();
        var health = new IngestHealth(new ManualClock(At(T0)));
        using var pipeline = new IngestPipeline("0", options, store.Ports(), new ManualClock(At(T0)), health: health);
        var faults = 0;
        var reports = new List<IngestReport>();
        foreach (var batch in batches)
        {
            store.Fault = op => op == "states" && batch == batches[7] && faults++ == 0 ? new RequestFailedException(503, "Server busy") : null;
            reports.Add(await pipeline.ProcessAsync(batch, Token));
        }

        Assert.Equal(2, reports[7].Attempts);
        Assert.Contains("2 runs", reports[7].ToLogLine(), StringComparison.Ordinal);
        Assert.Equal(Snapshot(reference), Snapshot(store));
        var partition = Assert.Single(health.Snapshot());
        Assert.Equal(1, partition.FailedRuns);
        Assert.Equal(0, partition.ConsecutiveFailures);
        Assert.True(health.Healthy);

        // A fault that is not transient is thrown at once, and health says so until a batch succeeds.
        store.Fault = op => op == "checkpoint" ? new RequestFailedException(403, "AuthorizationFailure") : null;
        var late = new IngestBatch("0", Events([new Tick("A", T0 + (90 * Minute), 100, 1)], firstSequence: 100_000, delayMs: 0));
        await Assert.ThrowsAsync<RequestFailedException>(() => pipeline.ProcessAsync(late, Token));
        Assert.False(health.Healthy);
        Assert.Contains("AuthorizationFailure", health.Snapshot()[0].LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessAsync_SignalsAreRecordedAndAlertedOnce_EvenWhenEventsComeAgain()
    {
        var batches = FaultBatches();
        var store = new InMemoryIngestStore();
        var clock = new ManualClock(At(T0));
        using (var pipeline = new IngestPipeline("0", Options(LiveStrategies.Default()), store.Ports(), clock))
        {
            foreach (var batch in batches)
            {
                await pipeline.ProcessAsync(batch, Token);
            }
        }

        Assert.NotEmpty(store.Signals);
        Assert.Equal(store.Signals.Count, store.Alerts.Count);
        Assert.All(store.Signals.Values, s => Assert.True(s.Alerted));
        using var message = JsonDocument.Parse(store.Alerts[0]);
        Assert.Equal("signal", message.RootElement.GetProperty("type").GetString());
        Assert.Equal("ema-cross", message.RootElement.GetProperty("strategy").GetString());
        Assert.True(store.Signals.ContainsKey(message.RootElement.GetProperty("id").GetString()!));

        // Another instance receives the whole partition again (a rebalance with an old checkpoint): nothing new.
        using var again = new IngestPipeline("0", Options(LiveStrategies.Default()), store.Ports(), clock);
        foreach (var batch in batches)
        {
            var report = await again.ProcessAsync(batch, Token);
            Assert.Equal(0, report.Signals);
        }

        Assert.Equal(store.Signals.Count, store.Alerts.Count);
    }

    [Fact]
    public async Task ProcessAsync_FailureBetweenAlertAndMark_EnqueuesThatAlertAgain_AtLeastOnce()
    {
        var batches = FaultBatches();
        var store = new InMemoryIngestStore();
        using var pipeline = new IngestPipeline("0", Options(LiveStrategies.Default()) with { MaxAttempts = 1 }, store.Ports(), new ManualClock(At(T0)));
        var failed = false;
        foreach (var batch in batches)
        {
            store.Fault = failed ? null : op => op == "alerted" ? new InvalidOperationException("mark failed") : null;
            try
            {
                await pipeline.ProcessAsync(batch, Token);
            }
            catch (InvalidOperationException)
            {
                failed = true;
                store.Fault = null;
                await pipeline.ProcessAsync(batch, Token);
            }
        }

        Assert.True(failed);
        Assert.Equal(store.Signals.Count + 1, store.Alerts.Count);
        Assert.Equal(store.Signals.Count, store.Alerts.Distinct().Count());
    }

    [Fact]
    public async Task ProcessAsync_ColdStart_RebuildsTheSymbolFromStoredBars()
    {
        var ticks = Simulate(6000, ["A"], ticksPerSecond: 0.8);
        var options = Options(LiveStrategies.Default());
        var reference = new LiveSymbol("A", options.Live);
        var output = new LiveOutput();
        foreach (var t in ticks)
        {
            reference.Apply(t, t.Time + 100, output, out _);
        }

        // Bars of the first 30 minutes were stored by someone else (a backfill): no symbol state exists.
        var cutTime = T0 + (30 * Minute);
        var store = new InMemoryIngestStore();
        var stored = output.Final.Where(f => f.Update.Bar.Time < cutTime).ToList();
        await store.WriteFinalBarsAsync(stored, options.Live.IndicatorFields, Token);
        store.Writes.Clear();
        using var pipeline = new IngestPipeline("0", options, store.Ports(), new ManualClock(At(T0)));
        var report = await pipeline.ProcessAsync(new IngestBatch("0", Events(ticks.Where(t => t.Time >= cutTime))), Token);

        Assert.Equal(1, report.SymbolsLoaded);
        Assert.Equal("states", store.Writes[0]);
        var expected = output.Final.Where(f => f.Update.Bar.Time >= cutTime && f.Update.Timeframe == Timeframe.Parse("1m") && f.Update.Bar.Time + Minute <= ticks[^1].Time - 2000).ToList();
        Assert.NotEmpty(expected);
        foreach (var f in expected)
        {
            var (bar, indicators) = store.Bars[("A", f.Update.Timeframe, f.Update.Bar.Time)];
            Assert.Equal(f.Update.Bar, bar);
            Assert.Equal(f.Indicators, indicators);
        }

        var closed = ticks[^1].Time - 2000;
        Assert.Equal(
            output.Signals.Where(s => s.Time >= cutTime && s.Time + Minute <= closed).Select(s => s.Id).Order(StringComparer.Ordinal),
            store.Signals.Values.Where(s => s.Signal.Time + Minute <= closed).Select(s => s.Signal.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ProcessAsync_PartitionProcessedElsewhereMeanwhile_ReloadsInsteadOfWritingStaleState()
    {
        var batches = Batches(Events(Simulate(4000, ["A", "B"])), 100);
        var reference = await RunAsync(batches, Options());
        var store = new InMemoryIngestStore();
        var clock = new ManualClock(At(T0));
        using var here = new IngestPipeline("0", Options(), store.Ports(), clock);
        using var elsewhere = new IngestPipeline("0", Options(), store.Ports(), clock);
        for (var i = 0; i < batches.Count; i++)
        {
            await (i is >= 10 and < 20 ? elsewhere : here).ProcessAsync(batches[i], Token);
        }

        Assert.Equal(Snapshot(reference), Snapshot(store));
    }

    [Fact]
    public async Task ProcessAsync_Push_SendsBarsQuotesAndSignalsToTheirGroups_LatestFormingOnly()
    {
        var store = new InMemoryIngestStore();
        using var pipeline = new IngestPipeline("0", Options(), store.Ports(), new ManualClock(At(T0)));
        var ticks = new[]
        {
            new Tick("BTCUSD", T0 + 1_000, 100, 1, 99.5, 100.5, 1),
            new Tick("BTCUSD", T0 + 2_000, 101, 2, 100.5, 101.5, 2),
            new Tick("BTCUSD", T0 + 3_000, 102, 3, 101.5, 102.5, 3),
        };
        var first = await pipeline.ProcessAsync(new IngestBatch("0", Events(ticks)), Token);

        Assert.Equal(2, first.Pushed);
        Assert.Equal(["bars.BTCUSD.1m", "quotes.BTCUSD"], store.Pushed.Select(p => p.Group).Order(StringComparer.Ordinal));
        using (var bar = JsonDocument.Parse(store.Pushed.Single(p => p.Group == "bars.BTCUSD.1m").Json))
        {
            var root = bar.RootElement;
            Assert.Equal("bar", root.GetProperty("type").GetString());
            Assert.Equal("1m", root.GetProperty("timeframe").GetString());
            Assert.Equal(T0, root.GetProperty("time").GetInt64());
            Assert.Equal(102, root.GetProperty("close").GetDouble());
            Assert.Equal(6, root.GetProperty("volume").GetDouble());
            Assert.False(root.GetProperty("final").GetBoolean());
            Assert.False(root.TryGetProperty("indicators", out _));
        }

        using (var quote = JsonDocument.Parse(store.Pushed.Single(p => p.Group == "quotes.BTCUSD").Json))
        {
            Assert.Equal("quote", quote.RootElement.GetProperty("type").GetString());
            Assert.Equal(101.5, quote.RootElement.GetProperty("bid").GetDouble());
            Assert.Equal(3, quote.RootElement.GetProperty("seq").GetInt64());
        }

        // The next minute: the final bar (with indicators) comes before the new forming one in its group; a failing
        // push is counted and the batch still succeeds.
        store.Pushed.Clear();
        store.FailPush = group => group.StartsWith("quotes.", StringComparison.Ordinal);
        var next = await pipeline.ProcessAsync(new IngestBatch("0", Events([new Tick("BTCUSD", T0 + 63_000, 103, 1, Sequence: 4)], firstSequence: 3)), Token);
        Assert.Equal(1, next.PushFailures);
        Assert.Contains("quotes.BTCUSD: IOException: push to quotes.BTCUSD refused", next.PushError, StringComparison.Ordinal);
        Assert.Equal(3, store.Checkpoints[("ticks", "0")].SequenceNumber);
        var bars = store.Pushed.Where(p => p.Group == "bars.BTCUSD.1m").Select(p => JsonDocument.Parse(p.Json)).ToList();
        Assert.Equal([true, false], bars.Select(b => b.RootElement.GetProperty("final").GetBoolean()));
        Assert.Equal([T0, T0 + Minute], bars.Select(b => b.RootElement.GetProperty("time").GetInt64()));
        var indicators = bars[0].RootElement.GetProperty("indicators");
        Assert.Equal(JsonValueKind.Null, indicators.GetProperty("sma(20).sma").ValueKind);
        Assert.Equal(JsonValueKind.Number, indicators.GetProperty("obv.obv").ValueKind);
        Assert.Contains(store.Pushed, p => p.Group == "bars.BTCUSD.5m");
        bars.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task ProcessAsync_MoreSymbolsThanAllowed_DeadLettersTheRest()
    {
        var store = new InMemoryIngestStore();
        using var pipeline = new IngestPipeline("0", Options() with { MaxSymbolsPerPartition = 1 }, store.Ports(), new ManualClock(At(T0)));
        var report = await pipeline.ProcessAsync(new IngestBatch("0", Events([new Tick("A", T0, 1, 1), new Tick("B", T0, 1, 1)])), Token);

        Assert.Equal(1, report.Accepted);
        var letter = Assert.Single(store.DeadLetters.Values);
        Assert.Equal(DeadLetterReason.SymbolLimit, letter.Reason);
        Assert.Equal("B", letter.Symbol);
    }

    [Fact]
    public async Task Health_ReportsSequenceLagRateAndCounts_PerPartition()
    {
        var clock = new ManualClock(At(T0 + 30_000));
        var health = new IngestHealth(clock);
        var store = new InMemoryIngestStore();
        using var zero = new IngestPipeline("0", Options(), store.Ports(), clock, health: health);
        using var ten = new IngestPipeline("10", Options(), store.Ports(), clock, health: health);
        var ticks = Enumerable.Range(0, 120).Select(i => new Tick("A", T0 + (i * 200), 100, 1, Sequence: i + 1)).ToArray();
        await zero.ProcessAsync(new IngestBatch("0", Events(ticks)), Token);
        await zero.ProcessAsync(new IngestBatch("0", Events(ticks[..10])), Token);
        await ten.ProcessAsync(new IngestBatch("10", [new IngestEvent("{", 7, At(T0))]), Token);

        var reports = health.Snapshot();
        Assert.Equal(["0", "10"], reports.Select(r => r.PartitionId));
        var p0 = reports[0];
        Assert.Equal(119, p0.LastSequenceNumber);
        Assert.Equal(120, p0.Accepted);
        Assert.Equal(10, p0.Duplicates);
        Assert.Equal(2, p0.TicksPerSecond);
        Assert.Equal(At(T0 + (119 * 200)), p0.NewestTickTime);
        Assert.Equal(30 - 23.8, p0.EventTimeLagSeconds!.Value, 6);
        Assert.Equal(1, reports[1].DeadLettered);
        Assert.True(health.Healthy);

        clock.Now += TimeSpan.FromMinutes(2);
        Assert.Equal(0, health.Snapshot()[0].TicksPerSecond);
    }

    [Fact]
    public void Options_OutOfRange_AreRefusedWithTheirNameAndValue()
    {
        var error = Assert.Throws<ArgumentException>(() => new IngestOptions { WarmBars = -1 }.Validate());
        Assert.Contains("WarmBars must be between 0 and 10000; got -1.", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => new IngestOptions { PushTimeout = TimeSpan.Zero }.Validate());
        Assert.Contains("PushTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LiveKeys_EscapeWhatTablesRefuse_AndSortTimes()
    {
        Assert.Equal("BTCUSD", LiveKeys.Escape("BTCUSD"));
        Assert.Equal("BRK%2FB", LiveKeys.Escape("BRK/B"));
        Assert.Equal("a%7Cb%25c%23%3F%5C", LiveKeys.Escape("a|b%c#?\\"));
        Assert.Equal("a|b%c#?\\/", LiveKeys.Unescape(LiveKeys.Escape("a|b%c#?\\/")));
        Assert.Equal("BRK%2FB|1m", LiveKeys.Bars("BRK/B", Timeframe.Parse("1m")));
        Assert.Equal("001767225600000", LiveKeys.Time(T0));
        Assert.True(string.CompareOrdinal(LiveKeys.Time(999), LiveKeys.Time(1000)) < 0);
    }

    private static List<IngestBatch> FaultBatches()
    {
        // About 90 minutes of two symbols with a bad event in every 20th batch.
        var events = Events(Simulate(6000, ["A", "B"], ticksPerSecond: 0.6)).ToList();
        for (var i = 500; i < events.Count; i += 800)
        {
            events[i] = new IngestEvent("{\"symbol\":", events[i].SequenceNumber, events[i].EnqueuedTime);
        }

        return Batches([.. events], 40);
    }

    private static async Task<InMemoryIngestStore> RunAsync(List<IngestBatch> batches, IngestOptions options)
    {
        var store = new InMemoryIngestStore();
        using var pipeline = new IngestPipeline(batches[0].PartitionId, options, store.Ports(), new ManualClock(At(T0)));
        foreach (var batch in batches)
        {
            await pipeline.ProcessAsync(batch, Token);
        }

        return store;
    }

    /// <summary>Everything stored, as sorted lines, without write timestamps.</summary>
    private static List<string> Snapshot(InMemoryIngestStore store)
    {
        static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var lines = new List<string>();
        lines.AddRange(store.Bars.Select(b => $"bar {b.Key.Symbol} {b.Key.Timeframe} {b.Key.Start} {N(b.Value.Bar.Open)} {N(b.Value.Bar.High)} {N(b.Value.Bar.Low)} {N(b.Value.Bar.Close)} {N(b.Value.Bar.Volume)} [{string.Join(",", b.Value.Indicators.Select(N))}]"));
        lines.AddRange(store.States.Select(s => $"state {s.Key} {s.Value.Live.Bars.FinalUntil} {s.Value.Live.Bars.MaxTime} {N(s.Value.Live.LastPrice)} [{string.Join(";", s.Value.Live.Bars.Open)}] {s.Value.LastSequence} {s.Value.LastTickTime} {s.Value.LastEventSequence} {s.Value.LastEventEnqueued}"));
        lines.AddRange(store.Quotes.Select(q => $"quote {q.Value}"));
        lines.AddRange(store.Signals.Select(s => $"signal {s.Key} {s.Value.Alerted}"));
        lines.AddRange(store.DeadLetters.Select(d => $"dead {d.Key} {d.Value.Reason} {d.Value.Message}"));
        lines.AddRange(store.Checkpoints.Select(c => $"checkpoint {c.Key} {c.Value.SequenceNumber} {c.Value.EnqueuedTime:O}"));
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static void AssertVolumesAreTickSizes(InMemoryIngestStore store, Tick[] ticks)
    {
        foreach (var symbol in ticks.Select(t => t.Symbol).Distinct())
        {
            var bars = store.FinalBars(symbol, "1m");
            Assert.NotEmpty(bars);
            var sizes = ticks.Where(t => t.Symbol == symbol).GroupBy(t => t.Time / Minute * Minute).ToDictionary(g => g.Key, g => g.Sum(t => t.Size));
            foreach (var bar in bars)
            {
                Assert.Equal(sizes[bar.Time], bar.Volume, 9);
            }
        }
    }
}
