using System.Diagnostics;
using System.Text;
using SigmaFlow.Platform.Azure.Cosmos;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Jobs;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.RunSweepShard;

/// <summary>
/// The real thing: <c>sigmaflow serve</c> as its own process on the repository's function folders and host.json,
/// killed (SIGKILL) in the middle of a sweep and started again; the job completes with the single-process result.
/// Slow by nature: the killed process's in-flight messages stay leased for serve's 30 s before they are delivered again.
/// </summary>
[Collection(AppShardQueueTests.Name)]
public sealed class ServeKillTests(CosmosEmulator cosmos, AzuriteEmulator azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_KilledMidSweepAndRestarted_CompletesTheSameJobWithTheSameResult()
    {
        var storage = azurite.ConnectionString;
        var database = "serve" + Guid.NewGuid().ToString("N")[..12];
        using var connection = CosmosConnection.FromConnectionString(cosmos.ConnectionString);
        var store = await connection.EnsureDatabaseAndContainerAsync(database, JobNames.Container, JobNames.PartitionKeyPath, Token);
        var queues = new QueueServiceClient(storage);
        var queue = queues.GetQueueClient(JobNames.ShardQueue);
        await queue.CreateIfNotExistsAsync(Token);
        await queue.ClearAsync(Token);
        var service = new SweepJobService(store, queue, new TableServiceClient(storage), null);
        // About 16,000 combinations in 40 shards: long enough to kill the process with most shards still to run.
        var request = SweepPlatformScope.Request(minimumShards: 40, bars: 1500) with { Parameters = ["fast=2:101:1", "slow=20:219:1"] };
        var start = await service.StartSweepAsync(request, cancellationToken: Token);
        Assert.True(start.Accepted, string.Join("; ", start.Problems));
        var job = start.Job!;

        JobStatus midway;
        using (var first = await ServeProcess.StartAsync(storage, cosmos.ConnectionString, database))
        {
            midway = await WaitAsync(service, job.JobId, s => s.ShardsDone >= 3, "three shards", first);
            first.Kill();
        }

        var afterKill = (await service.GetAsync(job.JobId, Token))!;
        Assert.False(afterKill.IsFinished, $"the job should be unfinished after the kill: {afterKill}");
        Assert.True(afterKill.ShardsDone < afterKill.ShardsTotal);

        JobStatus finished;
        using (var second = await ServeProcess.StartAsync(storage, cosmos.ConnectionString, database))
        {
            finished = await WaitAsync(service, job.JobId, s => s.IsFinished, "the job to finish", second, seconds: 240);
            second.Kill();
        }

        Assert.True(midway.ShardsDone >= 3);
        Assert.Equal(JobState.Completed, finished.Status);
        Assert.Equal(finished.ShardsTotal, finished.ShardsDone);
        Assert.Empty(finished.FailedShards);
        SweepPlatformScope.AssertSameResult(SweepPlatformScope.Local(request).Result, (await service.GetResultAsync(job.JobId, Token))!.Result);
    }

    private static async Task<JobStatus> WaitAsync(SweepJobService service, string jobId, Func<JobStatus, bool> condition, string what, ServeProcess serve, double seconds = 120)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var status = (await service.GetAsync(jobId, Token))!;
            if (condition(status))
            {
                return status;
            }

            if (DateTimeOffset.UtcNow > deadline || serve.HasExited)
            {
                throw new TimeoutException($"{what} did not happen within {seconds} s ({status}); serve {(serve.HasExited ? "exited" : "is running")}; its output:{Environment.NewLine}{serve.Output}");
            }

            await Task.Delay(100, Token);
        }
    }

    /// <summary><c>dotnet sigmaflow.dll serve</c> from the test's output folder (which holds the app: host.json and the function folders).</summary>
    private sealed class ServeProcess : IDisposable
    {
        private readonly Process process;
        private readonly StringBuilder output = new();

        private ServeProcess(Process process)
        {
            this.process = process;
        }

        public bool HasExited => process.HasExited;

        public string Output
        {
            get
            {
                lock (output)
                {
                    var text = output.ToString();
                    return text.Length <= 4000 ? text : text[^4000..];
                }
            }
        }

        public static async Task<ServeProcess> StartAsync(string storage, string cosmos, string database)
        {
            var app = AppContext.BaseDirectory;
            var info = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = app,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { Path.Combine(app, "sigmaflow.dll"), "serve", "--app-root", app, "--port", "0", "--no-event-hubs", "--no-web-pubsub" })
            {
                info.ArgumentList.Add(argument);
            }

            info.Environment["AzureWebJobsStorage"] = storage;
            info.Environment["CosmosDbConnection"] = cosmos;
            info.Environment["CosmosDatabaseName"] = database;
            info.Environment.Remove("WebPubSubConnection");
            info.Environment.Remove("EventHubConnection");
            var serve = new ServeProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnLine(string? line)
            {
                if (line is null)
                {
                    return;
                }

                lock (serve.output)
                {
                    serve.output.AppendLine(line);
                }

                if (line.Contains("Ready in", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }

            serve.process.OutputDataReceived += (_, e) => OnLine(e.Data);
            serve.process.ErrorDataReceived += (_, e) => OnLine(e.Data);
            serve.process.BeginOutputReadLine();
            serve.process.BeginErrorReadLine();
            var finished = await Task.WhenAny(ready.Task, serve.process.WaitForExitAsync(Token), Task.Delay(TimeSpan.FromSeconds(60), Token));
            if (finished != ready.Task)
            {
                serve.Kill();
                throw new InvalidOperationException($"serve did not get ready within 60 s; its output:{Environment.NewLine}{serve.Output}");
            }

            return serve;
        }

        /// <summary>Kills the process at once (SIGKILL): nothing is finished or cleaned up, as in a crash.</summary>
        public void Kill()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }

        public void Dispose()
        {
            Kill();
            process.Dispose();
        }
    }
}
