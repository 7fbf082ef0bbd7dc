using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Tests.Data;

/// <summary>Validation of the synthetic market settings.</summary>
public sealed class SyntheticMarketOptionsTests
{
    /// <summary>The documented defaults.</summary>
    [Fact]
    public void Default_Values_AsDocumented()
    {
        var options = SyntheticMarketOptions.Default;

        Assert.Equal(42UL, options.Seed);
        Assert.Equal(2520, options.Bars);
        Assert.Equal(DateTimeOffset.Parse("2020-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(), options.StartTime);
        Assert.Equal(TimeSpan.FromDays(1), options.Interval);
        Assert.Equal(100, options.StartPrice);
        Assert.Equal(0.05, options.Drift);
        Assert.Equal(0.2, options.Volatility);
        Assert.Equal(252, options.BarsPerYear);
        Assert.Equal(0.08, options.GarchAlpha);
        Assert.Equal(0.9, options.GarchBeta);
        Assert.Equal(0.01, options.JumpProbability);
        Assert.Equal(0.03, options.JumpStdDev);
        Assert.Equal(4, options.IntrabarSteps);
        Assert.Equal(1_000_000, options.BaseVolume);
        options.Validate();
    }

    /// <summary>Each out-of-range setting is rejected naming the setting, the rule and the value.</summary>
    [Theory]
    [InlineData(nameof(SyntheticMarketOptions.Bars), "must be at least 1; got 0")]
    [InlineData(nameof(SyntheticMarketOptions.Interval), "must be a positive whole number of milliseconds; got 00:00:00")]
    [InlineData(nameof(SyntheticMarketOptions.StartTime), "must lie within years 1 to 9999")]
    [InlineData(nameof(SyntheticMarketOptions.StartPrice), "must be a finite number greater than 0; got -1")]
    [InlineData(nameof(SyntheticMarketOptions.Drift), "must be a finite number; got NaN")]
    [InlineData(nameof(SyntheticMarketOptions.Volatility), "must be a finite number greater than 0; got 0")]
    [InlineData(nameof(SyntheticMarketOptions.BarsPerYear), "must be a finite number greater than 0; got Infinity")]
    [InlineData(nameof(SyntheticMarketOptions.GarchAlpha), "must be a finite number of at least 0; got -0.1")]
    [InlineData(nameof(SyntheticMarketOptions.GarchBeta), "plus GarchAlpha (0.08) must be less than 1")]
    [InlineData(nameof(SyntheticMarketOptions.JumpProbability), "must lie between 0 and 1; got 1.5")]
    [InlineData(nameof(SyntheticMarketOptions.JumpStdDev), "must be a finite number of at least 0; got -0.03")]
    [InlineData(nameof(SyntheticMarketOptions.IntrabarSteps), "must lie between 1 and 1000; got 0")]
    [InlineData(nameof(SyntheticMarketOptions.BaseVolume), "must be a finite number greater than 0; got 0")]
    public void Validate_OutOfRange_ThrowsNamingSettingRuleAndValue(string setting, string rule)
    {
        var options = setting switch
        {
            nameof(SyntheticMarketOptions.Bars) => new SyntheticMarketOptions { Bars = 0 },
            nameof(SyntheticMarketOptions.Interval) => new SyntheticMarketOptions { Interval = TimeSpan.Zero },
            nameof(SyntheticMarketOptions.StartTime) => new SyntheticMarketOptions { StartTime = long.MaxValue },
            nameof(SyntheticMarketOptions.StartPrice) => new SyntheticMarketOptions { StartPrice = -1 },
            nameof(SyntheticMarketOptions.Drift) => new SyntheticMarketOptions { Drift = double.NaN },
            nameof(SyntheticMarketOptions.Volatility) => new SyntheticMarketOptions { Volatility = 0 },
            nameof(SyntheticMarketOptions.BarsPerYear) => new SyntheticMarketOptions { BarsPerYear = double.PositiveInfinity },
            nameof(SyntheticMarketOptions.GarchAlpha) => new SyntheticMarketOptions { GarchAlpha = -0.1 },
            nameof(SyntheticMarketOptions.GarchBeta) => new SyntheticMarketOptions { GarchBeta = 0.92 },
            nameof(SyntheticMarketOptions.JumpProbability) => new SyntheticMarketOptions { JumpProbability = 1.5 },
            nameof(SyntheticMarketOptions.JumpStdDev) => new SyntheticMarketOptions { JumpStdDev = -0.03 },
            nameof(SyntheticMarketOptions.IntrabarSteps) => new SyntheticMarketOptions { IntrabarSteps = 0 },
            _ => new SyntheticMarketOptions { BaseVolume = 0 },
        };

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(setting, error.ParamName);
        Assert.Contains(setting + " " + rule, error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticMarket.Generate(options));
    }

    /// <summary>A series that would run past the year 9999 is rejected.</summary>
    [Fact]
    public void Validate_SeriesPastYear9999_Throws()
    {
        var options = new SyntheticMarketOptions { Bars = 10_000, Interval = TimeSpan.FromDays(365) };

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal("Bars", error.ParamName);
    }

    /// <summary>Settings that push prices out of the double range are reported rather than producing zeros or infinities.</summary>
    [Fact]
    public void Generate_PricesOverflow_ThrowsNamingBar()
    {
        var options = new SyntheticMarketOptions { Drift = 1e6, Bars = 1000 };

        var error = Assert.Throws<ArgumentException>(() => SyntheticMarket.Generate(options));

        Assert.Contains("beyond the range of double at bar", error.Message, StringComparison.Ordinal);
    }
}
