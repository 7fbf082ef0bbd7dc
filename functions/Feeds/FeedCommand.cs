using System.Globalization;
using System.Text;
using Azure.Identity;
using SigmaFlow.Core.Data;
using SigmaFlow.Functions.Cli;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Azure.EventHubs;

namespace SigmaFlow.Functions.Feeds;

/// <summary>
/// <c>sigmaflow feed</c>: publishes ticks (the <see cref="TickCodec"/> JSON, partition key = symbol) to the ticks event
/// hub, from the simulator in real time or replayed from a bar or tick CSV. It runs apart from the functions and talks
/// to Azure or to the local stand-in the same way; only the connection string differs. Exit codes: those of
/// <see cref="CliApp"/>, plus <see cref="PublishFailed"/> when any batch was lost. Ctrl+C is a normal stop.
/// </summary>
internal static class FeedCommand
{
    /// <summary>Exit code when at least one batch could not be sent (after the client's retries).</summary>
    public const int PublishFailed = 4;

    /// <summary>The options of <c>feed</c> that take no value (also listed in <see cref="CliApp"/>).</summary>
    public static readonly IReadOnlySet<string> FlagNames = new HashSet<string>(StringComparer.Ordinal) { "quiet", "rebase", "skip-bad-rows", "help" };

    private const string DefaultHub = "ticks";
    private const int ListedProblems = 20;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] SimulatorOnly = ["symbols", "rate", "seed"];
    private static readonly string[] ReplayOnly = ["file", "speed", "rebase", "symbol", "skip-bad-rows"];

    /// <summary>Runs the command with the process environment and the system clock.</summary>
    /// <param name="args">The parsed command line.</param>
    /// <param name="stdout">The summary.</param>
    /// <param name="stderr">Progress, failures and errors.</param>
    /// <param name="cancellationToken">Ctrl+C: stops the feed cleanly.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(CliArguments args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, stdout, stderr, Environment.GetEnvironmentVariable, TimeProvider.System, cancellationToken);

    /// <summary>Runs the command.</summary>
    /// <param name="args">The parsed command line.</param>
    /// <param name="stdout">The summary.</param>
    /// <param name="stderr">Progress, failures and errors.</param>
    /// <param name="environment">Reads settings (<c>EventHubConnection</c>, <c>TicksHubName</c>).</param>
    /// <param name="clock">Paces the feed and stamps simulated ticks.</param>
    /// <param name="cancellationToken">Ctrl+C: stops the feed cleanly.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(CliArguments args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(clock);
        var sourceName = args.Required("source", "simulator or replay");
        if (sourceName is not ("simulator" or "replay"))
        {
            throw new CliUsageException($"--source must be simulator or replay; got '{sourceName}'.");
        }

        var simulator = sourceName == "simulator";
        foreach (var name in simulator ? ReplayOnly : SimulatorOnly)
        {
            if (args.Flag(name))
            {
                throw new CliUsageException($"--{name} applies to --source {(simulator ? "replay" : "simulator")} only.");
            }
        }

        var feedOptions = ReadFeedOptions(args);
        var format = args.Value("format") ?? "text";
        if (format is not ("text" or "json"))
        {
            throw new CliUsageException($"--format must be text or json; got '{format}'.");
        }

        var publisherOptions = ReadPublisherOptions(args);
        var connectionText = args.Value("connection");
        var hub = args.Value("hub");

        // Source settings are read before anything is opened, so every usage error comes first.
        string[] symbols = [];
        double rate = 0, speed = 1;
        ulong seed = 1;
        string? file = null, symbol = null;
        bool rebase = false, skipBadRows = false;
        if (simulator)
        {
            symbols = (args.Value("symbols") ?? "BTCUSD,ETHUSD,SOLUSD").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            rate = args.Number("rate", 100, 0.001, 1_000_000);
            var seedText = args.Value("seed");
            if (seedText is not null && !ulong.TryParse(seedText, NumberStyles.None, Inv, out seed))
            {
                throw new CliUsageException($"--seed must be a whole number ≥ 0; got '{seedText}'.");
            }
        }
        else
        {
            file = args.Required("file", "a bar CSV or a tick CSV with header time,symbol,price,size[,bid,ask]");
            speed = args.Number("speed", 1, 0, 1e9);
            rebase = args.Flag("rebase");
            symbol = args.Value("symbol");
            skipBadRows = args.Flag("skip-bad-rows");
        }

        args.RejectUnknown("feed");
        var publisher = CreatePublisher(connectionText, hub, environment, publisherOptions);

        var startTime = clock.GetUtcNow().ToUnixTimeMilliseconds();
        ITickSource source;
        if (simulator)
        {
            try
            {
                source = new SimulatorSource(symbols, rate, seed, startTime);
            }
            catch (ArgumentException e)
            {
                throw new CliUsageException($"--symbols/--rate: {e.Message.Split(" (Parameter '", 2)[0]}");
            }

            var realised = SimulatorSource.RealisedRate(rate, symbols.Length);
            if (realised < 0.9 * rate)
            {
                await stderr.WriteLineAsync(string.Create(Inv, $"feed: warning: --rate {rate:0.###} over {symbols.Length} symbol(s) is {rate / symbols.Length:0} ticks/s per symbol; the simulator spaces a symbol's ticks at least 1 ms apart (whole milliseconds), so expect about {realised:0} ticks/s. Add symbols for more.")).ConfigureAwait(false);
            }
        }
        else
        {
            var loaded = await LoadReplayAsync(file!, symbol, skipBadRows, stderr, cancellationToken).ConfigureAwait(false);
            if (loaded is null)
            {
                return CliApp.DataError;
            }

            source = new ReplaySource(loaded.Value.Ticks, speed, rebase, startTime, string.Create(
                Inv,
                $"replay {Path.GetFileName(file)} ({loaded.Value.What}: {loaded.Value.Ticks.Count} ticks, {(speed == 0 ? "as fast as possible" : $"speed {speed:0.###}")}, {(rebase ? "times rebased to now" : "original times")})"));
        }

        if (feedOptions.StatusInterval is not null)
        {
            await stderr.WriteLineAsync($"feed: {source.Description} → event hub '{publisher.EventHubName}' at {publisher.Endpoint}; Ctrl+C stops").ConfigureAwait(false);
        }

        var pump = new FeedPump(publisher, feedOptions, clock, stderr);
        var result = await pump.RunAsync(source, cancellationToken).ConfigureAwait(false);
        await stdout.WriteAsync(format == "json" ? Json(result, source, publisher) : Text(result, source, publisher)).ConfigureAwait(false);
        return result.FailedBatches > 0 || result.TicksLost > 0 ? PublishFailed : CliApp.Ok;
    }

    /// <summary>Parses a duration: a number with <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c>; a bare number is seconds.</summary>
    /// <param name="text">The text, such as <c>60s</c>, <c>1.5m</c> or <c>500ms</c>.</param>
    /// <param name="duration">The duration.</param>
    /// <returns>True when the text is a positive duration.</returns>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(text);
        duration = default;
        var trimmed = text.Trim();
        var (number, unit) = trimmed.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (trimmed[..^2], 0.001)
            : trimmed.EndsWith('s') ? (trimmed[..^1], 1.0)
            : trimmed.EndsWith('m') ? (trimmed[..^1], 60.0)
            : trimmed.EndsWith('h') ? (trimmed[..^1], 3600.0)
            : (trimmed, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, Inv, out var value) || !double.IsFinite(value) || value <= 0 || value * unit > TimeSpan.FromDays(365).TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * unit);
        return duration > TimeSpan.Zero;
    }

    private static FeedOptions ReadFeedOptions(CliArguments args)
    {
        var durationText = args.Value("duration");
        var countText = args.Value("count");
        if (durationText is not null && countText is not null)
        {
            throw new CliUsageException("give --duration or --count, not both.");
        }

        TimeSpan? duration = null;
        if (durationText is not null)
        {
            if (!TryParseDuration(durationText, out var parsed))
            {
                throw new CliUsageException($"--duration must be a time above 0 such as 60s, 5m, 1h or 500ms (at most a year); got '{durationText}'.");
            }

            duration = parsed;
        }

        long? count = null;
        if (countText is not null)
        {
            if (!long.TryParse(countText, NumberStyles.None, Inv, out var parsed) || parsed < 1)
            {
                throw new CliUsageException($"--count must be a whole number ≥ 1; got '{countText}'.");
            }

            count = parsed;
        }

        return new FeedOptions
        {
            BatchInterval = TimeSpan.FromMilliseconds(args.Int("batch-ms", 50, 1, 60_000)),
            Duration = duration,
            MaxTicks = count,
            StatusInterval = args.Flag("quiet") ? null : TimeSpan.FromSeconds(5),
        };
    }

    /// <summary>The publisher's settings; <c>--max-retries</c> and <c>--request-timeout</c> are tuning options kept out of the usage text.</summary>
    private static EventHubPublisherOptions ReadPublisherOptions(CliArguments args)
    {
        var options = new EventHubPublisherOptions();
        options.Client.Retry.MaxRetries = args.Int("max-retries", options.Client.Retry.MaxRetries, 0, 20);

        // The platform default (100 s) would stall a live feed for minutes behind one dead connection.
        options.Client.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        var timeoutText = args.Value("request-timeout");
        if (timeoutText is not null)
        {
            if (!TryParseDuration(timeoutText, out var timeout) || timeout > TimeSpan.FromMinutes(10))
            {
                throw new CliUsageException($"--request-timeout must be a time above 0 and at most 10m, such as 10s; got '{timeoutText}'.");
            }

            options.Client.Retry.NetworkTimeout = timeout;
        }

        return options;
    }

    private static EventHubPublisher CreatePublisher(string? connectionText, string? hub, Func<string, string?> environment, EventHubPublisherOptions options)
    {
        var origin = "--connection";
        if (connectionText is null && environment(PlatformSettings.EventHubs) is { Length: > 0 } fromEnvironment)
        {
            connectionText = fromEnvironment;
            origin = PlatformSettings.EventHubs;
        }

        var hubOrigin = "--hub";
        if (hub is null && environment(PlatformSettings.TicksHub) is { Length: > 0 } hubFromEnvironment)
        {
            hub = hubFromEnvironment;
            hubOrigin = PlatformSettings.TicksHub;
        }

        EventHubsConnection connection;
        try
        {
            if (connectionText is not null)
            {
                connection = EventHubsConnection.Parse(connectionText, hub);
                connection = connection.EventHubName is null ? connection with { EventHubName = DefaultHub } : connection;
            }
            else if (environment(PlatformSettings.EventHubs + "__fullyQualifiedNamespace") is { Length: > 0 } ns)
            {
                origin = PlatformSettings.EventHubs + "__fullyQualifiedNamespace";
                connection = EventHubsConnection.ForIdentity(ns, hub ?? DefaultHub, new DefaultAzureCredential());
            }
            else
            {
                throw new CliUsageException(
                    $"no Event Hubs connection: pass --connection \"Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…\" or set {PlatformSettings.EventHubs}. "
                    + "For the local platform run 'sigmaflow serve': it prints the EventHubConnection string to use.");
            }

            return new EventHubPublisher(connection, options);
        }
        catch (FormatException e)
        {
            throw new CliUsageException($"{origin}: {e.Message}");
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException($"{origin}/{hubOrigin}: {e.Message.Split(" (Parameter '", 2)[0]}");
        }
    }

    private static async Task<(IReadOnlyList<Tick> Ticks, string What)?> LoadReplayAsync(string file, string? symbol, bool skipBadRows, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"Replay file '{file}' does not exist.", file);
        }

        string header;
        using (var peek = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
        {
            header = await peek.ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? string.Empty;
        }

        if (!TickCsvReader.IsTickHeader(header))
        {
            var name = symbol ?? Path.GetFileNameWithoutExtension(file).ToUpperInvariant();
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new CliUsageException($"--symbol is needed: the file name '{Path.GetFileName(file)}' gives no symbol.");
            }

            var bars = await BarFiles.LoadAsync(file, skipBadRows, stderr).ConfigureAwait(false);
            if (bars.Count == 0)
            {
                await stderr.WriteLineAsync($"error: '{file}' holds no bars to replay.").ConfigureAwait(false);
                return null;
            }

            return (ReplaySource.FromBars(bars, name), string.Create(Inv, $"{bars.Count} bars of {name}"));
        }

        if (symbol is not null)
        {
            throw new CliUsageException("--symbol names the symbol of a bar CSV; a tick CSV has a symbol column.");
        }

        TickCsvResult result;
        using (var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
        {
            result = TickCsvReader.Read(reader);
        }

        var fails = result.HeaderFailed || result.Ticks.Count == 0 || (result.TotalProblems > 0 && !skipBadRows);
        if (result.TotalProblems > 0)
        {
            await stderr.WriteLineAsync(fails
                ? string.Create(Inv, $"error: tick data could not be loaded: {result.TotalProblems} bad row(s) of {result.RowsRead}; nothing was sent.")
                : string.Create(Inv, $"feed: skipped {result.TotalProblems} bad row(s) of {result.RowsRead}:")).ConfigureAwait(false);
            foreach (var problem in result.Problems.Take(ListedProblems))
            {
                await stderr.WriteLineAsync("  " + problem.Message).ConfigureAwait(false);
            }

            if (result.TotalProblems > ListedProblems)
            {
                await stderr.WriteLineAsync(string.Create(Inv, $"  and {result.TotalProblems - ListedProblems} more")).ConfigureAwait(false);
            }

            if (fails && !result.HeaderFailed && !skipBadRows)
            {
                await stderr.WriteLineAsync("hint: --skip-bad-rows skips them and replays the rest.").ConfigureAwait(false);
            }
        }
        else if (fails)
        {
            await stderr.WriteLineAsync($"error: '{file}' holds no ticks to replay.").ConfigureAwait(false);
        }

        if (fails)
        {
            return null;
        }

        var symbolCount = result.Ticks.Select(t => t.Symbol).Distinct(StringComparer.Ordinal).Count();
        return (result.Ticks, string.Create(Inv, $"{symbolCount} symbol(s)"));
    }

    private static string StopText(FeedStopReason reason) => reason switch
    {
        FeedStopReason.EndOfData => "end of data",
        FeedStopReason.Count => "count reached",
        FeedStopReason.Duration => "duration reached",
        _ => "stopped (Ctrl+C)",
    };

    private static string Text(FeedResult result, ITickSource source, EventHubPublisher publisher)
    {
        var text = new StringBuilder();
        text.AppendLine(Inv, $"feed: {source.Description} → event hub '{publisher.EventHubName}' at {publisher.Endpoint}");
        text.AppendLine(Inv, $"sent {result.TicksSent:N0} ticks in {result.Elapsed.TotalSeconds:0.00} s ({result.TicksPerSecond:N0} ticks/s), {result.Batches:N0} batches in {result.Requests:N0} requests; {result.FailedBatches:N0} failed batches, {result.TicksLost:N0} ticks lost; {StopText(result.StopReason)}");
        foreach (var s in result.Symbols)
        {
            text.AppendLine(Inv, $"  {s.Symbol,-12} {s.Sent,12:N0} sent {s.Lost,10:N0} lost   seq {s.FirstSequence}–{s.LastSequence}");
        }

        return text.ToString();
    }

    private static string Json(FeedResult result, ITickSource source, EventHubPublisher publisher) => JsonOut.Document(json =>
    {
        json.WriteStartObject();
        json.WriteString("source", source.Description);
        json.WriteString("hub", publisher.EventHubName);
        json.WriteString("endpoint", publisher.Endpoint.ToString());
        json.WriteNumber("ticksSent", result.TicksSent);
        json.WriteNumber("ticksLost", result.TicksLost);
        json.WriteNumber("batches", result.Batches);
        json.WriteNumber("failedBatches", result.FailedBatches);
        json.WriteNumber("requests", result.Requests);
        json.WriteNumber("seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
        json.WriteNumber("ticksPerSecond", Math.Round(result.TicksPerSecond, 1));
        json.WriteString("stopped", result.StopReason switch
        {
            FeedStopReason.EndOfData => "endOfData",
            FeedStopReason.Count => "count",
            FeedStopReason.Duration => "duration",
            _ => "cancelled",
        });
        json.WriteStartArray("symbols");
        foreach (var s in result.Symbols)
        {
            json.WriteStartObject();
            json.WriteString("symbol", s.Symbol);
            json.WriteNumber("sent", s.Sent);
            json.WriteNumber("lost", s.Lost);
            json.WriteNumber("firstSeq", s.FirstSequence);
            json.WriteNumber("lastSeq", s.LastSequence);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });
}
