using BenchmarkDotNet.Attributes;
using SigmaFlow.Core.Indicators.Kernel;
using SigmaFlow.Core.Indicators.MovingAverages;
using SigmaFlow.Core.Indicators.Oscillators;

namespace SigmaFlow.Benchmarks;

/// <summary>The one-column fast path (value kernels over a span of closes), 1,000,000 values.</summary>
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(10)]
public class SpanBenchmarks
{
    private double[] closes = [];
    private double[] output = [];

    [GlobalSetup]
    public void Setup()
    {
        closes = BenchData.Bars(1_000_000).Close;
        output = new double[closes.Length];
    }

    [Benchmark]
    public void Sma20()
    {
        var kernel = new SmaKernel(20);
        KernelRunner.RunValues(ref kernel, closes, output);
    }

    [Benchmark]
    public void Ema20()
    {
        var kernel = new EmaKernel(20);
        KernelRunner.RunValues(ref kernel, closes, output);
    }

    [Benchmark]
    public void Rsi14()
    {
        var kernel = new RsiKernel(14);
        KernelRunner.RunValues(ref kernel, closes, output);
    }
}
