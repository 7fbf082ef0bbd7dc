using System.Globalization;

namespace SigmaFlow.Core.Data;

/// <summary>
/// Settings for <see cref="SyntheticMarket.Generate"/>. The defaults give ten years of daily bars (2,520 bars at 252
/// per year) of an index-like market: 5 % drift, 20 % volatility with GARCH(1,1) clustering and rare jumps.
/// </summary>
public sealed record SyntheticMarketOptions
{
    /// <summary>The defaults.</summary>
    public static SyntheticMarketOptions Default { get; } = new();

    /// <summary>Random seed (default 42). The same options give the same series, bit for bit, on every platform.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Number of bars (default 2,520; at least 1).</summary>
    public int Bars { get; init; } = 2520;

    /// <summary>Time of the first bar, Unix milliseconds UTC (default 2020-01-01T00:00:00Z).</summary>
    public long StartTime { get; init; } = 1_577_836_800_000;

    /// <summary>Time between bars (default 1 day; a positive whole number of milliseconds). Bars are evenly spaced, weekends included.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Close before the first bar, i.e. the first open's reference (default 100; finite and greater than 0).</summary>
    public double StartPrice { get; init; } = 100;

    /// <summary>Annualised expected return (default 0.05; finite): each bar's log return is centred on Drift / BarsPerYear minus half the bar's variance.</summary>
    public double Drift { get; init; } = 0.05;

    /// <summary>Long-run annualised volatility the GARCH variance reverts to (default 0.2; finite and greater than 0).</summary>
    public double Volatility { get; init; } = 0.2;

    /// <summary>
    /// Bars in one year, used to scale <see cref="Drift"/> and <see cref="Volatility"/> to one bar (default 252, trading
    /// days; use e.g. 98,280 for regular-session 1-minute bars; finite and greater than 0).
    /// </summary>
    public double BarsPerYear { get; init; } = 252;

    /// <summary>GARCH(1,1) weight of the last squared shock (default 0.08; at least 0; with <see cref="GarchBeta"/> below 1).</summary>
    public double GarchAlpha { get; init; } = 0.08;

    /// <summary>GARCH(1,1) weight of the last variance (default 0.9; at least 0; with <see cref="GarchAlpha"/> below 1).</summary>
    public double GarchBeta { get; init; } = 0.9;

    /// <summary>Chance of a jump on each bar (default 0.01; from 0 to 1).</summary>
    public double JumpProbability { get; init; } = 0.01;

    /// <summary>Standard deviation of a jump's log return (default 0.03; finite and at least 0).</summary>
    public double JumpStdDev { get; init; } = 0.03;

    /// <summary>Sub-steps of the path inside a bar from which high and low are taken (default 4; 1 to 1,000).</summary>
    public int IntrabarSteps { get; init; } = 4;

    /// <summary>Median volume of a bar with an average-sized move (default 1,000,000; finite and greater than 0).</summary>
    public double BaseVolume { get; init; } = 1_000_000;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it, the rule and the value.</exception>
    public void Validate()
    {
        if (Bars < 1)
        {
            throw Fail(nameof(Bars), Bars, "must be at least 1");
        }

        if (Interval.Ticks <= 0 || Interval.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw Fail(nameof(Interval), Interval, "must be a positive whole number of milliseconds");
        }

        var intervalMs = Interval.Ticks / TimeSpan.TicksPerMillisecond;
        if (StartTime < UnixTimeText.MinMilliseconds || StartTime > UnixTimeText.MaxMilliseconds)
        {
            throw Fail(nameof(StartTime), StartTime, "must lie within years 1 to 9999 (Unix milliseconds)");
        }

        if ((UnixTimeText.MaxMilliseconds - StartTime) / intervalMs < Bars - 1)
        {
            throw Fail(nameof(Bars), Bars, string.Create(CultureInfo.InvariantCulture, $"must end by the year 9999 with {nameof(Interval)} {Interval} from {nameof(StartTime)} {StartTime}"));
        }

        Positive(StartPrice, nameof(StartPrice));
        if (!double.IsFinite(Drift))
        {
            throw Fail(nameof(Drift), Drift, "must be a finite number");
        }

        Positive(Volatility, nameof(Volatility));
        Positive(BarsPerYear, nameof(BarsPerYear));
        NotNegative(GarchAlpha, nameof(GarchAlpha));
        NotNegative(GarchBeta, nameof(GarchBeta));
        if (!(GarchAlpha + GarchBeta < 1))
        {
            throw Fail(nameof(GarchBeta), GarchBeta, string.Create(CultureInfo.InvariantCulture, $"plus {nameof(GarchAlpha)} ({GarchAlpha}) must be less than 1 for the variance to revert"));
        }

        if (!(JumpProbability is >= 0 and <= 1))
        {
            throw Fail(nameof(JumpProbability), JumpProbability, "must lie between 0 and 1");
        }

        NotNegative(JumpStdDev, nameof(JumpStdDev));
        if (IntrabarSteps is < 1 or > 1000)
        {
            throw Fail(nameof(IntrabarSteps), IntrabarSteps, "must lie between 1 and 1000");
        }

        Positive(BaseVolume, nameof(BaseVolume));
    }

    private static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw Fail(name, value, "must be a finite number greater than 0");
        }
    }

    private static void NotNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw Fail(name, value, "must be a finite number of at least 0");
        }
    }

    private static ArgumentOutOfRangeException Fail(string name, object value, string rule) =>
        new(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} {rule}; got {value}."));
}
