using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.Local.Runtime;
using SigmaFlow.Functions.ScanMarkets;
using SigmaFlow.Functions.Tests.Local.Runtime;
using SigmaFlow.Functions.Tests.Local.WebPubSub;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Live;
using SigmaFlow.Platform.Live.Adapters;
using SigmaFlow.Platform.Screening;
using SigmaFlow.Platform.Workspace;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.ScanMarkets;

/// <summary>
/// An Azurite of this test class's own. The scan runs every enabled screener in the table and queues alerts on the one
/// <c>alerts</c> queue, which other tests of the assembly fill and count; separate storage keeps both sides exact.
/// </summary>
public sealed class ScanStorage : IAsyncLifetime
{
    private readonly AzuriteEmulator emulator = new();

    public string ConnectionString => emulator.ConnectionString;

    public ValueTask InitializeAsync() => emulator.InitializeAsync();

    public ValueTask DisposeAsync() => emulator.DisposeAsync();
}

/// <summary>ScanMarkets end to end: the host's timer envelope through the handler into Azurite's tables and queue and the Web PubSub stand-in.</summary>
public sealed class ScanMarketsHandlerTests(ScanStorage storage) : IClassFixture<ScanStorage>
{
    private const long T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    private const long Quarter = 15 * 60_000;
    private static readonly Timeframe Frame = Timeframe.Parse("15m");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_TimerEnvelope_StoresResults_PushesThem_AndQueuesOnlyNewMatches()
    {
        var connection = storage.ConnectionString;
        await using var pubsub = await StandInScope.StartAsync();
        var tables = new TableServiceClient(connection);
        var settings = new PlatformSettings
        {
            Read = name => name switch
            {
                PlatformSettings.Storage => connection,
                PlatformSettings.WebPubSub => pubsub.ConnectionString,
                _ => null,
            },
        };

        // Four symbols: two rising (match), one falling, one with too few bars; and one symbol the second run will add a bar to.
        await SeedAsync(tables, ("UP", [10, 11, 12, 13]), ("MORE", [10, 12, 14, 18]), ("DOWN", [13, 12, 11, 10]), ("LATE", [12, 11, 10, 10]), ("TWO", [5, 6]));
        await new WatchlistStore(tables).CreateAsync("majors", "Majors", ["UP", "MORE", "DOWN", "LATE", "TWO"], Token);
        var screeners = new ScreenerStore(tables);
        await screeners.CreateAsync(Definition("rising", "close > sma(close, 3)", "(close / close[1] - 1) * 100"), Token);
        await screeners.CreateAsync(Definition("falling", "close < open", null), Token);
        await screeners.CreateAsync(Definition("off", "close > 0", null) with { Enabled = false }, Token);
        await screeners.CreateAsync(Definition("broken", "rsii(14) < 30", null), Token);
        var socket = await pubsub.ConnectAsync(groups: [ScreenerNames.Group, ScreenerNames.ScreenerGroup("rising")]);
        var clock = new MovableClock(T0 + (4 * Quarter) + 1_000);
        var handler = ScanMarketsComposition.Create(settings, clock, NullLoggerFactory.Instance);
        var alerts = new QueueServiceClient(connection).GetQueueClient(LiveNames.AlertsQueue);

        var first = await handler.InvokeAsync(InvocationRequest.Parse(TimerEnvelope(clock.GetUtcNow(), pastDue: false)), Token);

        Assert.Equal("ScanMarkets", handler.Name);
        var line = Assert.Single(first.Logs);
        Assert.Contains("3 screener(s)", line, StringComparison.Ordinal);
        Assert.Contains("3 match(es), 3 new, 3 alert(s) queued, 1 broken, 0 push failure(s), 0 failure(s)", line, StringComparison.Ordinal);
        var rising = (await screeners.GetResultAsync("rising", Token))!;
        Assert.Equal(["MORE", "UP"], rising.Matches.Select(m => m.Symbol));
        Assert.Equal(((18.0 / 14) - 1) * 100, rising.Matches[0].Value!.Value, 9);
        Assert.Equal(["MORE", "UP"], rising.NewMatches);
        Assert.Equal("TWO", Assert.Single(rising.Skipped).Symbol);
        Assert.Equal((5, 4), (rising.Symbols, rising.Evaluated));
        Assert.Equal(["DOWN"], (await screeners.GetResultAsync("falling", Token))!.Matches.Select(m => m.Symbol));
        Assert.Null(await screeners.GetResultAsync("off", Token));
        var broken = (await screeners.GetResultAsync("broken", Token))!;
        Assert.Contains("unknown function or indicator 'rsii'", broken.Error, StringComparison.Ordinal);
        Assert.Empty(broken.Matches);

        var queued = await DrainAsync(alerts);
        Assert.Equal(3, queued.Count);
        var more = queued.Single(a => a.GetProperty("symbol").GetString() == "MORE");
        Assert.Equal("screener", more.GetProperty("type").GetString());
        Assert.Equal($"screener|rising|MORE|15m|{T0 + (3 * Quarter)}", more.GetProperty("id").GetString());
        Assert.Equal(("rising", "15m", T0 + (3 * Quarter), 1, 18.0), (more.GetProperty("screener").GetString(), more.GetProperty("timeframe").GetString(), more.GetProperty("time").GetInt64(), more.GetProperty("rank").GetInt32(), more.GetProperty("close").GetDouble()));
        Assert.Equal(((18.0 / 14) - 1) * 100, more.GetProperty("value").GetDouble(), 9);
        Assert.StartsWith("MORE now matches screener 'Rising' (close > sma(close, 3)) on the 15m bar of 2026-01-01 00:45 UTC", more.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, queued.Single(a => a.GetProperty("screener").GetString() == "falling").GetProperty("value").ValueKind);

        // The dashboard client in "screener" and "screener.rising" got every result, and rising's twice (server
        // messages to groups arrive as "from":"server", so the count tells the two groups apart).
        var pushed = new List<JsonElement>();
        while (pushed.Count < 4)
        {
            var message = await socket.ReceiveJsonAsync();
            Assert.Equal("message", message.GetProperty("type").GetString());
            pushed.Add(message.GetProperty("data"));
        }

        Assert.All(pushed, p => Assert.Equal("screener", p.GetProperty("type").GetString()));
        Assert.Equal(["broken", "falling", "rising", "rising"], pushed.Select(p => p.GetProperty("screener").GetString()).Order(StringComparer.Ordinal));
        Assert.All(pushed.Where(p => p.GetProperty("screener").GetString() == "rising"), p => Assert.Equal(2, p.GetProperty("matched").GetInt32()));
        await socket.AssertSilentAsync();

        // The same run again (a timer retry): nothing is new, nothing is queued.
        var again = await handler.InvokeAsync(InvocationRequest.Parse(TimerEnvelope(clock.GetUtcNow(), pastDue: false)), Token);
        Assert.Contains("3 match(es), 0 new, 0 alert(s) queued", Assert.Single(again.Logs), StringComparison.Ordinal);
        Assert.Empty(await DrainAsync(alerts));
        Assert.Empty((await screeners.GetResultAsync("rising", Token))!.NewMatches);

        // A new bar: LATE now rises above its mean, UP and MORE still match. Only LATE is new.
        await SeedAsync(tables, T0 + (4 * Quarter), ("LATE", [14]));
        clock.Now = T0 + (5 * Quarter) + 1_000;
        var third = await handler.InvokeAsync(InvocationRequest.Parse(TimerEnvelope(clock.GetUtcNow(), pastDue: true)), Token);
        Assert.EndsWith("(the run was past due)", Assert.Single(third.Logs), StringComparison.Ordinal);
        var late = Assert.Single(await DrainAsync(alerts));
        Assert.Equal($"screener|rising|LATE|15m|{T0 + (4 * Quarter)}", late.GetProperty("id").GetString());
        Assert.Equal(["LATE"], (await screeners.GetResultAsync("rising", Token))!.NewMatches);
    }

    [Fact]
    public async Task InvokeAsync_WithoutStorage_FailsNamingTheSetting()
    {
        var app = FunctionApp.Compose(new PlatformSettings { Read = _ => null }, TimeProvider.System);
        var handler = Assert.Single(app.Handlers, h => h.Name == ScanMarketsHandler.FunctionName);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => handler.InvokeAsync(InvocationRequest.Parse(TimerEnvelope(DateTimeOffset.UtcNow, false)), Token));

        Assert.Contains("AzureWebJobsStorage", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":true}},"Metadata":{}}""", true)]
    [InlineData("""{"Data":{"timer":{"isPastDue":"true"}},"Metadata":{}}""", true)]
    [InlineData("""{"Data":{"timer":"{\"IsPastDue\":true}"},"Metadata":{}}""", true)]
    [InlineData("""{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""", false)]
    [InlineData("""{"Data":{},"Metadata":{}}""", false)]
    [InlineData("""{"Data":{"timer":"not a timer"},"Metadata":{}}""", false)]
    public void IsPastDue_ReadsTheShapesHostsSend(string envelope, bool expected)
    {
        Assert.Equal(expected, ScanMarketsHandler.IsPastDue(InvocationRequest.Parse(Encoding.UTF8.GetBytes(envelope))));
    }

    [Fact]
    public void FunctionJson_IsATimerOnTheScanScheduleSetting_NotRunOnStartup()
    {
        var root = LocalEmulator.RepositoryRoot() ?? throw new InvalidOperationException("repository root not found");
        var json = File.ReadAllText(Path.Combine(root, "functions", "ScanMarkets", "function.json"));
        using var app = TestApp.Create(TestApp.DefaultHost, ("ScanMarkets", json));

        var function = Assert.Single(app.Load(TestApp.Settings(("ScanSchedule", "0 */5 * * * *"))).Functions);
        var timer = Assert.IsType<TimerTriggerDefinition>(function.Trigger);
        Assert.Equal(("timer", "0 */5 * * * *", false), (timer.BindingName, timer.Schedule.Expression, timer.RunOnStartup));
        Assert.NotNull(function.Retry);

        var missing = Assert.Throws<FunctionDefinitionException>(() => app.Load(name => name == "ScanSchedule" ? null : TestApp.Settings()(name)));
        Assert.Contains("'ScanSchedule'", missing.Message, StringComparison.Ordinal);
        Assert.Equal(PlatformSettings.DefaultScanSchedule, new PlatformSettings { Read = _ => null }.ScanScheduleExpression);
        Assert.Equal("0 0 * * * *", new PlatformSettings { Read = n => n == PlatformSettings.ScanSchedule ? "0 0 * * * *" : null }.ScanScheduleExpression);
        Assert.Contains(PlatformSettings.ScanSchedule, PlatformSettings.Names);
    }

    /// <summary>The timer envelope as the Functions host sends it (TimerInfo with the schedule status; sys metadata).</summary>
    private static byte[] TimerEnvelope(DateTimeOffset now, bool pastDue) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        Data = new
        {
            timer = new
            {
                Schedule = new { AdjustForDST = true },
                ScheduleStatus = new { Last = now.AddMinutes(-15).ToString("O"), Next = now.AddMinutes(15).ToString("O"), LastUpdated = now.AddMinutes(-15).ToString("O") },
                IsPastDue = pastDue,
            },
        },
        Metadata = new { sys = new { MethodName = "ScanMarkets", UtcNow = now.ToString("O"), RandGuid = Guid.NewGuid().ToString() } },
    });

    private static ScreenerDefinition Definition(string id, string condition, string? rank) =>
        new(id, char.ToUpperInvariant(id[0]) + id[1..], ["majors"], Frame, condition, rank);

    private static Task SeedAsync(TableServiceClient tables, params (string Symbol, double[] Closes)[] series) => SeedAsync(tables, T0, series);

    /// <summary>15-minute bars from closes (open = the previous close, or the first close) from a start time.</summary>
    private static async Task SeedAsync(TableServiceClient tables, long start, params (string Symbol, double[] Closes)[] series)
    {
        var final = new List<FinalBar>();
        foreach (var (symbol, closes) in series)
        {
            for (var i = 0; i < closes.Length; i++)
            {
                var open = i == 0 ? closes[0] : closes[i - 1];
                final.Add(new FinalBar(new BarUpdate(symbol, Frame, new Ohlcv(start + (i * Quarter), open, Math.Max(open, closes[i]), Math.Min(open, closes[i]), closes[i], 100), true), []));
            }
        }

        await new TableIngestStore(tables).WriteFinalBarsAsync(final, [], Token);
    }

    /// <summary>Receives and deletes every message on the queue.</summary>
    private static async Task<List<JsonElement>> DrainAsync(QueueClient queue)
    {
        var result = new List<JsonElement>();
        while (true)
        {
            var batch = await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30), Token);
            if (batch.Count == 0)
            {
                return result;
            }

            foreach (var message in batch)
            {
                using var document = JsonDocument.Parse(message.Text);
                result.Add(document.RootElement.Clone());
                await queue.DeleteAsync(message.MessageId, message.PopReceipt, Token);
            }
        }
    }

    private sealed class MovableClock(long now) : TimeProvider
    {
        public long Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Now);
    }
}
