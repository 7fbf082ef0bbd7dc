using SigmaFlow.Core.Backtesting;
using SigmaFlow.Platform.Jobs;

namespace SigmaFlow.Platform.Tests.Jobs;

/// <summary>Request validation: every problem at once, each naming the field, the rule and the value.</summary>
public sealed class SweepRequestReaderTests
{
    [Fact]
    public void Read_ValidRequest_PreparesTheSweepAndTheSource()
    {
        var problems = new List<JobProblem>();

        var valid = SweepRequestReader.Read(JobsTestKit.Request(), new SweepJobOptions(), problems);

        Assert.Empty(problems);
        Assert.NotNull(valid);
        Assert.Equal(110, valid.Sweep.Positions);
        Assert.Equal(["fast", "slow"], valid.Sweep.Space.Names);
        Assert.Equal("synthetic market (seed 7, 600 bars of 1d, start price 100)", valid.Source.Describe());
        Assert.Equal(12, valid.MinimumShards);
    }

    [Fact]
    public void Read_StoredText_PreparesTheSameSweepAgain()
    {
        var problems = new List<JobProblem>();
        var request = JobsTestKit.Request() with { Backtest = new BacktestOptions { InitialCash = 12_345.67m, Commission = new CommissionModel(CommissionKind.Percent, 0.1m) } };
        var first = SweepRequestReader.Read(request, new SweepJobOptions(), problems)!;

        var again = SweepRequestReader.Read(SweepRequestReader.Deserialize(first.Json), new SweepJobOptions(), problems)!;

        Assert.Empty(problems);
        Assert.Equal(first.Sweep.Hash, again.Sweep.Hash);
        Assert.Equal(first.Json, again.Json);
        Assert.Equal(12_345.67m, again.Definition.Options.InitialCash);
    }

    [Fact]
    public void Read_ManyProblems_ReportsEachWithItsFieldRuleAndValue()
    {
        var problems = new List<JobProblem>();
        var request = new SweepJobRequest
        {
            Strategy = JobsTestKit.SmaCross,
            Parameters = ["fast=2:20:2", "slwo=10:60:5", "fast=x"],
            Method = "annealing",
            Top = 0,
            ShardSeconds = -1,
            MinimumShards = 0,
            Data = new SweepDataSource { Synthetic = new SyntheticBarsSource { Bars = 10, Interval = "fortnight", StartPrice = -1 } },
        };

        var valid = SweepRequestReader.Read(request, new SweepJobOptions(), problems);

        Assert.Null(valid);
        Assert.Contains(problems, p => p.Field == "method" && p.Message.Contains("must be grid or random; got 'annealing'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "parameters[2]" && p.Message.Contains("expected a number, got 'x'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "shardSeconds" && p.Message.Contains("got -1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "minimumShards" && p.Message.Contains("got 0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "data.synthetic.bars" && p.Message.Contains("must be between 30 and 1000000; got 10", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "data.synthetic.interval" && p.Message.Contains("'fortnight'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "data.synthetic.startPrice" && p.Message.Contains("got -1", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_UnknownParameterAndBadSettings_ReportsThePrepareProblemsUnderTheirFields()
    {
        var problems = new List<JobProblem>();
        var request = JobsTestKit.Request() with { Parameters = ["fast=2:20:2", "slwo=10:60:5"], Top = 0, Constraints = ["fast <"] };

        Assert.Null(SweepRequestReader.Read(request, new SweepJobOptions(), problems));

        Assert.Contains(problems, p => p.Field == "top" && p.Message.Contains("Top must be between 1 and 100000; got 0", StringComparison.Ordinal));
        problems.Clear();
        Assert.Null(SweepRequestReader.Read(request with { Top = 5 }, new SweepJobOptions(), problems));
        Assert.Contains(problems, p => p.Field == "parameters" && p.Message.Contains("unknown parameter 'slwo'", StringComparison.Ordinal) && p.Message.Contains("slow", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "constraints" && p.Message.Contains("fast <", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_BrokenStrategy_ReportsItsLinesAndColumns()
    {
        var problems = new List<JobProblem>();
        var request = JobsTestKit.Request() with { Strategy = "name: x\nlong:\n  entry: crossover(sma(close, 10), \n" };

        Assert.Null(SweepRequestReader.Read(request, new SweepJobOptions(), problems));

        var problem = Assert.Single(problems);
        Assert.Equal("strategy", problem.Field);
        Assert.StartsWith("line 3, column", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingPieces_NamesThem()
    {
        var problems = new List<JobProblem>();

        Assert.Null(SweepRequestReader.Read(new SweepJobRequest(), new SweepJobOptions(), problems));
        Assert.Null(SweepRequestReader.Read(null, new SweepJobOptions(), problems));

        Assert.Contains(problems, p => p.Field == "strategy" && p.Message.StartsWith("is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "data" && p.Message.Contains("got nothing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "request");
    }

    [Fact]
    public void Read_BadDataSources_NamesTheField()
    {
        var options = new SweepJobOptions();
        var from = DateTimeOffset.Parse("2026-01-02T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        static List<JobProblem> Problems(SweepDataSource data, SweepJobOptions options)
        {
            var problems = new List<JobProblem>();
            SweepRequestReader.Read(JobsTestKit.Request() with { Data = data }, options, problems);
            return problems;
        }

        Assert.Contains(Problems(new SweepDataSource { Synthetic = new(), Stored = new() }, options), p => p.Field == "data" && p.Message.Contains("got both", StringComparison.Ordinal));
        Assert.Contains(Problems(new SweepDataSource { Stored = new StoredBarsSource { Symbol = "B C", From = from, To = from.AddDays(1) } }, options), p => p.Field == "data.stored.symbol" && p.Message.Contains("'B C'", StringComparison.Ordinal));
        Assert.Contains(Problems(new SweepDataSource { Stored = new StoredBarsSource { Symbol = "BTCUSD", From = from, To = from.AddDays(-1) } }, options), p => p.Field == "data.stored.to" && p.Message.Contains("must be after data.stored.from", StringComparison.Ordinal));
        Assert.Contains(Problems(new SweepDataSource { Stored = new StoredBarsSource { Symbol = "BTCUSD", To = from } }, options), p => p.Field == "data.stored.from");
        Assert.Contains(Problems(new SweepDataSource { Stored = new StoredBarsSource { Symbol = "BTCUSD", From = from, To = from.AddYears(3) } }, options), p => p.Field == "data.stored.to" && p.Message.Contains("1000000 bars of 1m", StringComparison.Ordinal));
        Assert.Contains(Problems(new SweepDataSource { Stored = new StoredBarsSource { Symbol = "BTCUSD", Timeframe = "5x", From = from, To = from.AddDays(1) } }, options), p => p.Field == "data.stored.timeframe" && p.Message.Contains("'5x'", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_GridWithSamplesOrAdaptive_IsRefusedWithTheReason()
    {
        var problems = new List<JobProblem>();

        SweepRequestReader.Read(JobsTestKit.Request() with { Samples = 10 }, new SweepJobOptions(), problems);
        SweepRequestReader.Read(JobsTestKit.Request() with { Method = "adaptive" }, new SweepJobOptions(), problems);

        Assert.Contains(problems, p => p.Field == "samples" && p.Message.Contains("random only", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "method" && p.Message.Contains("successive halving", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_RandomMethod_SamplesWithTheSeed()
    {
        var problems = new List<JobProblem>();

        var valid = SweepRequestReader.Read(JobsTestKit.Request() with { Method = "random", Samples = 20, Seed = 3 }, new SweepJobOptions(), problems);

        Assert.Empty(problems);
        Assert.Equal(20, valid!.Sweep.Positions);
    }

    [Fact]
    public void Read_FixedParameter_IsOneValueAxis_AndSweptAndFixedAtOnceIsRefused()
    {
        var problems = new List<JobProblem>();

        var valid = SweepRequestReader.Read(JobsTestKit.Request() with { Parameters = ["fast=2:20:2"], Constraints = [], Fixed = new Dictionary<string, double> { ["slow"] = 40 } }, new SweepJobOptions(), problems);
        SweepRequestReader.Read(JobsTestKit.Request() with { Fixed = new Dictionary<string, double> { ["fast"] = 4 } }, new SweepJobOptions(), problems);

        Assert.Equal(10, valid!.Sweep.Positions);
        var problem = Assert.Single(problems);
        Assert.Equal("fixed.fast", problem.Field);
    }
}
