using SigmaFlow.Core.Backtesting.Performance;
using static SigmaFlow.Core.Tests.Backtesting.Performance.PerformanceFixtures;

namespace SigmaFlow.Core.Tests.Backtesting.Performance;

/// <summary>Corrupt inputs are refused with a message naming the field, the rule and the value; ParamName is the field path ("input.Equity").</summary>
public sealed class InputGuardTests
{
    [Fact]
    public void Compute_NullInput_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => PerformanceCalculator.Compute(null!));
    }

    [Fact]
    public void Compute_EquityShorterThanTime_ThrowsNamingBothLengths()
    {
        var input = Curve([100, 101, 102, 103]) with { Time = Daily(5) };

        var error = Assert.Throws<ArgumentException>(() => PerformanceCalculator.Compute(input));

        Assert.Equal("input.Equity", error.ParamName);
        Assert.Contains("Equity must have one value per bar of Time (5); got 4 values.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_BenchmarkLengthMismatch_ThrowsNamingBenchmark()
    {
        var input = Curve([100, 101, 102]) with { Benchmark = [1, 2] };

        var error = Assert.Throws<ArgumentException>(() => PerformanceCalculator.Compute(input));

        Assert.Equal("input.Benchmark", error.ParamName);
        Assert.Contains("Benchmark must be empty or have one value per bar of Equity (3); got 2 values.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-100.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Compute_InitialCashNotPositive_ThrowsNamingInitialCash(double initialCash)
    {
        var input = Curve([100, 101], initialCash: initialCash);

        var error = Assert.ThrowsAny<ArgumentException>(() => PerformanceCalculator.Compute(input));

        Assert.Equal("input.InitialCash", error.ParamName);
        Assert.Contains("InitialCash must be a finite number greater than 0; got ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_InitialCashZero_MessageShowsTheValue()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => PerformanceCalculator.Compute(Curve([100], initialCash: 0)));

        Assert.Contains("got 0.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_TimeNotIncreasing_ThrowsNamingTheBar()
    {
        var input = Curve([100, 101, 102]) with { Time = [Start, Start + Day, Start + Day] };

        var error = Assert.Throws<ArgumentException>(() => PerformanceCalculator.Compute(input));

        Assert.Equal("input.Time", error.ParamName);
        Assert.Contains("Time must be strictly increasing; got 1600086400000 at bar 2 after 1600086400000 at bar 1.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_EquityNaN_ThrowsNamingTheBar()
    {
        var error = Assert.Throws<ArgumentException>(() => PerformanceCalculator.Compute(Curve([100, double.NaN, 102])));

        Assert.Equal("input.Equity", error.ParamName);
        Assert.Contains("Equity must be finite at every bar; got NaN at bar 1.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_BarsInMarketAboveBarCount_Throws()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => PerformanceCalculator.Compute(Curve([100, 101]) with { BarsInMarket = 3 }));

        Assert.Equal("input.BarsInMarket", error.ParamName);
        Assert.Contains("BarsInMarket must be between 0 and the number of bars (2); got 3.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_NegativeTradedValue_Throws()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => PerformanceCalculator.Compute(Curve([100, 101]) with { TradedValue = -1 }));

        Assert.Equal("input.TradedValue", error.ParamName);
        Assert.Contains("got -1.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-252.0)]
    [InlineData(double.NaN)]
    public void Compute_BarsPerYearNotPositive_Throws(double barsPerYear)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => PerformanceCalculator.Compute(Curve([100, 101], barsPerYear: barsPerYear)));

        Assert.Equal("input.BarsPerYear", error.ParamName);
    }

    [Fact]
    public void Compute_RiskFreeRateNaN_Throws()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => PerformanceCalculator.Compute(Curve([100, 101]) with { RiskFreeRate = double.NaN }));

        Assert.Equal("input.RiskFreeRate", error.ParamName);
    }
}
