using Microsoft.Extensions.Logging;
using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.SweepShardPoison;
using SigmaFlow.Platform.Azure.Cosmos;
using SigmaFlow.Platform.Jobs;

namespace SigmaFlow.Functions.RunSweepShard;

/// <summary>
/// Builds the sweep job functions from the platform settings: the <c>jobs</c> container (partition key <c>/jobId</c>)
/// in <c>CosmosDatabaseName</c> of <c>CosmosDbConnection</c>, the <c>bars</c> table of <c>AzureWebJobsStorage</c>,
/// push through <c>WebPubSubConnection</c> when set. Without storage or Cosmos both functions are still registered but
/// fail every invocation naming the missing setting. The worker is built on the first invocation (and built again
/// after a failure, e.g. Cosmos not reachable yet), so a bad setting fails invocations, not the app.
/// </summary>
internal static class SweepJobsComposition
{
    /// <summary>The sweep job functions.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="clock">The clock.</param>
    /// <param name="loggerFactory">Logging.</param>
    /// <param name="options">Job settings (defaults: <see cref="SweepJobOptions"/>, whose <c>MaxDeliveries</c> equals host.json's <c>maxDequeueCount</c>).</param>
    /// <returns><c>RunSweepShard</c> and <c>SweepShardPoison</c>.</returns>
    public static IReadOnlyList<IFunctionHandler> Create(PlatformSettings settings, TimeProvider clock, ILoggerFactory loggerFactory, SweepJobOptions? options = null)
    {
        var missing = Missing(settings);
        if (missing is not null)
        {
            return
            [
                new UnavailableFunction(RunSweepShardHandler.FunctionName, $"{RunSweepShardHandler.FunctionName} cannot run: {missing}"),
                new UnavailableFunction(SweepShardPoisonHandler.FunctionName, $"{SweepShardPoisonHandler.FunctionName} cannot run: {missing}"),
            ];
        }

        var worker = new Retrying<SweepShardWorker>(async token =>
        {
            var store = await JobsStoreAsync(settings, token).ConfigureAwait(false);
            var push = settings.HasWebPubSub ? new WebPubSubJobPush(settings.Push()) : null;
            return new SweepShardWorker(store, settings.Tables(), push, null, options, clock, loggerFactory.CreateLogger<SweepShardWorker>());
        });
        return [new RunSweepShardHandler(worker.GetAsync), new SweepShardPoisonHandler(worker.GetAsync)];
    }

    /// <summary>The job service for the HTTP API, from the same settings.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="clock">The clock.</param>
    /// <param name="loggerFactory">Logging.</param>
    /// <param name="cancellationToken">Cancels the set-up (the container is created when missing).</param>
    /// <returns>The service.</returns>
    /// <exception cref="InvalidOperationException">Storage or Cosmos is not configured; the message names the setting.</exception>
    public static async Task<SweepJobService> CreateServiceAsync(PlatformSettings settings, TimeProvider clock, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        if (Missing(settings) is { } missing)
        {
            throw new InvalidOperationException("sweep jobs cannot run: " + missing);
        }

        var store = await JobsStoreAsync(settings, cancellationToken).ConfigureAwait(false);
        var push = settings.HasWebPubSub ? new WebPubSubJobPush(settings.Push()) : null;
        return new SweepJobService(store, settings.Queues().GetQueueClient(JobNames.ShardQueue), settings.Tables(), push, null, clock, loggerFactory.CreateLogger<SweepJobService>());
    }

    private static string? Missing(PlatformSettings settings) =>
        !settings.HasStorage ? $"{PlatformSettings.Storage} is not set. Set it to a storage connection string (UseDevelopmentStorage=true for Azurite) or '{PlatformSettings.Storage}__accountName' for the app's identity; shard messages and stored bars live there."
        : !settings.HasCosmos ? $"{PlatformSettings.Cosmos} is not set. Set it to a Cosmos DB connection string (the local server's from infra/local/emulators.sh) or '{PlatformSettings.Cosmos}__accountEndpoint' for the app's identity; jobs, shard results and final results live in its '{JobNames.Container}' container."
        : null;

    private static async Task<CosmosStore> JobsStoreAsync(PlatformSettings settings, CancellationToken cancellationToken)
    {
        var connection = settings.CosmosConnection();
        return await connection.EnsureDatabaseAndContainerAsync(settings.CosmosDatabaseName, JobNames.Container, JobNames.PartitionKeyPath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A value built on first use; a failed build is not kept, so the next call tries again.</summary>
    private sealed class Retrying<T>(Func<CancellationToken, Task<T>> build)
    {
        private readonly Lock gate = new();
        private Task<T>? current;

        public Task<T> GetAsync(CancellationToken cancellationToken)
        {
            lock (gate)
            {
                if (current is null || current.IsFaulted || current.IsCanceled)
                {
                    current = build(cancellationToken);
                }

                return current.WaitAsync(cancellationToken);
            }
        }
    }
}
