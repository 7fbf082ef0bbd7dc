using BenchmarkDotNet.Attributes;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;

namespace SigmaFlow.Benchmarks;

/// <summary>
/// Streaming cost per bar: each operation is one new bar plus one revision of it (a tick), reported per bar.
/// MemoryDiagnoser shows the allocation per update (expected: none).
/// </summary>
[MemoryDiagnoser]
[WarmupCount(1)]
[IterationCount(5)]
public class StreamingBenchmarks
{
    private const int BarsPerInvoke = 100_000;
    private Ohlcv[] bars = [];
    private ILiveIndicator live = null!;
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

    [IterationSetup]
    public void Fresh() => live = definition.CreateLive(arguments);

    [Benchmark(OperationsPerInvoke = BarsPerInvoke)]
    public double AddAndReviseBar()
    {
        var sum = 0.0;
        for (var i = 0; i < bars.Length; i++)
        {
            ref readonly var bar = ref bars[i];
            live.Update(bar with { Close = bar.Open });
            live.Update(bar);
            sum += live.Values[0];
        }

        return sum;
    }
}
