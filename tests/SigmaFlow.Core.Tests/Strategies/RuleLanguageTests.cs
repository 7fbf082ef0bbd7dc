using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Indicators.Kernel;
using SigmaFlow.Core.Indicators.MovingAverages;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Strategies.Rules;
using SigmaFlow.Core.Tests.Fixtures;

namespace SigmaFlow.Core.Tests.Strategies;

public sealed class RuleLanguageTests
{
    private static readonly BarSeries Bars = TestBars.RandomWalk(500, seed: 17);

    [Theory]
    [InlineData("crossover(sma(close, 10) sma(close, 20))", 6, 35, "expected ')' to close the arguments of 'crossover'; found 'sma'")]
    [InlineData("close > ", 6, 18, "expected a number, a name or '('; found the end of the rule")]
    [InlineData("close = 1", 6, 16, "found '=' (did you mean '=='?)")]
    [InlineData("close > 1 > 2", 6, 20, "comparisons cannot be chained")]
    [InlineData("close > 1 && open > 1", 6, 20, "found '&' (use 'and')")]
    [InlineData("(close > 1", 6, 20, "expected ')' to close '('; found the end of the rule")]
    public void Parse_SyntaxError_ReportsDocumentPositionExpectedAndFound(string rule, int line, int column, string fragment)
    {
        var ex = Assert.Throws<StrategyException>(() => RuleParser.Parse(new SourceText(rule, 6, 10)));
        var d = Assert.Single(ex.Diagnostics);
        Assert.Equal((line, column), (d.Line, d.Column));
        Assert.Contains(fragment, d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("clsoe > 1", 1, "unknown name 'clsoe'", "Did you mean 'close'?")]
    [InlineData("smaa(close, 20) > 1", 1, "unknown function or indicator 'smaa'", "Did you mean 'sma'?")]
    [InlineData("macd(12,26,9).signl > 0", 15, "macd has no output 'signl'", "Did you mean 'signal'?")]
    [InlineData("crossover(close, fsat)", 18, "unknown name 'fsat'", "Did you mean 'fast'?")]
    [InlineData("sma(close, 20)", 1, "expected a true/false condition for long.entry; found a number series", "")]
    [InlineData("close > 1 + (close > 2)", 11, "expected numbers on both sides of '+'", "")]
    [InlineData("close and open > 1", 7, "expected true/false conditions on both sides of 'and'", "")]
    [InlineData("sma(close, close) > 1", 12, "expected a number or a parameter for argument 2 of sma", "")]
    [InlineData("sma(close, slwo) > 1", 12, "unknown name 'slwo'", "")]
    [InlineData("close[lenght] > 1", 7, "unknown name 'lenght'", "")]
    [InlineData("sma(close, 0) > 1", 1, "sma: parameter 'lookback' (position 1) must be between 1 and 100000; got 0.", "")]
    [InlineData("atr(close, 14) > 1", 5, "atr reads whole bars and takes no source series", "")]
    [InlineData("ichimoku(9,26,52).chikou > close", 19, "ichimoku.chikou looks ahead", "")]
    [InlineData("close[close] > 1", 7, "expected a whole number from 0 to 100000", "")]
    [InlineData("highest(close) > 1", 1, "highest takes 2 argument(s) (highest(series, bars)); found 1", "")]
    [InlineData("not close", 1, "expected a true/false condition after 'not'", "")]
    public void Bind_InvalidRule_ReportsPositionAndHelpfulMessage(string rule, int column, string fragment, string hint)
    {
        var binder = new RuleBinder(new Dictionary<string, double> { ["fast"] = 10 });
        Assert.Null(binder.Bind(new SourceText(rule, 3, 1), RuleType.Boolean, "long.entry"));
        var d = binder.Diagnostics[0];
        Assert.Equal(3, d.Line);
        Assert.Equal(column, d.Column);
        Assert.Contains(fragment, d.Message, StringComparison.Ordinal);
        Assert.Contains(hint, d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_SeveralProblems_ReportsEveryOne()
    {
        var binder = new RuleBinder(new Dictionary<string, double>());
        binder.Bind(SourceText.Of("clsoe > 1"), RuleType.Boolean, "long.entry");
        binder.Bind(SourceText.Of("rsii(14) < 30"), RuleType.Boolean, "long.exit");
        Assert.Equal(2, binder.Diagnostics.Count);
    }

    [Theory]
    [InlineData(new double[] { 1, 2, 2, 3 }, new double[] { 0, 0, 0, 1 })]
    [InlineData(new double[] { 1, 3, 2, 3 }, new double[] { 0, 1, 0, 0 })]
    [InlineData(new double[] { 3, 1, 2, 2, 3 }, new double[] { 0, 0, 0, 0, 1 })]
    [InlineData(new double[] { 2, 2, 3 }, new double[] { 0, 0, 0 })]
    public void Crossover_TouchingIsNotACross_LastDifferentBarDecides(double[] closes, double[] expected)
    {
        Assert.Equal(expected, Evaluate(TestBars.FromCloses(closes), "crossover(close, 2)"));
    }

    [Fact]
    public void Crossunder_MirrorsCrossover()
    {
        Assert.Equal([0, 0, 0, 1], Evaluate(TestBars.FromCloses(3, 2, 2, 1), "crossunder(close, 2)"));
    }

    [Fact]
    public void PreviousValue_ShiftsTheSeries()
    {
        var closes = Evaluate(TestBars.FromCloses(1, 2, 3, 4), "close[2]", RuleType.Number);
        Assert.Equal([double.NaN, double.NaN, 1, 2], closes);
    }

    [Fact]
    public void RisingAndFalling_CountStrictMovesOverNBars()
    {
        var bars = TestBars.FromCloses(1, 2, 3, 3, 4, 5, 6);
        Assert.Equal([0, 0, 1, 0, 0, 1, 1], Evaluate(bars, "rising(close, 2)"));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0], Evaluate(bars, "falling(close, 1)"));
    }

    [Fact]
    public void HighestLowest_IncludeCurrentBar()
    {
        var bars = TestBars.FromCloses(1, 5, 3, 2);
        Assert.Equal([double.NaN, double.NaN, 5, 5], Evaluate(bars, "highest(close, 3)", RuleType.Number));
        Assert.Equal([double.NaN, double.NaN, 1, 2], Evaluate(bars, "lowest(close, 3)", RuleType.Number));
    }

    [Fact]
    public void Division_ByZero_IsEmptyNotInfinite()
    {
        Assert.True(double.IsNaN(Evaluate(TestBars.FromCloses(1), "close / (close - close)", RuleType.Number)[0]));
    }

    [Fact]
    public void IndicatorOfExpression_EqualsKernelOverThatSeries()
    {
        var rsi = IndicatorCatalog.Parse("rsi(14)");
        var rsiColumn = rsi.Definition.Calculate(Bars, rsi.Arguments).Columns[0];
        var expected = new double[rsiColumn.Length];
        var ema = new EmaKernel(5);
        KernelRunner.RunValues(ref ema, rsiColumn, expected);
        Assert.Equal(expected, Evaluate(Bars, "ema(rsi(14), 5)", RuleType.Number));
    }

    [Fact]
    public void SourceDefaultsAndFields_ResolveLikeTheCatalog()
    {
        var bb = IndicatorCatalog.Parse("bb(20,2)");
        Assert.Equal(bb.Definition.Calculate(Bars, bb.Arguments)["upper"], Evaluate(Bars, "bb(20,2).upper", RuleType.Number));
        var ema = IndicatorCatalog.Parse("ema(hl2, 9)");
        Assert.Equal(ema.Definition.Calculate(Bars, ema.Arguments)["ema"], Evaluate(Bars, "ema(hl2, 9)", RuleType.Number));
    }

    [Fact]
    public void EqualSubexpressions_AreOneNode()
    {
        var binder = new RuleBinder(new Dictionary<string, double> { ["fast"] = 10 });
        var a = binder.Bind(SourceText.Of("crossover(sma(close, fast), sma(close, 30))"), RuleType.Boolean, "entry")!;
        var b = binder.Bind(SourceText.Of("crossunder(sma(10), sma(close, 30))"), RuleType.Boolean, "exit")!;
        var program = new RuleProgram([a, b]);

        // sma10 instance + field, sma30 instance + field, two crosses ('close' as a source folds into the indicator).
        Assert.Equal(6, program.NodeCount);
    }

    public static TheoryData<string> Rules() =>
    [
        "crossover(sma(close, 5), ema(hl2, 9))",
        "rsi(14) < 40 or close < sma(close, 50) * 0.98",
        "highest(high, 10)[1] < close",
        "rising(close, 3) or falling(ema(close, 3), 2)",
        "macd(12,26,9).histogram > 0",
        "abs(close - open) / atr(14).atr > 0.5",
        "max(close, open) - min(close, open) > atr(14).atr * 0.5",
        "not (close > open) or volume > sma(volume, 20) * 1.5",
        "bb(20,2).percentb > 1 or stoch(14,3,3).k < 20",
        "-close + 2 * close[3] > sma(close, 5) * 0.995",
        "ema(rsi(14), 5) > 50 and crossunder(linreg(close, 20).slope, 0)",
        "supertrend(10,3) < close and adx(14).adx > 20",
        "lowest(low, 5) == low or psar(0.02, 0.2).reversal == 1",
    ];

    [Theory]
    [MemberData(nameof(Rules))]
    public void Streaming_WithRevisions_EqualsColumnarBitForBit(string rule)
    {
        var binder = new RuleBinder(new Dictionary<string, double>());
        var node = binder.Bind(SourceText.Of(rule), RuleType.Boolean, "rule");
        Assert.True(node is not null, string.Join("; ", binder.Diagnostics));
        var program = new RuleProgram([node!]);
        var columns = program.Evaluate(Bars);
        var live = program.CreateLive();
        var trues = 0;
        for (var i = 0; i < Bars.Count; i++)
        {
            var bar = Bars[i];
            live.Update(bar with { High = bar.Open, Low = bar.Open, Close = bar.Open, Volume = 1 });
            live.Update(bar with { Close = (bar.High + bar.Low) / 2 });
            live.Update(bar);
            Assert.Equal(StreamUpdate.RejectedLate, i > 0 ? live.Update(Bars[i - 1]) : StreamUpdate.RejectedLate);
            Assert.Equal(columns[0][i], live.Value(0));
            trues += columns[0][i] != 0 ? 1 : 0;
        }

        // The rule is meaningful on this data (neither never nor always true), so the comparison exercised both values.
        Assert.InRange(trues, 1, Bars.Count - 1);
    }

    [Fact]
    public void Compile_ParametersOutOfBoundsOrUnknown_AreReportedTogether()
    {
        var document = new StrategyDocument
        {
            Name = "x",
            Parameters = [new StrategyParameter("fast", 10, 2, 50, 3, 3)],
            Long = new StrategySide { Entry = new SourceText("close > sma(close, fast)", 6, 10) },
        };
        var ex = Assert.Throws<StrategyException>(() => StrategyCompiler.Compile(document, new Dictionary<string, double> { ["fast"] = 80, ["slwo"] = 3 }));
        Assert.Contains(ex.Diagnostics, d => d.Message == "parameter 'fast' must be between 2 and 50; got 80" && d.Line == 3);
        Assert.Contains(ex.Diagnostics, d => d.Message.StartsWith("unknown parameter 'slwo'", StringComparison.Ordinal));
    }

    [Fact]
    public void Compile_ParameterNamedLikeAField_IsRejected()
    {
        var document = new StrategyDocument
        {
            Name = "x",
            Parameters = [new StrategyParameter("close", 10, 2, 50, 2, 3)],
            Long = new StrategySide { Entry = SourceText.Of("close > 1") },
        };
        var ex = Assert.Throws<StrategyException>(() => StrategyCompiler.Compile(document));
        Assert.Contains("parameter name 'close' is taken", ex.Message, StringComparison.Ordinal);
    }

    private static double[] Evaluate(BarSeries bars, string rule, RuleType type = RuleType.Boolean)
    {
        var binder = new RuleBinder(new Dictionary<string, double>());
        var node = binder.Bind(SourceText.Of(rule), type, "rule");
        Assert.True(node is not null, string.Join("; ", binder.Diagnostics));
        return new RuleProgram([node!]).Evaluate(bars)[0];
    }
}
