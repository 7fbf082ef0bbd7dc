using BenchmarkDotNet.Attributes;
using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Strategies;

namespace SigmaFlow.Benchmarks;

/// <summary>
/// Single-symbol SMA-crossover backtest over 1,000,000 bars: rule evaluation (both SMAs, both crosses), the event
/// loop with order simulation, equity curve and the performance report. Bars per second = 1e6 / mean time.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(3)]
[IterationCount(10)]
public class BacktestBenchmarks
{
    private BarSeries bars = BarSeries.Empty;
    private CompiledStrategy strategy = null!;

    [GlobalSetup]
    public void Setup()
    {
        bars = BenchData.Bars(1_000_000);
        strategy = StrategyCompiler.Compile(new StrategyDocument
        {
            Name = "sma-cross",
            Parameters = [new StrategyParameter("fast", 10, 2, 200), new StrategyParameter("slow", 30, 3, 400)],
            Long = new StrategySide
            {
                Entry = SourceText.Of("crossover(sma(close, fast), sma(close, slow))"),
                Exit = SourceText.Of("crossunder(sma(close, fast), sma(close, slow))"),
            },
            Sizing = new SizingRule(SizingMode.Quantity, 100),
        });
    }

    [Benchmark]
    public double SmaCrossover1M() => BacktestEngine.Run(bars, strategy).FinalEquity;
}
