using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.Api;

/// <summary>Alert channels, rules and the delivery log through the API: validation with fields, redacted credentials, ETags, conflicts.</summary>
public sealed class AlertEndpointTests(AzuriteEmulator azurite) : ApiTestBase(azurite)
{
    [Fact]
    public async Task AChannelIsStoredWithItsSecretButShownRedacted()
    {
        var id = ApiTestHost.Unique("erp");
        var created = await Host.PostAsync("api/alerts/channels", Host.TradeKey, new { id, kind = "webhook", url = "https://erp.example.com/hooks/sigmaflow/x", secret = "0123456789abcdef-secret" });
        Assert.Equal(201, created.Status);
        Assert.Equal("/api/alerts/channels/" + id, created.Header("Location"));
        Assert.Equal("***", (string?)created.Json["secret"]);
        Assert.DoesNotContain("0123456789abcdef-secret", created.Body, StringComparison.Ordinal);
        var etag = created.Header("ETag");

        // A rename that sends the redacted values back keeps the stored credentials.
        var read = await Host.GetAsync("api/alerts/channels/" + id, Host.ReadKey);
        var renamed = await Host.SendAsync(HttpMethod.Put, "api/alerts/channels/" + id, Host.TradeKey, new { kind = "webhook", name = "ERP", url = (string?)read.Json["url"], secret = "***" }, r => r.Headers.TryAddWithoutValidation("If-Match", etag));
        Assert.Equal(200, renamed.Status);
        var stored = await Host.Services.AlertRules!.GetChannelAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal("0123456789abcdef-secret", stored.Item!.Value.Secret);
        Assert.Equal("https://erp.example.com/hooks/sigmaflow/x", stored.Item.Value.Url);
        Assert.Equal("ERP", stored.Item.Value.Name);
        (await Host.SendAsync(HttpMethod.Put, "api/alerts/channels/" + id, Host.TradeKey, new { kind = "webhook", secret = "***" }, r => r.Headers.TryAddWithoutValidation("If-Match", etag))).Problem(412);

        Assert.Contains((await Host.GetAsync("api/alerts/channels", Host.ReadKey)).Json["items"]!.AsArray(), c => (string?)c!["id"] == id);
        (await Host.PostAsync("api/alerts/channels", Host.TradeKey, new { id, kind = "webhook", url = "https://erp.example.com/a", secret = "0123456789abcdef" })).Problem(409);
    }

    [Fact]
    public async Task ChannelsAreValidatedWithFieldsAndUrlSafety()
    {
        var bad = await Host.PostAsync("api/alerts/channels", Host.TradeKey, new { id = ApiTestHost.Unique("c"), kind = "webhook", url = "http://127.0.0.1:8080/hook", secret = "short" });
        var problem = bad.Problem(422);
        Assert.Contains(problem["errors"]!.AsArray(), e => (string?)e!["field"] == "body.url");
        Assert.Contains(problem["errors"]!.AsArray(), e => (string?)e!["field"] == "body.secret");

        var pager = await Host.PostAsync("api/alerts/channels", Host.TradeKey, new { id = ApiTestHost.Unique("c"), kind = "pager" });
        Assert.Equal("pager", (string?)pager.FieldError(422, "body.kind")["value"]?.ToString().Trim('\''));

        (await Host.PostAsync("api/alerts/channels", Host.ReadKey, new { id = "x", kind = "slack", url = "https://hooks.slack.com/services/T/B/C" })).Problem(403);
        (await Host.GetAsync("api/alerts/channels/" + ApiTestHost.Unique("none"), Host.ReadKey)).Problem(404);
    }

    [Fact]
    public async Task RulesNeedExistingChannelsValidConditionsAndFreshETags()
    {
        var channel = ApiTestHost.Unique("desk");
        Assert.Equal(201, (await Host.PostAsync("api/alerts/channels", Host.TradeKey, new { id = channel, kind = "discord", url = "https://discord.com/api/webhooks/1/token" })).Status);

        var invalid = await Host.PostAsync("api/alerts/rules", Host.TradeKey, new
        {
            id = ApiTestHost.Unique("r"),
            name = "bad",
            condition = new { type = "priceCrossing", symbol = "BTCUSD", level = -5 },
            channelIds = ApiTestHost.Symbols("nowhere"),
        });
        invalid.FieldError(422, "body.condition.level");

        var typo = await Host.PostAsync("api/alerts/rules", Host.TradeKey, new { id = ApiTestHost.Unique("r"), name = "typo", condition = new { type = "expression", symbol = "ETHUSD", expression = "clse > 5" }, channelIds = ApiTestHost.Symbols(channel) });
        Assert.Contains("close", (string?)typo.FieldError(422, "body.condition.expression")["rule"], StringComparison.Ordinal);

        var unknownChannel = await Host.PostAsync("api/alerts/rules", Host.TradeKey, new { id = ApiTestHost.Unique("r"), name = "x", condition = new { type = "signal", strategy = "ema-cross" }, channelIds = ApiTestHost.Symbols("nowhere") });
        Assert.Equal("nowhere", ((string?)unknownChannel.FieldError(422, "body.channelIds[0]")["value"])?.Trim('\''));

        var id = ApiTestHost.Unique("btc");
        var rule = new { id, name = "BTC 100k", condition = new { type = "priceCrossing", symbol = "BTCUSD", level = 100000, direction = "above" }, channelIds = ApiTestHost.Symbols(channel), cooldownSeconds = 900 };
        var created = await Host.PostAsync("api/alerts/rules", Host.TradeKey, rule);
        Assert.Equal(201, created.Status);
        Assert.Equal("priceCrossing", (string?)created.Json["condition"]!["type"]);
        (await Host.PostAsync("api/alerts/rules", Host.TradeKey, rule)).Problem(409);

        var etag = created.Header("ETag");
        var updated = await Host.SendAsync(HttpMethod.Put, "api/alerts/rules/" + id, Host.TradeKey, rule with { name = "BTC 100k!" }, r => r.Headers.TryAddWithoutValidation("If-Match", etag));
        Assert.Equal("BTC 100k!", (string?)updated.Json["name"]);
        (await Host.SendAsync(HttpMethod.Put, "api/alerts/rules/" + id, Host.TradeKey, rule, r => r.Headers.TryAddWithoutValidation("If-Match", etag))).Problem(412);
        (await Host.SendAsync(HttpMethod.Put, "api/alerts/rules/" + id, Host.TradeKey, rule with { id = "other" })).FieldError(422, "body.id");

        // The channel cannot go while the rule sends to it.
        Assert.Contains(id, (string?)(await Host.SendAsync(HttpMethod.Delete, "api/alerts/channels/" + channel, Host.TradeKey)).Problem(409)["detail"], StringComparison.Ordinal);
        Assert.Equal(204, (await Host.SendAsync(HttpMethod.Delete, "api/alerts/rules/" + id, Host.TradeKey)).Status);
        (await Host.GetAsync("api/alerts/rules/" + id, Host.ReadKey)).Problem(404);
        Assert.Equal(204, (await Host.SendAsync(HttpMethod.Delete, "api/alerts/channels/" + channel, Host.TradeKey)).Status);
    }

    [Fact]
    public async Task TheDeliveryLogIsFilteredAndItsQueryChecked()
    {
        var log = await Host.GetAsync($"api/alerts/deliveries?rule={ApiTestHost.Unique("none")}&limit=5", Host.ReadKey);
        Assert.Equal(200, log.Status);
        Assert.Empty(log.Json["items"]!.AsArray());
        Assert.Equal("lost", (string?)(await Host.GetAsync("api/alerts/deliveries?status=lost", Host.ReadKey)).FieldError(422, "query.status")["value"]);
        (await Host.GetAsync("api/alerts/deliveries?limit=0", Host.ReadKey)).FieldError(422, "query.limit");
        Assert.Equal(200, (await Host.GetAsync("api/alerts/deadletters?limit=10", Host.ReadKey)).Status);
        (await Host.GetAsync("api/alerts/deliveries", null)).Problem(401);
    }
}
