using System.Text;
using System.Text.Json.Nodes;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Live.Adapters;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.Api;

/// <summary>Market data over what the live pipeline stores: bars, indicators on demand, quotes, signals; the catalog; negotiate.</summary>
public sealed class MarketEndpointTests(AzuriteEmulator azurite) : ApiTestBase(azurite)
{
    private const long Start = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    private const long Minute = 60_000;
    [Fact]
    public async Task TheCatalogListsEveryIndicatorWithBounds()
    {
        var catalog = await Host.GetAsync("api/indicators", Host.ReadKey);
        var items = catalog.Json["items"]!.AsArray();
        Assert.Equal(IndicatorCatalog.All.Count, items.Count);
        var rsi = items.Single(i => (string?)i!["name"] == "rsi")!;
        Assert.Equal("integer", (string?)rsi["parameters"]![0]!["type"]);
        Assert.Equal(14, (double)rsi["parameters"]![0]!["default"]!);
    }

    [Fact]
    public async Task BarsComeBackByRangeAndLimitOldestFirst()
    {
        var (symbol, bars) = await SeedAsync(120);
        var all = await Host.GetAsync($"api/markets/{symbol}/bars?timeframe=1m&from={Start}&limit=50000&indicators=true", Host.ReadKey);
        Assert.Equal(200, all.Status);
        var list = all.Json["bars"]!.AsArray();
        Assert.Equal(bars.Count, list.Count);
        Assert.Equal(bars[5].Close, (double)list[5]!["close"]!);
        Assert.Equal(3.25, (double)list[0]!["indicators"]!["x"]!);

        var window = await Host.GetAsync($"api/markets/{symbol}/bars?from=2026-01-01T00:10:00Z&to={Start + (20 * Minute)}", Host.ReadKey);
        Assert.Equal(Enumerable.Range(10, 10).Select(i => Start + (i * Minute)), window.Json["bars"]!.AsArray().Select(b => (long)b!["time"]!));
        Assert.Null(window.Json["bars"]![0]!["indicators"]);

        var newest = await Host.GetAsync($"api/markets/{symbol.ToLowerInvariant()}/bars?limit=3", Host.ReadKey);
        Assert.Equal(bars.TakeLast(3).Select(b => b.Time), newest.Json["bars"]!.AsArray().Select(b => (long)b!["time"]!));

        var nothing = await Host.GetAsync($"api/markets/{ApiTestHost.Unique("NONE").ToUpperInvariant()}/bars", Host.ReadKey);
        Assert.Empty(nothing.Json["bars"]!.AsArray());
    }

    [Fact]
    public async Task IndicatorsOnDemandMatchTheBatchEngineIncludingWarmUp()
    {
        var (symbol, bars) = await SeedAsync(200);
        var from = Start + (100 * Minute);
        var response = await Host.GetAsync($"api/markets/{symbol}/indicators?spec=bb(20,2)&from={from}", Host.ReadKey);
        Assert.Equal(200, response.Status);
        Assert.Equal(["middle", "upper", "lower", "percentb", "width"], response.Json["fields"]!.AsArray().Select(f => (string)f!));

        // The same bars the endpoint reads: the range plus the indicator's warm-up before it.
        var (definition, arguments) = IndicatorCatalog.Parse("bb(20,2)");
        var used = bars.Skip(100 - definition.Warmup(arguments)).ToList();
        var series = new BarSeries([.. used.Select(b => b.Time)], [.. used.Select(b => b.Open)], [.. used.Select(b => b.High)], [.. used.Select(b => b.Low)], [.. used.Select(b => b.Close)], [.. used.Select(b => b.Volume)]);
        var expected = definition.Calculate(series, arguments);
        var times = response.Json["time"]!.AsArray().Select(t => (long)t!).ToArray();
        Assert.Equal(100, times.Length);
        Assert.Equal(from, times[0]);
        var upper = response.Json["values"]![1]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.Equal(expected["upper"][^100..], upper);
        Assert.All(upper, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public async Task BadQueriesNameTheParameter()
    {
        var spec = await Host.GetAsync("api/markets/BTCUSD/indicators?spec=rsii(14)", Host.ReadKey);
        Assert.Contains("rsi", (string?)spec.FieldError(422, "query.spec")["rule"], StringComparison.Ordinal);
        (await Host.GetAsync("api/markets/BTCUSD/indicators", Host.ReadKey)).FieldError(422, "query.spec");
        Assert.Equal("7x", (string?)(await Host.GetAsync("api/markets/BTCUSD/bars?timeframe=7x", Host.ReadKey)).FieldError(422, "query.timeframe")["value"]);
        Assert.Equal("0", (string?)(await Host.GetAsync("api/markets/BTCUSD/bars?limit=0", Host.ReadKey)).FieldError(422, "query.limit")["value"]);
        (await Host.GetAsync("api/markets/BTCUSD/bars?from=yesterday", Host.ReadKey)).FieldError(422, "query.from");
        (await Host.GetAsync($"api/markets/BTCUSD/bars?from={Start}&to={Start}", Host.ReadKey)).FieldError(422, "query.to");
        (await Host.GetAsync("api/markets/%20bad/bars", Host.ReadKey)).FieldError(422, "path.symbol");
        (await Host.GetAsync("api/quotes?symbols=BTCUSD,bad%20one", Host.ReadKey)).FieldError(422, "query.symbols");
    }

    [Fact]
    public async Task QuotesAndSignalsComeFromTheLiveTables()
    {
        var symbol = ApiTestHost.Unique("Q").ToUpperInvariant();
        var store = new TableIngestStore(Host.Tables);
        await store.EnsureTablesAsync(TestContext.Current.CancellationToken);
        await store.WriteQuotesAsync([new Tick(symbol, Start, 101.5, 2, 101.4, 101.6, 7)], TestContext.Current.CancellationToken);
        var quotes = await Host.GetAsync($"api/quotes?symbols={symbol},{symbol}-NEVER", Host.ReadKey);
        var quote = Assert.Single(quotes.Json["items"]!.AsArray())!;
        Assert.Equal(101.5, (double)quote["price"]!);
        Assert.Equal(101.6, (double)quote["ask"]!);

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await store.RecordSignalsAsync(
            [
                new SignalEvent(symbol, "ema-cross", Timeframe.Parse("1m"), SignalKind.LongEntry, now - (5 * Minute), 100),
                new SignalEvent(symbol, "other", Timeframe.Parse("1m"), SignalKind.LongExit, now - (2 * Minute), 101),
                new SignalEvent(symbol, "ema-cross", Timeframe.Parse("1m"), SignalKind.LongExit, now - (3 * 86_400_000L), 99),
            ],
            TestContext.Current.CancellationToken);
        var recent = await Host.GetAsync($"api/signals?symbol={symbol}", Host.ReadKey);
        Assert.Equal(["other", "ema-cross"], recent.Json["items"]!.AsArray().Select(s => (string)s!["strategy"]!));
        Assert.Equal("longEntry", (string?)recent.Json["items"]![1]!["kind"]);
        var filtered = await Host.GetAsync($"api/signals?symbol={symbol}&strategy=ema-cross&since={now - (4 * 86_400_000L)}&limit=5", Host.ReadKey);
        Assert.Equal(2, filtered.Json["items"]!.AsArray().Count);
        (await Host.GetAsync("api/signals?limit=5000", Host.ReadKey)).FieldError(422, "query.limit");
    }

    [Fact]
    public async Task NegotiateGivesAClientUrlForTheCaller()
    {
        var response = await Host.GetAsync("api/negotiate?groups=bars.BTCUSD.1m,signals", Host.ReadKey);
        Assert.Equal(200, response.Status);
        var url = new Uri((string)response.Json["url"]!);
        Assert.Equal("/client/hubs/market", url.AbsolutePath);
        var token = Payload(System.Web.HttpUtility.ParseQueryString(url.Query)["access_token"]!);
        Assert.Equal((string?)response.Json["userId"], (string?)token["sub"]);
        Assert.StartsWith("key:", (string?)token["sub"], StringComparison.Ordinal);
        Assert.Contains("webpubsub.joinLeaveGroup", Strings(token["role"]));
        Assert.Equal(["bars.BTCUSD.1m", "signals"], Strings(token["webpubsub.group"]));
        (await Host.GetAsync("api/negotiate?groups=a%20b", Host.ReadKey)).FieldError(422, "query.groups[0]");
    }

    private static JsonNode Payload(string jwt)
    {
        var part = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        part = part.PadRight(part.Length + ((4 - (part.Length % 4)) % 4), '=');
        return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(part)))!;
    }

    private static string[] Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => (string)n!).ToArray(),
        null => [],
        _ => [(string)node!],
    };

    private async Task<(string Symbol, List<Ohlcv> Bars)> SeedAsync(int count)
    {
        var symbol = ApiTestHost.Unique("BAR").ToUpperInvariant();
        var market = SyntheticMarket.Generate(new SyntheticMarketOptions { Bars = count, Seed = 7, Interval = TimeSpan.FromMinutes(1), StartTime = Start });
        var bars = Enumerable.Range(0, count).Select(i => new Ohlcv(Start + (i * Minute), market.Open[i], market.High[i], market.Low[i], market.Close[i], market.Volume[i])).ToList();
        var store = new TableIngestStore(Host.Tables);
        await store.EnsureTablesAsync(TestContext.Current.CancellationToken);
        await store.WriteFinalBarsAsync(bars.Select(b => new FinalBar(new BarUpdate(symbol, Timeframe.Parse("1m"), b, true), [3.25])).ToList(), ["x"], TestContext.Current.CancellationToken);
        return (symbol, bars);
    }
}
