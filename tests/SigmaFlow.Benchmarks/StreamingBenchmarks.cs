using BenchmarkDotNet.Attributes;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;

namespace SigmaFlow.Benchmarks;

/// <summary>
/// Streaming cost per update: every bar arrives twice, first as a forming bar (a new bar: the previous one becomes
/// final) and then as its revision (a tick), so one operation is one update. A fresh indicator is made inside the
/// measured method (not in an iteration setup, which would keep the method from being fully optimised); its cost is
/// spread over 200,000 updates. MemoryDiagnoser reports the allocation per update.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(3)]
[IterationCount(5)]
public class StreamingBenchmarks
{
    private const int BarsPerInvoke = 100_000;
    private Ohlcv[] bars = [];
    private IndicatorDefinition definition = IndicatorCatalog.Get("sma");
    private IndicatorArguments arguments = IndicatorCatalog.Get("sma").Defaults;

    [ParamsSource(nameof(Specs))]
    public string Spec { get; set; } = "sma";

    public static IEnumerable<string> Specs() => IndicatorCatalog.All.Select(d => d.Name);

    [GlobalSetup]
    public void Setup()
    {
        var series = BenchData.Bars(BarsPerInvoke);
        bars = Enumerable.Range(0, series.Count).Select(i => series[i]).ToArray();
        (definition, arguments) = IndicatorCatalog.Parse(Spec);
    }

    [Benchmark(OperationsPerInvoke = 2 * BarsPerInvoke)]
    public double Update()
    {
        var live = definition.CreateLive(arguments);
        var sum = 0.0;
        for (var i = 0; i < bars.Length; i++)
        {
            ref readonly var bar = ref bars[i];
            live.Update(bar with { High = bar.Open, Low = bar.Open, Close = bar.Open });
            live.Update(bar);
            sum += live.Values[0];
        }

        return sum;
    }
}
