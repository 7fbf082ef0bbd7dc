using System.Globalization;
using Microsoft.AspNetCore.Builder;
using SigmaFlow.Functions.Local.EventHubs;
using SigmaFlow.Functions.Local.WebPubSub;

namespace SigmaFlow.Functions.Cli;

/// <summary>
/// <c>sigmaflow serve</c>: the local runtime. Today it hosts the two stand-ins Azure has no local emulator for, each
/// opt-in and on its own port: the Event Hubs REST send endpoint (<c>--event-hubs</c>) and Web PubSub
/// (<c>--web-pubsub</c>). It prints their URLs and connection strings and runs until Ctrl+C.
/// </summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(CliArguments args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var webPubSub = args.Flag("web-pubsub");
        var eventHubs = args.Flag("event-hubs");
        var webPubSubPort = args.Int("web-pubsub-port", 7072, 0, 65535);
        var eventHubsPort = args.Int("event-hubs-port", 7073, 0, 65535);
        var webPubSubKey = args.Value("web-pubsub-key");
        var eventHubsKey = args.Value("event-hubs-key");
        var partitions = args.Int("partitions", 4, 1, 32);
        args.RejectUnknown("serve");
        if (!webPubSub && !eventHubs)
        {
            throw new CliUsageException("serve needs at least one of --web-pubsub and --event-hubs (the local stand-ins it hosts).");
        }

        var apps = new List<(string Name, WebApplication App)>();
        try
        {
            if (eventHubs)
            {
                var options = new EventHubsStandInOptions
                {
                    Url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{eventHubsPort}"),
                    SharedAccessKey = eventHubsKey,
                    Log = new LocalEventLogOptions { Hubs = new Dictionary<string, int> { ["ticks"] = partitions } },
                };
                var app = EventHubsStandIn.Create(options, new LocalEventLog(options.Log, TimeProvider.System));
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
                apps.Add(("Event Hubs", app));
                var standIn = EventHubsStandIn.From(app);
                await stdout.WriteLineAsync($"Event Hubs stand-in: {standIn.BaseAddress} (hub 'ticks', {partitions} partitions)").ConfigureAwait(false);
                await stdout.WriteLineAsync($"  EventHubConnection={standIn.ConnectionString}").ConfigureAwait(false);
            }

            if (webPubSub)
            {
                var options = new WebPubSubStandInOptions
                {
                    Url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{webPubSubPort}"),
                    AccessKey = webPubSubKey,
                };
                var app = WebPubSubStandIn.Create(options);
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
                apps.Add(("Web PubSub", app));
                var connection = WebPubSubStandIn.GetConnectionString(app);
                await stdout.WriteLineAsync($"Web PubSub stand-in: {app.Urls.First()} (clients: {app.Urls.First().Replace("http", "ws", StringComparison.Ordinal)}/client/hubs/{{hub}})").ConfigureAwait(false);
                await stdout.WriteLineAsync($"  WebPubSubConnectionString={connection}").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync("Ready. Ctrl+C stops.").ConfigureAwait(false);
            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return CliApp.Ok;
        }
        finally
        {
            foreach (var (name, app) in apps)
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await app.StopAsync(stop.Token).ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
                await stderr.WriteLineAsync($"{name} stand-in stopped").ConfigureAwait(false);
            }
        }
    }
}
