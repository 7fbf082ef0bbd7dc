using SigmaFlow.Core.Data;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Platform.Screening;

namespace SigmaFlow.Platform.Tests.Screening;

/// <summary>The pure screener engine on synthetic bars, checked against direct arithmetic and against the same rule run as a one-rule strategy.</summary>
public sealed class ScreenerEngineTests
{
    private const long T0 = 1_767_225_600_000;
    private const long Quarter = 15 * 60_000;

    [Fact]
    public void Evaluate_MatchesAndOrder_FollowDirectArithmetic()
    {
        // Condition: the close is above the mean of the last three closes. Rank: the one-bar return in percent.
        var screener = Compile("close > sma(close, 3)", "(close / close[1] - 1) * 100");
        var universe = new[]
        {
            Bars("AAA", 10, 11, 12, 13),      // 13 > 12: match, +8.33 %
            Bars("BBB", 10, 10, 10, 10.5),    // 10.5 > 10.17: match, +5 %
            Bars("CCC", 13, 12, 11, 10),      // falling: no match
            Bars("DDD", 10, 10, 10, 20),      // 20 > 13.3: match, +100 %
            Bars("EEE", 5, 6),                // two bars: sma(3) needs three
            Bars("FFF"),                      // nothing stored
        };

        var result = ScreenerEngine.Evaluate(screener, universe);

        var expected = universe
            .Where(s => s.Bars.Count >= 3)
            .Select(s => (s.Symbol, Close: s.Bars.Close[^1], Mean: s.Bars.Close.TakeLast(3).Average(), Return: ((s.Bars.Close[^1] / s.Bars.Close[^2]) - 1) * 100))
            .Where(s => s.Close > s.Mean)
            .OrderByDescending(s => s.Return)
            .ToList();
        Assert.Equal(expected.Select(e => e.Symbol), result.Matches.Select(m => m.Symbol));
        Assert.Equal(["DDD", "AAA", "BBB"], result.Matches.Select(m => m.Symbol));
        Assert.Equal([1, 2, 3], result.Matches.Select(m => m.Rank));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Return, result.Matches[i].Value!.Value, 9);
            Assert.Equal(expected[i].Close, result.Matches[i].Close);
            Assert.Equal(T0 + (3 * Quarter), result.Matches[i].Time);
        }

        Assert.Equal(4, result.Evaluated);
        Assert.Empty(result.Errors);
        Assert.Equal(["EEE", "FFF"], result.Skipped.Select(s => s.Symbol));
        Assert.Equal("needs 3 final 15m bars (warm-up 2 + 1); 2 stored", result.Skipped[0].Reason);
        Assert.Contains("no final 15m bars", result.Skipped[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_Ascending_TiesBySymbol_AndMatchesWithoutAValueLast()
    {
        // Rank 1 / (close - 100) is empty (x / 0) for a close of exactly 100.
        var screener = Compile("close > 0", "1 / (close - 100)", "asc");
        var result = ScreenerEngine.Evaluate(screener, [Bars("ZED", 101), Bars("HUN", 100), Bars("ABC", 101), Bars("LOW", 104)]);

        Assert.Equal(["LOW", "ABC", "ZED", "HUN"], result.Matches.Select(m => m.Symbol));
        Assert.Equal([0.25, 1, 1], result.Matches.Take(3).Select(m => m.Value!.Value));
        Assert.Null(result.Matches[3].Value);
    }

    [Fact]
    public void Evaluate_WithoutRank_ListsMatchesBySymbol()
    {
        var result = ScreenerEngine.Evaluate(Compile("close >= 100"), [Bars("MSFT", 120), Bars("AAPL", 100), Bars("IBM", 99)]);

        Assert.Equal(["AAPL", "MSFT"], result.Matches.Select(m => m.Symbol));
        Assert.All(result.Matches, m => Assert.Null(m.Value));
    }

    [Fact]
    public void Evaluate_RandomWalks_EqualTheSameRuleAsAOneRuleStrategy_AndRocByHand()
    {
        const string condition = "rsi(14) < 50 and close > open";
        var screener = Compile(condition, "roc(10).roc");
        var universe = Enumerable.Range(0, 40).Select(i => RandomWalk("S" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), 120, (ulong)(i + 1))).ToList();
        var strategy = StrategyCompiler.Compile(new StrategyDocument { Name = "oracle", Long = new StrategySide { Entry = SourceText.Of(condition) } });

        var result = ScreenerEngine.Evaluate(screener, universe);

        var expected = universe
            .Where(s => strategy.Program.Evaluate(s.Bars)[strategy.Slot(StrategyRule.LongEntry)][^1] == 1)
            .Select(s => (s.Symbol, Roc: 100 * (s.Bars.Close[^1] - s.Bars.Close[^11]) / s.Bars.Close[^11]))
            .OrderByDescending(s => s.Roc)
            .ToList();
        Assert.InRange(expected.Count, 3, 37);
        Assert.Equal(expected.Select(e => e.Symbol), result.Matches.Select(m => m.Symbol));
        Assert.All(result.Matches.Zip(expected), p => Assert.Equal(p.Second.Roc, p.First.Value!.Value, 9));
        Assert.Equal(40, result.Evaluated);
    }

    [Fact]
    public void Evaluate_RankDividingByZero_GivesAnEmptyValueLast_NotACrash()
    {
        var screener = Compile("close > 0", "volume / (high - low)");
        var flat = new SymbolBars("FLAT", new BarSeries([T0], [100], [100], [100], [100], [0], "FLAT"));
        var result = ScreenerEngine.Evaluate(screener, [flat, Bars("OK", 100, 101)]);

        Assert.Equal(["OK", "FLAT"], result.Matches.Select(m => m.Symbol));
        Assert.Equal(1000 / 2.0, result.Matches[0].Value);
        Assert.Null(result.Matches[1].Value);
        Assert.Empty(result.Errors);
    }

    internal static CompiledScreener Compile(string condition, string? rank = null, string? order = null, string timeframe = "15m")
    {
        var check = ScreenerRules.Check(new ScreenerDraft("test", Timeframe: timeframe, Condition: condition, Rank: rank, Order: order));
        return check.Screener ?? throw new InvalidOperationException(string.Join("; ", check.Errors));
    }

    /// <summary>Bars from closes: open = previous close, high/low around them, 15-minute steps from 2026-01-01.</summary>
    internal static SymbolBars Bars(string symbol, params double[] closes)
    {
        var builder = new BarSeriesBuilder(Math.Max(1, closes.Length));
        for (var i = 0; i < closes.Length; i++)
        {
            var open = i == 0 ? closes[0] : closes[i - 1];
            builder.Add(new Ohlcv(T0 + (i * Quarter), open, Math.Max(open, closes[i]) + 0.5, Math.Min(open, closes[i]) - 0.5, closes[i], 1000));
        }

        return new SymbolBars(symbol, builder.Build(symbol));
    }

    /// <summary>A seeded random walk of 15-minute bars.</summary>
    internal static SymbolBars RandomWalk(string symbol, int count, ulong seed)
    {
        var state = seed * 0x9E3779B97F4A7C15UL;
        double Next()
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return (state >> 11) * (1.0 / (1UL << 53));
        }

        var builder = new BarSeriesBuilder(count);
        var close = 100.0;
        for (var i = 0; i < count; i++)
        {
            var open = close * (1 + ((Next() - 0.5) * 0.004));
            close = open * (1 + ((Next() - 0.5) * 0.02));
            builder.Add(new Ohlcv(T0 + (i * Quarter), open, Math.Max(open, close) * (1 + (Next() * 0.003)), Math.Min(open, close) * (1 - (Next() * 0.003)), close, 1000 + (Next() * 9000)));
        }

        return new SymbolBars(symbol, builder.Build(symbol));
    }
}
