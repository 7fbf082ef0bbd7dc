using System.Collections.Concurrent;
using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Core.Strategies.Rules;
using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.Local.Runtime;
using SigmaFlow.Functions.RunSweepShard;
using SigmaFlow.Functions.SweepShardPoison;
using SigmaFlow.Functions.Tests.Local.Runtime;
using SigmaFlow.Platform.Azure.Cosmos;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Jobs;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.RunSweepShard;

/// <summary>
/// The sweep fan-out on one machine for one test: a Cosmos database and a shard queue (with its poison queue) of its
/// own, a function app folder holding <c>RunSweepShard</c> and <c>SweepShardPoison</c> on those queues, and any number
/// of "hosts": each is a custom-handler server with its own worker behind a <see cref="LocalRuntime"/> (the local
/// Functions host: queue polling, batches, dequeue counts, poison queue), which a test can start and stop.
/// </summary>
internal sealed class SweepPlatformScope : IAsyncDisposable
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
    private readonly string storage;
    private readonly TestApp app;
    private readonly List<Host> hosts = [];

    private SweepPlatformScope(CosmosConnection connection, CosmosStore store, string storage, QueueClient queue, QueueClient poison, TestApp app)
    {
        this.connection = connection;
        this.storage = storage;
        this.app = app;
        Store = store;
        Queue = queue;
        Poison = poison;
        Tables = new TableServiceClient(storage);
        Service = new SweepJobService(store, queue, Tables, null);
    }

    public CosmosStore Store { get; }

    public QueueClient Queue { get; }

    public QueueClient Poison { get; }

    public TableServiceClient Tables { get; }

    public SweepJobService Service { get; }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<SweepPlatformScope> CreateAsync(CosmosEmulator cosmos, AzuriteEmulator azurite)
    {
        var cosmosConnection = cosmos.ConnectionString;
        var storage = azurite.ConnectionString;
        var connection = CosmosConnection.FromConnectionString(cosmosConnection);
        var store = await connection.EnsureDatabaseAndContainerAsync("fanout" + Guid.NewGuid().ToString("N")[..12], JobNames.Container, JobNames.PartitionKeyPath, Token);
        var name = "sweeps-" + Guid.NewGuid().ToString("N")[..16];
        var queues = new QueueServiceClient(storage);
        // The repository's function.json files with this test's queue names (the host's test settings: maxDequeueCount 3, batchSize 4).
        var app = TestApp.Create(
            TestApp.DefaultHost,
            (RunSweepShardHandler.FunctionName, FunctionJson(RunSweepShardHandler.FunctionName).Replace(JobNames.ShardQueue, name, StringComparison.Ordinal)),
            (SweepShardPoisonHandler.FunctionName, FunctionJson(SweepShardPoisonHandler.FunctionName).Replace(JobNames.ShardQueue, name, StringComparison.Ordinal)));
        return new SweepPlatformScope(connection, store, storage, queues.GetQueueClient(name), queues.GetQueueClient(name + "-poison"), app);
    }

    /// <summary>The test sweep: SMA crossover, fast 2…20 by 2, slow 10…60 by 5, fast &lt; slow (100 combinations), synthetic market.</summary>
    public static SweepJobRequest Request(int minimumShards, int bars = 800) => new()
    {
        Strategy = SmaCross,
        Parameters = ["fast=2:20:2", "slow=10:60:5"],
        Constraints = ["fast < slow"],
        Top = 10,
        MinimumShards = minimumShards,
        Data = new SweepDataSource { Synthetic = new SyntheticBarsSource { Seed = 5, Bars = bars } },
    };

    /// <summary>The same sweep run by the single-process executor.</summary>
    public static OptimizationResult Local(SweepJobRequest request)
    {
        var problems = new List<JobProblem>();
        var valid = SweepRequestReader.Read(request, new SweepJobOptions(), problems)!;
        var bars = SyntheticMarket.Generate(((SyntheticBarSource)valid.Source).Options);
        return LocalSweepExecutor.Run(valid.Definition, bars, new LocalExecution { Workers = 2 }, Token);
    }

    /// <summary>Starts a host: a custom handler with its own worker (new process state: no cached bars or columns) under a local runtime.</summary>
    public async Task<Host> StartHostAsync(ISweepShardRunner? runner = null, SweepJobOptions? options = null, string? webPubSub = null, TimeSpan? shutdown = null)
    {
        options ??= new SweepJobOptions { MaxDeliveries = 3 };
        var push = webPubSub is null ? null : new WebPubSubJobPush(new Platform.Azure.WebPubSub.WebPubSubServiceClient(Platform.Azure.WebPubSub.WebPubSubConnection.Parse(webPubSub), "market"));
        var worker = new SweepShardWorker(Store, Tables, push, runner, options);
        IFunctionHandler[] handlers = [new RunSweepShardHandler(_ => Task.FromResult(worker)), new SweepShardPoisonHandler(_ => Task.FromResult(worker))];
        var server = CustomHandlerServer.Create(new CustomHandlerOptions { Url = "http://127.0.0.1:0" }, handlers, null, NullLoggerFactory.Instance);
        await server.StartAsync(Token);
        var settings = TestApp.Settings(("AzureWebJobsStorage", storage));
        var runtime = new LocalRuntime(app.Load(settings), new LocalRuntimeOptions
        {
            HandlerAddress = new Uri(server.Urls.First().TrimEnd('/') + "/"),
            ReadSetting = settings,
            StateStore = RuntimeStateStore.InMemory(),
            QueueVisibilityTimeout = TimeSpan.FromSeconds(2),
            MinQueuePollingInterval = TimeSpan.FromMilliseconds(20),
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(200),
            ShutdownTimeout = shutdown ?? TimeSpan.FromSeconds(10),
        });
        await runtime.StartAsync(Token);
        var host = new Host(runtime, server);
        hosts.Add(host);
        return host;
    }

    public async Task<JobStatus> StartJobAsync(SweepJobRequest request)
    {
        var start = await Service.StartSweepAsync(request, cancellationToken: Token);
        Assert.True(start.Accepted, string.Join("; ", start.Problems));
        return start.Job!;
    }

    public async Task<JobStatus> WaitAsync(string jobId, Func<JobStatus, bool> condition, string what, double seconds = 90)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var status = (await Service.GetAsync(jobId, Token))!;
            if (condition(status))
            {
                return status;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {seconds} s: {status}");
            }

            await Task.Delay(50, Token);
        }
    }

    public Task<JobStatus> WaitFinishedAsync(string jobId, double seconds = 90) => WaitAsync(jobId, s => s.IsFinished, "the job to finish", seconds);

    /// <summary>Result equality field by field (see the platform tests): everything but the per-shard breakdown, bit for bit.</summary>
    public static void AssertSameResult(SweepResult expected, SweepResult actual)
    {
        Assert.Equal(expected.SweepHash, actual.SweepHash);
        Assert.Equal(expected.DataHash, actual.DataHash);
        Assert.Equal(expected.Combinations, actual.Combinations);
        Assert.Equal(expected.Totals, actual.Totals);
        Assert.Equal(expected.Top.Select(t => (t.Index, t.Objective, t.Metrics, t.Returns)), actual.Top.Select(t => (t.Index, t.Objective, t.Metrics, t.Returns)));
        Assert.Equal(expected.PboSample.Select(p => (p.Index, p.Key)), actual.PboSample.Select(p => (p.Index, p.Key)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.DeflatedSharpe), BitConverter.DoubleToInt64Bits(actual.DeflatedSharpe));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Pbo.Probability), BitConverter.DoubleToInt64Bits(actual.Pbo.Probability));
        Assert.Equal(Json(Uncut(expected)), Json(Uncut(actual)));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }

        connection.Dispose();
        app.Dispose();
    }

    private static string Json(SweepResult result)
    {
        using var zip = new GZipStream(new MemoryStream(SweepResultCodec.Encode(result)), CompressionMode.Decompress);
        using var reader = new StreamReader(zip);
        return reader.ReadToEnd();
    }

    private static SweepResult Uncut(SweepResult r) =>
        new(r.SweepHash, r.DataHash, r.TopLimit, r.PboLimit, new Dictionary<ShardKey, ShardTotals> { [new ShardKey(0, 1)] = r.Totals }, r.Top, r.PboSample, r.Failures);

    private static string FunctionJson(string function) =>
        File.ReadAllText(Path.Combine(LocalEmulator.RepositoryRoot() ?? throw new InvalidOperationException("repository root not found"), "functions", function, "function.json"));

    /// <summary>One local "host": the runtime and the custom handler behind it.</summary>
    internal sealed class Host(LocalRuntime runtime, WebApplication server) : IAsyncDisposable
    {
        private bool stopped;

        public LocalRuntime Runtime => runtime;

        /// <summary>Stops the triggers, then the handler (in-flight invocations get the runtime's shutdown time, then are cut off).</summary>
        public async Task StopAsync()
        {
            if (stopped)
            {
                return;
            }

            stopped = true;
            await runtime.StopAsync(CancellationToken.None);
            await runtime.DisposeAsync();
            await server.StopAsync(CancellationToken.None);
            await server.DisposeAsync();
        }

        public ValueTask DisposeAsync() => new(StopAsync());
    }
}

/// <summary>The real runner, slowed down per shard (so a test can stop a host while shards are in flight), failing chosen shards.</summary>
internal sealed class TestRunner(TimeSpan delay, params int[] failing) : ISweepShardRunner
{
    public ConcurrentDictionary<int, int> Attempts { get; } = new();

    public SweepResult Run(PreparedSweep sweep, BarSeries bars, SweepShard shard, IndicatorColumnCache cache, CancellationToken cancellationToken)
    {
        Attempts.AddOrUpdate(shard.Number, 1, (_, n) => n + 1);
        if (delay > TimeSpan.Zero)
        {
            Task.Delay(delay, cancellationToken).GetAwaiter().GetResult();
        }

        return failing.Contains(shard.Number)
            ? throw new InvalidOperationException($"injected fault in shard {shard.Number}")
            : SweepShardRunner.Instance.Run(sweep, bars, shard, cache, cancellationToken);
    }
}
