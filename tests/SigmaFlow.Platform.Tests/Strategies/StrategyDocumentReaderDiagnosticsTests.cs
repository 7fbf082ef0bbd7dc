using SigmaFlow.Core.Strategies;
using SigmaFlow.Platform.Strategies;

namespace SigmaFlow.Platform.Tests.Strategies;

public sealed class StrategyDocumentReaderDiagnosticsTests
{
    private const string Entry = "name: x\nlong:\n  entry: close > open\n";

    [Fact]
    public void Read_EmptyText_ReportsEmptyDocument()
    {
        AssertOnly("", 1, 1, "the document is empty; expected a mapping with 'name' and a 'long' or 'short' section");
        AssertOnly("# only a comment\n", 1, 1, "the document is empty; expected a mapping with 'name' and a 'long' or 'short' section");
    }

    [Fact]
    public void Read_ListAtTopLevel_ReportsExpectedMapping()
    {
        AssertOnly("- a\n- b\n", 1, 1, "expected a mapping with 'name' and a 'long' or 'short' section, found a list");
    }

    [Fact]
    public void Read_TwoDocuments_ReportsSecondDocument()
    {
        AssertOnly(Entry + "---\nname: y\n", 5, 1, "expected one strategy per document, found 2 YAML documents");
    }

    [Fact]
    public void Read_SyntaxError_ReportsYamlMark()
    {
        var problems = Problems("name: x\nlong:\n  entry: a: b\n");

        Assert.Equal([new StrategyDiagnostic(3, 11, "invalid YAML: While scanning a plain scalar value, found invalid mapping.")], problems);
    }

    [Fact]
    public void Read_UnclosedFlowMappingAtEnd_ReportsYamlMark()
    {
        AssertOnly("name: x\nparameters: { fast: 1\n", 3, 1, "invalid YAML: While parsing a flow mapping, did not find expected ',' or '}'.");
    }

    [Fact]
    public void Read_UnclosedFlowMappingBeforeBlock_ReportsEndOfLastWellFormedPart()
    {
        var problems = Problems("name: x\nparameters:\n  fast: { default: 10, min: 2\nlong:\n  entry: close > open\n");

        var problem = Assert.Single(problems);
        Assert.Equal((3, 27), (problem.Line, problem.Column));
        Assert.StartsWith("invalid YAML after this point; check for an unclosed '{', '[' or quote", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnterminatedQuote_ReportsYamlMark()
    {
        AssertOnly("name: \"abc\n", 1, 7, "invalid YAML: While scanning a quoted scalar, found unexpected end of stream.");
    }

    [Fact]
    public void Read_DuplicateKeyBeforeSyntaxError_ReportsBoth()
    {
        var problems = Problems("name: x\nname: y\nlong:\n  entry: a: b\n");

        Assert.Equal(
            [
                new StrategyDiagnostic(2, 1, "duplicate key 'name' in the document; first given at line 1, column 1"),
                new StrategyDiagnostic(4, 11, "invalid YAML: While scanning a plain scalar value, found invalid mapping."),
            ],
            problems);
    }

    [Fact]
    public void Read_MissingName_ReportsAtDocumentStart()
    {
        AssertOnly("long:\n  entry: close > open\n", 1, 1, "missing required key 'name' in the document");
    }

    [Fact]
    public void Read_EmptyName_ReportsMustNotBeEmpty()
    {
        AssertOnly("name: ''\nlong:\n  entry: close > open\n", 1, 7, "'name' must not be empty");
        AssertOnly("name:\nlong:\n  entry: close > open\n", 1, 1, "expected text for 'name', found nothing");
    }

    [Fact]
    public void Read_NoSide_ReportsLongOrShortNeeded()
    {
        AssertOnly("name: x\npyramiding: 2\n", 1, 1, "the strategy needs a 'long' or a 'short' section (or both)");
    }

    [Fact]
    public void Read_SideNotMapping_ReportsExpectedMapping()
    {
        AssertOnly("name: x\nlong: buy\n", 2, 7, "expected a mapping for 'long', found 'buy'");
    }

    [Fact]
    public void Read_SideWithoutEntry_ReportsMissingEntryAtSideKey()
    {
        AssertOnly("name: x\nlong:\n  exit: close < open\n", 2, 1, "missing required key 'entry' in 'long'");
    }

    [Fact]
    public void Read_RuleAsList_ReportsExpectedRule()
    {
        AssertOnly("name: x\nlong:\n  entry: [a, b]\n", 3, 10, "expected a rule for 'entry', found a list");
    }

    [Fact]
    public void Read_EmptyQuotedRule_ReportsEmptyText()
    {
        AssertOnly("name: x\nlong:\n  entry: \"  \"\n", 3, 10, "expected a rule for 'entry', found an empty text");
    }

    [Fact]
    public void Read_UnknownKeyCloseToKnown_ReportsKeyWithSuggestion()
    {
        AssertOnly(
            Entry + "  stop_los: { percent: 2 }\n",
            4,
            3,
            "unknown key 'stop_los' in 'long'; expected one of entry, exit, order, stop_loss, take_profit, trailing_stop; did you mean 'stop_loss'?");
    }

    [Fact]
    public void Read_UnknownTopLevelKey_ReportsKeyWithoutSuggestion()
    {
        AssertOnly(
            Entry + "colour: red\n",
            4,
            1,
            "unknown key 'colour' in the document; expected one of name, parameters, long, short, sizing, pyramiding, cooldown_bars, session");
    }

    [Theory]
    [InlineData(Entry + "cooldown: 3\n", 4, 1, "unknown key 'cooldown' in the document; expected one of name, parameters, long, short, sizing, pyramiding, cooldown_bars, session")]
    [InlineData(Entry + "  stop_loss: { atr: 2, atr_period: 10 }\n", 4, 24, "unknown key 'atr_period' in 'long.stop_loss'; expected one of percent, atr, absolute, atr_periods; did you mean 'atr_periods'?")]
    [InlineData(Entry + "sizing: { quantity: 1, fractionl: true }\n", 4, 24, "unknown key 'fractionl' in 'sizing'; expected one of quantity, percent_equity, cash, risk_percent, fractional; did you mean 'fractional'?")]
    [InlineData(Entry + "  order: { type: stop, price: high, valid_bar: 2 }\n", 4, 37, "unknown key 'valid_bar' in 'long.order'; expected one of type, price, valid_bars; did you mean 'valid_bars'?")]
    [InlineData(Entry + "session: { begin: \"09:00\" }\n", 4, 12, "unknown key 'begin' in 'session'; expected one of days, start, end")]
    [InlineData(Entry + "parameters:\n  k: { default: 1, min: 0, max: 2, stp: 1 }\n", 5, 36, "unknown key 'stp' in 'parameters.k'; expected one of default, min, max, step; did you mean 'step'?")]
    public void Read_UnknownKeysInEverySection_ReportKeySectionAndChoices(string text, int line, int column, string message)
    {
        AssertOnly(text, line, column, message);
    }

    [Fact]
    public void Read_KeyInWrongCase_ReportsUnknownKeyWithSuggestionAndMissingKey()
    {
        var problems = Problems("Name: x\nlong:\n  entry: close > open\n");

        Assert.Equal(
            [
                new StrategyDiagnostic(1, 1, "unknown key 'Name' in the document; expected one of name, parameters, long, short, sizing, pyramiding, cooldown_bars, session; did you mean 'name'?"),
                new StrategyDiagnostic(1, 1, "missing required key 'name' in the document"),
            ],
            problems);
    }

    [Fact]
    public void Read_DuplicateKey_ReportsRepeatAndFirstPosition()
    {
        AssertOnly(Entry + "  entry: close < open\n", 4, 3, "duplicate key 'entry' in 'long'; first given at line 3, column 3");
    }

    [Fact]
    public void Read_DuplicateKeysInSeveralSections_ReportsEachWithOtherProblems()
    {
        var problems = Problems("""
            name: x
            parameters:
              fast: { default: 1, min: 0, max: 5, min: 1 }
            long:
              entry: close > open
              stop_loss: { percent: 2 }
              stop_loss:
                atr: 3
            name: y
            pyramiding: 0
            """);

        Assert.Equal(
            [
                new StrategyDiagnostic(3, 39, "duplicate key 'min' in 'parameters.fast'; first given at line 3, column 23"),
                new StrategyDiagnostic(7, 3, "duplicate key 'stop_loss' in 'long'; first given at line 6, column 3"),
                new StrategyDiagnostic(9, 1, "duplicate key 'name' in the document; first given at line 1, column 1"),
                new StrategyDiagnostic(10, 13, "'pyramiding' must be at least 1, found 0"),
            ],
            problems);
    }

    [Fact]
    public void Read_DuplicateJsonKey_ReportsRepeat()
    {
        AssertOnly("{ \"name\": \"a\", \"name\": \"b\", \"long\": { \"entry\": \"close > open\" } }", 1, 16, "duplicate key 'name' in the document; first given at line 1, column 3");
    }

    [Fact]
    public void Read_NumberIsText_ReportsExpectedNumberWithValue()
    {
        AssertOnly(
            "name: x\nparameters:\n  fast: { default: 10, min: abc, max: 200 }\nlong:\n  entry: close > open\n",
            3,
            29,
            "expected a number for 'min', found 'abc'");
    }

    [Theory]
    [InlineData("max: \"200\"", 37, "expected a number for 'max', found the quoted text '200'; remove the quotes")]
    [InlineData("max: .inf", 37, "expected a number for 'max', found '.inf'")]
    [InlineData("max: 2e", 37, "expected a number for 'max', found '2e'")]
    [InlineData("max: { a: 1 }", 37, "expected a number for 'max', found a mapping")]
    public void Read_NumberInWrongForm_ReportsExpectedNumber(string max, int column, string message)
    {
        var problems = Problems("name: x\nparameters:\n  fast: { default: 10, min: 2, " + max + " }\nlong:\n  entry: close > open\n");

        Assert.Contains(new StrategyDiagnostic(3, column, message), problems);
    }

    [Fact]
    public void Read_ParameterMissingBound_ReportsAtParameterName()
    {
        AssertOnly(
            "name: x\nparameters:\n  fast: { default: 10, min: 2 }\nlong:\n  entry: close > open\n",
            3,
            3,
            "missing required key 'max' in 'parameters.fast'");
    }

    [Fact]
    public void Read_ParameterNotMapping_ReportsExpectedMapping()
    {
        AssertOnly(
            "name: x\nparameters:\n  fast: 10\nlong:\n  entry: close > open\n",
            3,
            9,
            "expected a mapping { default, min, max } for parameter 'fast', found '10'");
    }

    [Theory]
    [InlineData("2fast")]
    [InlineData("fast-ma")]
    [InlineData("\"fast ma\"")]
    public void Read_ParameterNameNotIdentifier_ReportsName(string name)
    {
        var unquoted = name.Trim('"');
        AssertOnly(
            "name: x\nparameters:\n  " + name + ": { default: 10, min: 2, max: 200 }\nlong:\n  entry: close > open\n",
            3,
            3,
            "parameter name '" + unquoted + "' is not an identifier; use letters, digits and '_', not starting with a digit");
    }

    [Fact]
    public void Read_IdentifierParameterNames_AreAccepted()
    {
        var document = StrategyDocumentReader.Read(Entry + "parameters:\n  _a: { default: 1, min: 1, max: 1 }\n  B_2: { default: 1, min: 0, max: 2 }\n");

        Assert.Equal(["_a", "B_2"], document.Parameters.Select(p => p.Name));
    }

    [Theory]
    [InlineData("{ default: 1, min: 2, max: 200 }", 20, "parameter 'fast': default 1 is outside min 2 and max 200; rule: min <= default <= max")]
    [InlineData("{ default: 201, min: 2, max: 200 }", 20, "parameter 'fast': default 201 is outside min 2 and max 200; rule: min <= default <= max")]
    [InlineData("{ default: 10, min: 300, max: 200 }", 29, "parameter 'fast': min 300 is greater than max 200; rule: min <= default <= max")]
    [InlineData("{ default: 0.5, min: 0.75, max: 1.5 }", 20, "parameter 'fast': default 0.5 is outside min 0.75 and max 1.5; rule: min <= default <= max")]
    public void Read_ParameterBoundsViolated_ReportsNameRuleAndValues(string bounds, int column, string message)
    {
        AssertOnly("name: x\nparameters:\n  fast: " + bounds + "\nlong:\n  entry: close > open\n", 3, column, message);
    }

    [Fact]
    public void Read_ParameterStep_IsReadAndMustBePositive()
    {
        var document = StrategyDocumentReader.Read(Entry + "parameters:\n  a: { default: 10, min: 2, max: 50, step: 4 }\n  b: { default: 5, min: 2, max: 5 }\n");
        Assert.Equal([4.0, null], document.Parameters.Select(p => p.Step));
        AssertOnly("name: x\nparameters:\n  fast: { default: 10, min: 2, max: 50, step: 0 }\nlong:\n  entry: close > open\n", 3, 47, "'step' must be greater than 0, found 0");
    }

    [Fact]
    public void Read_ParameterAtItsBounds_IsAccepted()
    {
        var document = StrategyDocumentReader.Read(Entry + "parameters:\n  a: { default: 2, min: 2, max: 5 }\n  b: { default: 5, min: 2, max: 5 }\n");

        Assert.Equal([2.0, 5.0], document.Parameters.Select(p => p.Default));
    }

    [Theory]
    [InlineData("order: limit", 4, 10, "a limit order needs a price: write { type: limit, price: <rule> } in 'long.order'")]
    [InlineData("order: stop", 4, 10, "a stop order needs a price: write { type: stop, price: <rule> } in 'long.order'")]
    [InlineData("order: markt", 4, 10, "unknown order type 'markt' in 'long.order'; expected one of market, limit, stop; did you mean 'market'?")]
    [InlineData("order: { type: limt, price: low }", 4, 18, "unknown order type 'limt' in 'long.order'; expected one of market, limit, stop; did you mean 'limit'?")]
    [InlineData("order: { type: limit }", 4, 3, "a limit order needs 'price' in 'long.order'")]
    [InlineData("order: { price: low }", 4, 3, "missing required key 'type' in 'long.order'")]
    [InlineData("order: { type: market, price: low }", 4, 26, "'price' applies only to limit and stop orders, not to the market order in 'long.order'")]
    [InlineData("order: { type: market, valid_bars: 2 }", 4, 26, "'valid_bars' applies only to limit and stop orders, not to the market order in 'long.order'")]
    [InlineData("order: { type: stop, price: high, valid_bars: 0 }", 4, 49, "'valid_bars' must be at least 1, found 0")]
    [InlineData("order: { type: stop, price: high, valid_bars: 1.5 }", 4, 49, "expected a whole number for 'valid_bars', found '1.5'")]
    [InlineData("order: [market]", 4, 10, "expected market or a mapping { type, price, valid_bars } for 'order', found a list")]
    public void Read_InvalidOrder_ReportsProblem(string order, int line, int column, string message)
    {
        AssertOnly(Entry + "  " + order + "\n", line, column, message);
    }

    [Theory]
    [InlineData("stop_loss: {}", 3, "'long.stop_loss' needs exactly one of percent, atr, absolute")]
    [InlineData("stop_loss: { percent: 2, atr: 3 }", 28, "'long.stop_loss' has both 'percent' and 'atr'; give exactly one of percent, atr, absolute")]
    [InlineData("take_profit: { percent: -1 }", 27, "'percent' must be greater than 0, found -1")]
    [InlineData("take_profit: { absolute: 0 }", 28, "'absolute' must be greater than 0, found 0")]
    [InlineData("trailing_stop: { atr: 2, atr_periods: 0 }", 41, "'atr_periods' must be at least 1, found 0")]
    [InlineData("stop_loss: { percent: 2, atr_periods: 10 }", 28, "'atr_periods' applies only with 'atr', not with 'percent' in 'long.stop_loss'")]
    [InlineData("stop_loss: 2", 14, "expected a mapping for 'stop_loss', found '2'")]
    public void Read_InvalidProtective_ReportsProblem(string protective, int column, string message)
    {
        AssertOnly(Entry + "  " + protective + "\n", 4, column, message);
    }

    [Theory]
    [InlineData("sizing: {}", 1, "'sizing' needs exactly one of quantity, percent_equity, cash, risk_percent")]
    [InlineData("sizing: { quantity: 1, cash: 100 }", 24, "'sizing' has both 'quantity' and 'cash'; give exactly one of quantity, percent_equity, cash, risk_percent")]
    [InlineData("sizing: { quantity: 0 }", 21, "'quantity' must be greater than 0, found 0")]
    [InlineData("sizing: { cash: abc }", 17, "expected a number for 'cash', found 'abc'")]
    [InlineData("sizing: { quantity: 1, fractional: yes }", 36, "expected true or false for 'fractional', found 'yes'")]
    [InlineData("sizing: { fractional: true }", 1, "'sizing' needs exactly one of quantity, percent_equity, cash, risk_percent")]
    public void Read_InvalidSizing_ReportsProblem(string sizing, int column, string message)
    {
        AssertOnly(Entry + sizing + "\n", 4, column, message);
    }

    [Fact]
    public void Read_RiskPercentWithoutStopLoss_ReportsEachSideWithout()
    {
        var problems = Problems("""
            name: x
            long: { entry: close > open }
            short: { entry: close < open }
            sizing: { risk_percent: 1 }
            """);

        Assert.Equal(
            [
                new StrategyDiagnostic(4, 11, "sizing 'risk_percent' needs a 'stop_loss' on the long side"),
                new StrategyDiagnostic(4, 11, "sizing 'risk_percent' needs a 'stop_loss' on the short side"),
            ],
            problems);
    }

    [Fact]
    public void Read_RiskPercentWithStopLossOnOneSideOnly_ReportsTheOtherSide()
    {
        AssertOnly(
            "name: x\nlong: { entry: close > open, stop_loss: { percent: 1 } }\nshort: { entry: close < open }\nsizing: { risk_percent: 1 }\n",
            4,
            11,
            "sizing 'risk_percent' needs a 'stop_loss' on the short side");
    }

    [Theory]
    [InlineData("pyramiding: 0", 13, "'pyramiding' must be at least 1, found 0")]
    [InlineData("pyramiding: 1.5", 13, "expected a whole number for 'pyramiding', found '1.5'")]
    [InlineData("pyramiding: \"2\"", 13, "expected a whole number for 'pyramiding', found '2'")]
    [InlineData("cooldown_bars: -1", 16, "'cooldown_bars' must be at least 0, found -1")]
    [InlineData("cooldown_bars: many", 16, "expected a whole number for 'cooldown_bars', found 'many'")]
    [InlineData("cooldown_bars:", 1, "expected a whole number for 'cooldown_bars', found nothing")]
    public void Read_InvalidWholeNumber_ReportsProblem(string line, int column, string message)
    {
        AssertOnly(Entry + line + "\n", 4, column, message);
    }

    [Theory]
    [InlineData("session: { days: [mon, tues] }", 24, "expected a day in 'session.days' (mon, tue, wed, thu, fri, sat, sun or full names), found 'tues'; did you mean 'tue'?")]
    [InlineData("session: { days: [mon, xyz] }", 24, "expected a day in 'session.days' (mon, tue, wed, thu, fri, sat, sun or full names), found 'xyz'")]
    [InlineData("session: { days: [mon, Monday] }", 24, "day 'Monday' is listed more than once in 'session.days'")]
    [InlineData("session: { days: mon }", 18, "expected a list of days for 'days', found 'mon'")]
    [InlineData("session: { start: 9h30 }", 19, "expected a time of day HH:mm (UTC) for 'start', found '9h30'")]
    [InlineData("session: { start: \"24:00\" }", 19, "expected a time of day HH:mm (UTC) for 'start', found '24:00'")]
    [InlineData("session: { end: \"25:00\" }", 17, "expected a time of day HH:mm (UTC) for 'end', found '25:00'")]
    [InlineData("session: { start: \"17:00\", end: \"09:00\" }", 33, "session 'start' (17:00) must be before 'end' (09:00)")]
    [InlineData("session: { start: \"09:00\", end: \"09:00\" }", 33, "session 'start' (09:00) must be before 'end' (09:00)")]
    [InlineData("session: weekdays", 10, "expected a mapping for 'session', found 'weekdays'")]
    public void Read_InvalidSession_ReportsProblem(string session, int column, string message)
    {
        AssertOnly(Entry + session + "\n", 4, column, message);
    }

    [Fact]
    public void Read_SeveralProblems_ReportsAllInDocumentOrder()
    {
        var exception = Assert.Throws<StrategyException>(() => StrategyDocumentReader.Read("""
            parameters:
              fast: { default: 1, min: 2, max: 200 }
              slow: { default: 30, min: 3, max: abc }
            long:
              entri: close > open
              stop_loss: { percent: 0 }
            sizing: { risk_percent: 1 }
            pyramiding: 0
            session: { days: [mon, funday] }
            """));

        Assert.Equal(
            [
                new StrategyDiagnostic(1, 1, "missing required key 'name' in the document"),
                new StrategyDiagnostic(2, 20, "parameter 'fast': default 1 is outside min 2 and max 200; rule: min <= default <= max"),
                new StrategyDiagnostic(3, 37, "expected a number for 'max', found 'abc'"),
                new StrategyDiagnostic(4, 1, "missing required key 'entry' in 'long'"),
                new StrategyDiagnostic(5, 3, "unknown key 'entri' in 'long'; expected one of entry, exit, order, stop_loss, take_profit, trailing_stop; did you mean 'entry'?"),
                new StrategyDiagnostic(6, 25, "'percent' must be greater than 0, found 0"),
                new StrategyDiagnostic(8, 13, "'pyramiding' must be at least 1, found 0"),
                new StrategyDiagnostic(9, 24, "expected a day in 'session.days' (mon, tue, wed, thu, fri, sat, sun or full names), found 'funday'; did you mean 'sunday'?"),
            ],
            exception.Diagnostics);
        Assert.StartsWith("The strategy has 8 problem(s):", exception.Message, StringComparison.Ordinal);
        Assert.Contains("line 3, column 37: expected a number for 'max', found 'abc'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SeveralProblemsInJson_ReportsJsonPositions()
    {
        var problems = Problems("""
            {
              "name": "x",
              "long": { "entry": "close > open", "exit": 5, "order": { "type": "limit" } },
              "pyramiding": "two"
            }
            """);

        Assert.Equal(
            [
                new StrategyDiagnostic(3, 49, "a limit order needs 'price' in 'long.order'"),
                new StrategyDiagnostic(4, 17, "expected a whole number for 'pyramiding', found 'two'"),
            ],
            problems);
    }

    [Fact]
    public void Read_ReadmeErrorExample_GivesTheDocumentedMessage()
    {
        const string text = """
            name: sma-cross
            parameters:
              fast: { default: 10, min: 2, max: abc }
            long:
              entry: crossover(sma(close, fast), sma(close, 30))
              stop_los: { percent: 2 }
            """;
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Strategies", "README.md")).ReplaceLineEndings("\n");

        var exception = Assert.Throws<StrategyException>(() => StrategyDocumentReader.Read(text));

        Assert.Contains(text, readme, StringComparison.Ordinal);
        Assert.Contains(exception.Message.ReplaceLineEndings("\n"), readme, StringComparison.Ordinal);
    }

    private static IReadOnlyList<StrategyDiagnostic> Problems(string text) =>
        Assert.Throws<StrategyException>(() => StrategyDocumentReader.Read(text)).Diagnostics;

    private static void AssertOnly(string text, int line, int column, string message) =>
        Assert.Equal([new StrategyDiagnostic(line, column, message)], Problems(text));
}
