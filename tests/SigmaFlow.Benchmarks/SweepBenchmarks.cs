using BenchmarkDotNet.Attributes;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Core.Strategies;

namespace SigmaFlow.Benchmarks;

/// <summary>
/// The sweep target: a 10,000-combination SMA-crossover grid (fast 2…101 × slow 102…201) over 2,520 daily
/// bars, planned, run on 1 and on 2 workers and merged, with the Deflated Sharpe Ratio and PBO (CSCV, 10 blocks,
/// 252 splits over all 10,000 trials) computed. A fresh indicator cache each time, so the 200 SMA columns are part of
/// the cost.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(8)]
public class SweepBenchmarks
{
    private BarSeries bars = BarSeries.Empty;
    private SweepDefinition definition = null!;

    [Params(1, 2)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        bars = SyntheticMarket.Generate(new SyntheticMarketOptions { Seed = 42, Bars = 2520 });
        definition = new SweepDefinition
        {
            Strategy = new StrategyDocument
            {
                Name = "sma-cross",
                Parameters = [new StrategyParameter("fast", 10, 2, 200), new StrategyParameter("slow", 30, 3, 400)],
                Long = new StrategySide
                {
                    Entry = SourceText.Of("crossover(sma(close, fast), sma(close, slow))"),
                    Exit = SourceText.Of("crossunder(sma(close, fast), sma(close, slow))"),
                },
                Sizing = new SizingRule(SizingMode.Quantity, 100),
            },
            Axes = [ParameterAxis.Range("fast", 2, 101, 1), ParameterAxis.Range("slow", 102, 201, 1)],
        };
    }

    [Benchmark]
    public double Grid10000x2520()
    {
        var result = LocalSweepExecutor.Run(definition, bars, new LocalExecution { Workers = Workers });
        return result.DeflatedSharpe + result.Pbo.Probability;
    }
}
