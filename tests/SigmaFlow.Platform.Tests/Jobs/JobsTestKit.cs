using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Platform.Azure.Cosmos;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Jobs;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Jobs;

/// <summary>
/// One isolated job platform per test against the real local servers: a Cosmos database of its own, a shard queue of
/// its own on Azurite, a recording push; workers that poll the queue like the queue trigger does (delete on success,
/// visible again on failure, the dequeue count as the delivery number).
/// </summary>
internal sealed class JobsTestKit : IDisposable
{
    public const string SmaCross = """
        name: sma-cross
        parameters:
          fast: { default: 10, min: 2, max: 200 }
          slow: { default: 30, min: 3, max: 400 }
        long:
          entry: crossover(sma(close, fast), sma(close, slow))
          exit: crossunder(sma(close, fast), sma(close, slow))
        sizing:
          quantity: 100
        """;

    private readonly CosmosConnection connection;

    private JobsTestKit(CosmosConnection connection, CosmosStore store, QueueClient queue, TableServiceClient tables, SweepJobOptions options)
    {
        this.connection = connection;
        Store = store;
        Queue = queue;
        Tables = tables;
        Options = options;
        Service = new SweepJobService(store, queue, tables, Push, options);
    }

    public CosmosStore Store { get; }

    public QueueClient Queue { get; }

    public TableServiceClient Tables { get; }

    public SweepJobOptions Options { get; }

    public RecordingPush Push { get; } = new();

    public SweepJobService Service { get; }

    /// <summary>Failed deliveries (the worker threw; the message was made visible again), for failure messages.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<JobsTestKit> CreateAsync(CosmosEmulator cosmos, AzuriteEmulator azurite, SweepJobOptions? options = null)
    {
        var cosmosConnection = cosmos.ConnectionString;
        var storage = azurite.ConnectionString;
        var connection = CosmosConnection.FromConnectionString(cosmosConnection);
        var store = await connection.EnsureDatabaseAndContainerAsync("jobs" + Guid.NewGuid().ToString("N")[..12], JobNames.Container, JobNames.PartitionKeyPath, Token);
        var queue = new QueueServiceClient(storage).GetQueueClient("sweeps-" + Guid.NewGuid().ToString("N")[..16]);
        return new JobsTestKit(connection, store, queue, new TableServiceClient(storage), options ?? new SweepJobOptions());
    }

    /// <summary>The test sweep: an SMA crossover, fast 2…20 by 2, slow 10…60 by 5, fast &lt; slow (100 combinations), on a synthetic market.</summary>
    public static SweepJobRequest Request(int bars = 600, int minimumShards = 12, ulong seed = 7) => new()
    {
        Strategy = SmaCross,
        Parameters = ["fast=2:20:2", "slow=10:60:5"],
        Constraints = ["fast < slow"],
        Top = 10,
        MinimumShards = minimumShards,
        Data = new SweepDataSource { Synthetic = new SyntheticBarsSource { Seed = seed, Bars = bars } },
    };

    /// <summary>The same sweep run by the single-process executor on all cores.</summary>
    public static OptimizationResult Local(SweepJobRequest request, BarSeries? bars = null)
    {
        var problems = new List<JobProblem>();
        var valid = SweepRequestReader.Read(request, new SweepJobOptions(), problems);
        Assert.True(valid is not null, string.Join("; ", problems));
        bars ??= SyntheticMarket.Generate(((SyntheticBarSource)valid.Source).Options);
        return LocalSweepExecutor.Run(valid.Definition, bars, new LocalExecution { Workers = 2 }, Token);
    }

    public SweepShardWorker Worker(ISweepShardRunner? runner = null, SweepJobOptions? options = null) =>
        new(Store, Tables, Push, runner, options ?? Options);

    /// <summary>Starts a job and asserts it was accepted.</summary>
    public async Task<JobStatus> StartAsync(SweepJobRequest request, string? key = null)
    {
        var start = await Service.StartSweepAsync(request, key, Token);
        Assert.True(start.Accepted, string.Join("; ", start.Problems));
        return start.Job!;
    }

    /// <summary>
    /// Runs workers side by side, each polling the queue as the queue trigger does, until the job is finished and its
    /// messages are gone (or the time is up).
    /// </summary>
    public async Task<JobStatus> RunWorkersAsync(string jobId, int count, ISweepShardRunner? runner = null, double seconds = 60)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        var workers = Enumerable.Range(0, count).Select(_ => Worker(runner)).ToArray();
        await Task.WhenAll(workers.Select(async worker =>
        {
            while (DateTimeOffset.UtcNow < deadline)
            {
                var messages = await Queue.ReceiveAsync(1, TimeSpan.FromMinutes(5), Token);
                if (messages.Count == 0)
                {
                    if ((await Service.GetAsync(jobId, Token))!.IsFinished && await Queue.GetApproximateMessageCountAsync(Token) == 0)
                    {
                        return;
                    }

                    await Task.Delay(20, Token);
                    continue;
                }

                await DeliverAsync(worker, messages[0]);
            }
        }));
        var status = (await Service.GetAsync(jobId, Token))!;
        Assert.True(status.IsFinished, $"job {jobId} did not finish within {seconds} s: {status}; failed deliveries: {string.Join(" | ", Errors)}");
        return status;
    }

    /// <summary>One delivery as the trigger makes it: success deletes the message; a failure makes it visible again at once.</summary>
    public async Task<ShardReport?> DeliverAsync(SweepShardWorker worker, QueueMessage message)
    {
        using var document = JsonDocument.Parse(message.Text);
        Assert.True(ShardMessage.TryRead(document.RootElement, out var shard, out var error), error);
        try
        {
            var report = await worker.ProcessAsync(shard!, (int)message.DequeueCount, Token);
            await Queue.DeleteAsync(message.MessageId, message.PopReceipt, Token);
            return report;
        }
        catch (Exception e) when (!Token.IsCancellationRequested)
        {
            Errors.Enqueue($"shard {shard!.Shard} delivery {message.DequeueCount}: {e.GetType().Name}: {e.Message}");
            await Queue.UpdateVisibilityAsync(message.MessageId, message.PopReceipt, TimeSpan.Zero, cancellationToken: Token);
            return null;
        }
    }

    /// <summary>Every message of the queue, received (and left invisible for a minute).</summary>
    public async Task<List<QueueMessage>> ReceiveAllAsync(int expected)
    {
        var all = new List<QueueMessage>();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (all.Count < expected && DateTimeOffset.UtcNow < deadline)
        {
            all.AddRange(await Queue.ReceiveAsync(32, TimeSpan.FromMinutes(1), Token));
        }

        return all;
    }

    /// <summary>Changes the stored job document as raw JSON (to put it in the state a crash would leave).</summary>
    public async Task EditJobAsync(string jobId, Action<JsonObject> edit)
    {
        var read = (await Store.ReadAsync<JsonObject>(jobId, jobId, Token))!;
        var document = read.Value;
        foreach (var name in document.Select(p => p.Key).Where(k => k.StartsWith('_')).ToList())
        {
            document.Remove(name);
        }

        edit(document);
        (await Store.ReplaceAsync(document, read.ETag, Token)).EnsureSucceeded();
    }

    /// <summary>
    /// Asserts two results are the same sweep outcome, field by field and bit for bit: totals, ranking (every trial's
    /// parameters, objective, metrics and return profile), the CSCV sample, failures, Deflated Sharpe and PBO. Only the
    /// per-shard breakdown may differ (it records how the sweep was cut).
    /// </summary>
    public static void AssertSameResult(SweepResult expected, SweepResult actual)
    {
        Assert.Equal(expected.SweepHash, actual.SweepHash);
        Assert.Equal(expected.DataHash, actual.DataHash);
        Assert.Equal(expected.Combinations, actual.Combinations);
        Assert.Equal(expected.Totals with { }, actual.Totals with { });
        Assert.Equal(expected.Top.Count, actual.Top.Count);
        for (var i = 0; i < expected.Top.Count; i++)
        {
            var (e, a) = (expected.Top[i], actual.Top[i]);
            Assert.Equal(e.Index, a.Index);
            Assert.Equal(e.Parameters, a.Parameters);
            Assert.Equal(BitConverter.DoubleToInt64Bits(e.Objective), BitConverter.DoubleToInt64Bits(a.Objective));
            Assert.Equal(e.Metrics, a.Metrics);
            Assert.Equal(e.Returns, a.Returns);
        }

        Assert.Equal(expected.PboSample.Select(p => (p.Index, p.Key)), actual.PboSample.Select(p => (p.Index, p.Key)));
        Assert.Equal(expected.Failures, actual.Failures);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.DeflatedSharpe), BitConverter.DoubleToInt64Bits(actual.DeflatedSharpe));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Pbo.Probability), BitConverter.DoubleToInt64Bits(actual.Pbo.Probability));
        Assert.Equal(expected.Pbo.Logits, actual.Pbo.Logits);
        Assert.Equal(Json(Uncut(expected)), Json(Uncut(actual)));
    }

    /// <summary>The result's exact JSON form (the codec's, uncompressed).</summary>
    public static string Json(SweepResult result)
    {
        using var zip = new GZipStream(new MemoryStream(SweepResultCodec.Encode(result)), CompressionMode.Decompress);
        using var reader = new StreamReader(zip);
        return reader.ReadToEnd();
    }

    /// <summary>The result with its per-shard totals folded into one entry.</summary>
    public static SweepResult Uncut(SweepResult result) => new(
        result.SweepHash,
        result.DataHash,
        result.TopLimit,
        result.PboLimit,
        new Dictionary<ShardKey, ShardTotals> { [new ShardKey(0, 1)] = result.Totals },
        result.Top,
        result.PboSample,
        result.Failures);

    public void Dispose() => connection.Dispose();
}

/// <summary>Records every push.</summary>
internal sealed class RecordingPush : IJobPush
{
    public ConcurrentQueue<(string Group, JsonObject Message)> Sent { get; } = new();

    public Task SendAsync(string group, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        Sent.Enqueue((group, JsonNode.Parse(json.Span)!.AsObject()));
        return Task.CompletedTask;
    }

    public List<JsonObject> Of(string jobId, string? @event = null) =>
        [.. Sent.Where(s => s.Group == JobNames.Group(jobId) && (@event is null || s.Message["event"]!.GetValue<string>() == @event)).Select(s => s.Message)];
}

/// <summary>Runs shards with the real runner, except that chosen shards always throw (a fault injected by the test, not by production code).</summary>
internal sealed class FailingRunner(params int[] failing) : ISweepShardRunner
{
    public ConcurrentDictionary<int, int> Attempts { get; } = new();

    public SweepResult Run(PreparedSweep sweep, BarSeries bars, SweepShard shard, Core.Strategies.Rules.IndicatorColumnCache cache, CancellationToken cancellationToken)
    {
        Attempts.AddOrUpdate(shard.Number, 1, (_, n) => n + 1);
        return failing.Contains(shard.Number)
            ? throw new InvalidOperationException($"injected fault in shard {shard.Number}")
            : SweepShardRunner.Instance.Run(sweep, bars, shard, cache, cancellationToken);
    }
}
