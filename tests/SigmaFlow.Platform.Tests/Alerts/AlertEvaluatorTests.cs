using SigmaFlow.Core.Data;
using SigmaFlow.Platform.Alerts;

namespace SigmaFlow.Platform.Tests.Alerts;

/// <summary>Price crossings and rule-language conditions over bars, as scans call them.</summary>
public sealed class AlertEvaluatorTests
{
    private const long T0 = 1_767_225_600_000;
    private const long Minute = 60_000;

    private static AlertRule Crossing(CrossingDirection direction, double level = 100) => new()
    {
        Id = "lvl",
        Name = "Level",
        Condition = new PriceCrossingCondition { Symbol = "BTCUSD", Level = level, Direction = direction },
        ChannelIds = ["c"],
    };

    private static AlertRule Expression(string text) => new()
    {
        Id = "expr",
        Name = "Expression",
        Condition = new ExpressionCondition { Symbol = "BTCUSD", Expression = text },
        ChannelIds = ["c"],
    };

    private static BarSeries Bars(params double[] closes)
    {
        var builder = new BarSeriesBuilder(closes.Length);
        for (var i = 0; i < closes.Length; i++)
        {
            builder.Add(new Ohlcv(T0 + (i * Minute), closes[i], closes[i] + 1, closes[i] - 1, closes[i], 10));
        }

        return builder.Build("BTCUSD");
    }

    [Theory]
    [InlineData(99, 101, CrossingDirection.Above, true)]
    [InlineData(99, 100, CrossingDirection.Above, true)]
    [InlineData(100, 101, CrossingDirection.Above, false)]
    [InlineData(101, 102, CrossingDirection.Above, false)]
    [InlineData(101, 99, CrossingDirection.Above, false)]
    [InlineData(101, 99, CrossingDirection.Below, true)]
    [InlineData(101, 100, CrossingDirection.Below, true)]
    [InlineData(100, 99, CrossingDirection.Below, false)]
    [InlineData(99, 101, CrossingDirection.Below, false)]
    [InlineData(99, 101, CrossingDirection.Either, true)]
    [InlineData(101, 99, CrossingDirection.Either, true)]
    [InlineData(100, 100, CrossingDirection.Either, false)]
    [InlineData(double.NaN, 101, CrossingDirection.Either, false)]
    [InlineData(99, double.NaN, CrossingDirection.Either, false)]
    public void Crosses_ClosesAroundTheLevel(double previous, double current, CrossingDirection direction, bool expected)
    {
        Assert.Equal(expected, AlertEvaluator.Crosses(previous, current, 100, direction));
    }

    [Fact]
    public void Crosses_StepsThroughTheLevel_FireOncePerMove()
    {
        double[] closes = [98, 99, 100, 101, 102, 101, 100, 99, 100, 101];
        var up = Enumerable.Range(1, closes.Length - 1).Count(i => AlertEvaluator.Crosses(closes[i - 1], closes[i], 100, CrossingDirection.Above));
        var down = Enumerable.Range(1, closes.Length - 1).Count(i => AlertEvaluator.Crosses(closes[i - 1], closes[i], 100, CrossingDirection.Below));
        Assert.Equal((2, 1), (up, down));
    }

    [Fact]
    public void Evaluate_APriceCrossing_GivesACandidateWithAStableId()
    {
        var candidate = AlertEvaluator.Evaluate(Crossing(CrossingDirection.Above), Bars(97, 99, 100.5));
        Assert.NotNull(candidate);
        Assert.Equal("lvl|BTCUSD|1767225720000", candidate.Id);
        Assert.Equal("BTCUSD crossed above 100 (close 100.5, before 99)", candidate.Text);
        Assert.Equal([new("close", 100.5), new("previousClose", 99.0), new KeyValuePair<string, double?>("level", 100.0)], candidate.Values);
        var again = AlertEvaluator.Evaluate(Crossing(CrossingDirection.Above), Bars(97, 99, 100.5))!;
        Assert.Equal((candidate.Id, candidate.Text, candidate.Price), (again.Id, again.Text, again.Price));
        Assert.Equal(candidate.Values, again.Values);
        Assert.Null(AlertEvaluator.Evaluate(Crossing(CrossingDirection.Below), Bars(97, 99, 100.5)));
        Assert.Null(AlertEvaluator.Evaluate(Crossing(CrossingDirection.Above), Bars(100.5)));
        Assert.Equal("BTCUSD crossed below 100 (close 99, before 101)", AlertEvaluator.Evaluate(Crossing(CrossingDirection.Either), 101, 99, T0)!.Text);
    }

    [Fact]
    public void Evaluate_AnExpression_FiresOnTheBarsWhereItIsTrue()
    {
        var closes = new double[60];
        for (var i = 0; i < closes.Length; i++)
        {
            closes[i] = i < 40 ? 100 - (i * 0.5) : 80 + ((i - 40) * 2);
        }

        var rule = Expression("crossover(sma(close, 3), sma(close, 10))");
        var bars = Bars(closes);
        var compiled = AlertExpression.Compile("crossover(sma(close, 3), sma(close, 10))").Value!;
        var column = compiled.Evaluate(bars);
        var firing = Enumerable.Range(0, column.Length).Where(i => column[i] == 1).ToList();
        Assert.Single(firing);
        var at = firing[0];
        Assert.NotNull(AlertEvaluator.Evaluate(rule, bars.Slice(0, at + 1)));
        Assert.Null(AlertEvaluator.Evaluate(rule, bars.Slice(0, at)));
        Assert.Null(AlertEvaluator.Evaluate(rule, bars.Slice(0, at + 2)));
        var candidate = AlertEvaluator.Evaluate(rule, bars.Slice(0, at + 1))!;
        Assert.Equal($"expr|BTCUSD|{T0 + (at * Minute)}", candidate.Id);
        Assert.StartsWith("crossover(sma(close, 3), sma(close, 10)) on BTCUSD (1m), close ", candidate.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void LiveExpression_BarByBar_AgreesWithTheColumn_WithRevisedBars()
    {
        var closes = Enumerable.Range(0, 80).Select(i => 100 + (10 * Math.Sin(i / 5.0))).ToArray();
        var bars = Bars(closes);
        var expression = AlertExpression.Compile("rsi(5) > 60 and close > close[1]").Value!;
        var column = expression.Evaluate(bars);
        var live = expression.CreateLive();
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            live.Update(bar with { Close = bar.Close - 3, Low = bar.Low - 3 });
            Assert.Equal(column[i] == 1, live.Update(bar));
        }

        Assert.True(column.Count(v => v == 1) > 3);
        Assert.False(live.Update(bars[10]));
    }

    [Fact]
    public void Evaluate_ASignalRuleOrABadExpression_Throws()
    {
        var signal = new AlertRule { Id = "s", Name = "s", Condition = new SignalCondition(), ChannelIds = ["c"] };
        Assert.Contains("signal rules fire on live signals", Assert.Throws<ArgumentException>(() => AlertEvaluator.Evaluate(signal, Bars(1, 2))).Message, StringComparison.Ordinal);
        Assert.Contains("unknown name 'clse'", Assert.Throws<ArgumentException>(() => AlertEvaluator.Evaluate(Expression("clse > 1"), Bars(1, 2))).Message, StringComparison.Ordinal);
    }
}
