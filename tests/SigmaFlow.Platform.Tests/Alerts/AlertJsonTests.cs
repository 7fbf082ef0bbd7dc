using SigmaFlow.Platform.Alerts;

namespace SigmaFlow.Platform.Tests.Alerts;

/// <summary>Rules and channels in JSON: round trips, and every JSON problem named by field, rule and value.</summary>
public sealed class AlertJsonTests
{
    [Fact]
    public void Read_ARuleOfEachCondition_RoundTrips()
    {
        var json = """
            {"id":"btc-100k","name":"BTC 100k","enabled":true,"condition":{"type":"priceCrossing","symbol":"BTCUSD","level":100000,"direction":"above","timeframe":"5m"},"channelIds":["ops","desk"],"cooldownSeconds":900}
            """;
        var read = AlertJson.Read<AlertRule>(json);
        Assert.True(read.Succeeded, read.Describe());
        var rule = read.Value!;
        Assert.Equal(new PriceCrossingCondition { Symbol = "BTCUSD", Level = 100000, Direction = CrossingDirection.Above, Timeframe = "5m" }, rule.Condition);
        Assert.Equal(["ops", "desk"], rule.ChannelIds);
        Assert.Equal(900, rule.CooldownSeconds);
        Assert.Equal(json.Trim(), AlertJson.Write(rule));

        var signal = AlertJson.Read<AlertRule>("""{"id":"s","name":"S","condition":{"side":"LONGENTRY","TYPE":"Signal","strategy":"ema-cross","symbols":["BTCUSD"]},"channelIds":["ops"]}""");
        Assert.True(signal.Succeeded, signal.Describe());
        Assert.Equal(SignalSide.LongEntry, ((SignalCondition)signal.Value!.Condition!).Side);
        Assert.Equal("""{"id":"s","name":"S","enabled":true,"condition":{"type":"signal","strategy":"ema-cross","symbols":["BTCUSD"],"side":"longEntry"},"channelIds":["ops"],"cooldownSeconds":0}""", AlertJson.Write(signal.Value));

        var expression = AlertJson.Read<AlertRule>("""{"id":"e","name":"E","condition":{"type":"expression","symbol":"ETHUSD","expression":"rsi(14) > 70"},"channelIds":["ops"]}""");
        Assert.Equal("rsi(14) > 70", ((ExpressionCondition)expression.Value!.Condition!).Expression);
        Assert.Equal("1m", ((ExpressionCondition)expression.Value.Condition!).Timeframe);
    }

    [Fact]
    public void Read_AChannel_RoundTrips_AndRedactedHidesItsCredentials()
    {
        var read = AlertJson.Read<AlertChannel>("""{"id":"tg","name":"Desk","kind":"telegram","botToken":"123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh","chatId":"-1001234567890","parseMode":"markdownV2","template":"*{symbol}*"}""");
        Assert.True(read.Succeeded, read.Describe());
        Assert.Equal(TelegramParseMode.MarkdownV2, read.Value!.ParseMode);
        var hidden = read.Value.Redacted();
        Assert.Equal("***", hidden.BotToken);
        Assert.Equal("-1001234567890", hidden.ChatId);
        var webhook = new AlertChannel { Id = "w", Kind = AlertChannelKind.Webhook, Url = "https://example.com/hooks/abc?key=1", Secret = "0123456789abcdef" }.Redacted();
        Assert.Equal(("https://example.com/hooks/***", "***"), (webhook.Url, webhook.Secret));
    }

    [Theory]
    [InlineData("", "(body) must be a JSON object; got nothing")]
    [InlineData("[1,2]", "(body) must be a JSON object; got an array")]
    [InlineData("{\"id\":", "(body) is not valid JSON (line 1, byte 7)")]
    [InlineData("""{"id":"r","colour":"red"}""", "colour is not a known property (expected id, name, enabled, condition, channelIds, cooldownSeconds)")]
    [InlineData("""{"id":5}""", "id must be a string; got 5")]
    [InlineData("""{"id":"r","enabled":"yes"}""", "enabled must be true or false; got 'yes'")]
    [InlineData("""{"id":"r","cooldownSeconds":1.5}""", "cooldownSeconds must be a whole number; got 1.5")]
    [InlineData("""{"id":"r","channelIds":"ops"}""", "channelIds must be an array of strings; got 'ops'")]
    [InlineData("""{"id":"r","condition":{"symbol":"BTCUSD"}}""", "condition must have a type (signal, priceCrossing, expression)")]
    [InlineData("""{"id":"r","condition":{"type":"moon","symbol":"BTCUSD"}}""", "condition must have a type of signal, priceCrossing, expression; its type is 'moon'")]
    [InlineData("""{"id":"r","condition":"price > 5"}""", "condition must be an object with a type (signal, priceCrossing, expression); got 'price > 5'")]
    [InlineData("""{"id":"r","condition":{"type":"priceCrossing","symbol":"BTCUSD","level":"high"}}""", "condition.level must be a number; got 'high'")]
    [InlineData("""{"id":"r","condition":{"type":"priceCrossing","symbol":"BTCUSD","direction":"sideways"}}""", "condition.direction must be one of above, below, either; got 'sideways'")]
    [InlineData("""{"id":"r","condition":{"type":"signal","side":"up"}}""", "condition.side must be one of any, long, short, entry, exit, longEntry, longExit, shortEntry, shortExit; got 'up'")]
    [InlineData("""{"id":"r","condition":{"type":"signal","level":5}}""", "condition.level is not a known property (expected type, strategy, symbols, side)")]
    public void Read_BadRuleJson_NamesTheFieldTheRuleAndTheValue(string json, string expected)
    {
        var read = AlertJson.Read<AlertRule>(json);
        Assert.False(read.Succeeded);
        Assert.Equal(expected, Assert.Single(read.Problems).Message);
    }

    [Fact]
    public void Read_BadChannelKind_ListsTheKinds()
    {
        var read = AlertJson.Read<AlertChannel>("""{"id":"c","kind":"pager"}""");
        Assert.Equal("kind must be one of discord, slack, telegram, webhook; got 'pager'", Assert.Single(read.Problems).Message);
    }
}
