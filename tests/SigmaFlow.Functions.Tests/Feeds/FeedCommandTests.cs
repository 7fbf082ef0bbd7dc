using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SigmaFlow.Core.Data;
using SigmaFlow.Functions.Cli;
using SigmaFlow.Functions.Feeds;
using SigmaFlow.Functions.Local.EventHubs;
using SigmaFlow.Functions.Tests.Local.EventHubs;

namespace SigmaFlow.Functions.Tests.Feeds;

/// <summary><c>sigmaflow feed</c> in-process, publishing to the Event Hubs stand-in on a free port of 127.0.0.1.</summary>
public sealed class FeedCommandTests : IDisposable
{
    private static readonly string[] ThreeSymbols = ["BTCUSD", "ETHUSD", "SOLUSD"];
    private static readonly long[] BarTickOffsets = [0, 15_000, 30_000, 45_000, 60_000, 75_000, 90_000, 105_000, 120_000, 135_000, 150_000, 165_000];
    private readonly string folder = Directory.CreateTempSubdirectory("sigmaflow-feed-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Feed_SimulatorThreeSymbols_EachSymbolOnOnePartitionInOrderWithConsecutiveSeq()
    {
        await using var server = await StandInServer.StartAsync();
        var run = await Run(Env(server), "--source", "simulator", "--symbols", "BTCUSD,ETHUSD,SOLUSD", "--rate", "1200", "--count", "600", "--quiet", "--format", "json");

        Assert.Equal(0, run.Code);
        Assert.Equal(string.Empty, run.Stderr);
        var summary = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(600, summary.GetProperty("ticksSent").GetInt64());
        Assert.Equal(0, summary.GetProperty("failedBatches").GetInt64());
        Assert.Equal("count", summary.GetProperty("stopped").GetString());

        var stored = ReadAll(server);
        Assert.Equal(600, stored.Sum(p => p.Value.Count));
        foreach (var symbol in ThreeSymbols)
        {
            var partitions = stored.Where(p => p.Value.Any(e => e.Tick.Symbol == symbol)).Select(p => p.Key).ToList();
            Assert.Equal([LocalEventLog.PartitionFor(symbol, 4)], partitions);
            var ticks = stored[partitions[0]].Where(e => e.Tick.Symbol == symbol).ToList();
            Assert.All(ticks, e => Assert.Equal(symbol, e.PartitionKey));
            Assert.Equal(Enumerable.Range(1, ticks.Count).Select(i => (long)i), ticks.Select(e => e.Tick.Sequence));
            Assert.True(ticks.Zip(ticks.Skip(1)).All(p => p.First.Tick.Time <= p.Second.Tick.Time), "a symbol's ticks come in time order (several may share a millisecond)");
            Assert.All(ticks, e => Assert.True(e.Tick.Price > 0 && e.Tick.Bid < e.Tick.Ask && e.Tick.Size > 0));
            Assert.True(ticks.Count > 100, $"{symbol} got {ticks.Count} of 600 ticks");
        }
    }

    [Fact]
    public async Task Feed_SimulatorRate_RoughlyRespectedAndStampedNow()
    {
        await using var server = await StandInServer.StartAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var clock = Stopwatch.StartNew();
        var run = await Run(Env(server), "--source", "simulator", "--rate", "1000", "--duration", "2s", "--quiet", "--format", "json");
        var elapsed = clock.Elapsed;
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.Equal(0, run.Code);
        var summary = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("duration", summary.GetProperty("stopped").GetString());
        var sent = summary.GetProperty("ticksSent").GetInt64();

        // About 2,000 ticks in 2 s; loose bounds for a shared, loaded machine.
        Assert.InRange(sent, 1000, 3000);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(1.8), TimeSpan.FromSeconds(30));
        var times = ReadAll(server).SelectMany(p => p.Value).Select(e => e.Tick.Time).ToList();
        Assert.Equal(sent, times.Count);
        Assert.InRange(times.Min(), before, before + 1000);
        Assert.InRange(times.Max(), before + 1000, after);
    }

    [Fact]
    public async Task Feed_ReplayBars_OpenNearerExtremeOtherExtremeCloseWithTheBarVolume()
    {
        await using var server = await StandInServer.StartAsync();
        var file = Write("btcusd.csv", """
            timestamp,open,high,low,close,volume
            2026-01-05T14:30:00Z,100,105,99,104,10
            2026-01-05T14:31:00Z,104,106,95,96,7
            2026-01-05T14:32:00Z,100,102,98,101,0.3
            """);
        var run = await Run(Env(server), "--source", "replay", "--file", file, "--speed", "0", "--quiet", "--format", "json");

        Assert.Equal(0, run.Code);
        Assert.Equal(12, JsonDocument.Parse(run.Stdout).RootElement.GetProperty("ticksSent").GetInt64());
        var ticks = ReadAll(server)[LocalEventLog.PartitionFor("BTCUSD", 4)].Select(e => e.Tick).ToList();
        Assert.All(ticks, t => Assert.Equal("BTCUSD", t.Symbol));

        // Low nearer the open first; then high nearer; at equal distances a bar closing up visits the low first.
        Assert.Equal([100, 99, 105, 104, 104, 106, 95, 96, 100, 98, 102, 101], ticks.Select(t => t.Price));
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), ticks.Select(t => t.Sequence));
        var start = DateTimeOffset.Parse("2026-01-05T14:30:00Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        Assert.Equal(
            BarTickOffsets.Select(o => start + o),
            ticks.Select(t => t.Time));
        double[] volumes = [10, 7, 0.3];
        for (var bar = 0; bar < 3; bar++)
        {
            Assert.Equal(volumes[bar], ticks.Skip(bar * 4).Take(4).Sum(t => t.Size));
        }

        Assert.All(ticks, t => Assert.True(double.IsNaN(t.Bid) && double.IsNaN(t.Ask)));
    }

    [Fact]
    public async Task Feed_ReplayTickCsvWithBadRows_ExitsTwoWithRowNumbersAndSendsNothing()
    {
        await using var server = await StandInServer.StartAsync();
        var file = Write("ticks.csv", """
            time,symbol,price,size,bid,ask
            2026-01-05T14:30:00.000Z,BTCUSD,65000.5,0.1,65000,65001
            2026-01-05T14:30:00.100Z,ETHUSD,abc,1,,
            not-a-time,BTCUSD,65000.7,0.2,,
            2026-01-05T14:30:00.300Z,BTCUSD,65000.9,-1,,
            2026-01-05T14:29:59.000Z,ETHUSD,3500,1,,
            2026-01-05T14:30:00.500Z,ETHUSD,3500.5,2,3501,3500
            1767623400600,ETHUSD,3501,0.5,,
            """);
        var run = await Run(Env(server), "--source", "replay", "--file", file, "--speed", "0", "--quiet");

        Assert.Equal(2, run.Code);
        Assert.Contains("5 bad row(s) of 7; nothing was sent", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("row 3: price 'abc' is not a number", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("row 4: time 'not-a-time' is not a time", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("row 5: size must be 0 or more; got -1", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("row 6: time 2026-01-05T14:29:59.000Z is earlier than 2026-01-05T14:30:00.000Z on row 2", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("row 7: bid 3501 is above ask 3500", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--skip-bad-rows", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Empty(ReadAll(server).SelectMany(p => p.Value));
    }

    [Fact]
    public async Task Feed_ReplayTickCsvSkipBadRows_ListsThemAndSendsTheRest()
    {
        await using var server = await StandInServer.StartAsync();
        var file = Write("ticks.csv", """
            "time","symbol","price","size"
            2026-01-05T14:30:00Z,BTCUSD,65000.5,0.1

            2026-01-05T14:30:01Z,BTCUSD,,0.1
            1767623402000,BTCUSD,65001,0.3
            1767623403,BTCUSD,65002,0.4
            """);
        var run = await Run(Env(server), "--source", "replay", "--file", file, "--speed", "0", "--skip-bad-rows", "--quiet");

        Assert.Equal(0, run.Code);
        Assert.Contains("skipped 1 bad row(s) of 4", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("row 4: price is empty", run.Stderr, StringComparison.Ordinal);
        var ticks = ReadAll(server).SelectMany(p => p.Value).Select(e => e.Tick).ToList();
        Assert.Equal([65000.5, 65001, 65002], ticks.Select(t => t.Price));
        Assert.Equal([1_767_623_400_000L, 1_767_623_402_000L, 1_767_623_403_000L], ticks.Select(t => t.Time)); // original times; Unix seconds and ms
        Assert.Equal([1L, 2L, 3L], ticks.Select(t => t.Sequence));
    }

    [Fact]
    public async Task Feed_ReplaySpeedZero_SendsEveryTickAtOnce()
    {
        await using var server = await StandInServer.StartAsync();
        var lines = new List<string> { "time,symbol,price,size" };
        for (var i = 0; i < 5000; i++)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{1_767_600_000_000L + (i * 60_000L)},{ThreeSymbols[i % 3]},{100 + (i % 7)},{1 + (i % 3)}"));
        }

        var file = Write("day.csv", string.Join('\n', lines)); // 5,000 ticks over 3.5 days
        var clock = Stopwatch.StartNew();
        var run = await Run(Env(server), "--source", "replay", "--file", file, "--speed", "0", "--quiet", "--format", "json");

        Assert.Equal(0, run.Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        var summary = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(5000, summary.GetProperty("ticksSent").GetInt64());
        Assert.Equal("endOfData", summary.GetProperty("stopped").GetString());
        var stored = ReadAll(server).SelectMany(p => p.Value).Select(e => e.Tick).ToList();
        Assert.Equal(5000, stored.Count);
        foreach (var symbol in ThreeSymbols)
        {
            var times = stored.Where(t => t.Symbol == symbol).Select(t => t.Time).ToList();
            Assert.Equal(times.Order(), times);
        }
    }

    [Fact]
    public async Task Feed_ReplayRebasedAtSpeed60_PacedAndStampedWithTheTimeDue()
    {
        await using var server = await StandInServer.StartAsync();
        var lines = new List<string> { "time,symbol,price,size" };
        for (var i = 0; i <= 60; i++)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"2026-01-05T14:{30 + (i / 60):00}:{i % 60:00}Z,SPY,{600 + (i * 0.01)},1"));
        }

        var file = Write("spy.csv", string.Join('\n', lines)); // 60 s of ticks, one a second
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var clock = Stopwatch.StartNew();
        var run = await Run(Env(server), "--source", "replay", "--file", file, "--speed", "60", "--rebase", "--batch-ms", "20", "--quiet");
        var elapsed = clock.Elapsed;

        Assert.Equal(0, run.Code);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(20));
        var ticks = ReadAll(server)[LocalEventLog.PartitionFor("SPY", 4)].Select(e => e.Tick).ToList();
        Assert.Equal(61, ticks.Count);
        Assert.InRange(ticks[0].Time, before, before + 1000);
        for (var i = 1; i < ticks.Count; i++)
        {
            Assert.InRange(ticks[i].Time - ticks[0].Time, (i * 1000 / 60) - 1, (i * 1000 / 60) + 1); // a recorded second is 1/60 s now
        }
    }

    [Fact]
    public async Task Feed_NoConnection_ExitsOneWithHowToGetOne()
    {
        var run = await Run(_ => null, "--source", "simulator", "--count", "10");

        Assert.Equal(1, run.Code);
        Assert.Contains("no Event Hubs connection: pass --connection", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("EventHubConnection", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("run 'sigmaflow serve'", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feed_UnreachableEndpoint_CountsLostBatchesAndExitsFour()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var connection = string.Create(CultureInfo.InvariantCulture, $"Endpoint=sb://127.0.0.1:{port}/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=c2VjcmV0;UseDevelopmentEmulator=true");
        var clock = Stopwatch.StartNew();
        var run = await Run(_ => null, "--source", "simulator", "--rate", "2000", "--count", "200", "--connection", connection, "--max-retries", "1", "--format", "json");

        Assert.Equal(FeedCommand.PublishFailed, run.Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        var summary = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(0, summary.GetProperty("ticksSent").GetInt64());
        Assert.Equal(200, summary.GetProperty("ticksLost").GetInt64());
        Assert.True(summary.GetProperty("failedBatches").GetInt64() >= 3);
        Assert.Contains("ticks (seq 1–", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("lost: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"), run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feed_SomeBatchesRefused_ReportsThemKeepsGoingAndExitsFour()
    {
        // The stand-in refuses requests over 16 KiB: AAPL's small batch goes through, SPY's two large ones are refused (413).
        await using var server = await StandInServer.StartAsync(o => o.MaxRequestBytes = 16 * 1024);
        var lines = new List<string> { "time,symbol,price,size" };
        for (var i = 0; i < 1200; i++)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{1_767_600_000_000L + (i * 1000L)},{(i % 40 == 0 ? "AAPL" : "SPY")},{100 + (i % 7)},1"));
        }

        var file = Write("mixed.csv", string.Join('\n', lines));
        var run = await Run(Env(server), "--source", "replay", "--file", file, "--speed", "0", "--quiet", "--format", "json");

        Assert.Equal(FeedCommand.PublishFailed, run.Code);
        var summary = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(30, summary.GetProperty("ticksSent").GetInt64());
        Assert.Equal(1170, summary.GetProperty("ticksLost").GetInt64());
        Assert.Equal(2, summary.GetProperty("failedBatches").GetInt64());
        Assert.Contains("feed: batch of 1000 SPY ticks (seq 1–1000) lost: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("413", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("1 more failed batch(es) with the same error", run.Stderr, StringComparison.Ordinal);
        var stored = ReadAll(server).SelectMany(p => p.Value).Select(e => e.Tick).ToList();
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), stored.Select(t => t.Sequence));
        Assert.All(stored, t => Assert.Equal("AAPL", t.Symbol));
    }

    [Fact]
    public async Task Feed_HubFromTicksHubNameSetting_PublishesThere()
    {
        await using var server = await StandInServer.StartAsync(o => o.Log = new LocalEventLogOptions { Hubs = new Dictionary<string, int> { ["market-ticks"] = 2 } });
        var run = await Run(
            name => name switch { "EventHubConnection" => server.StandIn.ConnectionString, "TicksHubName" => "market-ticks", _ => null },
            "--source", "simulator", "--symbols", "EURUSD", "--rate", "500", "--count", "20", "--quiet");

        Assert.Equal(0, run.Code);
        Assert.Contains("event hub 'market-ticks'", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(20, server.Log.GetPartitionInfo("market-ticks", LocalEventLog.PartitionFor("EURUSD", 2)).Count);
    }

    [Fact]
    public async Task Feed_CtrlC_StopsCleanlyWithTotals()
    {
        await using var server = await StandInServer.StartAsync();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        stop.CancelAfter(TimeSpan.FromMilliseconds(700));
        var run = await Run(Env(server), stop.Token, "--source", "simulator", "--rate", "500");

        Assert.Equal(0, run.Code);
        Assert.Contains("stopped (Ctrl+C)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("feed: simulator BTCUSD,ETHUSD,SOLUSD", run.Stderr, StringComparison.Ordinal);
        var stored = ReadAll(server).Sum(p => p.Value.Count);
        Assert.True(stored > 0);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"sent {stored:N0} ticks"), run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--source replay --file x.csv --rate 10", "--rate applies to --source simulator only.")]
    [InlineData("--source simulator --rebase", "--rebase applies to --source replay only.")]
    [InlineData("--source stream", "--source must be simulator or replay; got 'stream'.")]
    [InlineData("--source simulator --duration 60s --count 5", "give --duration or --count, not both.")]
    [InlineData("--source simulator --duration soon", "--duration must be a time above 0")]
    [InlineData("--source simulator --batch-ms 0", "Option --batch-ms must be a whole number between 1 and 60000; got '0'.")]
    [InlineData("--source simulator --symbols BTCUSD,BTCUSD", "--symbols/--rate: Symbols must be distinct")]
    [InlineData("--source simulator --speed 2", "--speed applies to --source replay only.")]
    [InlineData("--source replay", "Missing required option --file")]
    public async Task Feed_BadOptions_ExitOneNamingTheOption(string arguments, string message)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var code = await CliApp.RunAsync(["feed", .. arguments.Split(' '), "--connection", "Endpoint=sb://127.0.0.1:1/;SharedAccessKeyName=a;SharedAccessKey=b;UseDevelopmentEmulator=true"], stdout, stderr, Token);

        Assert.Equal(1, code);
        Assert.Contains(message, stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feed_ThroughCliAppWithConnectionOption_Publishes()
    {
        await using var server = await StandInServer.StartAsync();
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var code = await CliApp.RunAsync(["feed", "--source", "simulator", "--symbols", "SPY", "--rate", "1000", "--count", "50", "--quiet", "--connection", server.StandIn.ConnectionString, "--hub", "ticks"], stdout, stderr, Token);

        Assert.Equal(0, code);
        Assert.Contains("sent 50 ticks", stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal(50, server.Log.GetPartitionInfo("ticks", LocalEventLog.PartitionFor("SPY", 4)).Count);
    }

    private static Func<string, string?> Env(StandInServer server) =>
        name => name == "EventHubConnection" ? server.StandIn.ConnectionString : null;

    private static Task<(int Code, string Stdout, string Stderr)> Run(Func<string, string?> environment, params string[] args) => Run(environment, Token, args);

    private static async Task<(int Code, string Stdout, string Stderr)> Run(Func<string, string?> environment, CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        int code;
        try
        {
            code = await FeedCommand.RunAsync(CliArguments.Parse(["feed", .. args], new HashSet<string>(FeedCommand.FlagNames)), stdout, stderr, environment, TimeProvider.System, cancellationToken);
        }
        catch (CliUsageException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message);
            code = CliApp.UsageError;
        }

        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Every stored event of the ticks hub, by partition, parsed as ticks.</summary>
    private static Dictionary<int, List<(Tick Tick, string? PartitionKey)>> ReadAll(StandInServer server)
    {
        var result = new Dictionary<int, List<(Tick, string?)>>();
        for (var partition = 0; partition < 4; partition++)
        {
            var events = server.Log.Read("ticks", partition, 0, 100_000).Events;
            if (events.Count == 0)
            {
                continue;
            }

            result[partition] = events.Select(e =>
            {
                Assert.True(TickCodec.TryParse(e.Body.Span, null, out var tick, out var error), error);
                return (tick, e.PartitionKey);
            }).ToList();
        }

        return result;
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }
}
