using BenchmarkDotNet.Attributes;
using SigmaFlow.Core.Optimization.Statistics;

namespace SigmaFlow.Benchmarks;

/// <summary>
/// The Probability of Backtest Overfitting by CSCV over 10,000 trials cut into 10 and 16 blocks (252 and 12,870
/// splits), from per-block return sums as a sweep keeps them.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(8)]
public class CscvBenchmarks
{
    private BlockReturns[] trials = [];

    [Params(10, 16)]
    public int Blocks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(12345);
        trials = new BlockReturns[10_000];
        for (var t = 0; t < trials.Length; t++)
        {
            var sum = new double[Blocks];
            var squares = new double[Blocks];
            var count = new int[Blocks];
            for (var b = 0; b < Blocks; b++)
            {
                count[b] = 100;
                sum[b] = (random.NextDouble() - 0.5) * 0.2;
                squares[b] = (sum[b] * sum[b] / 100) + 0.01 + (random.NextDouble() * 0.01);
            }

            trials[t] = new BlockReturns(sum, squares, count);
        }
    }

    [Benchmark]
    public double Cscv10000Trials() => Cscv.Compute(trials).Probability;
}
