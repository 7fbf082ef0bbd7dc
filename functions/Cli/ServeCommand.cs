using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.Local.EventHubs;
using SigmaFlow.Functions.Local.Runtime;
using SigmaFlow.Functions.Local.WebPubSub;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Cli;

/// <summary>
/// <c>sigmaflow serve</c>: the local platform on one machine, in the Functions host's place. It reads host.json and
/// the function folders beside the executable (or <c>--app-root</c>), starts the Event Hubs and Web PubSub stand-ins
/// (each can be left out), builds the settings the function app reads (the environment, with the stand-ins'
/// connections and the emulators' storage from <c>SIGMAFLOW_STORAGE</c>/<c>SIGMAFLOW_COSMOS</c>), starts the function
/// app's custom handler in-process on a free port, runs the triggers through the host's envelope
/// (<see cref="LocalRuntime"/>), and serves HTTP functions and the dashboard on the public port
/// (<see cref="LocalGateway"/>). Ctrl+C stops the triggers first (in-flight invocations finish), then the servers.
/// With <c>--data-dir DIR</c> the Event Hubs stand-in keeps its log in <c>DIR/eventhubs</c> across restarts.
/// </summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(CliArguments args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var port = args.Int("port", 7071, 0, 65535);
        var appRoot = args.Value("app-root") ?? AppContext.BaseDirectory;
        var dashboardArgument = args.Value("dashboard");
        var eventHubs = !args.Flag("no-event-hubs");
        var webPubSub = !args.Flag("no-web-pubsub");
        _ = args.Flag("event-hubs") | args.Flag("web-pubsub"); // accepted for older scripts: both are on by default now
        var webPubSubPort = args.Int("web-pubsub-port", 7072, 0, 65535);
        var eventHubsPort = args.Int("event-hubs-port", 7073, 0, 65535);
        var webPubSubKey = args.Value("web-pubsub-key");
        var eventHubsKey = args.Value("event-hubs-key");
        var partitions = args.Int("partitions", LocalEventLogOptions.DefaultPartitionCount, 1, LocalEventLogOptions.MaxPartitionCount);
        var devKeyFile = args.Value("dev-key-file");
        var dataDirectory = args.Value("data-dir");
        var testHooks = args.Flag("test-hooks");
        args.RejectUnknown("serve");
        if (dataDirectory is { Length: 0 })
        {
            throw new CliUsageException("--data-dir must name a folder (the Event Hubs log is kept in its 'eventhubs' subfolder).");
        }

        var settings = new ServeSettings();
        FunctionAppDefinition definition;
        try
        {
            definition = FunctionAppDefinition.Load(appRoot, settings.Read);
        }
        catch (FunctionDefinitionException e)
        {
            throw new CliUsageException(e.Message);
        }

        using var loggers = LoggerFactory.Create(builder => builder.ClearProviders().SetMinimumLevel(LogLevel.Information).AddProvider(new TextWriterLoggerProvider(stderr, LogLevel.Information, TimeProvider.System)));
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var servers = new List<(string Name, WebApplication App)>();
        LocalRuntime? runtime = null;
        LocalEventLog? eventLog = null;
        try
        {
            // The stand-ins start side by side (start-up is mostly JIT, and there are two cores to share it).
            var lines = new List<string>();
            var starting = new List<(string Name, Task<WebApplication> Started)>();
            var hubs = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { [settings.Platform.TicksHubName] = partitions };
            foreach (var function in definition.Functions)
            {
                if (function.Trigger is EventHubTriggerDefinition trigger)
                {
                    hubs[trigger.EventHubName] = partitions;
                }
            }

            if (eventHubs)
            {
                var options = new EventHubsStandInOptions
                {
                    Url = Local(eventHubsPort),
                    SharedAccessKey = eventHubsKey,
                    EnableTestHooks = testHooks,
                    Log = new LocalEventLogOptions { Hubs = hubs, DataDirectory = dataDirectory is null ? null : Path.Combine(dataDirectory, "eventhubs") },
                };
                LocalEventLog log;
                try
                {
                    log = eventLog = new LocalEventLog(options.Log, TimeProvider.System);
                }
                catch (ArgumentException e)
                {
                    throw new CliUsageException(e.Message);
                }
                catch (InvalidDataException e)
                {
                    // A damaged log (other than a torn last record, which is dropped) or a changed partition count.
                    await stderr.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                    return CliApp.DataError;
                }

                foreach (var repair in eventLog.Recovery?.Repairs ?? [])
                {
                    await stderr.WriteLineAsync($"warning: Event Hubs log: {repair}").ConfigureAwait(false);
                }

                starting.Add(("Event Hubs stand-in", StartAsync(() => EventHubsStandIn.Create(options, log, loggers), cancellationToken)));
            }

            if (webPubSub)
            {
                var options = new WebPubSubStandInOptions { Url = Local(webPubSubPort), AccessKey = webPubSubKey, EnableTestHooks = testHooks };
                starting.Add(("Web PubSub stand-in", StartAsync(() => WebPubSubStandIn.Create(options, loggers), cancellationToken)));
            }

            try
            {
                await Task.WhenAll(starting.Select(s => s.Started)).ConfigureAwait(false);
            }
            finally
            {
                servers.AddRange(starting.Where(s => s.Started.IsCompletedSuccessfully).Select(s => (s.Name, s.Started.Result)));
            }

            foreach (var (name, app) in servers)
            {
                if (name == "Event Hubs stand-in")
                {
                    var standIn = EventHubsStandIn.From(app);
                    settings.Set(PlatformSettings.EventHubs, standIn.ConnectionString);
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"  Event Hubs:   {standIn.BaseAddress} (hubs {string.Join(", ", hubs.Keys.Select(h => $"'{h}'"))}, {partitions} partitions each; feeds: sigmaflow feed)"));
                    lines.Add(standIn.Log.Recovery is { } kept
                        ? string.Create(CultureInfo.InvariantCulture, $"    log: {kept.DataDirectory} (kept across restarts; {(kept.Created ? "new" : $"{kept.Events} events reloaded")})")
                        : "    log: in memory (lost when serve stops; --data-dir DIR keeps it)");
                    lines.Add($"    EventHubConnection={standIn.ConnectionString}");
                }
                else
                {
                    var connection = WebPubSubStandIn.GetConnectionString(app);
                    settings.Set(PlatformSettings.WebPubSub, connection);
                    var endpoint = app.Urls.First().TrimEnd('/');
                    lines.Add($"  Web PubSub:   {endpoint} (clients: {endpoint.Replace("http://", "ws://", StringComparison.Ordinal)}/client/hubs/{settings.Platform.PushHubName})");
                    lines.Add($"    WebPubSubConnection={connection}");
                }
            }

            // The function app, composed from the same settings, behind its custom-handler server on a free port.
            var functionApp = FunctionApp.Compose(settings.Platform, TimeProvider.System, loggers);
            var handler = CustomHandlerServer.Create(
                new CustomHandlerOptions { Url = "http://127.0.0.1:0" },
                functionApp.Handlers,
                web =>
                {
                    foreach (var function in functionApp.HttpFunctions)
                    {
                        function.Map(web);
                    }
                },
                loggers);
            await handler.StartAsync(cancellationToken).ConfigureAwait(false);
            servers.Add(("custom handler", handler));
            var handlerAddress = new Uri(handler.Urls.First().TrimEnd('/') + "/");

            // The triggers (which first wait for the handler's GET /) and the public port, side by side.
            runtime = new LocalRuntime(
                definition,
                new LocalRuntimeOptions { HandlerAddress = handlerAddress, ReadSetting = settings.Read, EventLog = eventLog, ShutdownTimeout = TimeSpan.FromSeconds(5) },
                loggers);
            var gatewayOptions = new LocalGatewayOptions { Url = Local(port), DashboardRoot = dashboardArgument ?? FindDashboard(appRoot) };
            var gatewayStarted = StartAsync(() => LocalGateway.Create(gatewayOptions, definition, handlerAddress, loggers), cancellationToken);
            ExceptionDispatchInfo? runtimeFailure = null;
            try
            {
                await runtime.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                runtimeFailure = ExceptionDispatchInfo.Capture(e);
            }

            WebApplication gateway;
            try
            {
                gateway = await gatewayStarted.ConfigureAwait(false);
                servers.Add(("HTTP gateway", gateway));
            }
            catch (Exception) when (runtimeFailure is not null)
            {
                runtimeFailure.Throw(); // the runtime's failure is the one to report
                throw;
            }

            runtimeFailure?.Throw();
            var publicAddress = gateway.Urls.First().TrimEnd('/');
            var dashboard = gatewayOptions.DashboardRoot is { } d && File.Exists(Path.Combine(d, "index.html")) ? d : null;

            var prefix = definition.Host.RoutePrefix.Length > 0 ? "/" + definition.Host.RoutePrefix : string.Empty;
            var output = new List<string>
            {
                $"SigmaFlow local platform — {definition.Functions.Count} function{(definition.Functions.Count == 1 ? string.Empty : "s")} from {definition.AppRoot}",
                $"  Dashboard:    {publicAddress}/ ({(dashboard is null ? "not built (cd static-web && npm run build); a page listing these URLs" : dashboard)})",
                $"  API:          {publicAddress}{prefix}/",
            };
            foreach (var function in definition.Functions)
            {
                if (function.Trigger is HttpTriggerDefinition http)
                {
                    output.Add($"    {function.Name,-12}{publicAddress}{prefix}/{http.Route}");
                    gatewayOptions.Links.Add(KeyValuePair.Create(function.Name, $"{publicAddress}{prefix}/{http.Route}"));
                }
            }

            output.AddRange(lines);
            output.Add($"  Storage:      {settings.Describe(PlatformSettings.Storage)}");
            output.Add($"  Cosmos DB:    {settings.Describe(PlatformSettings.Cosmos)}");
            output.Add($"  State:        {runtime.StateStore}");
            if (runtime.Triggers.Count > 0)
            {
                output.Add("  Triggers:");
                output.AddRange(runtime.Triggers.Select(t => "    " + t));
            }

            foreach (var (name, app) in servers)
            {
                if (name != "custom handler")
                {
                    gatewayOptions.Links.Add(KeyValuePair.Create(name, app.Urls.First()));
                }
            }

            foreach (var line in output)
            {
                await stdout.WriteLineAsync(line).ConfigureAwait(false);
            }

            if (testHooks)
            {
                await stderr.WriteLineAsync("warning: --test-hooks: the stand-ins' unauthenticated test hooks are on (Event Hubs PUT /_test/enqueued-time, Web PubSub …/:drop); never use this outside tests.").ConfigureAwait(false);
            }

            if (!settings.Platform.HasStorage)
            {
                await stderr.WriteLineAsync("warning: AzureWebJobsStorage is not set, so storage-backed functions (queue triggers, bars, quotes, alerts) will fail and checkpoints stay in memory. Start the emulators and load their settings: infra/local/emulators.sh start && source infra/local/.run/env (it sets SIGMAFLOW_STORAGE and SIGMAFLOW_COSMOS).").ConfigureAwait(false);
            }

            if (settings.Platform.HasStorage)
            {
                await DevelopmentKeyAsync(settings.Platform, devKeyFile, stdout, stderr, shutdown.Token).ConfigureAwait(false);
            }

            // SIGTERM (kill, container stop) reaches the servers' console lifetimes, not the command's token: any of them
            // being asked to stop stops serve, in the same order as Ctrl+C.
            foreach (var (_, app) in servers)
            {
                app.Lifetime.ApplicationStopping.Register(shutdown.Cancel);
            }

            using var process = Process.GetCurrentProcess();
            var sinceProcessStart = DateTime.Now - process.StartTime;
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Ready in {clock.Elapsed.TotalMilliseconds:0} ms ({sinceProcessStart.TotalMilliseconds:0} ms since the process started). Ctrl+C stops.")).ConfigureAwait(false);
            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return CliApp.Ok;
        }
        finally
        {
            // Triggers first (in-flight invocations finish), then the servers, newest first.
            if (runtime is not null)
            {
                await runtime.DisposeAsync().ConfigureAwait(false);
                await stderr.WriteLineAsync("triggers stopped").ConfigureAwait(false);
            }

            for (var i = servers.Count - 1; i >= 0; i--)
            {
                var (name, app) = servers[i];
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await app.StopAsync(stop.Token).ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
                await stderr.WriteLineAsync($"{name} stopped").ConfigureAwait(false);
            }

            eventLog?.Dispose(); // after the stand-in that writes to it
        }
    }

    /// <summary>Builds and starts a server off the calling thread; a server that fails to start is disposed.</summary>
    private static Task<WebApplication> StartAsync(Func<WebApplication> create, CancellationToken cancellationToken) => Task.Run(
        async () =>
        {
            var app = create();
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
                return app;
            }
            catch
            {
                await app.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        },
        CancellationToken.None);

    private static string Local(int port) => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");

    /// <summary>The built dashboard (<c>static-web/dist</c>) in the working directory or a folder above it or above the app root.</summary>
    private static string? FindDashboard(string appRoot)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, Path.GetFullPath(appRoot) })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var dist = Path.Combine(dir.FullName, "static-web", "dist");
                if (File.Exists(Path.Combine(dist, "index.html")))
                {
                    return dist;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The settings serve gives the function app: the environment, overridden by what serve hosts (the stand-ins'
    /// connections), storage and Cosmos from the emulators' variables when the platform's own names are unset, and the
    /// platform's default hub and database names so <c>%TicksHubName%</c> and friends resolve.
    /// </summary>
    private sealed class ServeSettings
    {
        private readonly Dictionary<string, string> overrides = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, string> sources = new(StringComparer.OrdinalIgnoreCase);

        public ServeSettings()
        {
            Platform = new PlatformSettings { Read = Read };
            FromEmulators(PlatformSettings.Storage, "SIGMAFLOW_STORAGE");
            FromEmulators(PlatformSettings.Cosmos, "SIGMAFLOW_COSMOS");
            Default(PlatformSettings.TicksHub, Platform.TicksHubName);
            Default(PlatformSettings.PushHub, Platform.PushHubName);
            Default(PlatformSettings.CosmosDatabase, Platform.CosmosDatabaseName);
            Default(PlatformSettings.ScanSchedule, Platform.ScanScheduleExpression);
        }

        public PlatformSettings Platform { get; }

        public string? Read(string name) => overrides.TryGetValue(name, out var value) ? value : Environment(name);

        public void Set(string name, string value)
        {
            overrides[name] = value;
            sources[name] = "serve";
        }

        public string Describe(string name) => Read(name) is not { } value
            ? (Read(name + "__accountName") ?? Read(name + "__accountEndpoint")) is { } identity ? $"{name} by identity ({identity})" : "not set"
            : $"{name} from {(sources.TryGetValue(name, out var source) ? source : "the environment")} ({Endpoint(value)})";

        private static string? Environment(string name) => System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

        /// <summary>The endpoints of a connection string, without its keys.</summary>
        private static string Endpoint(string connectionString)
        {
            var endpoints = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2))
                .Where(p => p.Length == 2 && p[0].Trim().EndsWith("Endpoint", StringComparison.OrdinalIgnoreCase))
                .Select(p => p[1].Trim())
                .ToList();
            return endpoints.Count > 0 ? string.Join(", ", endpoints) : connectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase) ? "development storage" : "connection string";
        }

        private void FromEmulators(string name, string variable)
        {
            if (Environment(name) is null && Environment(variable) is { } value)
            {
                overrides[name] = value;
                sources[name] = variable;
            }
        }

        private void Default(string name, string value)
        {
            if (Environment(name) is null)
            {
                overrides[name] = value;
            }
        }
    }

    /// <summary>
    /// The first local start's API key: when storage holds no key yet, an admin key is made and printed once (and
    /// written to <c>--dev-key-file</c> when given, readable by the owner only, for scripts and tests).
    /// </summary>
    private static async Task DevelopmentKeyAsync(PlatformSettings platform, string? file, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            var made = await new ApiKeyStore(platform.Tables()).EnsureDevelopmentKeyAsync(cancellationToken).ConfigureAwait(false);
            if (made is null)
            {
                return;
            }

            await stdout.WriteLineAsync($"  API key:      {made.Key}  (admin; made now because storage held no key; shown once: 'sigmaflow keys create' makes more)").ConfigureAwait(false);
            if (file is not null)
            {
                await File.WriteAllTextAsync(file, made.Key + Environment.NewLine, cancellationToken).ConfigureAwait(false);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            }
        }
        catch (Exception e) when (e is global::Azure.RequestFailedException or IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"warning: no development API key could be made ({e.Message.Split('\n')[0]}); make one with 'sigmaflow keys create --name dev --scope admin'.").ConfigureAwait(false);
        }
    }
}
