using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.Api;

/// <summary>Strategies: validate, create, read, list, update with versions and concurrency, delete.</summary>
public sealed class StrategyEndpointTests(AzuriteEmulator azurite) : ApiTestBase(azurite)
{
    public const string SmaCross = """
        name: sma-cross
        parameters:
          fast: { default: 10, min: 2, max: 200 }
          slow: { default: 30, min: 3, max: 400 }
        long:
          entry: crossover(sma(close, fast), sma(close, slow))
          exit: crossunder(sma(close, fast), sma(close, slow))
        sizing:
          quantity: 100

        """;

    [Fact]
    public async Task ValidateReportsEveryErrorWithItsPosition()
    {
        var ok = await Host.PostAsync("api/strategies/validate", Host.ReadKey, new { document = SmaCross });
        Assert.Equal(200, ok.Status);
        Assert.True((bool)ok.Json["valid"]!);
        Assert.Equal(["fast", "slow"], ok.Json["parameters"]!.AsArray().Select(p => (string)p!["name"]!));

        var bad = await Host.PostAsync("api/strategies/validate", Host.ReadKey, new { document = "name: x\nlong:\n  entry: crossover(smaa(close, 3), close)\n" });
        Assert.Equal(200, bad.Status);
        Assert.False((bool)bad.Json["valid"]!);
        var error = bad.Json["errors"]![0]!;
        Assert.Equal(3, (int)error["line"]!);
        Assert.Equal(20, (int)error["column"]!);
        Assert.Contains("Did you mean 'sma'", (string?)error["message"], StringComparison.Ordinal);

        var outOfBounds = await Host.PostAsync("api/strategies/validate", Host.ReadKey, new { document = SmaCross, parameters = new { fast = 500 } });
        Assert.False((bool)outOfBounds.Json["valid"]!);
        Assert.Contains("fast", outOfBounds.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALifecycleCreateReadUpdateVersionsDelete()
    {
        var id = ApiTestHost.Unique("cross");
        var created = await Host.PostAsync("api/strategies", Host.TradeKey, new { id, document = SmaCross });
        Assert.Equal(201, created.Status);
        Assert.Equal("/api/strategies/" + id, created.Header("Location"));
        Assert.Equal("\"v1\"", created.Header("ETag"));
        Assert.Equal(1, (int)created.Json["version"]!);
        Assert.Equal("sma-cross", (string?)created.Json["name"]);

        var read = await Host.GetAsync("api/strategies/" + id, Host.ReadKey);
        Assert.Equal(SmaCross, (string?)read.Json["document"]);

        var list = await Host.GetAsync("api/strategies", Host.ReadKey);
        Assert.Contains(list.Json["items"]!.AsArray(), s => (string?)s!["id"] == id);

        var changed = SmaCross.Replace("default: 10", "default: 12", StringComparison.Ordinal);
        var updated = await Host.SendAsync(HttpMethod.Put, "api/strategies/" + id, Host.TradeKey, new { document = changed }, r => r.Headers.TryAddWithoutValidation("If-Match", "\"v1\""));
        Assert.Equal(200, updated.Status);
        Assert.Equal(2, (int)updated.Json["version"]!);
        Assert.Equal("\"v2\"", updated.Header("ETag"));

        // A writer still holding v1 loses, with the current version named.
        var stale = await Host.SendAsync(HttpMethod.Put, "api/strategies/" + id, Host.TradeKey, new { document = SmaCross }, r => r.Headers.TryAddWithoutValidation("If-Match", "\"v1\""));
        Assert.Contains("version 2", (string?)stale.Problem(412)["detail"], StringComparison.Ordinal);
        var staleBody = await Host.SendAsync(HttpMethod.Put, "api/strategies/" + id, Host.TradeKey, new { document = SmaCross, expectedVersion = 1 });
        staleBody.Problem(409);
        var blind = await Host.SendAsync(HttpMethod.Put, "api/strategies/" + id, Host.TradeKey, new { document = SmaCross });
        blind.FieldError(428, "header.If-Match");
        var third = await Host.SendAsync(HttpMethod.Put, "api/strategies/" + id, Host.TradeKey, new { document = SmaCross, expectedVersion = 2 });
        Assert.Equal(3, (int)third.Json["version"]!);

        var versions = await Host.GetAsync($"api/strategies/{id}/versions", Host.ReadKey);
        Assert.Equal([1, 2, 3], versions.Json["items"]!.AsArray().Select(v => (int)v!["version"]!));
        var second = await Host.GetAsync($"api/strategies/{id}/versions/2", Host.ReadKey);
        Assert.Equal(changed, (string?)second.Json["document"]);
        (await Host.GetAsync($"api/strategies/{id}/versions/9", Host.ReadKey)).Problem(404);

        Assert.Equal(204, (await Host.SendAsync(HttpMethod.Delete, "api/strategies/" + id, Host.TradeKey)).Status);
        (await Host.GetAsync("api/strategies/" + id, Host.ReadKey)).Problem(404);
        (await Host.SendAsync(HttpMethod.Delete, "api/strategies/" + id, Host.TradeKey)).Problem(404);
        (await Host.GetAsync($"api/strategies/{id}/versions", Host.ReadKey)).Problem(404);
    }

    [Fact]
    public async Task CreatingTwiceConflictsAndTheIdComesFromTheNameWhenNotGiven()
    {
        var name = ApiTestHost.Unique("named");
        var document = SmaCross.Replace("name: sma-cross", "name: " + name.ToUpperInvariant(), StringComparison.Ordinal);
        var created = await Host.PostAsync("api/strategies", Host.TradeKey, new { document });
        Assert.Equal(201, created.Status);
        Assert.Equal(name, (string?)created.Json["id"]);
        var again = await Host.PostAsync("api/strategies", Host.TradeKey, new { document });
        Assert.Contains(name, (string?)again.Problem(409)["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvalidDocumentOrIdIsRefusedWithTheFieldAndPosition()
    {
        var broken = await Host.PostAsync("api/strategies", Host.TradeKey, new { id = ApiTestHost.Unique("bad"), document = "name: x\nlong:\n  entry: rsi(14) >\n" });
        var error = broken.FieldError(422, "document");
        Assert.Equal(3, (int)error["line"]!);
        Assert.True((int)error["column"]! > 1);

        var badId = await Host.PostAsync("api/strategies", Host.TradeKey, new { id = "Has Spaces", document = SmaCross });
        Assert.Equal("Has Spaces", (string?)badId.FieldError(422, "body.id")["value"]);

        var missing = await Host.PostAsync("api/strategies", Host.TradeKey, new { id = "x" });
        missing.FieldError(422, "body.document");

        (await Host.GetAsync("api/strategies/" + ApiTestHost.Unique("none"), Host.ReadKey)).Problem(404);
        (await Host.SendAsync(HttpMethod.Put, "api/strategies/" + ApiTestHost.Unique("none"), Host.TradeKey, new { document = SmaCross, expectedVersion = 1 })).Problem(404);
    }
}
