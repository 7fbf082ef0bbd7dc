using SigmaFlow.Core.Backtesting.Performance;
using static SigmaFlow.Core.Tests.Backtesting.Performance.PerformanceFixtures;

namespace SigmaFlow.Core.Tests.Backtesting.Performance;

/// <summary>Bars per year inferred from the timestamps as (bars − 1) / years with 365.25-day years.</summary>
public sealed class AnnualisationTests
{
    // NYSE full-day holidays on weekdays in 2022 and 2023.
    private static readonly DateOnly[] ExchangeHolidays =
    [
        new(2022, 1, 17), new(2022, 2, 21), new(2022, 4, 15), new(2022, 5, 30), new(2022, 6, 20),
        new(2022, 7, 4), new(2022, 9, 5), new(2022, 11, 24), new(2022, 12, 26),
        new(2023, 1, 2), new(2023, 1, 16), new(2023, 2, 20), new(2023, 4, 7), new(2023, 5, 29),
        new(2023, 6, 19), new(2023, 7, 4), new(2023, 9, 4), new(2023, 11, 23), new(2023, 12, 25),
    ];

    [Fact]
    public void Compute_TwoYearsOfExchangeTradingDays_InfersAbout252()
    {
        // 2022 has 251 trading days and 2023 has 250: 501 bars from 2022-01-03 to 2023-12-29 (725 days)
        // → 500 / (725 / 365.25) ≈ 251.9.
        var times = DailyCloses(new DateOnly(2022, 1, 3), new DateOnly(2023, 12, 29), ExchangeHolidays);
        Assert.Equal(501, times.Length);

        var metrics = Metrics(Flat(times));

        Assert.InRange(metrics.BarsPerYear, 249, 255);
        Assert.Equal(500 / (725 / 365.25), metrics.BarsPerYear, 9);
    }

    [Fact]
    public void Compute_TwoYearsOfWeekdaysWithoutHolidays_InfersAbout261()
    {
        // Every weekday counts: 5/7 · 365.25 ≈ 260.9, not 252 — pass BarsPerYear for the textbook convention.
        var times = DailyCloses(new DateOnly(2022, 1, 3), new DateOnly(2023, 12, 29), []);

        Assert.InRange(Metrics(Flat(times)).BarsPerYear, 258, 264);
    }

    [Fact]
    public void Compute_DailyBarsSevenDaysAWeek_InfersAbout365()
    {
        // 731 bars over 730 days → 730 / (730 / 365.25) = 365.25.
        Assert.Equal(365.25, Metrics(Flat(Daily(731))).BarsPerYear, 9);
    }

    [Fact]
    public void Compute_HourlyBarsAroundTheClock_Infers8766()
    {
        // One year of hourly bars: (n − 1) hours spanned by n − 1 steps → 365.25 · 24 = 8766 exactly.
        var times = new long[8767];
        for (var i = 0; i < times.Length; i++)
        {
            times[i] = Start + (i * Hour);
        }

        Assert.Equal(8766, Metrics(Flat(times)).BarsPerYear, 9);
    }

    [Fact]
    public void Compute_BarsPerYearGiven_UsedAsIs()
    {
        var metrics = Metrics(Flat(Daily(10)) with { BarsPerYear = 52 });

        Assert.Equal(52, metrics.BarsPerYear);
    }

    [Fact]
    public void Compute_InferredBarsPerYear_ScalesVolatilityAndSharpe()
    {
        // Returns +10 %, −10 %, +10 %, +10 % on daily 24/7 bars: BPY = 4 / (4 / 365.25) = 365.25;
        // stdev 0.1 → volatility 0.1 · sqrt(365.25); Sharpe 0.05 / 0.1 · sqrt(365.25).
        var metrics = Metrics(Curve([100, 110, 99, 108.9, 119.79], barsPerYear: null));

        Assert.Equal(365.25, metrics.BarsPerYear, 9);
        Assert.Equal(0.1 * Math.Sqrt(365.25), metrics.AnnualVolatility, 9);
        Assert.Equal(0.5 * Math.Sqrt(365.25), metrics.Sharpe, 9);
    }

    private static PerformanceInput Flat(long[] times) => new()
    {
        Time = times,
        Equity = Constant(times.Length, 100),
        InitialCash = 100,
    };

    private static long[] DailyCloses(DateOnly first, DateOnly last, DateOnly[] holidays)
    {
        var times = new List<long>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || Array.IndexOf(holidays, day) >= 0)
            {
                continue;
            }

            // 21:00 UTC, the New York close in winter.
            times.Add(new DateTimeOffset(day.ToDateTime(new TimeOnly(21, 0)), TimeSpan.Zero).ToUnixTimeMilliseconds());
        }

        return [.. times];
    }
}
