using SigmaFlow.Core.Data;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Platform.Jobs;

namespace SigmaFlow.Platform.Tests.Jobs;

/// <summary>The stored form of sweep results: exact round trips, so merged stored pieces equal merged originals.</summary>
public sealed class SweepResultCodecTests
{
    [Fact]
    public void EncodeDecode_RealShardResults_RoundTripBitForBit_AndMergeTheSame()
    {
        var problems = new List<JobProblem>();
        var valid = SweepRequestReader.Read(JobsTestKit.Request() with { Objective = "profit-factor" }, new SweepJobOptions(), problems)!;
        var bars = SyntheticMarket.Generate(((SyntheticBarSource)valid.Source).Options);
        var plan = Sweep.Plan(valid.Sweep, bars.Count, new ShardSizing { MinimumShards = 5 }, TestContext.Current.CancellationToken);
        var pieces = plan.Select(s => Sweep.RunShard(valid.Sweep, bars, s, cancellationToken: TestContext.Current.CancellationToken)).ToList();

        var decoded = pieces.Select(p => SweepResultCodec.Decode(SweepResultCodec.Encode(p))).ToList();

        for (var i = 0; i < pieces.Count; i++)
        {
            JobsTestKit.AssertSameResult(pieces[i], decoded[i]);
            Assert.Equal(pieces[i].Shards.Keys, decoded[i].Shards.Keys);
            Assert.Equal(pieces[i].Shards.Values, decoded[i].Shards.Values);
        }

        JobsTestKit.AssertSameResult(SweepResult.Merge(pieces), SweepResult.Merge(decoded));
    }

    [Fact]
    public void EncodeDecode_ExtremeValues_KeepEveryBit()
    {
        var moments = ExactMoments.Empty.Add(1e9).Add(-1e9).Add(0.1).Add(-0.0).Add(5e-324);
        var totals = new ShardTotals { Evaluated = 3, Excluded = 1, Unranked = 2, Failed = 1, Objective = moments, Sharpe = ExactMoments.Empty };
        var result = new SweepResult("s", "d", 5, 7, new Dictionary<ShardKey, ShardTotals> { [new ShardKey(3, 9)] = totals }, [], [new PboEntry(4, ulong.MaxValue, new Core.Optimization.Statistics.BlockReturns([double.Epsilon, -0.0], [1, 2], [3, 4]))], [new TrialFailure(2, "fast=1", "no \"quotes\" \n here")]);

        var back = SweepResultCodec.Decode(SweepResultCodec.Encode(result));

        Assert.Equal(result.Totals, back.Totals);
        Assert.Equal(double.PositiveInfinity, back.Totals.Sharpe.Minimum);
        Assert.Equal(ulong.MaxValue, back.PboSample[0].Key);
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(back.PboSample[0].Blocks.Sum[1]));
        Assert.Equal(double.Epsilon, back.PboSample[0].Blocks.Sum[0]);
        Assert.Equal(result.Failures, back.Failures);
        Assert.Equal((5, 7), (back.TopLimit, back.PboLimit));
    }

    [Fact]
    public void Decode_NotAResult_ThrowsFormatExceptionSayingSo()
    {
        var error = Assert.Throws<FormatException>(() => SweepResultCodec.Decode([1, 2, 3]));

        Assert.Contains("could not be read", error.Message, StringComparison.Ordinal);
    }
}
