using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Strategies.Rules;
using SigmaFlow.Core.Tests.Fixtures;

namespace SigmaFlow.Core.Tests.Optimization;

/// <summary>Parameter spaces, sweeps, the plan/run/merge core and its invariants.</summary>
public sealed class SweepTests
{
    private static readonly BarSeries Bars = TestBars.RandomWalk(600, seed: 11);

    private static readonly StrategyDocument SmaCross = new()
    {
        Name = "sma-cross",
        Parameters =
        [
            new StrategyParameter("fast", 10, 2, 200),
            new StrategyParameter("slow", 30, 3, 400),
        ],
        Long = new StrategySide
        {
            Entry = SourceText.Of("crossover(sma(close, fast), sma(close, slow))"),
            Exit = SourceText.Of("crossunder(sma(close, fast), sma(close, slow))"),
        },
        Sizing = new SizingRule(SizingMode.Quantity, 100),
        SourceDocument = "sma-cross test document",
    };

    private static SweepDefinition Grid(params string[] constraints) => new()
    {
        Strategy = SmaCross,
        Axes = [ParameterAxis.Range("fast", 2, 20, 2), ParameterAxis.Range("slow", 10, 60, 5)],
        Constraints = constraints,
        Top = 15,
        PboBlocks = 6,
    };

    [Fact]
    public void Range_DecimalSteps_AreExact()
    {
        var axis = ParameterAxis.Range("k", 0.1, 0.3, 0.1);
        Assert.Equal([0.1, 0.2, 0.3], axis.Values);
        Assert.Equal([5.0, 10, 15, 20], ParameterAxis.Parse("n=5:20:5").Values);
        Assert.Equal([3.0, 8, 21], ParameterAxis.Parse("n=3,8,21").Values);
        Assert.Equal([7.0], ParameterAxis.Parse("n=7").Values);
    }

    [Theory]
    [InlineData("fast", "a parameter range is name=start:stop:step")]
    [InlineData("fast=5:1:1", "range stop must be ≥ start; got 5:1:1")]
    [InlineData("fast=1:5:0", "a step > 0; got 1:5:0")]
    [InlineData("fast=1:5", "a range is start:stop:step (three numbers)")]
    [InlineData("fast=1,x", "expected a number, got 'x'")]
    [InlineData("fast=1,2,1", "value 1 is listed twice")]
    public void Parse_BadSpec_SaysWhatIsWrong(string spec, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => ParameterAxis.Parse(spec));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Space_DecodesMixedRadix_FirstAxisMostSignificant()
    {
        var space = ParameterSpace.Create(SmaCross, [ParameterAxis.Parse("slow=20,30"), ParameterAxis.Parse("fast=5,6,7")]);
        Assert.Equal(6, space.Size);
        var values = new double[2];
        space.Decode(0, values);
        Assert.Equal([5.0, 20], values);
        space.Decode(1, values);
        Assert.Equal([6.0, 20], values);
        space.Decode(3, values);
        Assert.Equal([5.0, 30], values);
        space.Decode(5, values);
        Assert.Equal([7.0, 30], values);
        Assert.Throws<ArgumentOutOfRangeException>(() => space.Decode(6, values));
    }

    [Fact]
    public void Space_UnsweptParameters_KeepTheirDefault_AndConstraintsFilter()
    {
        var space = ParameterSpace.Create(SmaCross, [ParameterAxis.Parse("fast=5,25,40")], ["fast < slow"]);
        var values = new double[2];
        space.Decode(1, values);
        Assert.Equal([25.0, 30], values);
        Assert.True(space.Allows(0));
        Assert.True(space.Allows(1));
        Assert.False(space.Allows(2));
    }

    [Fact]
    public void Space_BadAxes_ListEveryProblemWithTheRule()
    {
        var e = Assert.Throws<ArgumentException>(() => ParameterSpace.Create(SmaCross, [ParameterAxis.Parse("fsat=5,6"), ParameterAxis.Parse("slow=1,50"), ParameterAxis.Parse("slow=60")], ["fast <"]));
        Assert.Contains("unknown parameter 'fsat'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'fast'", e.Message, StringComparison.Ordinal);
        Assert.Contains("parameter 'slow': every value must be between its min 3 and max 400; got 1.", e.Message, StringComparison.Ordinal);
        Assert.Contains("parameter 'slow' is swept twice", e.Message, StringComparison.Ordinal);
        Assert.Contains("constraint expression 'fast <'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Space_FractionsForAWholeNumberParameter_AreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => ParameterSpace.Create(SmaCross, [ParameterAxis.Parse("fast=5:10:2.5")]));
        Assert.Contains("parameter 'fast' takes whole numbers (its default and bounds have no fraction); got 7.5.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sweep_NoCombinationMeetsTheConstraints_SaysSo()
    {
        var random = Assert.Throws<ArgumentException>(() => Sweep.Prepare(Grid("fast > slow + 100") with { Method = SearchMethod.Random }));
        Assert.Contains("no combination meets the constraints (fast > slow + 100) among the 110 grid points", random.Message, StringComparison.Ordinal);
        var grid = Assert.Throws<ArgumentException>(() => Execute(Grid("fast > slow + 100")));
        Assert.Contains("no combination meets the constraints", grid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sweep_CacheOfAnotherSeries_IsRefusedUpFront()
    {
        var cache = new IndicatorColumnCache();
        cache.Bind(TestBars.RandomWalk(50));
        var e = Assert.Throws<InvalidOperationException>(() => Execute(Grid(), new LocalExecution { Cache = cache }));
        Assert.Contains("an indicator column cache belongs to one bar series", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expression_DivisionByZeroAndNaN_FollowTheRuleLanguage()
    {
        Assert.True(double.IsNaN(ScalarExpression.Parse("a / b", ["a", "b"]).Evaluate([1, 0])));
        Assert.False(ScalarExpression.Parse("a != b", ["a", "b"]).IsTrue([double.NaN, 1]));
    }

    [Fact]
    public void Expression_Arithmetic_Functions_AndErrors()
    {
        var e = ScalarExpression.Parse("max(a, b) * 2 - abs(c) / 4 + sqrt(d)", ["a", "b", "c", "d"]);
        Assert.Equal((5 * 2) - (8 / 4.0) + 3, e.Evaluate([1, 5, -8, 9]));
        Assert.False(e.IsBoolean);
        var condition = ScalarExpression.Parse("a < b and not (c == 1)", ["a", "b", "c"]);
        Assert.True(condition.IsBoolean);
        Assert.True(condition.IsTrue([1, 2, 0]));
        Assert.False(condition.IsTrue([1, 2, 1]));
        Assert.False(ScalarExpression.Parse("a > 0", ["a"]).IsTrue([double.NaN]));
        var unknown = Assert.Throws<FormatException>(() => ScalarExpression.Parse("sharpee > 1", ["sharpe", "sortino"]));
        Assert.Contains("unknown name 'sharpee'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'sharpe'", unknown.Message, StringComparison.Ordinal);
        var arity = Assert.Throws<FormatException>(() => ScalarExpression.Parse("abs(a, b)", ["a", "b"]));
        Assert.Contains("abs takes 1 argument; got 2", arity.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GridSweep_EveryRankedTrial_EqualsItsOwnBacktest()
    {
        var result = Execute(Grid("fast < slow"), new LocalExecution { Workers = 2 });
        Assert.Equal(Enumerable.Range(0, 10).Sum(f => Enumerable.Range(0, 11).Count(s => (2 + (2 * f)) < (10 + (5 * s)))), result.Result.Combinations);
        Assert.NotEmpty(result.Result.Top);
        foreach (var trial in result.Result.Top)
        {
            var alone = BacktestEngine.Run(Bars, StrategyCompiler.Compile(SmaCross, new Dictionary<string, double> { ["fast"] = trial.Parameters[0], ["slow"] = trial.Parameters[1] }));
            Assert.Equal(alone.Metrics, trial.Metrics);
            Assert.Equal(alone.Metrics.Sharpe, trial.Objective);
        }

        for (var i = 1; i < result.Result.Top.Count; i++)
        {
            Assert.True(TrialResult.Rank(result.Result.Top[i - 1], result.Result.Top[i]) < 0);
        }
    }

    [Fact]
    public void Result_IsIdentical_ForAnyShardingAndOrder()
    {
        var sweep = Sweep.Prepare(Grid("fast < slow"));
        var one = Shard(sweep, new SweepShard(0, 0, sweep.Positions, 0));
        var cache = new IndicatorColumnCache();
        foreach (var size in new[] { 1, 7, 13, 50 })
        {
            var shards = Cut(sweep.Positions, size);
            var pieces = shards.Select(s => Shard(sweep, s, cache)).Reverse().ToList();
            AssertSame(one, SweepResult.Merge(pieces));
        }
    }

    [Fact]
    public void Merge_IsAssociativeCommutativeAndIdempotent()
    {
        var sweep = Sweep.Prepare(Grid());
        var shards = Cut(sweep.Positions, 37);
        var cache = new IndicatorColumnCache();
        var pieces = shards.Select(s => Shard(sweep, s, cache)).ToArray();
        var (a, b, c) = (pieces[0], pieces[1], pieces[2]);
        AssertSame(SweepResult.Merge(SweepResult.Merge(a, b), c), SweepResult.Merge(a, SweepResult.Merge(b, c)));
        AssertSame(SweepResult.Merge(a, b), SweepResult.Merge(b, a));
        AssertSame(SweepResult.Merge(a, b), SweepResult.Merge([a, b, b, a]));
        var all = SweepResult.Merge(pieces);
        AssertSame(all, SweepResult.Merge(all, pieces[1]));
        Assert.Equal(sweep.Positions, all.Combinations);
    }

    [Fact]
    public void Merge_RefusesOverlappingShardsAndOtherSweeps()
    {
        var sweep = Sweep.Prepare(Grid());
        var x = Shard(sweep, new SweepShard(0, 0, 10, 10));
        var y = Shard(sweep, new SweepShard(1, 5, 15, 10));
        var overlap = Assert.Throws<ArgumentException>(() => SweepResult.Merge(x, y));
        Assert.Contains("shards must cover disjoint positions; 0…9 overlaps 5…14", overlap.Message, StringComparison.Ordinal);
        var other = Sweep.Prepare(Grid() with { Seed = 99 });
        var z = Shard(other, new SweepShard(0, 20, 30, 10));
        Assert.Throws<ArgumentException>(() => SweepResult.Merge(x, z));
    }

    [Fact]
    public void IndicatorColumns_AreComputedOncePerDistinctValue()
    {
        var cache = new IndicatorColumnCache();
        var definition = Grid();
        var result = Execute(definition, new LocalExecution { Workers = 2, Cache = cache });
        var distinct = definition.Axes.SelectMany(a => a.Values).Distinct().Count();
        Assert.Equal(110, result.Result.Combinations);
        Assert.Equal(distinct, cache.Count);
        Assert.Equal(distinct, cache.Computed);
    }

    [Fact]
    public void Plan_SizesShardsByDuration_AndCoversEveryPosition()
    {
        var sweep = Sweep.Prepare(Grid("fast < slow"));
        var allowed = Sweep.CountCombinations(sweep, TestContext.Current.CancellationToken);

        // 600 bars × 1000 ns = 0.6 ms per combination; a 6 ms target gives 10 per shard.
        var plan = Sweep.Plan(sweep, Bars.Count, new ShardSizing { TargetDuration = TimeSpan.FromMilliseconds(6), NanosecondsPerBar = 1000 }, TestContext.Current.CancellationToken);
        Assert.Equal(0, plan[0].Start);
        Assert.Equal(sweep.Positions, plan[^1].End);
        for (var i = 1; i < plan.Count; i++)
        {
            Assert.Equal(plan[i - 1].End, plan[i].Start);
        }

        Assert.All(plan.SkipLast(1), s => Assert.Equal(10, s.Combinations));
        Assert.Equal(allowed, plan.Sum(s => s.Combinations));
        Assert.Equal((int)Math.Ceiling(allowed / 10.0), plan.Count);

        var longer = Sweep.Plan(sweep, Bars.Count, new ShardSizing { TargetDuration = TimeSpan.FromMilliseconds(60), NanosecondsPerBar = 1000 }, TestContext.Current.CancellationToken);
        Assert.True(longer.Count < plan.Count);
        var atLeast = Sweep.Plan(sweep, Bars.Count, new ShardSizing { TargetDuration = TimeSpan.FromHours(1), MinimumShards = 8 }, TestContext.Current.CancellationToken);
        Assert.Equal(8, atLeast.Count);
    }

    [Fact]
    public void Workers_DoNotChangeTheResult()
    {
        var one = Execute(Grid("fast < slow"), new LocalExecution { Workers = 1 });
        var two = Execute(Grid("fast < slow"), new LocalExecution { Workers = 2, TargetShardDuration = TimeSpan.FromMilliseconds(1) });
        AssertSame(one.Result, two.Result);
        Assert.True(two.Shards > one.Shards || two.Shards >= 8);
    }

    [Fact]
    public void RandomSearch_IsReproducibleFromItsSeed_AndMeetsConstraints()
    {
        var definition = Grid("fast < slow") with { Method = SearchMethod.Random, Samples = 30, Seed = 5 };
        var a = Sweep.Prepare(definition);
        var b = Sweep.Prepare(definition);
        var c = Sweep.Prepare(definition with { Seed = 6 });
        Assert.Equal(30, a.Candidates!.Count);
        Assert.Equal(a.Candidates, b.Candidates);
        Assert.NotEqual(a.Candidates, c.Candidates);
        Assert.Equal(30, a.Candidates.Distinct().Count());
        Assert.All(a.Candidates, i => Assert.True(a.Space.Allows(i)));
        var more = Sweep.Prepare(definition with { Samples = 10_000 });
        Assert.Equal(Sweep.CountCombinations(Sweep.Prepare(Grid("fast < slow")), TestContext.Current.CancellationToken), more.Candidates!.Count);

        var run = Execute(definition);
        Assert.Equal(30, run.Result.Combinations);
        AssertSame(run.Result, Execute(definition).Result);
    }

    [Fact]
    public void Adaptive_HalvesOnLongerWindows_CountsEveryTrial_AndIsReproducible()
    {
        var definition = Grid() with { Method = SearchMethod.Adaptive, Samples = 45, Seed = 3, HalvingRate = 3, Rungs = 3, Top = 5 };
        var a = Execute(definition);
        Assert.Equal(3, a.Rungs.Count);
        Assert.Equal([45L, 15, 5], a.Rungs.Select(r => r.Candidates));
        Assert.Equal([15, 5, 0], a.Rungs.Select(r => r.Survivors));
        Assert.Equal(Bars.Count / 9, a.Rungs[0].Range.Length);
        Assert.Equal(Bars.Count, a.Rungs[0].Range.End);
        Assert.Equal(new BarRange(0, Bars.Count), a.Rungs[2].Range);
        Assert.Equal(45, a.Trials);
        Assert.Equal(5, a.Result.Combinations);
        Assert.Equal(65, a.Backtests);
        Assert.Equal(a.Result.DeflatedSharpeFor(45, a.TrialSharpes), a.DeflatedSharpe);

        // The deflation uses the first rung's Sharpe ratios (all 45 candidates), not the 5 survivors'.
        // (trials without a defined Sharpe ratio on the short window, e.g. with no trade, do not count).
        Assert.InRange(a.TrialSharpes.Count, 6, 45);
        var b = Execute(definition);
        AssertSame(a.Result, b.Result);

        // The final rung's winner re-run alone over all bars reports the same metrics.
        var best = a.Result.Best!;
        var alone = BacktestEngine.Run(Bars, StrategyCompiler.Compile(SmaCross, new Dictionary<string, double> { ["fast"] = best.Parameters[0], ["slow"] = best.Parameters[1] }));
        Assert.Equal(alone.Metrics, best.Metrics);
    }

    [Fact]
    public void Objectives_MinTradesAndRequirements_DecideWhatIsRanked()
    {
        var byCagr = Execute(Grid() with { Objective = new SweepObjective("cagr") }).Result;
        Assert.All(byCagr.Top, t => Assert.Equal(t.Metrics.Cagr, t.Objective));
        var custom = Execute(Grid() with { Objective = new SweepObjective("totalReturn / abs(maxDrawdown)") }).Result;
        Assert.All(custom.Top, t => Assert.Equal(t.Metrics.TotalReturn / Math.Abs(t.Metrics.MaxDrawdown), t.Objective));
        var returnDd = Execute(Grid() with { Objective = new SweepObjective("return-dd") }).Result;
        Assert.Equal(custom.Top.Select(t => t.Index), returnDd.Top.Select(t => t.Index));

        var plain = Execute(Grid()).Result;
        var minTrades = plain.Top.Max(t => t.Metrics.TradeCount);
        var strict = Execute(Grid() with { MinTrades = minTrades }).Result;
        Assert.All(strict.Top, t => Assert.True(t.Metrics.TradeCount >= minTrades));
        Assert.True(strict.Totals.Unranked > 0);
        Assert.Equal(strict.Combinations, strict.Totals.Unranked + strict.Totals.Objective.Count);

        var required = Execute(Grid() with { Requirements = ["maxDrawdown > -0.05"] }).Result;
        Assert.All(required.Top, t => Assert.True(t.Metrics.MaxDrawdown > -0.05));

        var bad = Assert.Throws<ArgumentException>(() => Sweep.Prepare(Grid() with { Objective = new SweepObjective("sharp") }));
        Assert.Contains("Did you mean 'sharpe'", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TopList_IsBounded_AndStatisticsCoverEveryTrial()
    {
        var result = Execute(Grid() with { Top = 3 }).Result;
        Assert.Equal(3, result.Top.Count);
        Assert.Equal(110, result.Combinations);
        Assert.Equal(110, result.Totals.Objective.Count + result.Totals.Unranked);
        Assert.Equal(result.Top[0].Objective, result.Totals.Objective.Maximum);
        Assert.Equal(110, result.PboSample.Count);
        var capped = Execute(Grid() with { PboTrials = 40 }).Result;
        Assert.Equal(40, capped.PboSample.Count);
        Assert.Equal(40, capped.Pbo.Trials);
    }

    [Fact]
    public void Overfitting_StatisticsAreAttached_AndInRange()
    {
        var result = Execute(Grid());
        Assert.InRange(result.DeflatedSharpe, 0, 1);
        Assert.InRange(result.Pbo.Probability, 0, 1);
        Assert.Equal(20, result.Pbo.Splits);
        Assert.Equal(6, result.Pbo.Blocks);

        // More trials deflate harder.
        Assert.True(result.Result.DeflatedSharpeFor(100_000) < result.Result.DeflatedSharpeFor(2));
    }

    [Fact]
    public void Progress_ReachesTheTotal_AndCancellationStops()
    {
        var reports = new List<SweepProgress>();
        var progress = new SyncProgress(p =>
        {
            lock (reports)
            {
                reports.Add(p);
            }
        });
        Execute(Grid(), new LocalExecution { Workers = 2, Progress = progress });
        Assert.Equal(110, reports.Max(r => r.Done));
        Assert.All(reports, r => Assert.Equal(110, r.Total));

        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => LocalSweepExecutor.Run(Grid(), Bars, null, cancel.Token));
    }

    [Fact]
    public void ExactMoments_DoNotDependOnOrder()
    {
        var random = new Random(4);
        var values = Enumerable.Range(0, 1000).Select(_ => (random.NextDouble() - 0.5) * 3).ToArray();
        var forward = values.Aggregate(ExactMoments.Empty, (m, v) => m.Add(v));
        var backward = values.Reverse().Aggregate(ExactMoments.Empty, (m, v) => m.Add(v));
        var halves = values.Take(300).Aggregate(ExactMoments.Empty, (m, v) => m.Add(v)).Combine(values.Skip(300).Aggregate(ExactMoments.Empty, (m, v) => m.Add(v)));
        Assert.Equal(forward, backward);
        Assert.Equal(forward, halves);
        var mean = values.Average();
        Assert.Equal(mean, forward.Mean, 1e-11);
        Assert.Equal(values.Sum(v => (v - mean) * (v - mean)) / 999, forward.Variance, 1e-10);
        Assert.Equal(1000, forward.Add(double.NaN).Add(double.PositiveInfinity).Count);
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(5, 10)]
    [InlineData(11, 4)]
    [InlineData(600, 10)]
    [InlineData(2521, 16)]
    public void ReturnProfile_CutsReturnsIntoEqualBlocks_AndMeasuresMoments(int bars, int blocks)
    {
        var equity = Enumerable.Range(0, bars).Select(i => 100 + (i % 7) - (0.5 * (i % 3))).ToArray();
        var metrics = BacktestEngine.Run(TestBars.RandomWalk(10), StrategyCompiler.Compile(SmaCross)).Metrics;
        var (profile, block) = ReturnProfile.Measure(equity, metrics, blocks);
        var returns = Enumerable.Range(1, bars - 1).Select(t => (equity[t] / equity[t - 1]) - 1).ToArray();
        for (var b = 0; b < blocks; b++)
        {
            var mine = Enumerable.Range(0, returns.Length).Where(p => (long)p * blocks / returns.Length == b).ToArray();
            Assert.Equal(mine.Length, block.Count[b]);
            Assert.Equal(mine.Sum(p => returns[p]), block.Sum[b], 12);
            Assert.Equal(mine.Sum(p => returns[p] * returns[p]), block.SumOfSquares[b], 12);
        }

        Assert.Equal(returns.Length, profile.Count);
        var mean = returns.Average();
        Assert.Equal(mean, profile.Mean, 12);
        if (returns.Length >= 2)
        {
            var m2 = returns.Sum(r => (r - mean) * (r - mean)) / returns.Length;
            var m3 = returns.Sum(r => Math.Pow(r - mean, 3)) / returns.Length;
            var m4 = returns.Sum(r => Math.Pow(r - mean, 4)) / returns.Length;
            Assert.Equal(Math.Sqrt(m2 * returns.Length / (returns.Length - 1)), profile.StandardDeviation, 12);
            Assert.Equal(m3 / Math.Pow(m2, 1.5), profile.Skewness, 9);
            Assert.Equal(m4 / (m2 * m2), profile.Kurtosis, 9);
        }

        Assert.Equal(metrics.Sharpe / Math.Sqrt(metrics.BarsPerYear), profile.Sharpe);
    }

    [Fact]
    public void RangeRun_TradesOnlyInsideTheRange_WithWarmIndicators()
    {
        var strategy = StrategyCompiler.Compile(SmaCross, new Dictionary<string, double> { ["fast"] = 5, ["slow"] = 50 });
        var full = BacktestEngine.Run(Bars, strategy);
        var whole = BacktestEngine.Run(Bars, strategy, null, null, new BarRange(0, Bars.Count));
        Assert.Equal(full.Metrics, whole.Metrics);
        Assert.Equal(full.Manifest.Hash, whole.Manifest.Hash);

        var range = new BarRange(300, 200);
        var part = BacktestEngine.Run(Bars, strategy, null, null, range);
        Assert.Equal(200, part.Equity.Length);
        Assert.Equal(Bars.Time[300], part.Time[0]);
        Assert.All(part.Trades, t => Assert.InRange(t.EntryTime, Bars.Time[300], Bars.Time[499]));
        Assert.NotEqual(full.Manifest.Hash, part.Manifest.Hash);

        // The slow average is ready on the range's first bar: the signals match the full run's inside the range.
        var fullEntries = full.Orders.Where(o => o.Purpose == OrderPurpose.Entry && o.Time >= Bars.Time[300] && o.Time <= Bars.Time[498]).Select(o => o.Time).ToList();
        var partEntries = part.Orders.Where(o => o.Purpose == OrderPurpose.Entry && o.Time <= Bars.Time[498]).Select(o => o.Time).ToList();
        Assert.NotEmpty(partEntries);
        Assert.Equal(fullEntries, partEntries);
        var bad = Assert.Throws<ArgumentException>(() => BacktestEngine.Run(Bars, strategy, null, null, new BarRange(500, 200)));
        Assert.Contains("start + length ≤ 600; got start 500, length 200", bad.Message, StringComparison.Ordinal);
    }

    private static OptimizationResult Execute(SweepDefinition definition, LocalExecution? execution = null) =>
        LocalSweepExecutor.Run(definition, Bars, execution, TestContext.Current.CancellationToken);

    private static SweepResult Shard(PreparedSweep sweep, SweepShard shard, IndicatorColumnCache? cache = null) =>
        Sweep.RunShard(sweep, Bars, shard, cache, null, TestContext.Current.CancellationToken);

    private static List<SweepShard> Cut(long positions, int size)
    {
        var shards = new List<SweepShard>();
        for (long start = 0; start < positions; start += size)
        {
            shards.Add(new SweepShard(shards.Count, start, Math.Min(positions, start + size), 0));
        }

        return shards;
    }

    private static void AssertSame(SweepResult expected, SweepResult actual)
    {
        Assert.Equal(expected.Combinations, actual.Combinations);
        Assert.Equal(expected.Totals with { }, actual.Totals with { });
        Assert.Equal(expected.Totals.Objective, actual.Totals.Objective);
        Assert.Equal(expected.Totals.Sharpe, actual.Totals.Sharpe);
        Assert.Equal(expected.Top.Select(t => t.Index), actual.Top.Select(t => t.Index));
        Assert.Equal(expected.Top.Select(t => t.Objective), actual.Top.Select(t => t.Objective));
        Assert.Equal(expected.Top.Select(t => t.Metrics), actual.Top.Select(t => t.Metrics));
        Assert.Equal(expected.PboSample.Select(e => e.Index), actual.PboSample.Select(e => e.Index));
        Assert.Equal(expected.DeflatedSharpe, actual.DeflatedSharpe);
        Assert.Equal(expected.Pbo.Probability, actual.Pbo.Probability);
        Assert.Equal(expected.Pbo.Logits, actual.Pbo.Logits);
    }

    private sealed class SyncProgress(Action<SweepProgress> action) : IProgress<SweepProgress>
    {
        public void Report(SweepProgress value) => action(value);
    }
}
