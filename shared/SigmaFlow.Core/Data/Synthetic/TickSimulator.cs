using System.Globalization;

namespace SigmaFlow.Core.Data;

/// <summary>Settings of the synthetic tick stream.</summary>
public sealed record TickSimulatorOptions
{
    /// <summary>Seed: the same seed and settings give the same ticks on every machine.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Symbols to simulate. Well-known ones start near a realistic price (BTCUSD 65,000, SPY 600, …), others at 100.</summary>
    public IReadOnlyList<string> Symbols { get; init; } = ["BTCUSD", "ETHUSD", "SOLUSD"];

    /// <summary>Time of the first tick, Unix milliseconds UTC.</summary>
    public long StartTime { get; init; } = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    /// <summary>Average ticks per second over all symbols (each symbol gets an equal share, shaped by the intraday profile).</summary>
    public double TicksPerSecond { get; init; } = 50;

    /// <summary>Annualised volatility of every symbol's mid price.</summary>
    public double AnnualVolatility { get; init; } = 0.6;

    /// <summary>GARCH(1,1) reaction to the last shock (volatility clustering).</summary>
    public double GarchAlpha { get; init; } = 0.05;

    /// <summary>GARCH(1,1) persistence of volatility.</summary>
    public double GarchBeta { get; init; } = 0.94;

    /// <summary>Probability per tick of a jump of 8–20 standard deviations.</summary>
    public double JumpProbability { get; init; } = 0.0002;

    /// <summary>Quoted spread in basis points of the price, at average volatility (it widens with volatility).</summary>
    public double SpreadBasisPoints { get; init; } = 2;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it, the rule and the value.</exception>
    public void Validate()
    {
        static void Check(bool ok, string name, string rule, object value)
        {
            if (!ok)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be {rule}; got {value}."), name);
            }
        }

        Check(Symbols.Count is >= 1 and <= 10_000, nameof(Symbols), "1 to 10000 symbols", Symbols.Count);
        foreach (var symbol in Symbols)
        {
            Check(!string.IsNullOrWhiteSpace(symbol) && symbol.Length <= 32, nameof(Symbols), "non-empty names of at most 32 characters", $"'{symbol}'");
        }

        Check(Symbols.Distinct(StringComparer.Ordinal).Count() == Symbols.Count, nameof(Symbols), "distinct", string.Join(",", Symbols));
        Check(double.IsFinite(TicksPerSecond) && TicksPerSecond > 0 && TicksPerSecond <= 10_000_000, nameof(TicksPerSecond), "in (0, 10000000]", TicksPerSecond);
        Check(double.IsFinite(AnnualVolatility) && AnnualVolatility > 0 && AnnualVolatility <= 10, nameof(AnnualVolatility), "in (0, 10]", AnnualVolatility);
        Check(GarchAlpha >= 0 && GarchBeta >= 0 && GarchAlpha + GarchBeta < 1, nameof(GarchAlpha), "≥ 0 with GarchAlpha + GarchBeta < 1", $"{GarchAlpha} + {GarchBeta}");
        Check(JumpProbability is >= 0 and < 0.1, nameof(JumpProbability), "in [0, 0.1)", JumpProbability);
        Check(double.IsFinite(SpreadBasisPoints) && SpreadBasisPoints >= 0 && SpreadBasisPoints < 1000, nameof(SpreadBasisPoints), "in [0, 1000)", SpreadBasisPoints);
    }
}

/// <summary>
/// A realistic multi-symbol tick stream for feeds, demos and load tests: each symbol's mid price follows a random walk
/// whose volatility clusters (GARCH(1,1)) and occasionally jumps; trades print at the bid or the ask of a spread that
/// widens with volatility, rounded to the symbol's tick size; arrivals are Poisson with an intraday intensity profile
/// (busier at the open and close of the UTC day, quieter mid-session) and trade sizes are log-normal, larger when busy.
/// Deterministic: a seed gives the same stream everywhere (its own generator and log/exp).
/// </summary>
public sealed class TickSimulator
{
    private const double SecondsPerYear = 365.25 * 86_400;
    private static readonly Dictionary<string, (double Price, double TickSize, double Lot)> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["BTCUSD"] = (65_000, 0.01, 0.0001),
        ["ETHUSD"] = (3_500, 0.01, 0.001),
        ["SOLUSD"] = (150, 0.001, 0.01),
        ["SPY"] = (600, 0.01, 1),
        ["QQQ"] = (520, 0.01, 1),
        ["AAPL"] = (230, 0.01, 1),
        ["MSFT"] = (420, 0.01, 1),
        ["NVDA"] = (140, 0.01, 1),
        ["EURUSD"] = (1.08, 0.00001, 1000),
    };

    private readonly Xoshiro256StarStar random;
    private readonly SymbolState[] states;
    private readonly double ratePerSymbol;
    private readonly double varianceSecond;
    private readonly TickSimulatorOptions options;

    /// <summary>Creates the stream.</summary>
    /// <param name="options">Settings (validated).</param>
    public TickSimulator(TickSimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        random = new Xoshiro256StarStar(options.Seed);
        ratePerSymbol = options.TicksPerSecond / options.Symbols.Count;
        varianceSecond = options.AnnualVolatility * options.AnnualVolatility / SecondsPerYear;
        states = new SymbolState[options.Symbols.Count];
        for (var i = 0; i < states.Length; i++)
        {
            var symbol = options.Symbols[i];
            var (price, tick, lot) = Known.TryGetValue(symbol, out var k) ? k : (100.0, 0.01, 1.0);
            states[i] = new SymbolState(symbol, price, tick, lot) { LastTime = options.StartTime, NextTime = options.StartTime + NextGap(options.StartTime) };

        }
    }

    /// <summary>The intraday intensity multiplier at a time (mean about 1 over a UTC day): a U shape with peaks at 00:00 and 24:00 UTC.</summary>
    /// <param name="unixMilliseconds">The time.</param>
    /// <returns>The multiplier.</returns>
    public static double IntradayProfile(long unixMilliseconds)
    {
        var dayFraction = ((unixMilliseconds % 86_400_000) + 86_400_000) % 86_400_000 / 86_400_000.0;
        var centred = (2 * dayFraction) - 1; // −1 at midnight, 0 at noon, +1 at the next midnight
        return 0.55 + (1.35 * centred * centred);
    }

    /// <summary>The next tick, in time order across symbols (ties broken by symbol order).</summary>
    /// <returns>The tick.</returns>
    public Tick Next()
    {
        var s = states[0];
        for (var i = 1; i < states.Length; i++)
        {
            if (states[i].NextTime < s.NextTime)
            {
                s = states[i];
            }
        }

        var exact = s.NextTime;
        var time = (long)Math.Floor(exact);
        var dt = Math.Max(0.0001, (exact - s.LastTime) / 1000.0);
        s.LastTime = exact;

        // GARCH(1,1) on the standardised shock: g is the variance multiplier, mean 1.
        var alpha = options.GarchAlpha;
        var beta = options.GarchBeta;
        s.Garch = (1 - alpha - beta) + (alpha * s.LastShock * s.LastShock) + (beta * s.Garch);
        var z = random.NextNormal();
        s.LastShock = z * Math.Sqrt(s.Garch);
        var sd = Math.Sqrt(varianceSecond * dt * s.Garch);
        var logReturn = (sd * z) - (0.5 * sd * sd);
        if (random.NextDouble() < options.JumpProbability)
        {
            var size = (8 + (12 * random.NextDouble())) * Math.Sqrt(varianceSecond * s.Garch * 60);
            logReturn += random.NextDouble() < 0.5 ? -size : size;
        }

        s.Mid *= DeterministicMath.Exp(logReturn);
        var halfSpread = Math.Max(s.TickSize, s.Mid * options.SpreadBasisPoints / 10_000 * Math.Sqrt(s.Garch)) / 2;
        var bid = Round(s.Mid - halfSpread, s.TickSize);
        var ask = Math.Max(Round(s.Mid + halfSpread, s.TickSize), bid + s.TickSize);
        var buy = random.NextDouble() < 0.5;
        var profile = IntradayProfile(time);
        var lots = Math.Max(1, Math.Round(DeterministicMath.Exp((0.8 * random.NextNormal()) + 1.5) * profile));
        var tradeSize = Math.Round(lots * s.Lot, 8);
        s.Sequence++;
        s.NextTime = exact + NextGap(time);
        return new Tick(s.Symbol, time, buy ? ask : bid, tradeSize, bid, ask, s.Sequence);
    }

    private double NextGap(long now)
    {
        // Exponential gaps in fractions of a millisecond (times are kept exact and floored to whole milliseconds on
        // the ticks), so a symbol can print several ticks in one millisecond at high rates.
        var rate = ratePerSymbol * IntradayProfile(now);
        var u = random.NextDouble();
        return Math.Max(1e-6, -DeterministicMath.Log(1 - u) / rate * 1000);
    }

    private static double Round(double price, double tickSize) => Math.Round(Math.Round(price / tickSize) * tickSize, 10);

    private sealed class SymbolState(string symbol, double price, double tickSize, double lot)
    {
        public string Symbol { get; } = symbol;

        public double TickSize { get; } = tickSize;

        public double Lot { get; } = lot;

        public double Mid { get; set; } = price;

        public double Garch { get; set; } = 1;

        public double LastShock { get; set; }

        public double LastTime { get; set; }

        public double NextTime { get; set; }

        public long Sequence { get; set; }
    }
}
