using System.Text.Json;
using SigmaFlow.Functions.Tests.Local.WebPubSub;
using SigmaFlow.Platform.Jobs;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.RunSweepShard;

/// <summary>
/// The proof of the queue fan-out on one machine: <c>RunSweepShard</c> and <c>SweepShardPoison</c> behind the local
/// runtime (the Functions host's queue trigger: batches, dequeue counts, poison queue), jobs in the local Cosmos DB
/// server, messages in Azurite.
/// </summary>
public sealed class SweepFanOutTests(CosmosEmulator cosmos, AzuriteEmulator azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoHosts_WithConcurrentBatches_FinalResultEqualsTheSingleProcessResult()
    {
        await using var scope = await SweepPlatformScope.CreateAsync(cosmos, azurite);
        var request = SweepPlatformScope.Request(minimumShards: 20);
        var job = await scope.StartJobAsync(request);
        await using var webPubSub = await StandInScope.StartAsync();
        using var socket = await webPubSub.ConnectAsync(groups: [JobNames.Group(job.JobId)]);

        await scope.StartHostAsync(webPubSub: webPubSub.ConnectionString);
        await scope.StartHostAsync(webPubSub: webPubSub.ConnectionString);
        var finished = await scope.WaitFinishedAsync(job.JobId);

        Assert.Equal(JobState.Completed, finished.Status);
        Assert.Equal(finished.ShardsTotal, finished.ShardsDone);
        Assert.Equal(20, finished.ShardsTotal);
        var result = (await scope.Service.GetResultAsync(job.JobId, Token))!;
        SweepPlatformScope.AssertSameResult(SweepPlatformScope.Local(request).Result, result.Result);

        // The job's group got progress with the best so far, then the completion.
        var messages = new List<JsonElement>();
        while (messages.Count == 0 || messages[^1].GetProperty("data").GetProperty("event").GetString() != "completed")
        {
            var message = await socket.ReceiveJsonAsync();
            if (message.GetProperty("type").GetString() == "message")
            {
                messages.Add(message);
            }
        }

        var data = messages.Select(m => m.GetProperty("data")).ToList();
        Assert.All(data, d => Assert.Equal(job.JobId, d.GetProperty("jobId").GetString()));
        Assert.Contains(data, d => d.GetProperty("event").GetString() == "progress" && d.GetProperty("best").ValueKind == JsonValueKind.Object);
        var completed = data[^1];
        Assert.Equal(20, completed.GetProperty("shards").GetProperty("done").GetInt32());
        Assert.Equal(result.Result.Best!.Index, completed.GetProperty("best").GetProperty("index").GetInt64());
    }

    [Fact]
    public async Task HostStoppedMidSweep_AndAnotherStarted_CompletesTheSameJobWithTheSameResult()
    {
        await using var scope = await SweepPlatformScope.CreateAsync(cosmos, azurite);
        var request = SweepPlatformScope.Request(minimumShards: 24);
        var job = await scope.StartJobAsync(request);
        var slow = new TestRunner(TimeSpan.FromMilliseconds(250));

        // In-flight invocations are cut off at once, as when the process is killed: their messages stay leased.
        var first = await scope.StartHostAsync(slow, shutdown: TimeSpan.Zero);
        var midway = await scope.WaitAsync(job.JobId, s => s.ShardsDone >= 4, "four shards");
        await first.StopAsync();
        var stopped = (await scope.Service.GetAsync(job.JobId, Token))!;
        Assert.False(stopped.IsFinished, $"the job should still be running after the stop: {stopped}");
        Assert.True(stopped.ShardsDone < stopped.ShardsTotal);

        await scope.StartHostAsync();
        var finished = await scope.WaitFinishedAsync(job.JobId);

        Assert.True(midway.ShardsDone >= 4);
        Assert.Equal(JobState.Completed, finished.Status);
        Assert.Equal(finished.ShardsTotal, finished.ShardsDone);
        Assert.Empty(finished.FailedShards);
        SweepPlatformScope.AssertSameResult(SweepPlatformScope.Local(request).Result, (await scope.Service.GetResultAsync(job.JobId, Token))!.Result);
    }

    [Fact]
    public async Task AShardThatAlwaysFails_EndsInTheFailedList_AndTheJobCompletes()
    {
        await using var scope = await SweepPlatformScope.CreateAsync(cosmos, azurite);
        var job = await scope.StartJobAsync(SweepPlatformScope.Request(minimumShards: 6));
        var runner = new TestRunner(TimeSpan.Zero, 4);

        await scope.StartHostAsync(runner);
        var finished = await scope.WaitFinishedAsync(job.JobId);

        Assert.Equal(JobState.Completed, finished.Status);
        var failed = Assert.Single(finished.FailedShards);
        Assert.Equal(4, failed.Shard);
        Assert.Contains("last delivery (3 of 3)", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("injected fault in shard 4", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(3, runner.Attempts[4]); // one run per delivery the host made, none after
        Assert.Equal(finished.ShardsTotal - 1, finished.ShardsDone);
        // The last delivery answered success (the failure is recorded), so nothing went to the poison queue.
        Assert.Equal(0, await CountAsync(scope.Poison));
    }

    [Fact]
    public async Task AMessageTheHostPoisons_IsRecordedAsFailedBySweepShardPoison()
    {
        await using var scope = await SweepPlatformScope.CreateAsync(cosmos, azurite);
        var job = await scope.StartJobAsync(SweepPlatformScope.Request(minimumShards: 4));
        // A worker that never records a failure itself (as if every delivery crashed): the host moves the message to
        // the poison queue after maxDequeueCount (3) deliveries, and the poison function records the shard.
        var runner = new TestRunner(TimeSpan.Zero, 1);

        await scope.StartHostAsync(runner, new SweepJobOptions { MaxDeliveries = 100 });
        var finished = await scope.WaitFinishedAsync(job.JobId);

        Assert.Equal(JobState.Completed, finished.Status);
        var failed = Assert.Single(finished.FailedShards);
        Assert.Equal(1, failed.Shard);
        Assert.Contains(JobNames.ShardPoisonQueue, failed.Reason, StringComparison.Ordinal);
        Assert.Equal(3, runner.Attempts[1]);
    }

    [Fact]
    public async Task Cancel_StopsTheRemainingShards()
    {
        await using var scope = await SweepPlatformScope.CreateAsync(cosmos, azurite);
        var job = await scope.StartJobAsync(SweepPlatformScope.Request(minimumShards: 30));
        var slow = new TestRunner(TimeSpan.FromMilliseconds(300));

        await scope.StartHostAsync(slow);
        await scope.WaitAsync(job.JobId, s => s.ShardsDone >= 2, "two shards");
        var cancelled = (await scope.Service.CancelAsync(job.JobId, Token))!;
        await Local.Runtime.Eventually.TrueAsync(async () => await CountAsync(scope.Queue) == 0, "the remaining messages to be consumed", 60);
        await Task.Delay(500, Token);
        var after = (await scope.Service.GetAsync(job.JobId, Token))!;

        Assert.Equal(JobState.Cancelled, cancelled.Status);
        Assert.Equal(JobState.Cancelled, after.Status);
        Assert.True(after.ShardsDone < after.ShardsTotal / 2, $"most shards should not have run: {after.ShardsDone} of {after.ShardsTotal}");
        Assert.True(slow.Attempts.Count < after.ShardsTotal / 2, $"{slow.Attempts.Count} shards started");
        Assert.Null(await scope.Service.GetResultAsync(job.JobId, Token));
    }

    private static async Task<int> CountAsync(Platform.Azure.Queues.QueueClient queue)
    {
        try
        {
            return await queue.GetApproximateMessageCountAsync(Token);
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }
    }
}
