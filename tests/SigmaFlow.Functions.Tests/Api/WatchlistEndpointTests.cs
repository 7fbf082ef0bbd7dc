using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.Api;

/// <summary>Watchlists: up to 50 symbols, validated one by one; ETags for updates.</summary>
public sealed class WatchlistEndpointTests(AzuriteEmulator azurite) : ApiTestBase(azurite)
{
    [Fact]
    public async Task ALifecycleWithNormalisedSymbolsAndETags()
    {
        var id = ApiTestHost.Unique("majors");
        var created = await Host.PostAsync("api/watchlists", Host.TradeKey, new { id, name = "Majors", symbols = ApiTestHost.Symbols("btcusd", "ETHUSD") });
        Assert.Equal(201, created.Status);
        Assert.Equal(["BTCUSD", "ETHUSD"], created.Json["symbols"]!.AsArray().Select(s => (string)s!));
        var etag = created.Header("ETag");
        Assert.False(string.IsNullOrEmpty(etag));

        var replaced = await Host.SendAsync(HttpMethod.Put, "api/watchlists/" + id, Host.TradeKey, new { symbols = ApiTestHost.Symbols("SOLUSD") }, r => r.Headers.TryAddWithoutValidation("If-Match", etag));
        Assert.Equal(200, replaced.Status);
        Assert.Equal(id, (string?)replaced.Json["name"]);
        (await Host.SendAsync(HttpMethod.Put, "api/watchlists/" + id, Host.TradeKey, new { symbols = ApiTestHost.Symbols("SPY") }, r => r.Headers.TryAddWithoutValidation("If-Match", etag))).Problem(412);

        var read = await Host.GetAsync("api/watchlists/" + id, Host.ReadKey);
        Assert.Equal(["SOLUSD"], read.Json["symbols"]!.AsArray().Select(s => (string)s!));
        Assert.Contains((await Host.GetAsync("api/watchlists", Host.ReadKey)).Json["items"]!.AsArray(), w => (string?)w!["id"] == id);

        (await Host.PostAsync("api/watchlists", Host.TradeKey, new { id, symbols = ApiTestHost.Symbols("SPY") })).Problem(409);
        Assert.Equal(204, (await Host.SendAsync(HttpMethod.Delete, "api/watchlists/" + id, Host.TradeKey)).Status);
        (await Host.GetAsync("api/watchlists/" + id, Host.ReadKey)).Problem(404);
        (await Host.SendAsync(HttpMethod.Put, "api/watchlists/" + id, Host.TradeKey, new { symbols = ApiTestHost.Symbols("SPY") })).Problem(404);
    }

    [Fact]
    public async Task SymbolsAreCheckedOneByOne()
    {
        var tooMany = await Host.PostAsync("api/watchlists", Host.TradeKey, new { id = ApiTestHost.Unique("big"), symbols = Enumerable.Range(0, 51).Select(i => "S" + i).ToArray() });
        Assert.Equal("51 symbols", (string?)tooMany.FieldError(422, "body.symbols")["value"]);

        var exactly50 = await Host.PostAsync("api/watchlists", Host.TradeKey, new { id = ApiTestHost.Unique("full"), symbols = Enumerable.Range(0, 50).Select(i => "S" + i).ToArray() });
        Assert.Equal(201, exactly50.Status);

        var bad = await Host.PostAsync("api/watchlists", Host.TradeKey, new { id = ApiTestHost.Unique("bad"), symbols = ApiTestHost.Symbols("BTCUSD", "bad symbol", "btcusd") });
        var problem = bad.Problem(422);
        Assert.Equal("bad symbol", (string?)bad.FieldError(422, "body.symbols[1]")["value"]);
        Assert.Contains("twice", (string?)bad.FieldError(422, "body.symbols[2]")["rule"], StringComparison.Ordinal);
        Assert.Equal(2, problem["errors"]!.AsArray().Count);

        (await Host.PostAsync("api/watchlists", Host.TradeKey, new { symbols = ApiTestHost.Symbols("SPY") })).FieldError(422, "body.id");
        (await Host.PostAsync("api/watchlists", Host.TradeKey, new { id = ApiTestHost.Unique("e"), symbols = ApiTestHost.Symbols() })).FieldError(422, "body.symbols");
        var mismatch = await Host.SendAsync(HttpMethod.Put, "api/watchlists/abc", Host.TradeKey, new { id = "xyz", symbols = ApiTestHost.Symbols("SPY") });
        mismatch.FieldError(422, "body.id");
    }
}
