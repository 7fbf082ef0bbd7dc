using System.Text.Json;
using System.Text.Json.Nodes;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Jobs;
using SigmaFlow.Platform.Live;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Jobs;

/// <summary>Sweep jobs end to end against the local Cosmos DB server and Azurite: start, fan-out, fan-in, crashes, cancellation, chunking.</summary>
public sealed class SweepJobServiceTests(CosmosEmulator cosmos, AzuriteEmulator azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartSweepAsync_ValidRequest_RecordsTheJobAndEnqueuesOneMessagePerShard()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var job = await kit.StartAsync(JobsTestKit.Request(minimumShards: 12));

        Assert.Equal(JobState.Queued, job.Status);
        Assert.Equal(12, job.ShardsTotal);
        Assert.Equal(100, job.Combinations);
        Assert.Equal(600, job.Bars);
        Assert.Equal(SyntheticMarket.Generate(new SyntheticMarketOptions { Seed = 7, Bars = 600 }).ContentHash, job.DataHash);
        var messages = await kit.ReceiveAllAsync(12);
        var shards = messages.Select(m => JsonNode.Parse(m.Text)!).OrderBy(m => m["shard"]!.GetValue<int>()).ToList();
        Assert.Equal(Enumerable.Range(0, 12), shards.Select(s => s["shard"]!.GetValue<int>()));
        Assert.All(shards, s => Assert.Equal(job.JobId, s["jobId"]!.GetValue<string>()));
        // Contiguous positions covering the whole grid (11 × 10 points; constraint-excluded ones run as "excluded").
        Assert.Equal(0, shards[0]["start"]!.GetValue<long>());
        Assert.Equal(110, shards[^1]["end"]!.GetValue<long>());
        for (var i = 1; i < shards.Count; i++)
        {
            Assert.Equal(shards[i - 1]["end"]!.GetValue<long>(), shards[i]["start"]!.GetValue<long>());
        }

        Assert.Single(kit.Push.Of(job.JobId, "queued"));
    }

    [Fact]
    public async Task Workers_SeveralSideBySide_FinalResultEqualsTheSingleProcessResultExactly()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var request = JobsTestKit.Request(minimumShards: 16);
        var job = await kit.StartAsync(request);

        var finished = await kit.RunWorkersAsync(job.JobId, count: 4);

        Assert.Equal(JobState.Completed, finished.Status);
        Assert.Equal(15, finished.ShardsTotal); // 100 combinations, at most ⌈100 / 16⌉ = 7 per shard
        Assert.Equal(15, finished.ShardsDone);
        Assert.Empty(finished.FailedShards);
        var result = (await kit.Service.GetResultAsync(job.JobId, Token))!;
        var local = JobsTestKit.Local(request);
        JobsTestKit.AssertSameResult(local.Result, result.Result);
        Assert.Equal(local.DeflatedSharpe, result.DeflatedSharpe);
        Assert.Equal(local.DeflatedSharpe, finished.DeflatedSharpe);
        Assert.Equal(local.Pbo.Probability, finished.Pbo);
        Assert.Equal(["fast", "slow"], result.ParameterNames);
        Assert.True(result.IsComplete);
        // The job's best is the final ranking's best.
        Assert.Equal(local.Result.Best!.Index, finished.Best!.Index);
        Assert.Equal(local.Result.Best.Parameters, new[] { finished.Best.Parameters["fast"], finished.Best.Parameters["slow"] });
        // Progress to the job's group: one per shard but the last, then one completion with the ranking's figures.
        Assert.Equal(14, kit.Push.Of(job.JobId, "progress").Count);
        var completed = Assert.Single(kit.Push.Of(job.JobId, "completed"));
        Assert.Equal(15, completed["shards"]!["done"]!.GetValue<int>());
        Assert.Equal(local.DeflatedSharpe, completed["deflatedSharpe"]!.GetValue<double>());
        Assert.All(kit.Push.Of(job.JobId, "progress"), p => Assert.True(p["best"] is JsonObject, "progress carries the best so far"));
    }

    [Fact]
    public async Task StartSweepAsync_SameIdempotencyKey_ReturnsTheSameJob_AndAnotherBodyIsRefused()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var first = await kit.Service.StartSweepAsync(JobsTestKit.Request(minimumShards: 4), "client-42", Token);
        var again = await kit.Service.StartSweepAsync(JobsTestKit.Request(minimumShards: 4), "client-42", Token);
        var other = await kit.Service.StartSweepAsync(JobsTestKit.Request(minimumShards: 4, seed: 8), "client-42", Token);

        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Equal(first.Job!.JobId, again.Job!.JobId);
        Assert.Equal(4, (await kit.ReceiveAllAsync(8)).Count); // enqueued once
        var problem = Assert.Single(other.Problems);
        Assert.Equal("idempotencyKey", problem.Field);
        Assert.Contains(first.Job.JobId, problem.Message, StringComparison.Ordinal);
        Assert.Contains("client-42", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartSweepAsync_KeyOfAStartThatStoppedBeforeEnqueuing_EnqueuesOnReplay()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var job = (await kit.Service.StartSweepAsync(JobsTestKit.Request(minimumShards: 5), "half-way", Token)).Job!;
        await kit.Queue.ClearAsync(Token);
        await kit.EditJobAsync(job.JobId, d => d["enqueued"] = false); // as if the first start stopped before its messages

        var replay = await kit.Service.StartSweepAsync(JobsTestKit.Request(minimumShards: 5), "half-way", Token);

        Assert.False(replay.Created);
        Assert.Equal(5, (await kit.Queue.PeekAsync(32, Token)).Count);
        var finished = await kit.RunWorkersAsync(job.JobId, 2);
        Assert.Equal(JobState.Completed, finished.Status);
    }

    [Fact]
    public async Task ResumeAsync_AfterLostMessages_SendsTheUncountedShardsAgain_AndMergesACountedJob()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var request = JobsTestKit.Request(minimumShards: 4);
        var job = await kit.StartAsync(request);
        var first = (await kit.ReceiveAllAsync(4)).Select(m => JsonSerializer.Deserialize<ShardMessage>(m.Text, JsonSerializerOptions.Web)!).Single(m => m.Shard == 0);
        await kit.Worker().ProcessAsync(first, 1, Token);
        await kit.Queue.ClearAsync(Token); // the other three messages are lost

        var resumed = (await kit.Service.ResumeAsync(job.JobId, Token))!;

        Assert.Equal(JobState.Running, resumed.Status);
        var resent = await kit.Queue.PeekAsync(32, Token);
        Assert.Equal([1, 2, 3], resent.Select(m => JsonNode.Parse(m.Text)!["shard"]!.GetValue<int>()).Order());
        var finished = await kit.RunWorkersAsync(job.JobId, 2);
        Assert.Equal(JobState.Completed, finished.Status);

        // A job whose shards are all counted but that was never merged: resuming merges it.
        await kit.EditJobAsync(job.JobId, d =>
        {
            d["status"] = "running";
            d["result"] = null;
        });
        var merged = (await kit.Service.ResumeAsync(job.JobId, Token))!;
        Assert.Equal(JobState.Completed, merged.Status);
        JobsTestKit.AssertSameResult(JobsTestKit.Local(request).Result, (await kit.Service.GetResultAsync(job.JobId, Token))!.Result);
        Assert.Null(await kit.Service.ResumeAsync("sw-nope", Token));
    }

    [Fact]
    public async Task Redelivery_OfACountedShard_CountsOnceAndRunsNothing()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var job = await kit.StartAsync(JobsTestKit.Request(minimumShards: 3));
        var runner = new FailingRunner();
        var worker = kit.Worker(runner);
        var messages = await kit.ReceiveAllAsync(3);
        var first = JsonSerializer.Deserialize<ShardMessage>(messages.Single(m => JsonNode.Parse(m.Text)!["shard"]!.GetValue<int>() == 0).Text, JsonSerializerOptions.Web)!;

        var once = await worker.ProcessAsync(first, 1, Token);
        var twice = await worker.ProcessAsync(first, 2, Token);
        var elsewhere = await kit.Worker(runner).ProcessAsync(first, 3, Token);

        Assert.Equal(ShardOutcome.Completed, once.Outcome);
        Assert.Equal(ShardOutcome.AlreadyCounted, twice.Outcome);
        Assert.Equal(ShardOutcome.AlreadyCounted, elsewhere.Outcome);
        Assert.Equal(1, runner.Attempts[0]);
        var status = (await kit.Service.GetAsync(job.JobId, Token))!;
        Assert.Equal(1, status.ShardsDone);
        Assert.Equal(JobState.Running, status.Status);
        Assert.NotNull(status.StartedAt);
    }

    [Fact]
    public async Task Crash_BetweenStoringAResultAndCountingIt_RedeliveryCountsTheStoredResult()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var request = JobsTestKit.Request(minimumShards: 6);
        var job = await kit.StartAsync(request);
        var runner = new FailingRunner();
        var messages = await kit.ReceiveAllAsync(6);
        var shards = messages.Select(m => JsonSerializer.Deserialize<ShardMessage>(m.Text, JsonSerializerOptions.Web)!).OrderBy(m => m.Shard).ToList();
        var worker = kit.Worker(runner);
        await worker.ProcessAsync(shards[2], 1, Token);
        // The state a crash right after the result's upsert leaves: result stored, slot not counted.
        await kit.EditJobAsync(job.JobId, d => d["done"]!.AsObject().Remove("s2"));

        var redelivered = await kit.Worker(runner).ProcessAsync(shards[2], 2, Token);
        foreach (var shard in shards.Where(s => s.Shard != 2))
        {
            await worker.ProcessAsync(shard, 1, Token);
        }

        Assert.Equal(ShardOutcome.Completed, redelivered.Outcome);
        Assert.Contains("stored by an earlier delivery", redelivered.Detail, StringComparison.Ordinal);
        Assert.Equal(1, runner.Attempts[2]);
        var finished = (await kit.Service.GetAsync(job.JobId, Token))!;
        Assert.Equal(JobState.Completed, finished.Status);
        JobsTestKit.AssertSameResult(JobsTestKit.Local(request).Result, (await kit.Service.GetResultAsync(job.JobId, Token))!.Result);
    }

    [Fact]
    public async Task Crash_BetweenCountingTheLastShardAndMerging_AnyRedeliveryMergesOnce_WithTheSameResult()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var request = JobsTestKit.Request(minimumShards: 5);
        var job = await kit.StartAsync(request);
        await kit.RunWorkersAsync(job.JobId, 2);
        var merged = (await kit.Service.GetResultAsync(job.JobId, Token))!.Result;
        // The state a crash right after the last count leaves: every slot counted, nothing merged.
        await kit.EditJobAsync(job.JobId, d =>
        {
            d["status"] = "running";
            d["result"] = null;
            d["finishedAt"] = null;
        });
        var pushedBefore = kit.Push.Of(job.JobId, "completed").Count;

        // Two redeliveries at once: both find every shard counted and merge; one of them completes the job.
        var reports = await Task.WhenAll(
            kit.Worker().ProcessAsync(new ShardMessage(job.JobId, 4, 0, 1), 2, Token),
            kit.Worker().ProcessAsync(new ShardMessage(job.JobId, 1, 0, 1), 2, Token));

        Assert.All(reports, r => Assert.Equal(ShardOutcome.AlreadyCounted, r.Outcome));
        Assert.All(reports, r => Assert.Equal(JobState.Completed, r.JobStatus));
        Assert.Equal(pushedBefore + 1, kit.Push.Of(job.JobId, "completed").Count);
        var again = (await kit.Service.GetResultAsync(job.JobId, Token))!.Result;
        JobsTestKit.AssertSameResult(merged, again);
        JobsTestKit.AssertSameResult(JobsTestKit.Local(request).Result, again);
    }

    [Fact]
    public async Task AShardThatAlwaysFails_IsRecordedOnItsLastDelivery_AndTheJobCompletesWithoutIt()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite, new SweepJobOptions { MaxDeliveries = 3 });
        var request = JobsTestKit.Request(minimumShards: 6);
        var job = await kit.StartAsync(request);
        var runner = new FailingRunner(3);

        var finished = await kit.RunWorkersAsync(job.JobId, 2, runner);

        Assert.Equal(JobState.Completed, finished.Status);
        Assert.Equal(5, finished.ShardsDone);
        var failed = Assert.Single(finished.FailedShards);
        Assert.Equal(3, failed.Shard);
        Assert.Contains("last delivery (3 of 3)", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("injected fault in shard 3", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(3, runner.Attempts[3]);
        var result = (await kit.Service.GetResultAsync(job.JobId, Token))!;
        Assert.False(result.IsComplete);
        Assert.Equal(3, Assert.Single(result.FailedShards).Shard);
        // The result is exactly the merge of the other shards' results.
        var expected = ExpectedWithout(request, 6, 3);
        JobsTestKit.AssertSameResult(expected, result.Result);
        var completed = Assert.Single(kit.Push.Of(job.JobId, "completed"));
        Assert.Equal(3, Assert.Single(completed["failedShards"]!.AsArray())!["shard"]!.GetValue<int>());
        Assert.Equal(1, completed["shards"]!["failed"]!.GetValue<int>());
    }

    [Fact]
    public async Task APoisonedMessage_MarksItsShardFailed_AndFinishesTheJob()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var job = await kit.StartAsync(JobsTestKit.Request(minimumShards: 2));
        var shards = (await kit.ReceiveAllAsync(2)).Select(m => JsonSerializer.Deserialize<ShardMessage>(m.Text, JsonSerializerOptions.Web)!).OrderBy(m => m.Shard).ToList();
        var worker = kit.Worker();
        await worker.ProcessAsync(shards[0], 1, Token);

        var poisoned = await worker.RecordPoisonedAsync(shards[1], Token);
        var late = await worker.ProcessAsync(shards[1], 1, Token);

        Assert.Equal(ShardOutcome.Failed, poisoned.Outcome);
        Assert.Equal(JobState.Completed, poisoned.JobStatus);
        Assert.Equal(ShardOutcome.Skipped, late.Outcome);
        var status = (await kit.Service.GetAsync(job.JobId, Token))!;
        Assert.Equal(1, status.ShardsDone);
        Assert.Contains(JobNames.ShardPoisonQueue, Assert.Single(status.FailedShards).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryShardFailing_FailsTheJobWithTheFirstReason()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite, new SweepJobOptions { MaxDeliveries = 1 });
        var job = await kit.StartAsync(JobsTestKit.Request(minimumShards: 2));

        var finished = await kit.RunWorkersAsync(job.JobId, 1, new FailingRunner(0, 1));

        Assert.Equal(JobState.Failed, finished.Status);
        Assert.Contains("every one of the 2 shards failed", finished.Error, StringComparison.Ordinal);
        Assert.Contains("injected fault in shard 0", finished.Error, StringComparison.Ordinal);
        Assert.Equal([0, 1], finished.FailedShards.Select(f => f.Shard));
        Assert.Null(await kit.Service.GetResultAsync(job.JobId, Token));
        Assert.Single(kit.Push.Of(job.JobId, "failed"));
    }

    [Fact]
    public async Task CancelAsync_StopsTheRemainingShards()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var job = await kit.StartAsync(JobsTestKit.Request(minimumShards: 8));
        var runner = new FailingRunner();
        var worker = kit.Worker(runner);
        var messages = await kit.ReceiveAllAsync(8);
        var shards = messages.Select(m => JsonSerializer.Deserialize<ShardMessage>(m.Text, JsonSerializerOptions.Web)!).OrderBy(m => m.Shard).ToList();
        await worker.ProcessAsync(shards[0], 1, Token);
        await worker.ProcessAsync(shards[1], 1, Token);

        var cancelled = (await kit.Service.CancelAsync(job.JobId, Token))!;
        var after = new List<ShardReport>();
        foreach (var shard in shards.Skip(2))
        {
            after.Add(await worker.ProcessAsync(shard, 1, Token));
        }

        Assert.Equal(JobState.Cancelled, cancelled.Status);
        Assert.All(after, r => Assert.Equal(ShardOutcome.Cancelled, r.Outcome));
        Assert.Equal(2, runner.Attempts.Count);
        var status = (await kit.Service.GetAsync(job.JobId, Token))!;
        Assert.Equal(JobState.Cancelled, status.Status);
        Assert.Equal(2, status.ShardsDone);
        Assert.NotNull(status.FinishedAt);
        Assert.Single(kit.Push.Of(job.JobId, "cancelled"));
        Assert.Null(await kit.Service.GetResultAsync(job.JobId, Token));
        // Cancelling again changes nothing and pushes nothing.
        Assert.Equal(JobState.Cancelled, (await kit.Service.CancelAsync(job.JobId, Token))!.Status);
        Assert.Single(kit.Push.Of(job.JobId, "cancelled"));
    }

    [Fact]
    public async Task CancelAsync_WhileAShardRuns_StopsItBetweenCombinations()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite, new SweepJobOptions { CancellationPollInterval = TimeSpan.FromMilliseconds(100) });
        var job = await kit.StartAsync(JobsTestKit.Request(minimumShards: 1));
        var runner = new BlockingRunner();
        var message = JsonSerializer.Deserialize<ShardMessage>((await kit.ReceiveAllAsync(1))[0].Text, JsonSerializerOptions.Web)!;

        var running = kit.Worker(runner).ProcessAsync(message, 1, Token);
        await runner.Started.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        await kit.Service.CancelAsync(job.JobId, Token);
        var report = await running.WaitAsync(TimeSpan.FromSeconds(10), Token);

        Assert.Equal(ShardOutcome.Cancelled, report.Outcome);
        Assert.True(runner.SawCancellation);
        Assert.Equal(0, (await kit.Service.GetAsync(job.JobId, Token))!.ShardsDone);
    }

    [Fact]
    public async Task StoredBars_FromTheBarsTable_GiveTheSameResultAsTheSameBarsInProcess()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var symbol = "T" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var bars = SyntheticMarket.Generate(new SyntheticMarketOptions { Seed = 11, Bars = 400, Interval = TimeSpan.FromMinutes(1), StartTime = 1_767_225_600_000 });
        await WriteBarsAsync(kit.Tables, symbol, bars);
        var from = DateTimeOffset.FromUnixTimeMilliseconds(bars.Time[0]);
        var request = JobsTestKit.Request(minimumShards: 4) with
        {
            Data = new SweepDataSource { Stored = new StoredBarsSource { Symbol = symbol, Timeframe = "1m", From = from, To = from.AddMinutes(400) } },
        };

        var job = await kit.StartAsync(request);
        var finished = await kit.RunWorkersAsync(job.JobId, 2);

        Assert.Equal(400, job.Bars);
        Assert.Equal(bars.ContentHash, job.DataHash);
        Assert.Contains($"stored {symbol}|1m", job.Data, StringComparison.Ordinal);
        Assert.Equal(JobState.Completed, finished.Status);
        JobsTestKit.AssertSameResult(JobsTestKit.Local(request, bars).Result, (await kit.Service.GetResultAsync(job.JobId, Token))!.Result);
    }

    [Fact]
    public async Task StoredBars_ChangedAfterTheStart_EveryShardRefusesAndSaysWhy()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var symbol = "T" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var bars = SyntheticMarket.Generate(new SyntheticMarketOptions { Seed = 12, Bars = 300, Interval = TimeSpan.FromMinutes(1), StartTime = 1_767_225_600_000 });
        await WriteBarsAsync(kit.Tables, symbol, bars);
        var from = DateTimeOffset.FromUnixTimeMilliseconds(bars.Time[0]);
        var request = JobsTestKit.Request(minimumShards: 3) with
        {
            Data = new SweepDataSource { Stored = new StoredBarsSource { Symbol = symbol, From = from, To = from.AddMinutes(300) } },
        };
        var job = await kit.StartAsync(request);
        var table = kit.Tables.GetTableClient(LiveNames.BarsTable);
        var changed = new TableEntity(LiveKeys.Bars(symbol, Timeframe.Parse("1m")), LiveKeys.Time(bars.Time[150]))
        {
            ["time"] = bars.Time[150],
            ["open"] = bars.Open[150],
            ["high"] = bars.High[150] + 1,
            ["low"] = bars.Low[150],
            ["close"] = bars.Close[150],
            ["volume"] = bars.Volume[150],
        };
        await table.UpsertEntityAsync(changed, TableUpdateMode.Replace, Token);

        var finished = await kit.RunWorkersAsync(job.JobId, 1);

        Assert.Equal(JobState.Failed, finished.Status);
        Assert.Equal(3, finished.FailedShards.Count);
        Assert.All(finished.FailedShards, f => Assert.Contains("different data", f.Reason, StringComparison.Ordinal));
        Assert.All(finished.FailedShards, f => Assert.Contains(job.DataHash[..16], f.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartSweepAsync_StoredRangeWithoutBars_IsRefusedNamingTheRange()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var request = JobsTestKit.Request() with
        {
            Data = new SweepDataSource { Stored = new StoredBarsSource { Symbol = "NOSUCH", From = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), To = DateTimeOffset.Parse("2026-01-02T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture) } },
        };

        var start = await kit.Service.StartSweepAsync(request, cancellationToken: Token);

        Assert.False(start.Accepted);
        var problem = Assert.Single(start.Problems);
        Assert.Equal("data.stored", problem.Field);
        Assert.Contains("NOSUCH|1m", problem.Message, StringComparison.Ordinal);
        Assert.Contains("holds 0 final bars", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BigResult_IsChunkedUnderTheDocumentLimit_AndReadsBackExactly()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        // 18,000 combinations, nearly all kept in full: about 25 MB of JSON, 10 MB compressed, several chunks.
        var request = JobsTestKit.Request(bars: 500, minimumShards: 4) with { Parameters = ["fast=2:121:1", "slow=3:152:1"], Constraints = [], Top = 18_000 };
        var job = await kit.StartAsync(request);

        var finished = await kit.RunWorkersAsync(job.JobId, 2, seconds: 180);

        Assert.Equal(JobState.Completed, finished.Status);
        var chunks = new List<JsonObject>();
        await foreach (var chunk in kit.Store.QueryAsync<JsonObject>(job.JobId, "SELECT * FROM c WHERE c.jobId = @id AND c.type = 'chunk' AND c.owner = 'result'", new Dictionary<string, object?> { ["@id"] = job.JobId }, 2, Token))
        {
            chunks.Add(chunk);
        }

        var reference = (await kit.Store.ReadAsync<JsonObject>(job.JobId, job.JobId, Token))!.Value["result"]!;
        Assert.True(chunks.Count >= 2, $"the final result should need several chunks; it has {chunks.Count}: {reference.ToJsonString()[..Math.Min(300, reference.ToJsonString().Length)]}");
        Assert.All(chunks, c => Assert.True(System.Text.Encoding.UTF8.GetByteCount(c.ToJsonString()) < 2 * 1024 * 1024, "every chunk document is under 2 MB"));
        var result = (await kit.Service.GetResultAsync(job.JobId, Token))!;
        Assert.True(result.Result.Top.Count > 15_000, $"{result.Result.Top.Count} ranked");
        JobsTestKit.AssertSameResult(JobsTestKit.Local(request).Result, result.Result);
    }

    [Fact]
    public async Task ListAsync_ReturnsJobsNewestFirst_InPages()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await kit.StartAsync(JobsTestKit.Request(minimumShards: 1, seed: (ulong)(20 + i)))).JobId);
            await Task.Delay(20, Token);
        }

        var first = await kit.Service.ListAsync(2, null, Token);
        var second = await kit.Service.ListAsync(2, first.ContinuationToken, Token);

        Assert.Equal([ids[2], ids[1]], first.Jobs.Select(j => j.JobId));
        Assert.NotNull(first.ContinuationToken);
        Assert.Equal([ids[0]], second.Jobs.Select(j => j.JobId));
        Assert.All(first.Jobs, j => Assert.Equal("sma-cross", j.Name));
    }

    [Fact]
    public async Task GetAsync_UnknownOrMalformedId_IsNull()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);

        Assert.Null(await kit.Service.GetAsync("sw-20260101000000-00000000", Token));
        Assert.Null(await kit.Service.GetAsync("../etc/passwd", Token));
        Assert.Null(await kit.Service.GetResultAsync("sw-nope", Token));
        Assert.Null(await kit.Service.CancelAsync("sw-nope", Token));
    }

    [Fact]
    public async Task ProcessAsync_MessageOfAnUnknownJobOrShard_IsDiscarded()
    {
        using var kit = await JobsTestKit.CreateAsync(cosmos, azurite);
        var job = await kit.StartAsync(JobsTestKit.Request(minimumShards: 2));
        var worker = kit.Worker();

        var unknown = await worker.ProcessAsync(new ShardMessage("sw-20260101000000-00000000", 0, 0, 5), 1, Token);
        var outside = await worker.ProcessAsync(new ShardMessage(job.JobId, 9, 0, 5), 1, Token);
        var beyond = await worker.ProcessAsync(new ShardMessage(job.JobId, 1, 100, 5_000), 1, Token);

        Assert.Equal(ShardOutcome.Discarded, unknown.Outcome);
        Assert.Equal(ShardOutcome.Discarded, outside.Outcome);
        Assert.Equal(ShardOutcome.Failed, beyond.Outcome);
        Assert.Contains("outside the sweep's 0 … 109", beyond.Detail, StringComparison.Ordinal);
    }

    private static SweepResult ExpectedWithout(SweepJobRequest request, int shards, int missing)
    {
        var problems = new List<JobProblem>();
        var valid = SweepRequestReader.Read(request, new SweepJobOptions(), problems)!;
        var bars = SyntheticMarket.Generate(((SyntheticBarSource)valid.Source).Options);
        var plan = Sweep.Plan(valid.Sweep, bars.Count, new ShardSizing { TargetDuration = TimeSpan.FromSeconds(valid.ShardSeconds), MinimumShards = shards }, Token);
        var cache = new Core.Strategies.Rules.IndicatorColumnCache();
        return SweepResult.Merge(plan.Where(s => s.Number != missing).Select(s => Sweep.RunShard(valid.Sweep, bars, s, cache, cancellationToken: Token)));
    }

    private static async Task WriteBarsAsync(TableServiceClient tables, string symbol, BarSeries bars)
    {
        await tables.CreateTableIfNotExistsAsync(LiveNames.BarsTable, Token);
        var table = tables.GetTableClient(LiveNames.BarsTable);
        var partition = LiveKeys.Bars(symbol, Timeframe.Parse("1m"));
        for (var start = 0; start < bars.Count; start += 100)
        {
            var actions = new List<TableTransactionAction>();
            for (var i = start; i < Math.Min(bars.Count, start + 100); i++)
            {
                actions.Add(TableTransactionAction.UpsertReplace(new TableEntity(partition, LiveKeys.Time(bars.Time[i]))
                {
                    ["symbol"] = symbol,
                    ["timeframe"] = "1m",
                    ["time"] = bars.Time[i],
                    ["open"] = bars.Open[i],
                    ["high"] = bars.High[i],
                    ["low"] = bars.Low[i],
                    ["close"] = bars.Close[i],
                    ["volume"] = bars.Volume[i],
                    ["final"] = true,
                }));
            }

            await table.SubmitTransactionAsync(actions, Token);
        }
    }
}

/// <summary>A runner whose shard runs until it is cancelled (and says it saw the cancellation).</summary>
internal sealed class BlockingRunner : ISweepShardRunner
{
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool SawCancellation { get; private set; }

    public SweepResult Run(PreparedSweep sweep, BarSeries bars, SweepShard shard, Core.Strategies.Rules.IndicatorColumnCache cache, CancellationToken cancellationToken)
    {
        Started.TrySetResult();
        try
        {
            Task.Delay(Timeout.Infinite, cancellationToken).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            SawCancellation = true;
            throw;
        }

        throw new InvalidOperationException("unreachable");
    }
}
