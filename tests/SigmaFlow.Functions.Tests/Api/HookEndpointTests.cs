using System.Globalization;
using System.Text;
using System.Text.Json;
using SigmaFlow.Functions.Api.Endpoints;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.Api;

/// <summary>Inbound webhooks: made with a secret, verified by it, turned into a recorded, pushed and alerted signal exactly once.</summary>
public sealed class HookEndpointTests(AzuriteEmulator azurite) : ApiTestBase(azurite)
{
    [Fact]
    public async Task ATradingViewAlertWithItsSecretBecomesOneSignal()
    {
        var (id, secret) = await MakeHookAsync("TradingView BTC");
        var symbol = ApiTestHost.Unique("HK").ToUpperInvariant().Replace("-", string.Empty, StringComparison.Ordinal);
        using var listener = await Host.Push.ConnectAsync(userId: "test", groups: ["signals." + symbol]);

        var alert = new { ticker = "BINANCE:" + symbol, action = "buy", close = "101.25", time = "2026-03-02T10:07:31Z", interval = "15", secret };
        var first = await Host.PostAsync("api/hooks/" + id, null, alert);
        Assert.Equal(202, first.Status);
        Assert.False((bool)first.Json["duplicate"]!);
        var signalId = (string)first.Json["signal"]!;
        Assert.Equal($"{symbol}|hook-tradingview-btc|15m|LongEntry|{DateTimeOffset.Parse("2026-03-02T10:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds()}", signalId);

        // Pushed to the symbol's signal group.
        var pushed = await listener.ReceiveJsonAsync();
        Assert.Equal("message", pushed.GetProperty("type").GetString());
        var data = pushed.GetProperty("data");
        Assert.Equal(signalId, data.GetProperty("id").GetString());
        Assert.Equal("longEntry", data.GetProperty("kind").GetString());

        // Recorded and alerted once; TradingView's retry of the same alert changes nothing.
        var again = await Host.PostAsync("api/hooks/" + id, null, alert);
        Assert.True((bool)again.Json["duplicate"]!);
        var signals = await Host.GetAsync($"api/signals?symbol={symbol}&since=0", Host.ReadKey);
        Assert.Equal(signalId, (string?)Assert.Single(signals.Json["items"]!.AsArray())!["id"]);
        var queued = await Host.AlertsQueue.PeekAsync(32, TestContext.Current.CancellationToken);
        Assert.Equal(signalId, Assert.Single(queued, m => m.Text.Contains(symbol, StringComparison.Ordinal)).Text.Split("\"id\":\"")[1].Split('"')[0]);
    }

    [Fact]
    public async Task ASignedRequestNeedsNoSecretInTheBodyButAFreshTimestamp()
    {
        var (id, secret) = await MakeHookAsync("signed sender");
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { symbol = "ETHUSD", action = "exit_long", price = 2500.5 }));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        var signed = await SendRawAsync(id, body, r =>
        {
            r.Headers.Add("X-SigmaFlow-Timestamp", now);
            r.Headers.Add("X-SigmaFlow-Signature", HookEndpoints.Sign(secret, now, body));
        });
        Assert.Equal(202, signed.Status);
        Assert.Contains("|LongExit|", (string?)signed.Json["signal"], StringComparison.Ordinal);

        var stale = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600).ToString(CultureInfo.InvariantCulture);
        var replayed = await SendRawAsync(id, body, r =>
        {
            r.Headers.Add("X-SigmaFlow-Timestamp", stale);
            r.Headers.Add("X-SigmaFlow-Signature", HookEndpoints.Sign(secret, stale, body));
        });
        replayed.FieldError(401, "header.X-SigmaFlow-Timestamp");

        var forged = await SendRawAsync(id, body, r =>
        {
            r.Headers.Add("X-SigmaFlow-Timestamp", now);
            r.Headers.Add("X-SigmaFlow-Signature", HookEndpoints.Sign("not-the-secret", now, body));
        });
        forged.FieldError(401, "header.X-SigmaFlow-Signature");
    }

    [Fact]
    public async Task WrongSecretsBadAlertsAndUnknownHooksAreRefused()
    {
        var (id, _) = await MakeHookAsync("strict");
        (await Host.PostAsync("api/hooks/" + id, null, new { symbol = "BTCUSD", action = "buy", price = 1, secret = "guess" })).FieldError(401, "body.secret");
        (await Host.PostAsync("api/hooks/" + id, null, new { symbol = "BTCUSD", action = "buy", price = 1 })).FieldError(401, "body.secret");

        var (other, secret) = await MakeHookAsync("validating");
        var bad = await Host.PostAsync("api/hooks/" + other, null, new { symbol = "bad symbol", action = "hodl", price = -3, interval = "fortnight", secret });
        var problem = bad.Problem(422);
        Assert.Equal(["body.symbol", "body.action", "body.price", "body.interval"], problem["errors"]!.AsArray().Select(e => (string)e!["field"]!));
        Assert.Equal("hodl", (string?)bad.FieldError(422, "body.action")["value"]);

        (await Host.PostAsync("api/hooks/" + other, null, "[1,2]")).FieldError(400, "body");
        (await Host.PostAsync("api/hooks/000000000000", null, new { secret })).Problem(404);
        (await Host.PostAsync("api/hooks/not-a-hook-id", null, new { secret })).Problem(404);
    }

    [Fact]
    public async Task HooksAreListedWithoutSecretsAndCanBeDeleted()
    {
        var (id, secret) = await MakeHookAsync("listed");
        var list = await Host.GetAsync("api/hooks", Host.TradeKey);
        Assert.Contains(list.Json["items"]!.AsArray(), h => (string?)h!["id"] == id && (string?)h["url"] == "/api/hooks/" + id);
        Assert.DoesNotContain(secret, list.Body, StringComparison.Ordinal);
        (await Host.GetAsync("api/hooks", Host.ReadKey)).Problem(403);
        (await Host.PostAsync("api/hooks", Host.TradeKey, new { name = "" })).FieldError(422, "body.name");
        (await Host.PostAsync("api/hooks", Host.TradeKey, new { name = "x", strategy = "Not Valid" })).FieldError(422, "body.strategy");
        Assert.Equal(204, (await Host.SendAsync(HttpMethod.Delete, "api/hooks/" + id, Host.TradeKey)).Status);
        (await Host.SendAsync(HttpMethod.Delete, "api/hooks/" + id, Host.TradeKey)).Problem(404);
        (await Host.PostAsync("api/hooks/" + id, null, new { symbol = "BTCUSD", action = "buy", price = 1, secret })).Problem(404);
    }

    private async Task<(string Id, string Secret)> MakeHookAsync(string name)
    {
        var made = await Host.PostAsync("api/hooks", Host.TradeKey, new { name });
        Assert.Equal(201, made.Status);
        return ((string)made.Json["id"]!, (string)made.Json["secret"]!);
    }

    private Task<ApiResponse> SendRawAsync(string id, byte[] body, Action<HttpRequestMessage> sign) =>
        Host.SendAsync(HttpMethod.Post, "api/hooks/" + id, null, configure: r =>
        {
            r.Content = new ByteArrayContent(body);
            r.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            sign(r);
        });
}
