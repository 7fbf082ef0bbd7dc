using Microsoft.Extensions.Logging;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Live;
using SigmaFlow.Platform.Live.Adapters;
using SigmaFlow.Platform.Screening;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.ScanMarkets;

/// <summary>
/// Builds ScanMarkets from the platform settings: screeners, watchlists and the live pipeline's bars in Table storage and
/// the <c>alerts</c> queue from <c>AzureWebJobsStorage</c>, push from <c>WebPubSubConnection</c> (optional). Without
/// storage the function is still registered but fails every invocation saying so. Clients are made on the first
/// invocation, so a bad setting fails invocations with its reason instead of stopping the whole app.
/// </summary>
internal static class ScanMarketsComposition
{
    public static IFunctionHandler Create(PlatformSettings settings, TimeProvider clock, ILoggerFactory loggerFactory)
    {
        if (!settings.HasStorage)
        {
            return new UnavailableFunction(ScanMarketsHandler.FunctionName, $"{ScanMarketsHandler.FunctionName} cannot run: {PlatformSettings.Storage} is not set. Set '{PlatformSettings.Storage}' to a storage connection string (UseDevelopmentStorage=true for Azurite) or '{PlatformSettings.Storage}__accountName' for the app's identity; screeners, watchlists, bars and results are kept in its tables and alerts go to its '{LiveNames.AlertsQueue}' queue.");
        }

        var logger = loggerFactory.CreateLogger<MarketScan>();
        var scan = new Lazy<MarketScan>(() =>
        {
            var tables = settings.Tables();
            return new MarketScan(
                new ScreenerStore(tables, clock),
                new WatchlistStore(tables, clock),
                new TableIngestStore(tables, clock),
                new QueueScreenerAlerts(settings.Queues().GetQueueClient(LiveNames.AlertsQueue)),
                settings.HasWebPubSub ? new WebPubSubLivePush(settings.Push()) : null,
                clock,
                logger);
        });
        return new ScanMarketsHandler(() => scan.Value);
    }
}
