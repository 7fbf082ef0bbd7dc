using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Alerts;

namespace SigmaFlow.Platform.Tests.Alerts;

/// <summary>Which rules a candidate fires.</summary>
public sealed class AlertMatcherTests
{
    private const long T0 = 1_767_225_600_000;

    private static readonly AlertCandidate LongEntry = AlertCandidate.ForSignal(new SignalEvent("BTCUSD", "ema-cross", Timeframe.Parse("1m"), SignalKind.LongEntry, T0, 65000));

    private static AlertRule Rule(string id, AlertCondition condition, bool enabled = true) => new() { Id = id, Name = id, Enabled = enabled, Condition = condition, ChannelIds = ["c"] };

    [Fact]
    public void Match_ASignal_FiresEveryEnabledSignalRuleThatTakesIt()
    {
        var rules = new[]
        {
            Rule("any", new SignalCondition()),
            Rule("named", new SignalCondition { Strategy = "ema-cross", Symbols = ["ETHUSD", "BTCUSD"], Side = SignalSide.Long }),
            Rule("entries", new SignalCondition { Side = SignalSide.Entry }),
            Rule("exits", new SignalCondition { Side = SignalSide.Exit }),
            Rule("short", new SignalCondition { Side = SignalSide.ShortEntry }),
            Rule("other-strategy", new SignalCondition { Strategy = "macd" }),
            Rule("other-symbol", new SignalCondition { Symbols = ["ETHUSD"] }),
            Rule("case", new SignalCondition { Strategy = "EMA-CROSS" }),
            Rule("disabled", new SignalCondition(), enabled: false),
            Rule("price", new PriceCrossingCondition { Symbol = "BTCUSD", Level = 1 }),
        };
        var result = AlertMatcher.Match(LongEntry, rules);
        Assert.Equal(["any", "entries", "named"], result.Matches.Select(m => m.Rule.Id));
        Assert.Equal("named|BTCUSD|ema-cross|1m|LongEntry|1767225600000", result.Matches[2].AlertId);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Match_ASignalNoRuleTakes_IsANoteNotAProblem()
    {
        var result = AlertMatcher.Match(LongEntry, [Rule("exits", new SignalCondition { Side = SignalSide.Exit })]);
        Assert.Empty(result.Matches);
        Assert.Empty(result.Problems);
        Assert.Equal("no enabled signal rule takes it", result.Note);
    }

    [Fact]
    public void Match_AnAlert_FiresTheRuleItNames_WhenEnabledAndWatchingTheSymbol()
    {
        var rules = new[] { Rule("btc", new PriceCrossingCondition { Symbol = "BTCUSD", Level = 100 }), Rule("off", new ExpressionCondition { Symbol = "BTCUSD", Expression = "close > 1" }, enabled: false) };
        var fired = AlertMatcher.Match(AlertCandidate.ForRule("btc", "BTCUSD", T0), rules);
        Assert.Equal("btc|BTCUSD|1767225600000", Assert.Single(fired.Matches).AlertId);

        Assert.Equal("rule 'off' is disabled", AlertMatcher.Match(AlertCandidate.ForRule("off", "BTCUSD", T0), rules).Note);
        Assert.Equal("ruleId must name an existing rule; got 'gone'", Assert.Single(AlertMatcher.Match(AlertCandidate.ForRule("gone", "BTCUSD", T0), rules).Problems).Message);
        Assert.Equal("symbol must be a symbol rule 'btc' watches (BTCUSD); got 'ETHUSD'", Assert.Single(AlertMatcher.Match(AlertCandidate.ForRule("btc", "ETHUSD", T0), rules).Problems).Message);
    }

    [Theory]
    [InlineData(SignalSide.Any, "LongEntry,LongExit,ShortEntry,ShortExit")]
    [InlineData(SignalSide.Long, "LongEntry,LongExit")]
    [InlineData(SignalSide.Short, "ShortEntry,ShortExit")]
    [InlineData(SignalSide.Entry, "LongEntry,ShortEntry")]
    [InlineData(SignalSide.Exit, "LongExit,ShortExit")]
    [InlineData(SignalSide.LongEntry, "LongEntry")]
    [InlineData(SignalSide.LongExit, "LongExit")]
    [InlineData(SignalSide.ShortEntry, "ShortEntry")]
    [InlineData(SignalSide.ShortExit, "ShortExit")]
    public void Takes_EachSide_TakesItsKinds(SignalSide side, string kinds)
    {
        var condition = new SignalCondition { Side = side };
        Assert.Equal(kinds, string.Join(",", Enum.GetValues<SignalKind>().Where(condition.Takes)));
    }
}
