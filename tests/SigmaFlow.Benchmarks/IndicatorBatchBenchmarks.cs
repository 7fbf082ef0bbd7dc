using BenchmarkDotNet.Attributes;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;

namespace SigmaFlow.Benchmarks;

/// <summary>Every catalog indicator in batch over 502 and 1,000,000 bars, into preallocated columns.</summary>
[MemoryDiagnoser]
[WarmupCount(1)]
[IterationCount(5)]
public class IndicatorBatchBenchmarks
{
    private BarSeries bars = BarSeries.Empty;
    private IndicatorDefinition definition = IndicatorCatalog.Get("sma");
    private IndicatorArguments arguments = IndicatorCatalog.Get("sma").Defaults;
    private double[][] columns = [];

    [Params(502, 1_000_000)]
    public int Bars { get; set; }

    [ParamsSource(nameof(Specs))]
    public string Spec { get; set; } = "sma(20)";

    public static IEnumerable<string> Specs() => IndicatorCatalog.All.Select(d => Spec2(d.Signature.Replace(" ", string.Empty, StringComparison.Ordinal)));

    [GlobalSetup]
    public void Setup()
    {
        bars = BenchData.Bars(Bars);
        (definition, arguments) = IndicatorCatalog.Parse(Spec);
        columns = definition.Outputs.Select(_ => new double[Bars]).ToArray();
    }

    [Benchmark]
    public void Calculate() => definition.CalculateInto(bars, arguments, columns);

    // "macd(fast=12,slow=26,signal=9)" → "macd(12,26,9)"
    private static string Spec2(string signature)
    {
        var open = signature.IndexOf('(', StringComparison.Ordinal);
        var inner = signature[(open + 1)..^1];
        if (inner.Length == 0)
        {
            return signature[..open];
        }

        return signature[..open] + "(" + string.Join(',', inner.Split(',').Select(p => p[(p.IndexOf('=', StringComparison.Ordinal) + 1)..])) + ")";
    }
}
