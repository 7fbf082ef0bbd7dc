using BenchmarkDotNet.Attributes;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Strategies.Rules;
using SigmaFlow.Platform.Screening;

namespace SigmaFlow.Benchmarks;

/// <summary>
/// The screener engine with storage excluded: one screener over 1,000 symbols, each with the 200 final bars a scan
/// reads by default (random walks), as the timer scan evaluates it after reading the bars. <c>Condition</c> is
/// <c>rsi(14) &lt; 50 and close &gt; sma(close, 50)</c> alone; <c>ConditionAndRank</c> adds the rank <c>roc(20).roc</c>.
/// <c>Compile</c> is checking and compiling the definition (its warm-up measurements are cached after the first).
/// </summary>
[MemoryDiagnoser]
[WarmupCount(3)]
[IterationCount(10)]
public class ScreenerBenchmarks
{
    private const int SymbolCount = 1000;
    private const int BarCount = CompiledScreener.MinimumWindow;
    private static readonly ScreenerDraft ConditionOnly = new("bench", Condition: "rsi(14) < 50 and close > sma(close, 50)");
    private static readonly ScreenerDraft Ranked = ConditionOnly with { Rank = "roc(20).roc" };
    private SymbolBars[] universe = [];
    private CompiledScreener condition = null!;
    private CompiledScreener ranked = null!;

    [GlobalSetup]
    public void Setup()
    {
        universe = Enumerable.Range(0, SymbolCount).Select(i => new SymbolBars("S" + i, Walk(BarCount, (ulong)i + 1))).ToArray();
        condition = ScreenerRules.Check(ConditionOnly).Screener!;
        ranked = ScreenerRules.Check(Ranked).Screener!;
        var matches = ScreenerEngine.Evaluate(ranked, universe).Matches.Count;
        if (matches is 0 or SymbolCount)
        {
            throw new InvalidOperationException($"unexpected: {matches} of {SymbolCount} symbols match");
        }
    }

    [Benchmark]
    public int Condition() => ScreenerEngine.Evaluate(condition, universe).Matches.Count;

    [Benchmark]
    public int ConditionAndRank() => ScreenerEngine.Evaluate(ranked, universe).Matches.Count;

    [Benchmark]
    public int Compile() => ScreenerRules.Check(Ranked).Screener!.RequiredBars;

    private static BarSeries Walk(int count, ulong seed)
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
            builder.Add(new Ohlcv(1_767_225_600_000 + (i * 900_000L), open, Math.Max(open, close) * 1.001, Math.Min(open, close) * 0.999, close, 1000 + (Next() * 9000)));
        }

        return builder.Build();
    }
}
