using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Tests.Fixtures;

namespace SigmaFlow.Core.Tests.Optimization;

/// <summary>Walk-forward windows, the optimise-then-trade loop, stitching and parameter stability.</summary>
public sealed class WalkForwardTests
{
    private static readonly BarSeries Bars = TestBars.RandomWalk(600, seed: 23);

    private static readonly SweepDefinition Definition = new()
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
        Axes = [ParameterAxis.Range("fast", 2, 12, 2), ParameterAxis.Range("slow", 15, 45, 10)],
        Constraints = ["fast < slow"],
        PboBlocks = 4,
        Options = new BacktestOptions { Commission = new CommissionModel(CommissionKind.Percent, 0.05m) },
    };

    [Fact]
    public void Windows_Rolling_Anchored_AndStepped()
    {
        var all = new BarRange(0, 600);
        var rolling = WalkForwardAnalysis.Windows(new WalkForwardOptions { InSampleBars = 200, OutOfSampleBars = 100 }, all);
        Assert.Equal([(new BarRange(0, 200), new BarRange(200, 100)), (new BarRange(100, 200), new BarRange(300, 100)), (new BarRange(200, 200), new BarRange(400, 100)), (new BarRange(300, 200), new BarRange(500, 100))], rolling);

        var anchored = WalkForwardAnalysis.Windows(new WalkForwardOptions { InSampleBars = 200, OutOfSampleBars = 100, Anchored = true }, all);
        Assert.Equal([200, 300, 400, 500], anchored.Select(w => w.InSample.Length));
        Assert.All(anchored, w => Assert.Equal(0, w.InSample.Start));

        var stepped = WalkForwardAnalysis.Windows(new WalkForwardOptions { InSampleBars = 200, OutOfSampleBars = 150, StepBars = 150 }, all);
        Assert.Equal([new BarRange(200, 150), new BarRange(350, 150), new BarRange(500, 100)], stepped.Select(w => w.OutOfSample));

        var gaps = WalkForwardAnalysis.Windows(new WalkForwardOptions { InSampleBars = 200, OutOfSampleBars = 50, StepBars = 150 }, all);
        Assert.Equal([new BarRange(200, 50), new BarRange(350, 50), new BarRange(500, 50)], gaps.Select(w => w.OutOfSample));
    }

    [Theory]
    [InlineData(200, 100, 50, "StepBars must be at least the out-of-sample length 100")]
    [InlineData(550, 100, null, "such that in-sample + out-of-sample (550 + 100) fits in the 600 bars")]
    [InlineData(1, 100, null, "InSampleBars must be at least 2; got 1")]
    public void Windows_BadLayout_SaysWhy(int inSample, int outOfSample, int? step, string fragment)
    {
        var e = Assert.Throws<ArgumentException>(() => WalkForwardAnalysis.Windows(new WalkForwardOptions { InSampleBars = inSample, OutOfSampleBars = outOfSample, StepBars = step }, new BarRange(0, 600)));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_OptimisesInSample_TradesTheWinnerOutOfSample_AndChainsEquity()
    {
        var layout = new WalkForwardOptions { InSampleBars = 200, OutOfSampleBars = 100 };
        var report = WalkForwardAnalysis.Run(Definition, Bars, layout, null, null, TestContext.Current.CancellationToken);
        Assert.Equal(4, report.Windows.Count);
        Assert.Equal(400, report.Equity.Length);
        Assert.Equal(Bars.Time.AsSpan(200, 400).ToArray(), report.Time);

        var cash = Definition.Options.InitialCash;
        var last = 0.0;
        var names = Definition.Strategy.Parameters.Select(p => p.Name).ToList();
        for (var w = 0; w < report.Windows.Count; w++)
        {
            var window = report.Windows[w];
            var sweep = LocalSweepExecutor.Run(Definition with { Range = window.InSample }, Bars, null, TestContext.Current.CancellationToken);
            Assert.Equal(sweep.Result.Best!.Parameters, window.Parameters);
            Assert.Equal(sweep.Result.Best.Metrics, window.InSampleMetrics);
            Assert.Equal(sweep.Result.Combinations, window.Trials);

            var strategy = StrategyCompiler.Compile(Definition.Strategy, names.Select((n, i) => (n, window.Parameters![i])).ToDictionary(x => x.n, x => x.Item2));
            var alone = BacktestEngine.Run(Bars, strategy, Definition.Options with { InitialCash = cash, CloseAtEnd = true }, null, window.OutOfSample);
            Assert.Equal(alone.Metrics, window.OutOfSampleMetrics);
            Assert.Equal(alone.Equity, report.Equity.AsSpan((w * 100)..((w + 1) * 100)).ToArray());
            Assert.All(alone.Trades, t => Assert.InRange(t.EntryTime, Bars.Time[window.OutOfSample.Start], Bars.Time[window.OutOfSample.End - 1]));
            cash = (decimal)alone.FinalEquity;
            last = alone.FinalEquity;
        }

        Assert.Equal(last, report.Equity[^1]);
        Assert.Equal((last / 100_000) - 1, report.Metrics.TotalReturn, 12);
        Assert.Equal(report.Windows.Sum(w => w.Trials), report.Trials);
        Assert.Equal(report.Trades.Count, report.Metrics.TradeCount);
    }

    [Fact]
    public void Stability_DescribesTheChosenValues()
    {
        var report = WalkForwardAnalysis.Run(Definition, Bars, new WalkForwardOptions { InSampleBars = 150, OutOfSampleBars = 90 }, null, null, TestContext.Current.CancellationToken);
        var fast = report.Stability.Single(s => s.Name == "fast");
        var chosen = report.Windows.Select(w => w.Parameters![0]).ToArray();
        Assert.Equal(chosen, fast.Values);
        var mean = chosen.Average();
        var sd = Math.Sqrt(chosen.Sum(v => (v - mean) * (v - mean)) / (chosen.Length - 1));
        Assert.Equal(mean, fast.Mean, 12);
        Assert.Equal(sd, fast.StandardDeviation, 12);
        Assert.Equal(sd / 10, fast.RelativeSpread, 12);
        Assert.Equal(chosen.Distinct().Count(), fast.Distinct);
        Assert.Equal(chosen.Zip(chosen.Skip(1)).Count(p => p.First != p.Second), fast.Changes);
        Assert.Equal(2, report.Stability.Count);
    }

    [Fact]
    public void Efficiency_IsOutOfSampleOverInSample()
    {
        var report = WalkForwardAnalysis.Run(Definition, Bars, new WalkForwardOptions { InSampleBars = 200, OutOfSampleBars = 100, Anchored = true }, null, null, TestContext.Current.CancellationToken);
        var meanIs = report.Windows.Average(w => w.InSampleMetrics!.Cagr);
        Assert.Equal(meanIs > 0 ? report.Metrics.Cagr / meanIs : double.NaN, report.Efficiency);
        var meanIsObjective = report.Windows.Average(w => w.InSampleObjective);
        var meanOosObjective = report.Windows.Average(w => w.OutOfSampleObjective);
        Assert.Equal(meanOosObjective / meanIsObjective, report.ObjectiveEfficiency, 12);
        Assert.All(report.Windows, w => Assert.Equal(w.OutOfSampleMetrics!.Sharpe, w.OutOfSampleObjective));
    }
}
