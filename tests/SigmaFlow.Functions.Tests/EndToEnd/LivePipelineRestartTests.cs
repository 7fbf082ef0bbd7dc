using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SigmaFlow.Core.Live;
using SigmaFlow.Functions.Tests.Local.Runtime;
using SigmaFlow.Platform.Azure.EventHubs;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Azure.WebPubSub;
using SigmaFlow.Platform.Live;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.EndToEnd;

/// <summary>
/// The live pipeline end to end, across restarts of <c>sigmaflow serve</c>: Azurite (the existing fixture's emulator,
/// a private instance), the built <c>sigmaflow serve</c> as a child process with its Event Hubs log on disk, ticks
/// published through the platform's <see cref="EventHubPublisher"/>, and the official <c>@azure/web-pubsub-client</c>
/// in Node receiving bars and signals. Serve is stopped twice in the middle of the stream — once with SIGTERM, once
/// with SIGKILL — and restarted; afterwards the bars table must hold exactly the bars an uninterrupted offline run of
/// the same domain code computes, and the subscriber must have received every final bar and every signal.
/// </summary>
public sealed partial class LivePipelineRestartTests
{
    private const long Second = 1_000;
    private const long Minute = 60_000;
    private const long Start = 1_767_623_400_000; // 2026-01-05T14:30:00Z
    private const ulong Seed = 7; // ema-cross fires at minutes 24, 25 and 26 (between the restarts) and 38, 38 and 40 (after them)
    private static readonly string[] Symbols = ["BTCUSD", "ETHUSD", "SOLUSD", "SPY"];
    private static readonly string[] JoinRole = ["webpubsub.joinLeaveGroup"];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_StoppedMidStreamBySigtermAndBySigkill_LosesNoBarAndCountsNoTickTwice()
    {
        if (NodeSubscriber.WhyUnavailable(out var nodeFolder) is { } why)
        {
            Assert.Skip(why);
        }

        // A private Azurite: other tests delete and recreate the live tables in the shared one.
        await using var azurite = new AzuriteEmulator();
        await azurite.InitializeAsync();
        var storage = azurite.ConnectionString; // skips with the reason when Azurite is not installed

        // 45 minutes of market time in rounds of 10 s, plus one round that closes minute 44.
        var script = new MarketScript(Seed, Symbols, Start, rounds: 271, roundMilliseconds: 10 * Second, ticksPerSecond: 6);
        var expectedSignals = script.Signals.ToDictionary(s => s.Id, StringComparer.Ordinal);
        Assert.Equal(6, expectedSignals.Count);
        Assert.True(script.SmallestSize > 0, "every tick has a size, so a tick lost or counted twice changes its bar's volume");
        Assert.All(Symbols, s => Assert.Contains(script.Rounds[^1].Batches, b => b.Symbol == s)); // the last round closes every symbol's bars

        var work = Directory.CreateTempSubdirectory("sigmaflow-e2e-");
        var runs = new List<ServeProcess>();
        NodeSubscriber? subscriber = null;
        try
        {
            var ports = FreePorts(3);
            string[] arguments =
            [
                "--port", Text(ports[0]), "--web-pubsub-port", Text(ports[1]), "--event-hubs-port", Text(ports[2]),
                "--event-hubs-key", "end-to-end-event-hubs-key", "--web-pubsub-key", "end-to-end-web-pubsub-access-key",
                "--data-dir", Path.Combine(work.FullName, "data"), "--test-hooks",
            ];
            var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["AzureWebJobsStorage"] = storage,
                ["SIGMAFLOW_STORAGE"] = null,
                ["SIGMAFLOW_COSMOS"] = null,
                ["CosmosDbConnection"] = null,
                ["EventHubConnection"] = null,
                ["WebPubSubConnection"] = null,
                ["TicksHubName"] = null,
                ["WebPubSubHub"] = null,
                ["LiveStrategies"] = null, // the built-in ema-cross
            };

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var phases = new List<string>();
            void Phase(string name) => phases.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {clock.Elapsed.TotalSeconds:0.0} s"));

            async Task<ServeProcess> StartServeAsync()
            {
                var serve = ServeProcess.Start(arguments, environment);
                runs.Add(serve);
                await serve.WaitForReadyAsync(Patience);
                Phase($"serve {runs.Count} ready");
                return serve;
            }

            var serve = await StartServeAsync();
            var publisher = new EventHubPublisher(serve.EventHubConnection, "ticks", new EventHubPublisherOptions { Client = { Retry = { MaxRetries = 0 } } });
            using var brokerClock = new HttpClient { BaseAddress = new Uri(FormattableString.Invariant($"http://127.0.0.1:{ports[2]}/")) };
            var pushService = new WebPubSubServiceClient(WebPubSubConnection.Parse(serve.WebPubSubConnection), "market");
            var url = await pushService.GetClientAccessUriAsync("end-to-end", roles: JoinRole, expiresAfter: TimeSpan.FromHours(2), cancellationToken: Token);
            string[] groups = [.. Symbols.Select(s => $"bars.{s}.1m"), LiveNames.SignalsGroup];
            subscriber = NodeSubscriber.Start(nodeFolder, url, groups, Path.Combine(work.FullName, "messages.jsonl"));
            var connections = new List<string> { await subscriber.WaitForReadyAsync([], Patience) };

            async Task PublishAsync(ScriptRound round, IEnumerable<(string Symbol, IReadOnlyList<byte[]> Bodies)>? only = null)
            {
                await PinAsync(brokerClock, round.End);
                foreach (var (symbol, bodies) in only ?? round.Batches)
                {
                    await publisher.SendAsync(Events(bodies), symbol, Token);
                }
            }

            async Task PublishRangeAsync(long firstEnd, long lastEnd)
            {
                for (var r = script.RoundEndingAt(firstEnd); r <= script.RoundEndingAt(lastEnd); r++)
                {
                    await PublishAsync(script.Rounds[r]);
                }
            }

            // Publishes the first batch of a round, then the others while serve is being stopped; returns those that
            // did not get through (sent again after the restart) and serve's exit code.
            async Task<(List<(string Symbol, IReadOnlyList<byte[]> Bodies)> Unsent, int ExitCode)> StopWhilePublishingAsync(ScriptRound round, Func<Task<int>> stop)
            {
                await PublishAsync(round, round.Batches.Take(1));
                var racing = round.Batches.Skip(1).Select(async b => (Batch: b, Sent: await TrySendAsync(publisher, b))).ToList();
                var exitCode = await stop();
                return ((await Task.WhenAll(racing)).Where(r => !r.Sent).Select(r => r.Batch).ToList(), exitCode);
            }

            // 1. Minutes 0 to 15 and 30 s of minute 15. Once the subscriber has every bar closed so far, one more round
            //    (forming bars only) and SIGTERM while it is being sent: serve stops in the middle of reading it.
            await PublishRangeAsync(Start + (10 * Second), Start + (15 * Minute) + (20 * Second));
            await WaitForFinalsAsync(subscriber, script, Start + (15 * Minute), runs);
            Phase("minute 15 seen");
            await PublishRangeAsync(Start + (15 * Minute) + (30 * Second), Start + (15 * Minute) + (30 * Second));
            var stopped = script.Rounds[script.RoundEndingAt(Start + (15 * Minute) + (40 * Second))];
            var publishedAtStop = PublishedBefore(script, stopped.Index) + stopped.Batches[0].Bodies.Count;
            var (unsentAtStop, exitCode) = await StopWhilePublishingAsync(stopped, () => serve.TerminateAsync(Patience));
            Assert.Equal(0, exitCode);

            serve = await StartServeAsync();
            connections.Add(await subscriber.WaitForReadyAsync(connections, Patience));
            Phase("subscriber rejoined");
            await PublishAsync(stopped, unsentAtStop);

            // 2. On to 30 s into minute 30, and SIGKILL while the next round is being sent: none of serve's shutdown runs.
            await PublishRangeAsync(Start + (15 * Minute) + (50 * Second), Start + (30 * Minute) + (20 * Second));
            await WaitForFinalsAsync(subscriber, script, Start + (30 * Minute), runs);
            Phase("minute 30 seen");
            await PublishRangeAsync(Start + (30 * Minute) + (30 * Second), Start + (30 * Minute) + (30 * Second));
            var cut = script.Rounds[script.RoundEndingAt(Start + (30 * Minute) + (40 * Second))];
            var publishedAtKill = PublishedBefore(script, cut.Index) + cut.Batches[0].Bodies.Count;
            var (unsent, killed) = await StopWhilePublishingAsync(cut, () => serve.KillAsync(Patience));
            Assert.NotEqual(0, killed);

            serve = await StartServeAsync();
            connections.Add(await subscriber.WaitForReadyAsync(connections, Patience));
            Phase("subscriber rejoined");

            // 3. The publisher sends again what failed at the kill, and the batch whose acknowledgement a crash would
            //    have lost (it was stored: at-least-once delivery makes it a duplicate), then the rest of the script.
            await PublishAsync(cut, cut.Batches.Take(1).Concat(unsent));
            await PublishRangeAsync(Start + (30 * Minute) + (50 * Second), script.Rounds[^1].End);

            // Everything arrives: every final 1m bar and every signal at the subscriber, every bar in the table.
            await WaitForFinalsAsync(subscriber, script, script.Rounds[^1].End, runs);
            Phase("all seen");
            var tables = new TableServiceClient(storage);
            List<TableEntity> stored = [];
            await Eventually.TrueAsync(
                async () => (stored = await RowsAsync(tables, LiveNames.BarsTable)).Count >= script.Finals.Count,
                $"{script.Finals.Count} rows in the bars table",
                Patience.TotalSeconds);

            // The bars table holds exactly the expected bars: every timeframe, OHLCV and indicators equal to the last bit.
            var fields = script.Options.IndicatorFields;
            var expectedRows = script.Finals.ToDictionary(f => (LiveKeys.Bars(f.Update.Symbol, f.Update.Timeframe), f.Update.Bar.Time));
            Assert.Equal(expectedRows.Count, stored.Count);
            foreach (var row in stored)
            {
                var key = (row.PartitionKey, row.GetInt64("time")!.Value);
                Assert.True(expectedRows.TryGetValue(key, out var expected), $"unexpected bar {key}");
                Assert.Equal(Describe(expected.Update.Bar, expected.Indicators, fields), Describe(row));
            }

            Assert.Empty(await RowsAsync(tables, LiveNames.DeadLettersTable)); // no tick was rejected, late or otherwise
            var signalRows = await RowsAsync(tables, LiveNames.SignalsTable);
            Assert.Equal(expectedSignals.Keys.Order(StringComparer.Ordinal), signalRows.Select(r => r.GetString("id")!).Order(StringComparer.Ordinal));

            // The subscriber got every final 1m bar with the right content; repeats (a batch run again after the kill) are
            // allowed only as the same bar. No other final bar, and every signal exactly as computed.
            var messages = subscriber.Messages();
            var bars = messages.Where(m => m.GetProperty("type").GetString() == "bar").ToList();
            Assert.All(bars, m => Assert.Equal("1m", m.GetProperty("timeframe").GetString())); // only the groups it joined
            var finals = bars.Where(m => m.GetProperty("final").GetBoolean()).ToList();
            var expectedBars = script.Finals.Where(f => f.Update.Timeframe == script.Options.Timeframes[0]).ToDictionary(f => (f.Update.Symbol, f.Update.Bar.Time));
            foreach (var data in finals)
            {
                var key = (data.GetProperty("symbol").GetString()!, data.GetProperty("time").GetInt64());
                Assert.True(expectedBars.TryGetValue(key, out var expected), $"the subscriber got a final bar that must not exist: {data.GetRawText()}");
                Assert.Equal(Describe(expected.Update.Bar, expected.Indicators, fields), Describe(data));
            }

            Assert.Equal(expectedBars.Keys.Order(), finals.Select(m => (m.GetProperty("symbol").GetString()!, m.GetProperty("time").GetInt64())).Distinct().Order());
            var signals = messages.Where(m => m.GetProperty("type").GetString() == "signal").ToList();
            foreach (var signal in signals)
            {
                Assert.True(expectedSignals.TryGetValue(signal.GetProperty("id").GetString()!, out var expected), $"unexpected signal {signal.GetRawText()}");
                Assert.Equal(LiveMessages.Signal(expected), signal.GetRawText());
            }

            Assert.Equal(expectedSignals.Keys.Order(StringComparer.Ordinal), signals.Select(s => s.GetProperty("id").GetString()!).Distinct().Order(StringComparer.Ordinal));

            // The restarted runs reloaded the log, resumed after their checkpoints (the log kept its epoch) and counted no
            // tick twice.
            Assert.All(runs.Skip(1), r => Assert.Matches(ReloadedLine(), r.Output));
            Assert.All(runs, r => Assert.DoesNotContain("belongs to an earlier event log", r.Output, StringComparison.Ordinal));
            var counts = runs.Select(r => Counts(r.Output)).ToList();
            Assert.InRange(counts.Sum(c => c.Accepted), 0, script.TickCount);
            Assert.True(counts[2].Duplicates >= cut.Batches[0].Bodies.Count, $"the batch sent twice is skipped as duplicates ({counts[2].Duplicates} duplicates in the last run)");
            Assert.Equal(0, await serve.TerminateAsync(Patience));
            Assert.Equal(0, await subscriber.StopAsync());
            TestContext.Current.TestOutputHelper?.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{script.TickCount} ticks in {script.Rounds.Count} rounds; {publishedAtStop} published at SIGTERM (+ {stopped.Batches.Count - 1} batches racing it, {unsentAtStop.Count} failed), {publishedAtKill} at SIGKILL (+ {cut.Batches.Count - 1} racing it, {unsent.Count} failed); serve runs: {string.Join(", ", counts.Select(c => $"{c.Batches} batches, {c.Accepted} accepted, {c.Duplicates} duplicate"))}; killed with exit code {killed}; subscriber: {connections.Count} connections, {finals.Count} final 1m bar messages for {expectedBars.Count} bars, {signals.Count} signal messages for {expectedSignals.Count} signals; {stored.Count} bars stored; {string.Join(", ", phases)}."));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{e.Message}\n{Diagnostics(runs, subscriber)}", e);
        }
        finally
        {
            if (subscriber is not null)
            {
                await subscriber.DisposeAsync();
            }

            foreach (var run in runs)
            {
                await run.DisposeAsync();
            }

            work.Delete(recursive: true);
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    private static int PublishedBefore(MarketScript script, int round) => script.Rounds.Take(round).Sum(r => r.Batches.Sum(b => b.Bodies.Count));

    private static EventData[] Events(IReadOnlyList<byte[]> bodies) => bodies.Select(b => new EventData(Encoding.UTF8.GetString(b))).ToArray();

    /// <summary>Pins the stand-in's broker clock (its test hook), so the round's events are enqueued at the round's end.</summary>
    private static async Task PinAsync(HttpClient brokerClock, long time)
    {
        using var response = await brokerClock.PutAsync(new Uri("_test/enqueued-time?time=" + Text(time), UriKind.Relative), null, Token);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private static async Task<bool> TrySendAsync(EventHubPublisher publisher, (string Symbol, IReadOnlyList<byte[]> Bodies) batch)
    {
        try
        {
            await publisher.SendAsync(Events(batch.Bodies), batch.Symbol, Token);
            return true;
        }
        catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException or IOException)
        {
            return false; // serve was killed under it: sent again after the restart
        }
    }

    /// <summary>Waits until the subscriber holds every final 1m bar ending by <paramref name="until"/> and every signal on those bars.</summary>
    private static async Task WaitForFinalsAsync(NodeSubscriber subscriber, MarketScript script, long until, List<ServeProcess> runs)
    {
        var bars = script.Finals.Where(f => f.Update.Timeframe == script.Options.Timeframes[0] && f.Update.Bar.Time + Minute <= until).Select(f => $"bar {f.Update.Symbol} {f.Update.Bar.Time}").ToHashSet(StringComparer.Ordinal);
        var signals = script.Signals.Where(s => s.Time + Minute <= until).Select(s => $"signal {s.Id}").ToHashSet(StringComparer.Ordinal);
        var wanted = bars.Concat(signals).ToHashSet(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var have = subscriber.Messages().Select(m => m.GetProperty("type").GetString() switch
            {
                "signal" => $"signal {m.GetProperty("id").GetString()}",
                "bar" when m.GetProperty("final").GetBoolean() => $"bar {m.GetProperty("symbol").GetString()} {m.GetProperty("time").GetInt64()}",
                _ => null,
            });
            wanted.ExceptWith(have.OfType<string>());
            if (wanted.Count == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the subscriber is missing {wanted.Count} messages up to {DateTimeOffset.FromUnixTimeMilliseconds(until):O}, e.g. {string.Join("; ", wanted.Order(StringComparer.Ordinal).Take(8))}");
            }

            await Task.Delay(100, Token);
        }
    }

    private static async Task<List<TableEntity>> RowsAsync(TableServiceClient tables, string table)
    {
        var rows = new List<TableEntity>();
        try
        {
            await foreach (var row in tables.GetTableClient(table).QueryAsync(null, cancellationToken: Token))
            {
                rows.Add(row);
            }
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            // Not created: nothing was written to it.
        }

        return rows;
    }

    /// <summary>A bar as text: OHLCV and every indicator in round-trip form (null while warming up).</summary>
    private static string Describe(Core.Data.Ohlcv bar, double[] indicators, IReadOnlyList<string> fields) =>
        Describe(bar.Open, bar.High, bar.Low, bar.Close, bar.Volume, fields.Select((f, i) => (f, double.IsFinite(indicators[i]) ? (double?)indicators[i] : null)));

    private static string Describe(TableEntity row)
    {
        using var indicators = JsonDocument.Parse(row.GetString("indicators")!);
        return Describe(row.GetDouble("open")!.Value, row.GetDouble("high")!.Value, row.GetDouble("low")!.Value, row.GetDouble("close")!.Value, row.GetDouble("volume")!.Value, Indicators(indicators.RootElement));
    }

    private static string Describe(JsonElement message) => Describe(
        message.GetProperty("open").GetDouble(),
        message.GetProperty("high").GetDouble(),
        message.GetProperty("low").GetDouble(),
        message.GetProperty("close").GetDouble(),
        message.GetProperty("volume").GetDouble(),
        Indicators(message.GetProperty("indicators")));

    private static List<(string Name, double? Value)> Indicators(JsonElement values) =>
        values.EnumerateObject().Select(p => (p.Name, p.Value.ValueKind == JsonValueKind.Null ? (double?)null : p.Value.GetDouble())).ToList();

    private static string Describe(double open, double high, double low, double close, double volume, IEnumerable<(string Name, double? Value)> indicators) =>
        string.Create(CultureInfo.InvariantCulture, $"O {open:R} H {high:R} L {low:R} C {close:R} V {volume:R} | ")
        + string.Join(", ", indicators.OrderBy(i => i.Name, StringComparer.Ordinal).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Name}={i.Value:R}")));

    /// <summary>Sums the IngestTicks log lines of a run: batches, accepted and duplicate ticks.</summary>
    private static (int Batches, int Accepted, int Duplicates) Counts(string output)
    {
        var matches = IngestLine().Matches(output);
        return (matches.Count, matches.Sum(m => int.Parse(m.Groups["accepted"].Value, CultureInfo.InvariantCulture)), matches.Sum(m => int.Parse(m.Groups["duplicates"].Value, CultureInfo.InvariantCulture)));
    }

    private static string Diagnostics(List<ServeProcess> runs, NodeSubscriber? subscriber)
    {
        var text = new StringBuilder();
        for (var i = 0; i < runs.Count; i++)
        {
            var lines = runs[i].Output.Split('\n');
            text.Append(CultureInfo.InvariantCulture, $"--- serve run {i + 1} (last 40 of {lines.Length} lines):\n").AppendJoin('\n', lines.TakeLast(40)).Append('\n');
        }

        if (subscriber is not null)
        {
            text.Append("--- subscriber:\n").Append(subscriber.Describe());
        }

        return text.ToString();
    }

    [GeneratedRegex(@"\(kept across restarts; [1-9][0-9]* events reloaded\)")]
    private static partial Regex ReloadedLine();

    [GeneratedRegex(@"IngestTicks partition \d+: \d+ events, (?<accepted>\d+) accepted, (?<duplicates>\d+) duplicate")]
    private static partial Regex IngestLine();
}
