using SigmaFlow.Core.Data;
using SigmaFlow.Platform.Screening;

namespace SigmaFlow.Platform.Tests.Screening;

/// <summary>Screener definitions: defaults, and every problem reported at once with field, rule, value and positions.</summary>
public sealed class ScreenerRulesTests
{
    [Fact]
    public void Check_MinimalDraft_FillsTheDocumentedDefaults()
    {
        var check = ScreenerRules.Check(new ScreenerDraft("oversold", Condition: "rsi(14) < 30"));

        Assert.True(check.IsValid, string.Join("; ", check.Errors));
        var definition = check.Screener!.Definition;
        Assert.Equal("oversold", definition.Name);
        Assert.Empty(definition.Watchlists);
        Assert.True(definition.AllWatchlists);
        Assert.Equal(Timeframe.Parse("15m"), definition.Timeframe);
        Assert.Equal(ScreenerOrder.Descending, definition.Order);
        Assert.Equal("desc", definition.OrderText);
        Assert.Equal(ScreenerDefinition.DefaultLimit, definition.Limit);
        Assert.True(definition.Enabled);
        Assert.Null(check.Screener.Rank);
        Assert.Equal(15, check.Screener.RequiredBars);
        Assert.Equal(CompiledScreener.MinimumWindow, check.Screener.Window);
    }

    [Fact]
    public void Check_FullDraft_KeepsEveryField_AndTheWarmupIsTheLargerExpressions()
    {
        var check = ScreenerRules.Check(new ScreenerDraft("momentum", " Momentum leaders ", ["majors", "tech"], "1h", "close > sma(close, 50)", "roc(100).roc", "ASC", 5, false));

        var screener = check.Screener!;
        Assert.Equal(("Momentum leaders", "1h", ScreenerOrder.Ascending, 5, false), (screener.Definition.Name, screener.Definition.Timeframe.ToString(), screener.Definition.Order, screener.Definition.Limit, screener.Definition.Enabled));
        Assert.Equal(["majors", "tech"], screener.Definition.Watchlists);
        Assert.Equal(100, screener.Warmup);
        Assert.Equal(404, screener.Window);
    }

    [Fact]
    public void Check_EveryProblem_IsReportedWithFieldRuleAndValue()
    {
        var check = ScreenerRules.Check(new ScreenerDraft(
            "Bad Id!",
            new string('n', 101),
            ["majors", "majors", "NOT OK"],
            "2m",
            "rsi(14) <",
            "close > open",
            "up",
            0));

        Assert.False(check.IsValid);
        var byField = check.Errors.ToDictionary(e => e.Field);
        Assert.Equal(["id", "name", "watchlists[1]", "watchlists[2]", "timeframe", "order", "limit", "condition", "rank"], check.Errors.Select(e => e.Field));
        Assert.Equal("Bad Id!", byField["id"].Value);
        Assert.Contains("at most 100", byField["name"].Rule, StringComparison.Ordinal);
        Assert.Equal("appears twice", byField["watchlists[1]"].Rule);
        Assert.Equal("NOT OK", byField["watchlists[2]"].Value);
        Assert.Equal("2m", byField["timeframe"].Value);
        Assert.Contains("1m, 5m, 15m, 1h", byField["timeframe"].Rule, StringComparison.Ordinal);
        Assert.Equal("up", byField["order"].Value);
        Assert.Equal("0", byField["limit"].Value);
        Assert.Equal((1, 10), (byField["condition"].Line, byField["condition"].Column));
        Assert.Equal("rsi(14) <", byField["condition"].Value);
        Assert.Contains("expected a number for the rank; found a true/false condition", byField["rank"].Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("  ", "is required")]
    [InlineData("sma(close, 20)", "expected a true/false condition for the condition; found a number series")]
    [InlineData("close > 1 and\n  clsoe < 2", "unknown name 'clsoe'")]
    public void Check_BadCondition_NamesTheRule(string? condition, string fragment)
    {
        var error = Assert.Single(ScreenerRules.Check(new ScreenerDraft("x", Condition: condition)).Errors);

        Assert.Equal("condition", error.Field);
        Assert.Contains(fragment, error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PositionsInAMultiLineCondition_AreLineAndColumn()
    {
        var error = Assert.Single(ScreenerRules.Check(new ScreenerDraft("x", Condition: "close > 1 and\n  clsoe < 2")).Errors);
        Assert.Equal((2, 3), (error.Line, error.Column));
        Assert.Equal("condition: line 2, column 3: " + error.Rule, error.ToString());
    }

    [Fact]
    public void Check_LimitsAndEmptyRank_AreRules()
    {
        var errors = ScreenerRules.Check(new ScreenerDraft("x", Watchlists: Enumerable.Range(0, 21).Select(i => (string?)("w" + i)).ToList(), Condition: new string(' ', 1) + new string('1', 2001), Rank: "", Limit: 501)).Errors;

        Assert.Equal(["watchlists", "limit", "condition", "rank"], errors.Select(e => e.Field));
        Assert.Equal("21 watchlists", errors[0].Value);
        Assert.Equal("2002 characters", errors[2].Value);
    }

    [Fact]
    public void Check_WarmupLongerThanAScanReads_IsRefusedNamingTheExpression()
    {
        var error = Assert.Single(ScreenerRules.Check(new ScreenerDraft("x", Condition: "close > 0", Rank: "sma(close, 60000)")).Errors);

        Assert.Equal(("rank", "sma(close, 60000)"), (error.Field, error.Value));
        Assert.Contains("needs 60000 bars for its warm-up; a scan reads at most 50000", error.Rule, StringComparison.Ordinal);
        Assert.True(ScreenerRules.Check(new ScreenerDraft("x", Condition: "close > sma(close, 20000)")).IsValid);
    }

    [Fact]
    public void Check_AdHocScan_NeedsNoId()
    {
        Assert.Equal("adhoc", ScreenerRules.Check(new ScreenerDraft(null, Condition: "close > open"), requireId: false).Screener!.Definition.Id);
        Assert.Equal("id", Assert.Single(ScreenerRules.Check(new ScreenerDraft(null, Condition: "close > open")).Errors).Field);
    }

    [Fact]
    public void Compile_StoredDefinitionThatNoLongerCompiles_GivesItsErrors()
    {
        var definition = new ScreenerDefinition("old", "old", [], Timeframe.Parse("1m"), "rsii(14) < 30", "ema(close)[", ScreenerOrder.Descending, 10, true);

        var check = ScreenerRules.Compile(definition);

        Assert.Null(check.Screener);
        Assert.Equal(["condition", "rank"], check.Errors.Select(e => e.Field));
    }

    [Theory]
    [InlineData("desc", ScreenerOrder.Descending)]
    [InlineData("Descending", ScreenerOrder.Descending)]
    [InlineData(" asc ", ScreenerOrder.Ascending)]
    [InlineData("ASCENDING", ScreenerOrder.Ascending)]
    public void TryParseOrder_AcceptsShortAndLongForms(string text, ScreenerOrder expected)
    {
        Assert.True(ScreenerRules.TryParseOrder(text, out var order));
        Assert.Equal(expected, order);
        Assert.False(ScreenerRules.TryParseOrder("sideways", out _));
    }
}
