using SigmaFlow.Platform.Alerts;
using SigmaFlow.Platform.Alerts.Safety;

namespace SigmaFlow.Platform.Tests.Alerts;

/// <summary>Validation of rules and channels: every problem, each with its field, rule and value.</summary>
public sealed class AlertValidatorTests
{
    private static readonly AlertRule Good = new()
    {
        Id = "btc-100k",
        Name = "BTC 100k",
        Condition = new PriceCrossingCondition { Symbol = "BTCUSD", Level = 100_000, Direction = CrossingDirection.Above },
        ChannelIds = ["ops"],
        CooldownSeconds = 600,
    };

    [Fact]
    public void Validate_GoodRules_HaveNoProblems()
    {
        Assert.Empty(AlertValidator.Validate(Good));
        Assert.Empty(AlertValidator.Validate(Good with { Condition = new SignalCondition() }));
        Assert.Empty(AlertValidator.Validate(Good with { Condition = new SignalCondition { Strategy = "ema-cross", Symbols = ["BTCUSD", "ETHUSD"], Side = SignalSide.Entry } }));
        Assert.Empty(AlertValidator.Validate(Good with { Condition = new ExpressionCondition { Symbol = "BTCUSD", Expression = "crossover(ema(close, 9), ema(close, 21)) and rsi(14) < 70", Timeframe = "15m" } }));
    }

    [Fact]
    public void Validate_ABadRule_ReportsEveryProblem()
    {
        var rule = new AlertRule
        {
            Id = "bad id!",
            Name = new string('n', 101),
            Condition = new PriceCrossingCondition { Symbol = "BTC USD", Level = -5, Timeframe = "7x" },
            ChannelIds = ["ops", "ops", "bad/id"],
            CooldownSeconds = -1,
        };
        var messages = AlertValidator.Validate(rule).Select(p => p.Message).ToList();
        Assert.Equal(
            [
                "id must be 1 to 64 letters, digits, '.', '_' or '-'; got 'bad id!'",
                $"name must be 1 to 100 characters without control characters; got '{new string('n', 80)}…'",
                "condition.symbol must be a symbol of 1 to 64 characters without white space or control characters; got 'BTC USD'",
                "condition.level must be a finite number greater than 0; got -5",
                "condition.timeframe must be a timeframe such as 1m, 15m, 1h or 1d; got '7x'",
                "channelIds[1] must not repeat a channel id; got 'ops'",
                "channelIds[2] must be a channel id: 1 to 64 letters, digits, '.', '_' or '-'; got 'bad/id'",
                "cooldownSeconds must be between 0 and 604800 (7 days); got -1",
            ],
            messages);
    }

    [Fact]
    public void Validate_MissingParts_SayWhatIsRequired()
    {
        var messages = AlertValidator.Validate(new AlertRule()).Select(p => p.Message).ToList();
        Assert.Equal(
            [
                "id is required: 1 to 64 letters, digits, '.', '_' or '-'",
                "name is required: 1 to 100 characters; got ''",
                "condition is required: an object with a type (signal, priceCrossing, expression)",
                "channelIds must list 1 to 10 channel ids; got 0 ids",
            ],
            messages);
    }

    [Theory]
    [InlineData("clse > 5", "condition.expression is not a valid condition: column 1: unknown name 'clse'")]
    [InlineData("rsi(14) > 70 and", "condition.expression is not a valid condition: column 17:")]
    [InlineData("sma(close, 20)", "condition.expression is not a valid condition: column 1: expected a true/false condition for an alert condition; found a number series")]
    [InlineData("macd(12,26,9).signl > 0", "condition.expression is not a valid condition: column 15: macd has no output 'signl'")]
    [InlineData("ichimoku(9,26,52).chikou > close", "looks ahead")]
    public void Validate_ABadExpression_GivesTheRuleLanguagesProblemWithItsColumn(string expression, string expected)
    {
        var problems = AlertValidator.Validate(Good with { Condition = new ExpressionCondition { Symbol = "BTCUSD", Expression = expression } });
        var problem = Assert.Single(problems);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        Assert.EndsWith($"; got '{expression}'", problem.Message, StringComparison.Ordinal);
        Assert.Equal("condition.expression", problem.Field);
    }

    [Fact]
    public void Validate_ExpressionHint_SuggestsTheNearName()
    {
        var problem = Assert.Single(AlertValidator.Validate(Good with { Condition = new ExpressionCondition { Symbol = "BTCUSD", Expression = "clse > 5" } }));
        Assert.Contains("Did you mean 'close'?", problem.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SignalCondition_ChecksStrategySymbolsAndSide()
    {
        var messages = AlertValidator.Validate(Good with { Condition = new SignalCondition { Strategy = "", Symbols = ["BTCUSD", "BTCUSD", ""], Side = (SignalSide)42 } }).Select(p => p.Message).ToList();
        Assert.Equal(
            [
                "condition.strategy must be a strategy name of 1 to 100 characters, or * for every strategy; got ''",
                "condition.symbols[1] must not repeat a symbol; got 'BTCUSD'",
                "condition.symbols[2] is required: a symbol of 1 to 64 characters without white space; got ''",
                "condition.side must be one of any, long, short, entry, exit, longEntry, longExit, shortEntry, shortExit; got 42",
            ],
            messages);
    }

    [Fact]
    public void Validate_Channels_PerKind()
    {
        var strict = AlertTargetPolicy.Strict;
        Assert.Empty(AlertValidator.Validate(new AlertChannel { Id = "d", Kind = AlertChannelKind.Discord, Url = "https://discord.com/api/webhooks/1/x" }, strict));
        Assert.Empty(AlertValidator.Validate(new AlertChannel { Id = "s", Kind = AlertChannelKind.Slack, Url = "https://hooks.slack.com/services/T/B/X", Template = "*{symbol}* {text}" }, strict));
        Assert.Empty(AlertValidator.Validate(new AlertChannel { Id = "t", Kind = AlertChannelKind.Telegram, BotToken = "123456789:AAEhBP0av28XyzAbCdEfGhIjKlMnOpQrStU", ChatId = "@sigmaflow_alerts" }, strict));
        Assert.Empty(AlertValidator.Validate(new AlertChannel { Id = "w", Kind = AlertChannelKind.Webhook, Url = "https://example.com/hook", Secret = "0123456789abcdef" }, strict));

        Assert.Equal(
            ["url must use https (plain http is allowed only with the local development setting AlertsAllowLocalTargets); got 'http://example.com/hook'", "secret is required for webhook channels: 16 to 256 characters that sign every request"],
            AlertValidator.Validate(new AlertChannel { Id = "w", Kind = AlertChannelKind.Webhook, Url = "http://example.com/hook" }, strict).Select(p => p.Message));
        Assert.Equal(
            ["secret must be 16 to 256 characters; got 5 characters"],
            AlertValidator.Validate(new AlertChannel { Id = "w", Kind = AlertChannelKind.Webhook, Url = "https://example.com/hook", Secret = "short" }, strict).Select(p => p.Message));
        Assert.Equal(
            ["url is not used by telegram channels; leave it out", "botToken must look like 123456789:AA… (digits, a colon, then at least 30 letters, digits, '_' or '-'); got 9 characters", "chatId must be a numeric chat id (-1001234567890) or @username (5 to 32 letters, digits or '_'); got 'my chat'"],
            AlertValidator.Validate(new AlertChannel { Id = "t", Kind = AlertChannelKind.Telegram, Url = "https://x.test", BotToken = "not-a-tok", ChatId = "my chat" }, strict).Select(p => p.Message));
        Assert.Equal(
            ["secret is not used by discord channels; leave it out", "url must not point to a cloud metadata address; got 'https://169.254.169.254/latest/***'"],
            AlertValidator.Validate(new AlertChannel { Id = "d", Kind = AlertChannelKind.Discord, Url = "https://169.254.169.254/latest/meta-data", Secret = "0123456789abcdef" }, strict).Select(p => p.Message).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["kind must be one of discord, slack, telegram, webhook; got 9"],
            AlertValidator.Validate(new AlertChannel { Id = "x", Kind = (AlertChannelKind)9 }, strict).Select(p => p.Message));
    }

    [Fact]
    public void Validate_ABadTemplate_NamesThePlaceholderAndWhere()
    {
        var problems = AlertValidator.Validate(new AlertChannel { Id = "d", Kind = AlertChannelKind.Discord, Url = "https://discord.com/api/webhooks/1/x", Template = "{Symbol} at {price} {oops" }, AlertTargetPolicy.Strict);
        Assert.Equal(
            [
                "template has an unknown placeholder at character 1; known: {rule}, {ruleId}, {alertId}, {symbol}, {time}, {price}, {text}, {strategy}, {kind}, {timeframe}, {values}, {values.NAME} (did you mean {symbol}?); got '{Symbol}'",
                "template has a '{' that is not closed at character 21 (write {{ or }} for a literal brace); got '{oops'",
            ],
            problems.Select(p => p.Message));
    }
}
