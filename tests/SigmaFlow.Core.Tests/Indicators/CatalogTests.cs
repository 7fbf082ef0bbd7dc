using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Tests.Fixtures;

namespace SigmaFlow.Core.Tests.Indicators;

public sealed class CatalogTests
{
    private static readonly BarSeries Bars = TestBars.RandomWalk(600, seed: 3);

    // Warm-up is defined for data without degenerate bars (a flat bar legitimately empties BOP's window).
    private static readonly BarSeries CleanBars = TestBars.RandomWalk(600, seed: 3, flatBars: false);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var definition in IndicatorCatalog.All)
        {
            data.Add(definition.Name);
        }

        return data;
    }

    [Fact]
    public void All_HasAtLeastFortyIndicatorsWithUniqueNames()
    {
        Assert.True(IndicatorCatalog.All.Count >= 40, $"only {IndicatorCatalog.All.Count} indicators");
        Assert.Equal(IndicatorCatalog.All.Count, IndicatorCatalog.All.Select(d => d.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Warmup_DefaultArguments_MatchesFirstValueOfFirstOutput(string name)
    {
        var definition = IndicatorCatalog.Get(name);
        var arguments = definition.Defaults;
        var result = definition.Calculate(CleanBars, arguments);
        var first = Array.FindIndex(result.Columns[0], v => !double.IsNaN(v));
        Assert.True(first >= 0, $"{name} produced no value on {Bars.Count} bars");
        if (name == "psar")
        {
            Assert.True(first >= definition.Warmup(arguments), $"psar started at {first}, before its lower bound {definition.Warmup(arguments)}");
        }
        else
        {
            Assert.Equal(definition.Warmup(arguments), first);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Calculate_AnyIndicator_OneRowPerBarAndEmptyBeforeWarmup(string name)
    {
        var definition = IndicatorCatalog.Get(name);
        var result = definition.Calculate(Bars, definition.Defaults);
        Assert.Equal(definition.Outputs.Count, result.Columns.Length);
        var warmup = definition.Warmup(definition.Defaults);
        foreach (var column in result.Columns)
        {
            Assert.Equal(Bars.Count, column.Length);
        }

        for (var i = 0; i < warmup; i++)
        {
            Assert.True(double.IsNaN(result.Columns[0][i]), $"{name}: row {i} is inside the warm-up but has {result.Columns[0][i]}");
        }

        Assert.All(result.Columns.SelectMany(c => c), v => Assert.False(double.IsInfinity(v)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Calculate_EmptyAndSingleBar_ReturnsMatchingRowCount(string name)
    {
        var definition = IndicatorCatalog.Get(name);
        Assert.All(definition.Calculate(BarSeries.Empty, definition.Defaults).Columns, c => Assert.Empty(c));
        Assert.All(definition.Calculate(Bars.Slice(0, 1), definition.Defaults).Columns, c => Assert.Single(c));
    }

    [Theory]
    [InlineData("EMA(20)", "ema")]
    [InlineData("bollinger(20,2)", "bb")]
    [InlineData("WilliamsR(14)", "williamsr")]
    [InlineData("willr", "williamsr")]
    [InlineData("stochastic(14,3,3)", "stoch")]
    [InlineData("parabolicsar(0.02,0.2)", "psar")]
    [InlineData("  macd ( 12 , 26 , 9 ) ", "macd")]
    public void Parse_NamesAndAliasesAnyCase_Resolve(string spec, string expected)
    {
        Assert.Equal(expected, IndicatorCatalog.Parse(spec).Definition.Name);
    }

    [Fact]
    public void Parse_MissingArguments_TakeDefaults()
    {
        var (_, arguments) = IndicatorCatalog.Parse("macd(10)");
        Assert.Equal([10.0, 26, 9], arguments.Values);
    }

    [Fact]
    public void Parse_SourceFirst_SetsSource()
    {
        var (_, arguments) = IndicatorCatalog.Parse("ema(hl2, 9)");
        Assert.Equal(PriceField.Hl2, arguments.Source);
        Assert.Equal([9.0], arguments.Values);
    }

    [Theory]
    [InlineData("emaa(20)", "Unknown indicator 'emaa'. Did you mean 'ema'?")]
    [InlineData("ema(0)", "ema: parameter 'lookback' (position 1) must be between 1 and 100000; got 0.")]
    [InlineData("ema(2.5)", "ema: parameter 'lookback' (position 1) must be a whole number; got 2.5.")]
    [InlineData("ema(20,3)", "ema takes at most 1 argument(s) (ema(lookback=20)); got 2.")]
    [InlineData("macd(26,12,9)", "macd: parameter position 1 must be less than position 2; got 26 and 12.")]
    [InlineData("ema(x)", "argument 1 must be a number or a price field")]
    [InlineData("ema(20", "expected '(' followed by arguments and ')'")]
    [InlineData("atr(close, 14)", "atr reads whole bars and takes no source series")]
    [InlineData("", "The indicator spec is empty")]
    [InlineData("bb(20,-1)", "bb: parameter 'deviations' (position 2) must be between 0.01 and 100; got -1.")]
    [InlineData("psar(0.3,0.2)", "parameter 'step' must not exceed 'max' (0.2); got 0.3.")]
    public void Parse_InvalidSpec_MessageNamesRuleAndValue(string spec, string expectedFragment)
    {
        var ex = Assert.Throws<IndicatorSpecException>(() => IndicatorCatalog.Parse(spec));
        Assert.Contains(expectedFragment, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_UnknownName_ListsValidNames()
    {
        var ex = Assert.Throws<IndicatorSpecException>(() => IndicatorCatalog.Get("nonsense"));
        Assert.Contains("Valid names: sma, ema,", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sma", "sma")]
    [InlineData("macd", "macd,signal,histogram")]
    [InlineData("bb", "middle,upper,lower,percentb,width")]
    [InlineData("atr", "tr,atr,atrp")]
    [InlineData("stoch", "k,d,j")]
    [InlineData("adx", "pdi,mdi,adx,adxr")]
    [InlineData("donchian", "upper,center,lower,width")]
    [InlineData("keltner", "upper,center,lower,width")]
    [InlineData("supertrend", "supertrend,upperband,lowerband")]
    [InlineData("ichimoku", "tenkan,kijun,senkoua,senkoub,chikou")]
    [InlineData("psar", "sar,reversal")]
    [InlineData("roc", "momentum,roc")]
    [InlineData("stddev", "stddev,mean,zscore")]
    [InlineData("williamsr", "williamsr")]
    public void Outputs_ContractIndicators_HaveTheDocumentedFieldNames(string name, string fields)
    {
        Assert.Equal(fields, string.Join(',', IndicatorCatalog.Get(name).Outputs.Select(o => o.Name)));
    }
}
