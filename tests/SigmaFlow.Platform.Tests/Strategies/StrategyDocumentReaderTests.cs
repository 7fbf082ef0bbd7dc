using SigmaFlow.Core.Strategies;
using SigmaFlow.Platform.Strategies;

namespace SigmaFlow.Platform.Tests.Strategies;

public sealed class StrategyDocumentReaderTests
{
    [Fact]
    public void Read_SmaCrossExample_MapsEveryFieldWithPositions()
    {
        var document = StrategyDocumentReader.Read(StrategyDocuments.SmaCrossYaml);

        Assert.Equal("sma-cross", document.Name);
        Assert.Equal(
            [new StrategyParameter("fast", 10, 2, 200, 3, 3), new StrategyParameter("slow", 30, 3, 400, 4, 3)],
            document.Parameters);
        Assert.NotNull(document.Long);
        Assert.Equal(new SourceText("crossover(sma(close, fast), sma(close, slow))", 6, 10), document.Long.Entry);
        Assert.Equal(new SourceText("crossunder(sma(close, fast), sma(close, slow))", 7, 9), document.Long.Exit);
        Assert.Equal(EntryOrderRule.Market, document.Long.Order);
        Assert.Null(document.Long.StopLoss);
        Assert.Null(document.Long.TakeProfit);
        Assert.Null(document.Long.TrailingStop);
        Assert.Null(document.Short);
        Assert.Equal(new SizingRule(SizingMode.Quantity, 100), document.Sizing);
        Assert.Equal(1, document.Pyramiding);
        Assert.Equal(0, document.CooldownBars);
        Assert.Null(document.Session);
        Assert.Equal(StrategyDocuments.SmaCrossYaml, document.SourceDocument);
    }

    [Fact]
    public void Read_SmaCrossAsJson_MapsTheSameStrategyWithJsonPositions()
    {
        var yaml = StrategyDocumentReader.Read(StrategyDocuments.SmaCrossYaml);

        var json = StrategyDocumentReader.Read(StrategyDocuments.SmaCrossJson);

        Assert.Equal(yaml.Name, json.Name);
        Assert.Equal(
            [new StrategyParameter("fast", 10, 2, 200, 4, 5), new StrategyParameter("slow", 30, 3, 400, 5, 5)],
            json.Parameters);
        Assert.NotNull(json.Long);
        Assert.Equal(new SourceText("crossover(sma(close, fast), sma(close, slow))", 8, 15), json.Long.Entry);
        Assert.Equal(new SourceText("crossunder(sma(close, fast), sma(close, slow))", 9, 14), json.Long.Exit);
        Assert.Equal(yaml.Long! with { Entry = json.Long.Entry, Exit = json.Long.Exit }, json.Long);
        Assert.Null(json.Short);
        Assert.Equal(yaml.Sizing, json.Sizing);
        Assert.Equal(StrategyDocuments.SmaCrossJson, json.SourceDocument);
    }

    [Fact]
    public void Read_EveryOption_MapsEveryOption()
    {
        var document = StrategyDocumentReader.Read(StrategyDocuments.Everything);

        Assert.Equal("breakout-both-ways", document.Name);
        Assert.Equal(
            [new StrategyParameter("lookback", 20, 5, 100, 3, 3), new StrategyParameter("band", 1.5, 0.5, 4, 4, 3)],
            document.Parameters);
        Assert.Equal(
            new StrategySide
            {
                Entry = new SourceText("close > highest(high, lookback)", 6, 10),
                Exit = new SourceText("close < sma(close, lookback)", 7, 9),
                Order = new EntryOrderRule(EntryOrderType.Stop, new SourceText("highest(high, lookback) + 0.01", 8, 32), 3),
                StopLoss = new ProtectiveRule(ProtectiveMode.Atr, 2, 10),
                TakeProfit = new ProtectiveRule(ProtectiveMode.Percent, 8),
                TrailingStop = new ProtectiveRule(ProtectiveMode.Absolute, 1.25),
            },
            document.Long);
        Assert.Equal(
            new StrategySide
            {
                Entry = new SourceText("close < lowest(low, lookback)", 14, 5),
                Order = new EntryOrderRule(EntryOrderType.Limit, new SourceText("close + band * atr(14)", 15, 33)),
                StopLoss = new ProtectiveRule(ProtectiveMode.Percent, 3),
            },
            document.Short);
        Assert.Equal(new SizingRule(SizingMode.RiskPercent, 1, Fractional: true), document.Sizing);
        Assert.Equal(2, document.Pyramiding);
        Assert.Equal(5, document.CooldownBars);
        Assert.NotNull(document.Session);
        Assert.Equal(
            [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday],
            document.Session.Days);
        Assert.Equal(new TimeOnly(13, 30), document.Session.Start);
        Assert.Equal(new TimeOnly(20, 0), document.Session.End);
    }

    [Fact]
    public void Read_ReadmeExample_IsTheEverythingFixture()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Strategies", "README.md")).ReplaceLineEndings("\n");

        Assert.Contains(StrategyDocuments.Everything, readme, StringComparison.Ordinal);
        Assert.Contains(StrategyDocuments.SmaCrossYaml, readme, StringComparison.Ordinal);
        Assert.Contains(StrategyDocuments.SmaCrossJson, readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MinimalDocument_UsesDocumentedDefaults()
    {
        var document = StrategyDocumentReader.Read(StrategyDocuments.Minimal);

        Assert.Empty(document.Parameters);
        Assert.Equal(new StrategySide { Entry = new SourceText("close > open", 3, 10) }, document.Long);
        Assert.Null(document.Short);
        Assert.Equal(new SizingRule(SizingMode.Quantity, 1, Fractional: false), document.Sizing);
        Assert.Equal(1, document.Pyramiding);
        Assert.Equal(0, document.CooldownBars);
        Assert.Null(document.Session);
    }

    [Fact]
    public void Read_ShortSideOnly_MapsShortAndLeavesLongNull()
    {
        var document = StrategyDocumentReader.Read("""
            name: shorts
            short:
              entry: close < open
              exit: close > open
            """);

        Assert.Null(document.Long);
        Assert.Equal(new StrategySide { Entry = new SourceText("close < open", 3, 10), Exit = new SourceText("close > open", 4, 9) }, document.Short);
    }

    [Theory]
    [InlineData("order: market", EntryOrderType.Market, null, 1)]
    [InlineData("order: MARKET", EntryOrderType.Market, null, 1)]
    [InlineData("order: { type: market }", EntryOrderType.Market, null, 1)]
    [InlineData("order: { type: limit, price: close - atr(14) }", EntryOrderType.Limit, "close - atr(14)", 1)]
    [InlineData("order: { type: stop, price: high + 0.01, valid_bars: 5 }", EntryOrderType.Stop, "high + 0.01", 5)]
    public void Read_OrderForms_MapToEntryOrderRule(string order, EntryOrderType type, string? price, int validBars)
    {
        var document = StrategyDocumentReader.Read("name: o\nlong:\n  entry: close > open\n  " + order + "\n");

        var rule = document.Long!.Order;
        Assert.Equal(type, rule.Type);
        Assert.Equal(price, rule.Price?.Text);
        Assert.Equal(validBars, rule.ValidBars);
    }

    [Fact]
    public void Read_LimitPrice_KeepsPricePosition()
    {
        var document = StrategyDocumentReader.Read("name: o\nlong:\n  entry: close > open\n  order: { type: limit, price: close - atr(14) }\n");

        Assert.Equal(new SourceText("close - atr(14)", 4, 32), document.Long!.Order.Price);
    }

    [Theory]
    [InlineData("{ percent: 2 }", ProtectiveMode.Percent, 2, 14)]
    [InlineData("{ atr: 3 }", ProtectiveMode.Atr, 3, 14)]
    [InlineData("{ atr: 3, atr_periods: 20 }", ProtectiveMode.Atr, 3, 20)]
    [InlineData("{ absolute: 5 }", ProtectiveMode.Absolute, 5, 14)]
    [InlineData("{ percent: 0.5 }", ProtectiveMode.Percent, 0.5, 14)]
    public void Read_ProtectiveForms_MapToProtectiveRuleOnEveryKind(string value, ProtectiveMode mode, double distance, int atrPeriods)
    {
        var document = StrategyDocumentReader.Read(
            "name: p\nlong:\n  entry: close > open\n  stop_loss: " + value + "\n  take_profit: " + value + "\n  trailing_stop: " + value + "\n");

        var expected = new ProtectiveRule(mode, distance, atrPeriods);
        Assert.Equal(expected, document.Long!.StopLoss);
        Assert.Equal(expected, document.Long.TakeProfit);
        Assert.Equal(expected, document.Long.TrailingStop);
    }

    [Theory]
    [InlineData("{ quantity: 100 }", SizingMode.Quantity, 100, false)]
    [InlineData("{ percent_equity: 10 }", SizingMode.PercentEquity, 10, false)]
    [InlineData("{ cash: 5000, fractional: true }", SizingMode.Cash, 5000, true)]
    [InlineData("{ quantity: 0.25, fractional: True }", SizingMode.Quantity, 0.25, true)]
    [InlineData("{ fractional: false, percent_equity: 2.5e1 }", SizingMode.PercentEquity, 25, false)]
    [InlineData("{ risk_percent: 1 }", SizingMode.RiskPercent, 1, false)]
    public void Read_SizingForms_MapToSizingRule(string sizing, SizingMode mode, double value, bool fractional)
    {
        var document = StrategyDocumentReader.Read(
            "name: s\nlong:\n  entry: close > open\n  stop_loss: { percent: 2 }\nsizing: " + sizing + "\n");

        Assert.Equal(new SizingRule(mode, value, fractional), document.Sizing);
    }

    [Fact]
    public void Read_RiskPercentWithStopLossOnBothSides_IsAccepted()
    {
        var document = StrategyDocumentReader.Read("""
            name: r
            long: { entry: close > open, stop_loss: { atr: 2 } }
            short: { entry: close < open, stop_loss: { percent: 1 } }
            sizing: { risk_percent: 0.5 }
            """);

        Assert.Equal(new SizingRule(SizingMode.RiskPercent, 0.5), document.Sizing);
    }

    [Fact]
    public void Read_PyramidingAndCooldownAtTheirBounds_AreAccepted()
    {
        var document = StrategyDocumentReader.Read(StrategyDocuments.Minimal + "\npyramiding: 1\ncooldown_bars: 0\n");

        Assert.Equal(1, document.Pyramiding);
        Assert.Equal(0, document.CooldownBars);
    }

    [Fact]
    public void Read_SessionWithFullNamesAnyCase_MapsDaysInDocumentOrder()
    {
        var document = StrategyDocumentReader.Read(
            StrategyDocuments.Minimal + "\nsession:\n  days: [SUNDAY, Saturday, fri, Monday, tuesday, WED, Thursday]\n  start: \"9:05\"\n");

        Assert.NotNull(document.Session);
        Assert.Equal(
            [DayOfWeek.Sunday, DayOfWeek.Saturday, DayOfWeek.Friday, DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday],
            document.Session.Days);
        Assert.Equal(new TimeOnly(9, 5), document.Session.Start);
        Assert.Null(document.Session.End);
    }

    [Fact]
    public void Read_SessionEndAt24_IsEndOfDay()
    {
        var document = StrategyDocumentReader.Read(StrategyDocuments.Minimal + "\nsession:\n  start: 08:00\n  end: \"24:00\"\n");

        Assert.NotNull(document.Session);
        Assert.Empty(document.Session.Days);
        Assert.Equal(new TimeOnly(8, 0), document.Session.Start);
        Assert.Null(document.Session.End);
    }

    [Fact]
    public void Read_EmptySession_AllowsEveryDayAllDay()
    {
        var document = StrategyDocumentReader.Read(StrategyDocuments.Minimal + "\nsession: {}\n");

        Assert.NotNull(document.Session);
        Assert.Empty(document.Session.Days);
        Assert.Null(document.Session.Start);
        Assert.Null(document.Session.End);
    }

    [Fact]
    public void Read_LiteralBlockRuleAfterBlankLine_PointsAtFirstContentLine()
    {
        var document = StrategyDocumentReader.Read("""
            name: block
            long:
              entry: |

                crossover(sma(close, 10),
                          sma(close, 30))
            """);

        Assert.Equal(new SourceText("crossover(sma(close, 10),\n          sma(close, 30))", 5, 5), document.Long!.Entry);
    }

    [Fact]
    public void Read_FoldedBlockRule_PointsAtFirstContentLine()
    {
        var document = StrategyDocumentReader.Read("""
            name: block
            long:
              entry: >-
                close > open
                and volume > 1000
            """);

        Assert.Equal(new SourceText("close > open and volume > 1000", 4, 5), document.Long!.Entry);
    }

    [Fact]
    public void Read_QuotedRules_PointPastTheOpeningQuote()
    {
        var document = StrategyDocumentReader.Read("""
            name: quoted
            long:
              entry: "close > open"
              exit: 'close < open'
            """);

        Assert.Equal(new SourceText("close > open", 3, 11), document.Long!.Entry);
        Assert.Equal(new SourceText("close < open", 4, 10), document.Long.Exit);
    }

    [Fact]
    public void Read_RuleWithAnchorAndTag_PointsAtTheText()
    {
        var document = StrategyDocumentReader.Read("""
            name: anchored
            long:
              entry: &rule !!str close > open
            short:
              entry: *rule
            """);

        Assert.Equal(new SourceText("close > open", 3, 22), document.Long!.Entry);
        Assert.Equal("close > open", document.Short!.Entry.Text);
    }

    [Fact]
    public void Read_WindowsLineEndings_SamePositions()
    {
        var text = StrategyDocuments.Everything.ReplaceLineEndings("\r\n");

        var document = StrategyDocumentReader.Read(text);

        Assert.Equal(new SourceText("close > highest(high, lookback)", 6, 10), document.Long!.Entry);
        Assert.Equal(new SourceText("close < lowest(low, lookback)", 14, 5), document.Short!.Entry);
        Assert.Equal(new SourceText("close + band * atr(14)", 15, 33), document.Short.Order.Price);
        Assert.Equal(text, document.SourceDocument);
    }

    [Fact]
    public void Read_Numbers_ParseInInvariantFormWithSignsFractionsAndExponents()
    {
        var document = StrategyDocumentReader.Read(StrategyDocuments.Minimal + "\nparameters:\n  k: { default: 1.5, min: -2.25, max: 1e2 }\n");

        Assert.Equal(new StrategyParameter("k", 1.5, -2.25, 100, 5, 3), document.Parameters[0]);
    }

    [Fact]
    public void Read_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => StrategyDocumentReader.Read(null!));
    }
}
