using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Live.Adapters;
using SigmaFlow.Platform.Screening;
using SigmaFlow.Platform.Workspace;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.Api;

/// <summary>Screeners over the API: definitions (CRUD with ETags), latest results of the timer scan, ad-hoc scans.</summary>
public sealed class ScreenerEndpointTests(AzuriteEmulator azurite) : ApiTestBase(azurite)
{
    private const long T0 = 1_767_225_600_000;
    private const long Quarter = 15 * 60_000;

    [Fact]
    public async Task ALifecycle_CreateReadListReplaceDelete_WithETagsAndConflicts()
    {
        var id = ApiTestHost.Unique("oversold");
        var watchlist = await WatchlistAsync("BTCUSD", "ETHUSD");
        var created = await Host.PostAsync("api/screeners", Host.TradeKey, new { id, name = "Oversold", watchlists = new[] { watchlist }, timeframe = "1h", condition = "rsi(14) < 30", rank = "100 - rsi(14)", order = "asc", limit = 10 });
        Assert.True(created.Status == 201, created.Body);
        Assert.Equal("/api/screeners/" + id, created.Header("Location"));
        var etag = created.Header("ETag");
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(("Oversold", "1h", "rsi(14) < 30", "asc", 10, true, 15), ((string?)created.Json["name"], (string?)created.Json["timeframe"], (string?)created.Json["condition"], (string?)created.Json["order"], (int)created.Json["limit"]!, (bool)created.Json["enabled"]!, (int)created.Json["requiredBars"]!));

        var read = await Host.GetAsync("api/screeners/" + id, Host.ReadKey);
        Assert.Equal(200, read.Status);
        Assert.Equal([watchlist], read.Json["watchlists"]!.AsArray().Select(w => (string)w!));
        Assert.Equal(etag, read.Header("ETag"));
        Assert.Contains((await Host.GetAsync("api/screeners", Host.ReadKey)).Json["items"]!.AsArray(), s => (string?)s!["id"] == id);

        var replaced = await Host.SendAsync(HttpMethod.Put, "api/screeners/" + id, Host.TradeKey, new { condition = "rsi(14) < 25", enabled = false }, r => r.Headers.TryAddWithoutValidation("If-Match", etag));
        Assert.True(replaced.Status == 200, replaced.Body);
        Assert.Equal(id, (string?)replaced.Json["name"]);
        Assert.Empty(replaced.Json["watchlists"]!.AsArray());
        Assert.False((bool)replaced.Json["enabled"]!);
        Assert.Equal("15m", (string?)replaced.Json["timeframe"]);
        (await Host.SendAsync(HttpMethod.Put, "api/screeners/" + id, Host.TradeKey, new { condition = "close > 1" }, r => r.Headers.TryAddWithoutValidation("If-Match", etag))).Problem(412);

        (await Host.PostAsync("api/screeners", Host.TradeKey, new { id, condition = "close > 1" })).Problem(409);
        (await Host.GetAsync($"api/screeners/{id}/results", Host.ReadKey)).Problem(404);
        Assert.Equal(204, (await Host.SendAsync(HttpMethod.Delete, "api/screeners/" + id, Host.TradeKey)).Status);
        (await Host.GetAsync("api/screeners/" + id, Host.ReadKey)).Problem(404);
        (await Host.SendAsync(HttpMethod.Put, "api/screeners/" + id, Host.TradeKey, new { condition = "close > 1" })).Problem(404);
        (await Host.SendAsync(HttpMethod.Delete, "api/screeners/" + id, Host.TradeKey)).Problem(404);
        Assert.Contains("there is no screener", (string?)(await Host.GetAsync($"api/screeners/{id}/results", Host.ReadKey)).Problem(404)["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadDefinitions_Get422NamingFieldRuleValueAndPositions()
    {
        var response = await Host.PostAsync("api/screeners", Host.TradeKey, new
        {
            id = ApiTestHost.Unique("bad"),
            watchlists = new[] { ApiTestHost.Unique("nowhere") },
            timeframe = "2m",
            condition = "rsi(14) < 30 and\n  clsoe > 1",
            rank = "close > open",
            order = "up",
            limit = 0,
        });

        var problem = response.Problem(422);
        Assert.Equal(6, problem["errors"]!.AsArray().Count);
        var condition = response.FieldError(422, "body.condition");
        Assert.Equal((2, 3), ((int)condition["line"]!, (int)condition["column"]!));
        Assert.Contains("unknown name 'clsoe'", (string?)condition["rule"], StringComparison.Ordinal);
        Assert.Equal("rsi(14) < 30 and\n  clsoe > 1", (string?)condition["value"]);
        Assert.Contains("expected a number for the rank", (string?)response.FieldError(422, "body.rank")["rule"], StringComparison.Ordinal);
        Assert.Equal("2m", (string?)response.FieldError(422, "body.timeframe")["value"]);
        Assert.Equal("up", (string?)response.FieldError(422, "body.order")["value"]);
        Assert.Equal("0", (string?)response.FieldError(422, "body.limit")["value"]);
        Assert.Contains("existing watchlist", (string?)response.FieldError(422, "body.watchlists[0]")["rule"], StringComparison.Ordinal);

        (await Host.PostAsync("api/screeners", Host.TradeKey, new { condition = "close > 1" })).FieldError(422, "body.id");
        (await Host.PostAsync("api/screeners", Host.TradeKey, new { id = ApiTestHost.Unique("x") })).FieldError(422, "body.condition");
        (await Host.SendAsync(HttpMethod.Put, "api/screeners/abc", Host.TradeKey, new { id = "xyz", condition = "close > 1" })).FieldError(422, "body.id");
        Assert.Contains("known fields", (string?)(await Host.PostAsync("api/screeners", Host.TradeKey, new { id = ApiTestHost.Unique("x"), condition = "close > 1", conditon = "typo" })).FieldError(400, "body.conditon")["rule"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scopes_ReadersReadAndScan_OnlyTradersWrite()
    {
        var id = ApiTestHost.Unique("scoped");
        (await Host.PostAsync("api/screeners", null, new { id, condition = "close > 1" })).FieldError(401, "header.x-api-key");
        (await Host.PostAsync("api/screeners", Host.ReadKey, new { id, condition = "close > 1" })).Problem(403);
        Assert.Equal(201, (await Host.PostAsync("api/screeners", Host.TradeKey, new { id, condition = "close > 1" })).Status);
        (await Host.SendAsync(HttpMethod.Put, "api/screeners/" + id, Host.ReadKey, new { condition = "close > 2" })).Problem(403);
        (await Host.SendAsync(HttpMethod.Delete, "api/screeners/" + id, Host.ReadKey)).Problem(403);
        (await Host.GetAsync("api/screeners", null)).Problem(401);
        (await Host.GetAsync("api/screener", null)).Problem(401);
        (await Host.PostAsync("api/screener/scan", null, new { symbols = ApiTestHost.Symbols("BTCUSD"), condition = "close > 1" })).Problem(401);
        Assert.Equal(200, (await Host.GetAsync("api/screeners/" + id, Host.ReadKey)).Status);
        Assert.Equal(200, (await Host.PostAsync("api/screener/scan", Host.ReadKey, new { symbols = ApiTestHost.Symbols("BTCUSD"), condition = "close > 1" })).Status);
        Assert.Equal(204, (await Host.SendAsync(HttpMethod.Delete, "api/screeners/" + id, Host.TradeKey)).Status);
    }

    [Fact]
    public async Task Results_OfTheTimerScan_ComeBackPerScreenerAndForAll()
    {
        var (symbols, watchlist) = await SeedAsync(T0, ("UP", [10, 11, 12, 13]), ("DOWN", [13, 12, 11, 10]), ("TWO", [5, 6]));
        var id = ApiTestHost.Unique("rising");
        Assert.Equal(201, (await Host.PostAsync("api/screeners", Host.TradeKey, new { id, watchlists = new[] { watchlist }, condition = "close > sma(close, 3)", rank = "close" })).Status);
        var waiting = (await Host.GetAsync($"api/screeners/{id}/results", Host.ReadKey)).Problem(404);
        Assert.Contains("has not run yet", (string?)waiting["detail"], StringComparison.Ordinal);

        var tables = Host.Tables;
        var scan = new MarketScan(new ScreenerStore(tables), new WatchlistStore(tables), new TableIngestStore(tables), null, null, new Clock(T0 + (4 * Quarter)), NullLogger.Instance);
        await scan.RunAsync(TestContext.Current.CancellationToken);

        var result = await Host.GetAsync($"api/screeners/{id}/results", Host.ReadKey);
        Assert.True(result.Status == 200, result.Body);
        var match = Assert.Single(result.Json["matches"]!.AsArray())!;
        Assert.Equal((1, symbols[0], 13.0, T0 + (3 * Quarter)), ((int)match["rank"]!, (string?)match["symbol"], (double)match["value"]!, (long)match["time"]!));
        Assert.Equal([symbols[0]], result.Json["newMatches"]!.AsArray().Select(s => (string)s!));
        Assert.Equal((3, 2, 1), ((int)result.Json["symbols"]!, (int)result.Json["evaluated"]!, (int)result.Json["matched"]!));
        Assert.Equal(symbols[2], (string?)result.Json["skipped"]![0]!["symbol"]);

        var all = await Host.GetAsync("api/screener", Host.ReadKey);
        Assert.Contains(all.Json["items"]!.AsArray(), r => (string?)r!["screener"] == id && (int)r["matched"]! == 1);
    }

    [Fact]
    public async Task AdHocScan_OverSymbolsOrAWatchlist_ReturnsResultsInline_AndHonoursIdempotencyKeys()
    {
        // The ad-hoc scan reads the bars before now: these end an hour ago.
        var start = ((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / Quarter) - 8) * Quarter;
        var (symbols, watchlist) = await SeedAsync(start, ("UP", [10, 11, 12, 13]), ("MORE", [10, 12, 14, 18]), ("DOWN", [13, 12, 11, 10]));
        var body = new { symbols = symbols.Select(s => s.ToLowerInvariant()).Append("NODATA" + symbols[0]).ToArray(), condition = "close > sma(close, 3)", rank = "(close / close[1] - 1) * 100", limit = 1 };

        var response = await Host.PostAsync("api/screener/scan", Host.ReadKey, body, r => r.Headers.Add("Idempotency-Key", "scan-" + symbols[0]));

        Assert.True(response.Status == 200, response.Body);
        Assert.Equal("adhoc", (string?)response.Json["screener"]);
        Assert.Equal(2, (int)response.Json["matched"]!);
        var top = Assert.Single(response.Json["matches"]!.AsArray())!;
        Assert.Equal(symbols[1], (string?)top["symbol"]);
        Assert.Equal(((18.0 / 14) - 1) * 100, (double)top["value"]!, 9);
        Assert.Equal("NODATA" + symbols[0], (string?)response.Json["skipped"]![0]!["symbol"]);
        var replay = await Host.PostAsync("api/screener/scan", Host.ReadKey, body, r => r.Headers.Add("Idempotency-Key", "scan-" + symbols[0]));
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        Assert.Equal(response.Body, replay.Body);

        var byList = await Host.PostAsync("api/screener/scan", Host.ReadKey, new { watchlist, condition = "close < open", timeframe = "15m" });
        Assert.Equal([symbols[2]], byList.Json["matches"]!.AsArray().Select(m => (string)m!["symbol"]!));
        Assert.Equal(3, (int)byList.Json["symbols"]!);
    }

    [Fact]
    public async Task AdHocScan_BadRequests_Get422NamingTheField()
    {
        (await Host.PostAsync("api/screener/scan", Host.ReadKey, new { condition = "close > 1" })).FieldError(422, "body.symbols");
        (await Host.PostAsync("api/screener/scan", Host.ReadKey, new { symbols = ApiTestHost.Symbols("BTCUSD"), watchlist = "majors", condition = "close > 1" })).FieldError(422, "body.watchlist");
        Assert.Equal("bad symbol", (string?)(await Host.PostAsync("api/screener/scan", Host.ReadKey, new { symbols = ApiTestHost.Symbols("BTCUSD", "bad symbol"), condition = "close > 1" })).FieldError(422, "body.symbols[1]")["value"]);
        (await Host.PostAsync("api/screener/scan", Host.ReadKey, new { symbols = ApiTestHost.Symbols("BTCUSD", "btcusd"), condition = "close > 1" })).FieldError(422, "body.symbols[1]");
        Assert.Equal("101 symbols", (string?)(await Host.PostAsync("api/screener/scan", Host.ReadKey, new { symbols = Enumerable.Range(0, 101).Select(i => "S" + i).ToArray(), condition = "close > 1" })).FieldError(422, "body.symbols")["value"]);
        (await Host.PostAsync("api/screener/scan", Host.ReadKey, new { watchlist = ApiTestHost.Unique("nowhere"), condition = "close > 1" })).FieldError(422, "body.watchlist");
        var condition = (await Host.PostAsync("api/screener/scan", Host.ReadKey, new { symbols = ApiTestHost.Symbols("BTCUSD"), condition = "rsi(14) <" })).FieldError(422, "body.condition");
        Assert.Equal((1, 10), ((int)condition["line"]!, (int)condition["column"]!));
        (await Host.PostAsync("api/screener/scan", Host.ReadKey, new { symbols = ApiTestHost.Symbols("BTCUSD"), condition = "close > 1", timeframe = "1d" })).FieldError(422, "body.timeframe");
    }

    /// <summary>Unique symbols with 15-minute bars from closes (open = previous close) from a start time, in a new watchlist.</summary>
    private async Task<(string[] Symbols, string Watchlist)> SeedAsync(long start, params (string Name, double[] Closes)[] series)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var symbols = series.Select(s => s.Name + suffix).ToArray();
        var frame = Timeframe.Parse("15m");
        var final = new List<FinalBar>();
        for (var s = 0; s < series.Length; s++)
        {
            for (var i = 0; i < series[s].Closes.Length; i++)
            {
                var close = series[s].Closes[i];
                var open = i == 0 ? close : series[s].Closes[i - 1];
                final.Add(new FinalBar(new BarUpdate(symbols[s], frame, new Ohlcv(start + (i * Quarter), open, Math.Max(open, close), Math.Min(open, close), close, 100), true), []));
            }
        }

        await new TableIngestStore(Host.Tables).WriteFinalBarsAsync(final, [], TestContext.Current.CancellationToken);
        return (symbols, await WatchlistAsync(symbols));
    }

    private async Task<string> WatchlistAsync(params string[] symbols)
    {
        var id = ApiTestHost.Unique("list");
        Assert.Equal(201, (await Host.PostAsync("api/watchlists", Host.TradeKey, new { id, symbols })).Status);
        return id;
    }

    private sealed class Clock(long unixMilliseconds) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);
    }
}
