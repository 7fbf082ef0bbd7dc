using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Tests.Fixtures;

namespace SigmaFlow.Core.Tests.Indicators;

/// <summary>
/// Every catalog indicator's streaming form equals its batch form bit for bit, bar by bar, when the forming bar is
/// revised many times (ticks in shuffled order), duplicated, and when late bars arrive.
/// </summary>
public sealed class StreamingEquivalenceTests
{
    private static readonly BarSeries Bars = TestBars.RandomWalk(400, seed: 11);

    public static TheoryData<string> Specs()
    {
        var data = new TheoryData<string>();
        foreach (var definition in IndicatorCatalog.All)
        {
            data.Add(definition.Name);
        }

        // Non-default shapes that take other code paths.
        data.Add("stoch(9,3,3,5,4,1)");
        data.Add("stoch(5,10,1)");
        data.Add("psar(0.02,0.2,0.01)");
        data.Add("ema(hl2, 9)");
        data.Add("sma(volume, 5)");
        data.Add("vwap(1600000600)");
        data.Add("kama(5,2,20)");
        data.Add("bb(5,1.5)");
        data.Add("linreg(2)");
        data.Add("sma(1)");
        return data;
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Stream_RevisedDuplicatedAndLateBars_EqualsBatchBitForBit(string spec)
    {
        var (definition, arguments) = IndicatorCatalog.Parse(spec);
        var batch = definition.Calculate(Bars, arguments);
        var live = definition.CreateLive(arguments);
        var random = new TestBars.XorShift(5);

        for (var i = 0; i < Bars.Count; i++)
        {
            var final = Bars[i];

            // The bar forms from a few ticks in shuffled order: open first, then partial highs/lows, then the close.
            var forming = new Ohlcv(final.Time, final.Open, final.Open, final.Open, final.Open, 0);
            Assert.Equal(StreamUpdate.Added, live.Update(forming));
            var ticks = (int)(random.Next() * 6);
            for (var t = 0; t < ticks; t++)
            {
                var price = final.Low + ((final.High - final.Low) * random.Next());
                forming = forming with
                {
                    High = Math.Max(forming.High, price),
                    Low = Math.Min(forming.Low, price),
                    Close = price,
                    Volume = forming.Volume + (final.Volume / 10),
                };
                Assert.Equal(StreamUpdate.Revised, live.Update(forming));
            }

            Assert.Equal(StreamUpdate.Revised, live.Update(final));

            // A duplicate delivery of the final bar changes nothing.
            Assert.Equal(StreamUpdate.Revised, live.Update(final));

            // A late bar (older than the forming one) is rejected and changes nothing.
            if (i > 0)
            {
                Assert.Equal(StreamUpdate.RejectedLate, live.Update(Bars[i - 1] with { Close = Bars[i - 1].Close * 1.5 }));
            }

            for (var f = 0; f < definition.Outputs.Count; f++)
            {
                var expected = definition.Outputs[f].LookAhead ? double.NaN : batch.Columns[f][i];
                var actual = live.Values[f];
                if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual) && !(double.IsNaN(expected) && double.IsNaN(actual)))
                {
                    Assert.Fail($"{spec} field {definition.Outputs[f].Name} at bar {i}: batch {expected:R}, stream {actual:R}.");
                }
            }
        }

        Assert.Equal(Bars.Count, live.Count);
    }

    [Fact]
    public void Add_TimeNotAfterLast_ThrowsAndKeepsState()
    {
        var (definition, arguments) = IndicatorCatalog.Parse("sma(3)");
        var live = definition.CreateLive(arguments);
        live.Add(Bars[0]);
        live.Add(Bars[1]);
        var ex = Assert.Throws<ArgumentException>(() => live.Add(Bars[0]));
        Assert.Contains("not after the last bar time", ex.Message, StringComparison.Ordinal);
        live.Add(Bars[2]);
        var batch = definition.Calculate(Bars.Slice(0, 3), arguments);
        Assert.Equal(batch.Columns[0][2], live.Values[0]);
    }

    [Fact]
    public void ReviseLast_BeforeAnyBar_Throws()
    {
        var (definition, arguments) = IndicatorCatalog.Parse("ema(3)");
        var live = definition.CreateLive(arguments);
        Assert.Throws<InvalidOperationException>(() => live.ReviseLast(Bars[0]));
    }

    [Fact]
    public void ReviseLast_DifferentTime_Throws()
    {
        var (definition, arguments) = IndicatorCatalog.Parse("ema(3)");
        var live = definition.CreateLive(arguments);
        live.Add(Bars[0]);
        var ex = Assert.Throws<ArgumentException>(() => live.ReviseLast(Bars[1]));
        Assert.Contains("must keep the bar time", ex.Message, StringComparison.Ordinal);
    }
}
