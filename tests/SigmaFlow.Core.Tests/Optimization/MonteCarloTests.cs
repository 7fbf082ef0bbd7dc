using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Optimization.MonteCarlo;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Tests.Fixtures;

namespace SigmaFlow.Core.Tests.Optimization;

/// <summary>Monte Carlo robustness analysis: reproducibility, the trade-path model worked by hand, and every method's edge cases.</summary>
public sealed class MonteCarloTests
{
    private const double OneYear = 1.0;

    private static readonly BarSeries Walk = TestBars.RandomWalk(3000, seed: 11);

    private static readonly CompiledStrategy SmaCross = StrategyCompiler.Compile(new StrategyDocument
    {
        Name = "sma-cross",
        Long = new StrategySide { Entry = SourceText.Of("crossover(sma(close, 5), sma(close, 20))"), Exit = SourceText.Of("crossunder(sma(close, 5), sma(close, 20))") },
        Sizing = new SizingRule(SizingMode.PercentEquity, 90),
    });

    private static readonly BacktestOptions WithCosts = new()
    {
        Commission = new CommissionModel(CommissionKind.Percent, 0.1m),
        Slippage = new SlippageModel(SlippageKind.BasisPoints, 5),
    };

    private static readonly BacktestResult Baseline = Rerun(WithCosts);

    [Fact]
    public void Fixture_Baseline_HasEnoughTrades()
    {
        Assert.True(Baseline.Trades.Count >= 30, $"the fixture should trade often; got {Baseline.Trades.Count} trades");
    }

    [Fact]
    public void Run_SameSeed_IdenticalReport()
    {
        var options = new MonteCarloOptions { Paths = 200, Seed = 42 };
        var a = MonteCarloAnalysis.Run(Baseline, options, Rerun, cancellationToken: TestContext.Current.CancellationToken);
        var b = MonteCarloAnalysis.Run(Baseline, options, Rerun, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(4, a.Methods.Count);
        Assert.All(a.Methods, m => Assert.Null(m.SkippedReason));
        Assert.Equal(a.Methods, b.Methods);
        Assert.Equal(42UL, a.Seed);
        Assert.Same(options, a.Options);
    }

    [Fact]
    public void Run_DifferentSeed_DifferentBands()
    {
        var a = MonteCarloAnalysis.Run(Baseline, new MonteCarloOptions { Paths = 200, Seed = 1 }, Rerun, cancellationToken: TestContext.Current.CancellationToken);
        var b = MonteCarloAnalysis.Run(Baseline, new MonteCarloOptions { Paths = 200, Seed = 2 }, Rerun, cancellationToken: TestContext.Current.CancellationToken);

        for (var i = 0; i < a.Methods.Count; i++)
        {
            Assert.Equal(a.Methods[i].Method, b.Methods[i].Method);
            Assert.NotEqual(a.Methods[i].MaxDrawdown, b.Methods[i].MaxDrawdown);
        }
    }

    [Fact]
    public void Run_ParallelAndSerial_IdenticalReport()
    {
        var serial = MonteCarloAnalysis.Run(Baseline, new MonteCarloOptions { Paths = 64, MaxDegreeOfParallelism = 1 }, Rerun, cancellationToken: TestContext.Current.CancellationToken);
        var parallel = MonteCarloAnalysis.Run(Baseline, new MonteCarloOptions { Paths = 64, MaxDegreeOfParallelism = 8 }, Rerun, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Null(serial.Methods[3].SkippedReason);
        Assert.Equal(MonteCarloMethod.Costs, serial.Methods[3].Method);
        Assert.Equal(serial.Methods, parallel.Methods);
    }

    [Fact]
    public void Reshuffle_EveryPath_KeepsFinalEquityAndChangesThePath()
    {
        var returns = new double[Baseline.Trades.Count];
        Assert.Null(TradePath.ReturnsOnEquity(Baseline.Trades, Baseline.Options.InitialCash, returns));
        var buffer = new double[returns.Length];
        var original = TradePath.Evaluate(returns, 100_000, 50_000, OneYear);
        var drawdowns = new HashSet<double>();
        for (var path = 0; path < 300; path++)
        {
            var random = new Xoshiro256StarStar(MonteCarloAnalysis.PathSeed(7, MonteCarloMethod.Reshuffle, path));
            var count = MonteCarloAnalysis.DrawPath(MonteCarloMethod.Reshuffle, returns, buffer, random, 0);
            var stats = TradePath.Evaluate(buffer.AsSpan(0, count), 100_000, 50_000, OneYear);
            Assert.Equal(returns.Length, count);
            Assert.Equal(original.FinalEquity, stats.FinalEquity, 1e-9 * original.FinalEquity);
            drawdowns.Add(stats.MaxDrawdown);
        }

        Assert.True(drawdowns.Count > 100, $"reshuffling should change the path; got {drawdowns.Count} distinct drawdowns");

        var report = MonteCarloAnalysis.Run(Baseline, new MonteCarloOptions { Paths = 300, Methods = [MonteCarloMethod.Reshuffle] }, cancellationToken: TestContext.Current.CancellationToken);
        var reshuffle = Assert.Single(report.Methods);
        var final = reshuffle.Baseline.FinalEquity;
        Assert.Equal(final, reshuffle.FinalEquity.P5, 1e-9 * final);
        Assert.Equal(final, reshuffle.FinalEquity.P95, 1e-9 * final);
        Assert.True(reshuffle.MaxDrawdown.P5 < reshuffle.MaxDrawdown.P95);
    }

    [Fact]
    public void TradeBaseline_CompoundsReturnsOnEquity_ToTheClosedTradePnl()
    {
        var report = MonteCarloAnalysis.Run(Baseline, new MonteCarloOptions { Paths = 10, Methods = [MonteCarloMethod.Bootstrap] }, cancellationToken: TestContext.Current.CancellationToken);
        var expected = (double)(Baseline.Options.InitialCash + Baseline.Trades.Sum(t => t.Pnl));
        Assert.Equal(expected, report.Methods[0].Baseline.FinalEquity, 1e-9 * expected);
    }

    [Fact]
    public void ReturnsOnEquity_HandChecked()
    {
        // Equity before each trade: 100, 110, 88, 110.
        var trades = new[] { Trade(10m), Trade(-22m), Trade(22m), Trade(-55m) };
        var returns = new double[4];
        Assert.Null(TradePath.ReturnsOnEquity(trades, 100m, returns));
        Assert.Equal([0.10, -0.20, 0.25, -0.50], returns);
    }

    [Fact]
    public void ReturnsOnEquity_EquityNotPositive_ReasonNamesTheTrade()
    {
        var trades = new[] { Trade(-100m), Trade(5m) };
        var reason = TradePath.ReturnsOnEquity(trades, 100m, new double[2]);
        Assert.Equal("the equity before trade 1 is 0, not positive, so its return on equity is undefined", reason);
    }

    [Fact]
    public void Evaluate_OriginalOrder_HandChecked()
    {
        // E: 100 → 110 → 88 → 110 → 55. Peak 110, deepest 55 / 110 − 1 = −0.5; ruin level 60 reached at the end.
        var stats = TradePath.Evaluate([0.10, -0.20, 0.25, -0.50], 100, 60, OneYear);
        Assert.Equal(55, stats.FinalEquity, 1e-12);
        Assert.Equal(-0.5, stats.MaxDrawdown, 1e-12);
        Assert.True(stats.Ruined);

        // mean −0.0875, sample stdev sqrt(0.331875 / 3), four trades in one year → × sqrt(4).
        Assert.Equal(-0.5261522196019801, stats.Sharpe, 1e-12);
    }

    [Fact]
    public void Evaluate_FixedPermutations_HandChecked()
    {
        // E: 100 → 125 → 100 → 110 → 55. Deepest 55 / 125 − 1 = −0.56; never at or below 50.
        var gainsFirst = TradePath.Evaluate([0.25, -0.20, 0.10, -0.50], 100, 50, OneYear);
        Assert.Equal(55, gainsFirst.FinalEquity, 1e-12);
        Assert.Equal(-0.56, gainsFirst.MaxDrawdown, 1e-12);
        Assert.False(gainsFirst.Ruined);

        // E: 100 → 50 → 62.5 → 50 → 55. The peak is E_0; equity exactly at the ruin level 50 counts as ruin.
        var lossFirst = TradePath.Evaluate([-0.50, 0.25, -0.20, 0.10], 100, 50, OneYear);
        Assert.Equal(55, lossFirst.FinalEquity, 1e-12);
        Assert.Equal(-0.5, lossFirst.MaxDrawdown, 1e-12);
        Assert.True(lossFirst.Ruined);

        // The same multiset of returns: the same Sharpe.
        Assert.Equal(gainsFirst.Sharpe, lossFirst.Sharpe, 1e-12);
    }

    [Fact]
    public void Evaluate_FewerThanTwoReturnsOrNoTimeSpan_SharpeNaN()
    {
        Assert.True(double.IsNaN(TradePath.Evaluate([0.1], 100, 50, OneYear).Sharpe));
        Assert.True(double.IsNaN(TradePath.Evaluate([0.1, -0.1], 100, 50, 0).Sharpe));
        Assert.True(double.IsNaN(TradePath.Evaluate([0.1, 0.1], 100, 50, OneYear).Sharpe));
        var empty = TradePath.Evaluate([], 100, 50, OneYear);
        Assert.Equal((100.0, 0.0, false), (empty.FinalEquity, empty.MaxDrawdown, empty.Ruined));
    }

    [Fact]
    public void Evaluate_WipedOut_EquityStaysAtItsLow()
    {
        // 100 → −20 (a loss of 120 %): the account is gone and the later gain does not compound the negative balance.
        var stats = TradePath.Evaluate([-1.2, 0.5], 100, 50, OneYear);
        Assert.Equal(-20, stats.FinalEquity, 1e-12);
        Assert.Equal(-1.2, stats.MaxDrawdown, 1e-12);
        Assert.True(stats.Ruined);
    }

    [Fact]
    public void Skip_ProbabilityZero_ReproducesTheBaseline()
    {
        var report = MonteCarloAnalysis.Run(Baseline, new MonteCarloOptions { Paths = 50, SkipProbability = 0, Methods = [MonteCarloMethod.Skip, MonteCarloMethod.Reshuffle] }, cancellationToken: TestContext.Current.CancellationToken);
        var skip = report.Methods[0];
        Assert.Equal(MonteCarloMethod.Skip, skip.Method);
        Assert.Equal(50, skip.Paths);
        Assert.Equal(PercentileBands.Constant(skip.Baseline.FinalEquity), skip.FinalEquity);
        Assert.Equal(PercentileBands.Constant(skip.Baseline.MaxDrawdown), skip.MaxDrawdown);
        Assert.Equal(PercentileBands.Constant(skip.Baseline.Sharpe), skip.Sharpe);
        Assert.Equal(skip.Baseline.Ruined ? 1 : 0, skip.ProbabilityOfRuin);
        Assert.False(double.IsNaN(skip.Baseline.Sharpe));

        // Both trade methods compare with the same trade-sequence baseline.
        Assert.Equal(skip.Baseline, report.Methods[1].Baseline);
    }

    [Fact]
    public void Skip_PositiveProbability_KeepsAboutTheRightShare()
    {
        var returns = new double[1000];
        Array.Fill(returns, 0.001);
        var buffer = new double[returns.Length];
        var kept = 0;
        for (var path = 0; path < 100; path++)
        {
            var random = new Xoshiro256StarStar(MonteCarloAnalysis.PathSeed(3, MonteCarloMethod.Skip, path));
            kept += MonteCarloAnalysis.DrawPath(MonteCarloMethod.Skip, returns, buffer, random, 0.3);
        }

        Assert.InRange(kept / 100_000.0, 0.69, 0.71);
    }

    [Fact]
    public void Bootstrap_DrawsBaselineReturnsWithReplacement()
    {
        double[] returns = [0.01, 0.02, 0.03, 0.04, 0.05];
        var buffer = new double[returns.Length];
        var counts = new int[returns.Length];
        var repeated = false;
        for (var path = 0; path < 2000; path++)
        {
            var random = new Xoshiro256StarStar(MonteCarloAnalysis.PathSeed(5, MonteCarloMethod.Bootstrap, path));
            Assert.Equal(5, MonteCarloAnalysis.DrawPath(MonteCarloMethod.Bootstrap, returns, buffer, random, 0));
            repeated |= buffer.Distinct().Count() < buffer.Length;
            foreach (var r in buffer)
            {
                counts[Array.IndexOf(returns, r)]++;
            }
        }

        Assert.True(repeated);
        Assert.All(counts, c => Assert.InRange(c, 1800, 2200));
    }

    [Fact]
    public void Costs_FactorOne_ReproducesTheBaselineMetricsExactly()
    {
        var options = new MonteCarloOptions { Paths = 8, CostFactorLow = 1, CostFactorHigh = 1, Methods = [MonteCarloMethod.Costs] };
        var costs = Assert.Single(MonteCarloAnalysis.Run(Baseline, options, Rerun, cancellationToken: TestContext.Current.CancellationToken).Methods);

        Assert.Null(costs.SkippedReason);
        Assert.Equal(8, costs.Paths);
        Assert.Equal(new MonteCarloBaseline(Baseline.FinalEquity, Baseline.Metrics.MaxDrawdown, Baseline.Metrics.Sharpe, false), costs.Baseline);
        Assert.Equal(PercentileBands.Constant(Baseline.FinalEquity), costs.FinalEquity);
        Assert.Equal(PercentileBands.Constant(Baseline.Metrics.MaxDrawdown), costs.MaxDrawdown);
        Assert.Equal(PercentileBands.Constant(Baseline.Metrics.Sharpe), costs.Sharpe);
        Assert.Equal(0, costs.ProbabilityOfRuin);
    }

    [Fact]
    public void Costs_ScalesCommissionAndSlippage_PassedToRerun()
    {
        var seen = new List<BacktestOptions>();
        var gate = new Lock();
        BacktestResult Recording(BacktestOptions o)
        {
            lock (gate)
            {
                seen.Add(o);
            }

            return Rerun(o);
        }

        var options = new MonteCarloOptions { Paths = 20, CostFactorLow = 0.5, CostFactorHigh = 2, Methods = [MonteCarloMethod.Costs] };
        var costs = MonteCarloAnalysis.Run(Baseline, options, Recording, cancellationToken: TestContext.Current.CancellationToken).Methods[0];

        Assert.Equal(20, seen.Count);
        Assert.All(seen, o =>
        {
            Assert.InRange(o.Commission.Rate, 0.05m, 0.2m);
            Assert.InRange(o.Slippage.Value, 2.5, 10);
            Assert.Equal(WithCosts.InitialCash, o.InitialCash);
        });

        // The factors are drawn independently: the commission scale does not fix the slippage scale.
        Assert.Contains(seen, o => Math.Abs(((double)o.Commission.Rate / 0.1) - (o.Slippage.Value / 5)) > 0.1);
        Assert.True(costs.FinalEquity.P5 < costs.FinalEquity.P95);
    }

    [Fact]
    public void Costs_HigherFactors_LowerFinalEquity()
    {
        var cheap = MonteCarloAnalysis.Run(Baseline, new MonteCarloOptions { Paths = 4, CostFactorLow = 0, CostFactorHigh = 0, Methods = [MonteCarloMethod.Costs] }, Rerun, cancellationToken: TestContext.Current.CancellationToken);
        var dear = MonteCarloAnalysis.Run(Baseline, new MonteCarloOptions { Paths = 4, CostFactorLow = 3, CostFactorHigh = 3, Methods = [MonteCarloMethod.Costs] }, Rerun, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(cheap.Methods[0].FinalEquity.P50 > Baseline.FinalEquity);
        Assert.True(dear.Methods[0].FinalEquity.P50 < Baseline.FinalEquity);
    }

    [Fact]
    public void Costs_WithoutRerun_SkippedWithReason()
    {
        var report = MonteCarloAnalysis.Run(Baseline, new MonteCarloOptions { Paths = 20 }, cancellationToken: TestContext.Current.CancellationToken);
        var costs = report.Methods[3];

        Assert.Equal(MonteCarloMethod.Costs, costs.Method);
        Assert.Equal(0, costs.Paths);
        Assert.Contains("needs a rerun function", costs.SkippedReason, StringComparison.Ordinal);
        Assert.Equal(PercentileBands.Constant(Baseline.FinalEquity), costs.FinalEquity);
        Assert.All(report.Methods.Take(3), m => Assert.Equal((20, null), (m.Paths, m.SkippedReason)));
    }

    [Fact]
    public void Costs_BaselineWithoutCosts_SkippedWithReason()
    {
        var free = Rerun(new BacktestOptions());
        var calls = 0;
        var report = MonteCarloAnalysis.Run(free, new MonteCarloOptions { Paths = 20, Methods = [MonteCarloMethod.Costs] }, o => { Interlocked.Increment(ref calls); return Rerun(o); }, cancellationToken: TestContext.Current.CancellationToken);

        var costs = Assert.Single(report.Methods);
        Assert.Equal("the baseline has neither commission nor slippage, so scaling them changes nothing", costs.SkippedReason);
        Assert.Equal(0, costs.Paths);
        Assert.Equal(0, calls);
    }

    [Fact]
    public void Run_NoTrades_TradeMethodsReportBaselineWithReason()
    {
        var idle = BacktestEngine.Run(Walk, StrategyCompiler.Compile(new StrategyDocument
        {
            Name = "idle",
            Long = new StrategySide { Entry = SourceText.Of("close < 0") },
            Sizing = new SizingRule(SizingMode.Quantity, 1),
        }));
        Assert.Empty(idle.Trades);

        var report = MonteCarloAnalysis.Run(idle, new MonteCarloOptions { Paths = 20, Methods = [MonteCarloMethod.Reshuffle, MonteCarloMethod.Bootstrap, MonteCarloMethod.Skip] }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.All(report.Methods, m =>
        {
            Assert.Equal(0, m.Paths);
            Assert.Equal("the baseline has no closed trades; the trade-sequence methods need at least one", m.SkippedReason);
            Assert.Equal(PercentileBands.Constant(100_000), m.FinalEquity);
            Assert.Equal(PercentileBands.Constant(0), m.MaxDrawdown);
            Assert.True(double.IsNaN(m.Sharpe.P50));
            Assert.Equal(0, m.ProbabilityOfRuin);
        });
    }

    [Fact]
    public void Run_Progress_MonotonicEndingAt100()
    {
        var progress = new RecordingProgress();
        MonteCarloAnalysis.Run(Baseline, new MonteCarloOptions { Paths = 500, Methods = [MonteCarloMethod.Reshuffle, MonteCarloMethod.Skip] }, progress: progress, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(100, progress.Values[^1]);
        Assert.True(progress.Values.Count > 10);
        for (var i = 1; i < progress.Values.Count; i++)
        {
            Assert.True(progress.Values[i] > progress.Values[i - 1], $"progress went from {progress.Values[i - 1]} to {progress.Values[i]}");
        }
    }

    [Fact]
    public void Run_CancelledBeforeStart_Throws()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => MonteCarloAnalysis.Run(Baseline, new MonteCarloOptions(), Rerun, cancellationToken: cancellation.Token));
    }

    [Fact]
    public void Run_CancelledDuringCosts_StopsEarly()
    {
        using var cancellation = new CancellationTokenSource();
        var calls = 0;
        BacktestResult CancelAfterFive(BacktestOptions o)
        {
            if (Interlocked.Increment(ref calls) == 5)
            {
                cancellation.Cancel();
            }

            return Rerun(o);
        }

        var options = new MonteCarloOptions { Paths = 1000, Methods = [MonteCarloMethod.Costs], MaxDegreeOfParallelism = 2 };
        Assert.ThrowsAny<OperationCanceledException>(() => MonteCarloAnalysis.Run(Baseline, options, CancelAfterFive, cancellationToken: cancellation.Token));
        Assert.InRange(calls, 5, 100);
    }

    [Fact]
    public void Run_RerunThrows_ExceptionSurfacesAsItself()
    {
        var options = new MonteCarloOptions { Paths = 10, Methods = [MonteCarloMethod.Costs] };
        var error = Assert.Throws<InvalidOperationException>(() => MonteCarloAnalysis.Run(Baseline, options, _ => throw new InvalidOperationException("boom"), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("boom", error.Message);
    }

    public static TheoryData<MonteCarloOptions, string, string> InvalidOptions() => new()
    {
        { new MonteCarloOptions { Paths = 0 }, "Paths", "Paths must be between 1 and 1000000; got 0." },
        { new MonteCarloOptions { Paths = 1_000_001 }, "Paths", "Paths must be between 1 and 1000000; got 1000001." },
        { new MonteCarloOptions { Methods = [] }, "Methods", "Methods must name at least one method; got none." },
        { new MonteCarloOptions { Methods = [MonteCarloMethod.Skip, MonteCarloMethod.Skip] }, "Methods", "Methods must not repeat a method; got Skip at indexes 0 and 1." },
        { new MonteCarloOptions { Methods = [(MonteCarloMethod)9] }, "Methods", "Methods must hold defined methods only; got 9 at index 0." },
        { new MonteCarloOptions { SkipProbability = 1 }, "SkipProbability", "SkipProbability must be at least 0 and below 1; got 1." },
        { new MonteCarloOptions { SkipProbability = -0.1 }, "SkipProbability", "SkipProbability must be at least 0 and below 1; got -0.1." },
        { new MonteCarloOptions { SkipProbability = double.NaN }, "SkipProbability", "SkipProbability must be at least 0 and below 1; got NaN." },
        { new MonteCarloOptions { CostFactorLow = -1 }, "CostFactorLow", "CostFactorLow must be a finite number of at least 0; got -1." },
        { new MonteCarloOptions { CostFactorLow = 3, CostFactorHigh = 2 }, "CostFactorHigh", "CostFactorHigh must be at least CostFactorLow (3) and at most 1000; got 2." },
        { new MonteCarloOptions { CostFactorHigh = double.PositiveInfinity }, "CostFactorHigh", "CostFactorHigh must be at least CostFactorLow (0.5) and at most 1000; got Infinity." },
        { new MonteCarloOptions { RuinThreshold = 0 }, "RuinThreshold", "RuinThreshold must be greater than 0 and at most 1; got 0." },
        { new MonteCarloOptions { RuinThreshold = 1.5 }, "RuinThreshold", "RuinThreshold must be greater than 0 and at most 1; got 1.5." },
        { new MonteCarloOptions { MaxDegreeOfParallelism = 0 }, "MaxDegreeOfParallelism", "MaxDegreeOfParallelism must be -1 (no limit) or at least 1; got 0." },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_InvalidSetting_MessageNamesFieldRuleAndValue(MonteCarloOptions options, string field, string message)
    {
        var error = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(field, error.ParamName);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);

        // Run validates before doing anything else.
        var fromRun = Assert.ThrowsAny<ArgumentException>(() => MonteCarloAnalysis.Run(Baseline, options, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(field, fromRun.ParamName);
    }

    [Fact]
    public void Validate_Defaults_Accepted()
    {
        var options = new MonteCarloOptions();
        options.Validate();
        Assert.Equal((1000, 1UL, 0.1, 0.5, 2.0, 0.5), (options.Paths, options.Seed, options.SkipProbability, options.CostFactorLow, options.CostFactorHigh, options.RuinThreshold));
        Assert.Equal([MonteCarloMethod.Reshuffle, MonteCarloMethod.Bootstrap, MonteCarloMethod.Skip, MonteCarloMethod.Costs], options.Methods);
    }

    [Fact]
    public void PathSeed_DiffersByMethodPathAndSeed()
    {
        var seeds = new HashSet<ulong>();
        foreach (var method in Enum.GetValues<MonteCarloMethod>())
        {
            for (var path = 0; path < 100; path++)
            {
                seeds.Add(MonteCarloAnalysis.PathSeed(1, method, path));
                seeds.Add(MonteCarloAnalysis.PathSeed(2, method, path));
            }
        }

        Assert.Equal(800, seeds.Count);
    }

    private static BacktestResult Rerun(BacktestOptions options) => BacktestEngine.Run(Walk, SmaCross, options);

    private static TradeRecord Trade(decimal pnl) =>
        new("TEST", TradeSide.Long, 0, 100m, 1, 100m, 1m, pnl, 0m, pnl, 1, 0, "signal");

    /// <summary>Records reports synchronously (Progress&lt;T&gt; would post them later).</summary>
    private sealed class RecordingProgress : IProgress<int>
    {
        private readonly Lock gate = new();

        public List<int> Values { get; } = [];

        public void Report(int value)
        {
            lock (gate)
            {
                Values.Add(value);
            }
        }
    }
}
