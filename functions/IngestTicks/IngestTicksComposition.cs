using Microsoft.Extensions.Logging;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Functions.Health;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Live;
using SigmaFlow.Platform.Live.Adapters;

namespace SigmaFlow.Functions.IngestTicks;

/// <summary>
/// Builds IngestTicks from the platform settings: Table storage and the <c>alerts</c> queue from
/// <c>AzureWebJobsStorage</c>, push from <c>WebPubSubConnection</c> (optional), the checkpoint source from
/// <c>TicksHubName</c>, live strategies from <c>LiveStrategies</c>. Without storage the function is still registered
/// but fails every invocation saying so. Clients and strategies are made on the first invocation, so a bad setting
/// fails invocations with its reason instead of stopping the whole app.
/// </summary>
internal static class IngestTicksComposition
{
    public static IngestTicksHandler Create(PlatformSettings settings, TimeProvider clock, ILoggerFactory loggerFactory, ICollection<IHealthSource> health)
    {
        if (!settings.HasStorage)
        {
            return IngestTicksHandler.Unavailable(
                $"{IngestTicksHandler.FunctionName} cannot run: {PlatformSettings.Storage} is not set. Set '{PlatformSettings.Storage}' to a storage connection string (UseDevelopmentStorage=true for Azurite) or '{PlatformSettings.Storage}__accountName' for the app's identity; bars, quotes, signals, dead letters and checkpoints are kept in its tables.");
        }

        var ingestHealth = new IngestHealth(clock);
        health.Add(new IngestHealthSource(ingestHealth));
        var symbols = new SymbolTable();
        var logger = loggerFactory.CreateLogger<IngestPipeline>();
        var setup = new Lazy<(IngestOptions Options, IngestPorts Ports)>(() =>
        {
            var options = new IngestOptions
            {
                Live = new LiveSymbolOptions { Strategies = LiveStrategies.Load(settings.LiveStrategiesFolder) },
                Source = settings.TicksHubName,
            };
            options.Validate();
            var ports = AzureIngestPorts.Create(settings.Tables(), settings.Queues(), settings.HasWebPubSub ? settings.Push() : null, clock, options.StorageConcurrency);
            return (options, ports);
        });
        return new IngestTicksHandler(partition => new IngestPipeline(partition, setup.Value.Options, setup.Value.Ports, clock, logger, symbols, ingestHealth), symbols);
    }
}

/// <summary>The <c>ingest</c> entry of <c>/api/health</c>: per partition the checkpoint, lag, rate and counts; unhealthy while a partition's last run failed.</summary>
internal sealed class IngestHealthSource(IngestHealth health) : IHealthSource
{
    public HealthReport Report()
    {
        var healthy = health.Healthy;
        return new HealthReport("ingest", healthy, new { healthy, partitions = health.Snapshot() });
    }
}
