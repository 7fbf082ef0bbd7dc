using SigmaFlow.Core.Data;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Strategies.Rules;
using SigmaFlow.Core.Tests.Fixtures;

namespace SigmaFlow.Core.Tests.Strategies.Rules;

/// <summary>Standalone expressions (screener conditions and ranks): compile with positions, evaluate as strategies do, warm-up.</summary>
public sealed class RuleExpressionTests
{
    private static readonly BarSeries Bars = TestBars.RandomWalk(400, seed: 23);

    [Theory]
    [InlineData("rsi(14) > 50 and close > sma(close, 20)")]
    [InlineData("crossover(ema(close, 9), ema(close, 21)) or crossunder(close, bb(20, 2).lower)")]
    [InlineData("rising(close, 2) and highest(high, 10) > highest(high, 10)[1]")]
    public void Evaluate_Condition_EqualsTheSameRuleAsAStrategyEntry(string rule)
    {
        var expression = RuleExpression.Compile(rule, RuleType.Boolean);
        var strategy = StrategyCompiler.Compile(new StrategyDocument { Name = "oracle", Long = new StrategySide { Entry = SourceText.Of(rule) } });
        var expected = strategy.Program.Evaluate(Bars)[strategy.Slot(StrategyRule.LongEntry)];

        var actual = expression.Evaluate(Bars);

        Assert.Equal(expected, actual);
        Assert.Contains(1.0, actual);
        Assert.Contains(0.0, actual);
        Assert.Equal(expected[^1], expression.LastValue(Bars));
    }

    [Fact]
    public void Evaluate_Number_EqualsTheSameRuleAsAStrategyPriceAndDirectArithmetic()
    {
        const string rule = "(close - sma(close, 5)) / sma(close, 5) * 100";
        var expression = RuleExpression.Compile(rule, RuleType.Number);
        var strategy = StrategyCompiler.Compile(new StrategyDocument
        {
            Name = "oracle",
            Long = new StrategySide { Entry = SourceText.Of("close > 0"), Order = new EntryOrderRule(EntryOrderType.Limit, SourceText.Of(rule)) },
        });
        var expected = strategy.Program.Evaluate(Bars)[strategy.Slot(StrategyRule.LongPrice)];

        var actual = expression.Evaluate(Bars);

        Assert.Equal(expected, actual);
        var n = Bars.Count;
        var mean = (Bars.Close[n - 1] + Bars.Close[n - 2] + Bars.Close[n - 3] + Bars.Close[n - 4] + Bars.Close[n - 5]) / 5;
        Assert.Equal((Bars.Close[n - 1] - mean) / mean * 100, expression.LastValue(Bars), 9);
    }

    [Theory]
    [InlineData("close > 1", RuleType.Boolean, 0)]
    [InlineData("sma(close, 20)", RuleType.Number, 19)]
    [InlineData("sma(close, 20) > ema(close, 50)", RuleType.Boolean, 49)]
    [InlineData("rsi(14)", RuleType.Number, 14)]
    [InlineData("ema(rsi(14), 5)", RuleType.Number, 18)]
    [InlineData("close[3]", RuleType.Number, 3)]
    [InlineData("sma(close, 10)[5]", RuleType.Number, 14)]
    [InlineData("highest(close, 5)", RuleType.Number, 4)]
    [InlineData("lowest(atr(14).atr, 3)", RuleType.Number, 16)]
    [InlineData("atr(14).tr", RuleType.Number, 1)]
    [InlineData("macd(12, 26, 9).signal", RuleType.Number, 33)]
    [InlineData("rising(close, 3)", RuleType.Boolean, 3)]
    [InlineData("crossover(sma(close, 10), sma(close, 20))", RuleType.Boolean, 20)]
    public void Warmup_AddsUpEachOutputsWarmupAndTheLookbacks(string rule, RuleType type, int warmup)
    {
        var expression = RuleExpression.Compile(rule, type);

        Assert.Equal(warmup, expression.Warmup);
        Assert.Equal(warmup + 1, expression.RequiredBars);
    }

    [Theory]
    [InlineData("sma(close, 20)")]
    [InlineData("ema(rsi(14), 5)")]
    [InlineData("close[3]")]
    [InlineData("highest(close, 5)")]
    [InlineData("lowest(atr(14).atr, 3)")]
    [InlineData("macd(12, 26, 9).signal")]
    [InlineData("adx(14).adxr")]
    [InlineData("ema(close, 10) - ema(close, 10)[5]")]
    public void Warmup_OfANumber_IsWhereItsFirstValueAppears(string rule)
    {
        var expression = RuleExpression.Compile(rule, RuleType.Number);
        var column = expression.Evaluate(Bars);

        Assert.True(double.IsNaN(column[expression.Warmup - 1]), $"{rule}: no value before bar {expression.Warmup}");
        Assert.True(double.IsFinite(column[expression.Warmup]), $"{rule}: a value on bar {expression.Warmup}");
        Assert.True(double.IsFinite(expression.LastValue(Bars.Slice(0, expression.RequiredBars))));
        Assert.True(double.IsNaN(expression.LastValue(Bars.Slice(0, expression.RequiredBars - 1))));
    }

    [Theory]
    [InlineData("rsi(14) <", 1, 10, "expected a number, a name or '('; found the end of the rule")]
    [InlineData("clsoe > 1", 1, 1, "unknown name 'clsoe'")]
    [InlineData("rsi(14) < 30 and\n  rsii(14) > 10", 2, 3, "unknown function or indicator 'rsii'")]
    [InlineData("sma(close, 20)", 1, 1, "expected a true/false condition for the condition; found a number series")]
    [InlineData("macd(12,26,9).signl > 0", 1, 15, "macd has no output 'signl'")]
    public void TryCompile_BadCondition_ReportsLineColumnAndRule(string rule, int line, int column, string fragment)
    {
        Assert.False(RuleExpression.TryCompile(rule, RuleType.Boolean, out var expression, out var diagnostics, "the condition"));

        Assert.Null(expression);
        var first = diagnostics[0];
        Assert.Equal((line, column), (first.Line, first.Column));
        Assert.Contains(fragment, first.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_ConditionWhereANumberIsExpected_SaysSo()
    {
        Assert.False(RuleExpression.TryCompile("close > open", RuleType.Number, out _, out var diagnostics, "the rank"));
        Assert.Contains("expected a number for the rank; found a true/false condition", Assert.Single(diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_SeveralProblems_ThrowsWithEveryOne()
    {
        var ex = Assert.Throws<StrategyException>(() => RuleExpression.Compile("clsoe > 1 and rsii(14) < 30", RuleType.Boolean));
        Assert.Equal(2, ex.Diagnostics.Count);
        Assert.Equal([1, 15], ex.Diagnostics.Select(d => d.Column));
    }

    [Fact]
    public void TryCompile_Empty_IsAnErrorNotACrash()
    {
        Assert.False(RuleExpression.TryCompile("   ", RuleType.Boolean, out _, out var diagnostics));
        Assert.Contains("empty", Assert.Single(diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LastValue_NoBars_IsNaN_AndCanonicalFormsMatchForEqualSeries()
    {
        var a = RuleExpression.Compile("sma(10) > 1", RuleType.Boolean);
        var b = RuleExpression.Compile("sma(close, 10) > 1", RuleType.Boolean);

        Assert.True(double.IsNaN(a.LastValue(BarSeries.Empty)));
        Assert.Equal(a.Canonical, b.Canonical);
        Assert.Equal("sma(10) > 1", a.Text);
        Assert.Equal(RuleType.Boolean, a.Type);
    }

    [Fact]
    public void Evaluate_SharedCache_ComputesACommonIndicatorOnce()
    {
        var condition = RuleExpression.Compile("rsi(14) < 50", RuleType.Boolean);
        var rank = RuleExpression.Compile("100 - rsi(14)", RuleType.Number);
        var cache = new IndicatorColumnCache();

        var isMatch = condition.LastValue(Bars, cache);
        var value = rank.LastValue(Bars, cache);

        Assert.Equal(1, cache.Computed);
        Assert.Equal(isMatch == 1, value > 50);
    }
}
