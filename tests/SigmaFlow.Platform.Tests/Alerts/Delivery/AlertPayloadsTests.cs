using System.Text.Json;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Alerts;
using SigmaFlow.Platform.Alerts.Delivery;

namespace SigmaFlow.Platform.Tests.Alerts.Delivery;

/// <summary>The exact bodies each service receives, templates, escaping and limits.</summary>
public sealed class AlertPayloadsTests
{
    private const long T0 = 1_767_225_600_000;
    private static readonly AlertDeliveryOptions Options = new();

    private static readonly AlertRule Rule = new() { Id = "trend", Name = "Trend <entries>", Condition = new SignalCondition(), ChannelIds = ["c"] };

    private static readonly AlertMessage Signal = AlertMessage.For(Rule, AlertCandidate.ForSignal(new SignalEvent("BRK_B", "ema-cross", Timeframe.Parse("1m"), SignalKind.LongEntry, T0, 65000.5)));

    private static readonly AlertMessage Crossing = AlertMessage.For(
        Rule with { Id = "lvl", Name = "Level" },
        AlertCandidate.ForRule("lvl", "BTCUSD", T0, [new("close", 100012.5), new("level", 100000), new("rsi(14)", null)], "BTCUSD crossed above 100000 & <b>held</b>"));

    [Fact]
    public void Discord_IsOneEmbedWithFields_AndNoMentions()
    {
        var payload = AlertPayloads.Build(new AlertChannel { Id = "d", Kind = AlertChannelKind.Discord, Url = "https://discord.com/api/webhooks/1/tok" }, Signal, Options);
        Assert.Equal(
            """{"username":"SigmaFlow","embeds":[{"title":"Trend <entries>","description":"ema-cross: long entry on BRK\\_B (1m) at 65000.5","color":3066993,"timestamp":"2026-01-01T00:00:00.000Z","fields":[{"name":"Symbol","value":"BRK\\_B","inline":true},{"name":"Price","value":"65000.5","inline":true},{"name":"Strategy","value":"ema-cross","inline":true},{"name":"Signal","value":"long entry","inline":true},{"name":"Timeframe","value":"1m","inline":true},{"name":"Time","value":"2026-01-01 00:00:00 UTC","inline":true}],"footer":{"text":"alert trend|BRK_B|ema-cross|1m|LongEntry|1767225600000"}}],"allowed_mentions":{"parse":[]}}""",
            payload.BodyText);
        Assert.Equal("https://discord.com/api/***", payload.TargetDescription);
        Assert.Null(payload.SigningSecret);
    }

    [Fact]
    public void Discord_LongText_IsCutToTheEmbedLimit()
    {
        var candidate = AlertCandidate.ForRule("lvl", "BTCUSD", T0, text: new string('x', 1000));
        var payload = AlertPayloads.Build(new AlertChannel { Id = "d", Kind = AlertChannelKind.Discord, Url = "https://discord.com/api/webhooks/1/tok", Template = string.Concat(Enumerable.Repeat("{text}", 6)) }, AlertMessage.For(Rule, candidate), Options);
        var description = payload.Json().GetProperty("embeds")[0].GetProperty("description").GetString()!;
        Assert.Equal(4000, description.Length);
        Assert.EndsWith("x…", description, StringComparison.Ordinal);
    }

    [Fact]
    public void Slack_IsBlocks_WithEscapedValuesAndAFallbackText()
    {
        var payload = AlertPayloads.Build(new AlertChannel { Id = "s", Kind = AlertChannelKind.Slack, Url = "https://hooks.slack.com/services/T/B/X" }, Crossing, Options);
        Assert.Equal(
            """{"text":"Level: BTCUSD crossed above 100000 &amp; &lt;b&gt;held&lt;/b&gt;","blocks":[{"type":"header","text":{"type":"plain_text","text":"Level"}},{"type":"section","text":{"type":"mrkdwn","text":"BTCUSD crossed above 100000 &amp; &lt;b&gt;held&lt;/b&gt;"}},{"type":"section","fields":[{"type":"mrkdwn","text":"*Symbol*\nBTCUSD"},{"type":"mrkdwn","text":"*Price*\n100012.5"},{"type":"mrkdwn","text":"*level*\n100000"},{"type":"mrkdwn","text":"*rsi(14)*\nn/a"}]},{"type":"context","elements":[{"type":"mrkdwn","text":"2026-01-01 00:00:00 UTC · alert lvl|BTCUSD|1767225600000"}]}]}""",
            payload.BodyText);
    }

    [Fact]
    public void Telegram_HtmlByDefault_EscapesValues_AndPostsToTheBotsSendMessage()
    {
        var channel = new AlertChannel { Id = "t", Kind = AlertChannelKind.Telegram, BotToken = "123456789:AAEhBP0av28XyzAbCdEfGhIjKlMnOpQrStU", ChatId = "-1001234567890" };
        var payload = AlertPayloads.Build(channel, Crossing, Options);
        Assert.Equal(new Uri("https://api.telegram.org/bot123456789:AAEhBP0av28XyzAbCdEfGhIjKlMnOpQrStU/sendMessage"), payload.Target);
        Assert.Equal("https://api.telegram.org/***", payload.TargetDescription);
        Assert.Equal(
            """{"chat_id":-1001234567890,"text":"<b>Level</b>\nBTCUSD crossed above 100000 &amp; &lt;b&gt;held&lt;/b&gt;\n\n<b>Symbol</b>: BTCUSD\n<b>Price</b>: 100012.5\n<b>level</b>: 100000\n<b>rsi(14)</b>: n/a\n<b>Time</b>: 2026-01-01 00:00:00 UTC","parse_mode":"HTML","link_preview_options":{"is_disabled":true}}""",
            payload.BodyText);
    }

    [Fact]
    public void Telegram_MarkdownV2AndTemplates_EscapeEveryReservedCharacter()
    {
        var channel = new AlertChannel { Id = "t", Kind = AlertChannelKind.Telegram, BotToken = "123456789:AAEhBP0av28XyzAbCdEfGhIjKlMnOpQrStU", ChatId = "@desk_alerts", ParseMode = TelegramParseMode.MarkdownV2, Template = "*{symbol}* at {price}, {values.level} {{x}}" };
        var payload = AlertPayloads.Build(channel, Crossing, Options);
        var json = payload.Json();
        Assert.Equal("@desk_alerts", json.GetProperty("chat_id").GetString());
        Assert.Equal("MarkdownV2", json.GetProperty("parse_mode").GetString());
        Assert.Equal("*BTCUSD* at 100012\\.5, 100000 {x}", json.GetProperty("text").GetString());
        Assert.Equal("a\\_b\\*c\\[d\\]\\(e\\)\\~f\\`g\\>h\\#i\\+j\\-k\\=l\\|m\\{n\\}o\\.p\\!q\\\\", AlertPayloads.EscapeMarkdownV2("a_b*c[d](e)~f`g>h#i+j-k=l|m{n}o.p!q\\"));
    }

    [Fact]
    public void Webhook_IsTheDocumentedJson_SignedWithTheChannelsSecret()
    {
        var payload = AlertPayloads.Build(new AlertChannel { Id = "w", Kind = AlertChannelKind.Webhook, Url = "https://example.com/hook", Secret = "0123456789abcdef" }, Signal, Options);
        Assert.Equal(
            """{"id":"trend|BRK_B|ema-cross|1m|LongEntry|1767225600000","type":"alert","rule":{"id":"trend","name":"Trend <entries>"},"symbol":"BRK_B","time":"2026-01-01T00:00:00.000Z","timeMs":1767225600000,"text":"ema-cross: long entry on BRK_B (1m) at 65000.5","price":65000.5,"signal":{"id":"BRK_B|ema-cross|1m|LongEntry|1767225600000","strategy":"ema-cross","timeframe":"1m","kind":"longEntry"},"values":{},"channel":"w"}""",
            payload.BodyText);
        Assert.Equal("0123456789abcdef", payload.SigningSecret);
        var crossing = AlertPayloads.Build(new AlertChannel { Id = "w", Kind = AlertChannelKind.Webhook, Url = "https://example.com/hook", Secret = "0123456789abcdef", Template = "{symbol}: {values}" }, Crossing, Options).Json();
        Assert.Equal("BTCUSD: close=100012.5, level=100000, rsi(14)=n/a", crossing.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, crossing.GetProperty("values").GetProperty("rsi(14)").ValueKind);
        Assert.False(crossing.TryGetProperty("signal", out _));
    }

    [Fact]
    public void Template_FillsEveryPlaceholder()
    {
        var text = AlertTemplate.Render("{rule}|{ruleId}|{alertId}|{symbol}|{time}|{price}|{text}|{strategy}|{kind}|{timeframe}|{values}|{values.missing}", Signal, s => s);
        Assert.Equal("Trend <entries>|trend|trend|BRK_B|ema-cross|1m|LongEntry|1767225600000|BRK_B|2026-01-01T00:00:00Z|65000.5|ema-cross: long entry on BRK_B (1m) at 65000.5|ema-cross|long entry|1m||n/a", text);
        Assert.Empty(AlertTemplate.Check("{{literal}} {values.rsi(14)} }}"));
        Assert.Equal("{literal} 100012.5 }", AlertTemplate.Render("{{literal}} {values.close} }}", Crossing, s => s));
    }

    [Theory]
    [InlineData(65000.5, "65000.5")]
    [InlineData(0.1 + 0.2, "0.3")]
    [InlineData(1e-9, "1E-09")]
    [InlineData(2.5e15, "2.5E+15")]
    [InlineData(-42, "-42")]
    [InlineData(double.NaN, "n/a")]
    public void Number_IsShortAndReadable(double value, string expected)
    {
        Assert.Equal(expected, AlertMessage.Number(value));
    }

    [Fact]
    public void Cut_NeverSplitsASurrogatePair()
    {
        Assert.Equal("ab…", AlertPayloads.Cut("ab😀cd", 4));
        Assert.Equal("abc", AlertPayloads.Cut("abc", 3));
    }
}

internal static class PayloadJson
{
    public static JsonElement Json(this AlertPayload payload) => JsonDocument.Parse(payload.Body).RootElement;
}
