using System.Globalization;

namespace SigmaFlow.Core.Data;

/// <summary>
/// Deterministic synthetic OHLCV bars for tests, demos and benchmarks: a geometric random walk whose variance follows
/// a GARCH(1,1) recursion (volatility clustering), with rare normal jumps, opens near the previous close, highs and
/// lows from an intrabar path, and lognormal volume that rises with the size of the move.
/// </summary>
/// <remarks>
/// Per bar, with per-bar target variance σ² = Volatility² / BarsPerYear and drift μ = Drift / BarsPerYear:
/// hₜ = σ²(1 − α − β) + α εₜ₋₁² + β hₜ₋₁ (h₀ = σ²); εₜ = √hₜ zₜ; the close-to-close log return is μ − hₜ/2 + εₜ (+ a
/// jump J ~ N(0, JumpStdDev²) with probability JumpProbability; jumps do not feed the variance). The open is the
/// previous close moved by a small gap (0.1 √hₜ z); the intrabar path is a Brownian bridge of IntrabarSteps steps from
/// open to close, and high and low extend its extremes by a half-normal wick. log volume = log BaseVolume +
/// 0.5 (|return − μ| / σ − √(2/π)) + 0.3 z. Only IEEE-exact arithmetic and the library's own PRNG, logarithm and
/// exponential are used, so a seed gives bit-identical series on every run and platform.
/// </remarks>
public static class SyntheticMarket
{
    private const double GapShare = 0.1;
    private const double WickShare = 0.5;
    private const double VolumeSensitivity = 0.5;
    private const double VolumeNoise = 0.3;
    private const double MeanAbsoluteNormal = 0.79788456080286535588; // sqrt(2 / pi)

    /// <summary>Generates a series.</summary>
    /// <param name="options">The settings; validated first.</param>
    /// <returns>The bars.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    /// <exception cref="ArgumentException">The settings push prices beyond the range of <see cref="double"/>.</exception>
    public static BarSeries Generate(SyntheticMarketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var n = options.Bars;
        var intervalMs = options.Interval.Ticks / TimeSpan.TicksPerMillisecond;
        var time = new long[n];
        var open = new double[n];
        var high = new double[n];
        var low = new double[n];
        var close = new double[n];
        var volume = new double[n];

        var random = new Xoshiro256StarStar(options.Seed);
        var alpha = options.GarchAlpha;
        var beta = options.GarchBeta;
        var targetVariance = options.Volatility * options.Volatility / options.BarsPerYear;
        var targetDeviation = Math.Sqrt(targetVariance);
        var drift = options.Drift / options.BarsPerYear;
        var omega = targetVariance * (1 - alpha - beta);
        var steps = options.IntrabarSteps;
        var rootSteps = Math.Sqrt(steps);
        var path = new double[steps + 1];
        var logBaseVolume = DeterministicMath.Log(options.BaseVolume);

        var variance = targetVariance;
        var shock = 0.0;
        var previousLogClose = DeterministicMath.Log(options.StartPrice);
        for (var i = 0; i < n; i++)
        {
            if (i > 0)
            {
                variance = omega + (alpha * shock * shock) + (beta * variance);
            }

            var deviation = Math.Sqrt(variance);
            shock = deviation * random.NextNormal();
            var jump = random.NextDouble() < options.JumpProbability ? options.JumpStdDev * random.NextNormal() : 0.0;
            var logReturn = drift - (0.5 * variance) + shock + jump;
            var logClose = previousLogClose + logReturn;
            var logOpen = previousLogClose + (GapShare * deviation * random.NextNormal());

            // Brownian bridge from open to close: a free walk, then its end pulled linearly onto the close.
            var stepDeviation = deviation / rootSteps;
            path[0] = 0.0;
            for (var j = 1; j <= steps; j++)
            {
                path[j] = path[j - 1] + (stepDeviation * random.NextNormal());
            }

            var pull = path[steps] - (logClose - logOpen);
            var maxLog = logOpen;
            var minLog = logOpen;
            for (var j = 1; j <= steps; j++)
            {
                var point = j == steps ? logClose : logOpen + path[j] - (pull * j / steps);
                maxLog = Math.Max(maxLog, point);
                minLog = Math.Min(minLog, point);
            }

            var barOpen = DeterministicMath.Exp(logOpen);
            var barClose = DeterministicMath.Exp(logClose);
            var barHigh = DeterministicMath.Exp(maxLog + (WickShare * stepDeviation * Math.Abs(random.NextNormal())));
            var barLow = DeterministicMath.Exp(minLog - (WickShare * stepDeviation * Math.Abs(random.NextNormal())));
            barHigh = Math.Max(barHigh, Math.Max(barOpen, barClose));
            barLow = Math.Min(barLow, Math.Min(barOpen, barClose));

            var surprise = (Math.Abs(logReturn - drift) / targetDeviation) - MeanAbsoluteNormal;
            var logVolume = logBaseVolume + (VolumeSensitivity * surprise) + (VolumeNoise * random.NextNormal());
            var barVolume = Math.Round(DeterministicMath.Exp(logVolume));

            if (!(barLow > 0) || !double.IsFinite(barHigh) || !double.IsFinite(barVolume))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The settings push prices or volume beyond the range of double at bar {i} (low {barLow}, high {barHigh}, volume {barVolume}); lower {nameof(options.Drift)}, {nameof(options.Volatility)}, {nameof(options.JumpStdDev)} or {nameof(options.Bars)}."),
                    nameof(options));
            }

            time[i] = options.StartTime + (i * intervalMs);
            open[i] = barOpen;
            high[i] = barHigh;
            low[i] = barLow;
            close[i] = barClose;
            volume[i] = barVolume;
            previousLogClose = logClose;
        }

        return new BarSeries(time, open, high, low, close, volume);
    }

    /// <summary>
    /// Writes bars as CSV (<c>timestamp,open,high,low,close,volume</c>, ISO 8601 UTC times, round-trip numbers) that
    /// <see cref="BarCsvReader"/> reads back bit for bit. Same as <see cref="BarCsvWriter.Write"/>.
    /// </summary>
    /// <param name="bars">The bars.</param>
    /// <param name="writer">The destination; not flushed or disposed.</param>
    public static void WriteCsv(BarSeries bars, TextWriter writer) => BarCsvWriter.Write(bars, writer);
}
