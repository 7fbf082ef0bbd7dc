using System.Collections.Frozen;
using System.Globalization;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Kernel;
using SigmaFlow.Core.Indicators.MovingAverages;
using SigmaFlow.Core.Indicators.Oscillators;
using SigmaFlow.Core.Indicators.Trend;
using SigmaFlow.Core.Indicators.Volatility;
using SigmaFlow.Core.Indicators.Volume;

namespace SigmaFlow.Core.Indicators.Catalog;

/// <summary>
/// Every indicator SigmaFlow computes, with its parameters (kind, default, bounds), outputs and warm-up. The CLI,
/// the rule language, the API and the dashboard all resolve indicators here.
/// </summary>
public static class IndicatorCatalog
{
    private const int MaxPeriods = 100_000;
    private const string MovingAverages = "moving averages";
    private const string Oscillators = "oscillators";
    private const string VolumeCategory = "volume";
    private const string VolatilityCategory = "volatility";
    private const string TrendCategory = "trend";

    private static readonly FrozenDictionary<string, IndicatorDefinition> ByName;

    static IndicatorCatalog()
    {
        All = Build();
        var names = new Dictionary<string, IndicatorDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var definition in All)
        {
            foreach (var name in definition.Aliases.Prepend(definition.FullName).Prepend(definition.Name))
            {
                if (!names.TryAdd(name, definition) && names[name] != definition)
                {
                    throw new InvalidOperationException($"Indicator name '{name}' is used twice.");
                }
            }
        }

        ByName = names.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>All indicators in catalog order.</summary>
    public static IReadOnlyList<IndicatorDefinition> All { get; }

    /// <summary>Finds an indicator by short name, full name or alias (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="definition">The indicator.</param>
    /// <returns>True when found.</returns>
    public static bool TryGet(string name, out IndicatorDefinition definition) => ByName.TryGetValue(name, out definition!);

    /// <summary>Finds an indicator or throws with the list of valid names and the closest match.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The indicator.</returns>
    /// <exception cref="IndicatorSpecException">No indicator has that name.</exception>
    public static IndicatorDefinition Get(string name)
    {
        if (TryGet(name, out var definition))
        {
            return definition;
        }

        var suggestion = Suggest(name);
        var hint = suggestion is null ? string.Empty : $" Did you mean '{suggestion}'?";
        throw new IndicatorSpecException($"Unknown indicator '{name}'.{hint} Valid names: {string.Join(", ", All.Select(d => d.Name))}.");
    }

    /// <summary>The known name closest to <paramref name="name"/> by edit distance, if any is close.</summary>
    /// <param name="name">A misspelt name.</param>
    /// <returns>The suggestion, or null.</returns>
    public static string? Suggest(string name) => Spelling.Suggest(name, ByName.Keys);

    /// <summary>Parses and validates a spec such as <c>macd(12,26,9)</c>, <c>ema(hl2, 9)</c> or <c>obv</c>.</summary>
    /// <param name="spec">The spec.</param>
    /// <returns>The indicator and its arguments.</returns>
    /// <exception cref="IndicatorSpecException">The spec is malformed or invalid.</exception>
    public static (IndicatorDefinition Definition, IndicatorArguments Arguments) Parse(string spec)
    {
        var (name, source, values) = IndicatorSpecSyntax.Parse(spec);
        var definition = Get(name);
        if (source is not null && !definition.UsesSource)
        {
            throw new IndicatorSpecException($"{definition.Name} reads whole bars and takes no source series; remove '{source.Value.Name()}'.");
        }

        return (definition, definition.Bind(values, source ?? PriceField.Close));
    }

    private static IndicatorParameter Periods(string name, int defaultValue, string description, int minimum = 1) =>
        new(name, ParameterKind.WholeNumber, defaultValue, minimum, MaxPeriods, description);

    private static IndicatorParameter Number(string name, double defaultValue, double minimum, double maximum, string description) =>
        new(name, ParameterKind.Number, defaultValue, minimum, maximum, description);

    private static IndicatorOutput[] Fields(params string[] names) => names.Select(n => new IndicatorOutput(n, n)).ToArray();

    private static ValueKernelIndicator<TKernel> Value<TKernel>(IndicatorSpecBuilder spec, Func<IndicatorArguments, TKernel> create)
        where TKernel : struct, IValueKernel =>
        new(spec, create);

    private static KernelIndicator<TKernel> Bars<TKernel>(IndicatorSpecBuilder spec, Func<IndicatorArguments, TKernel> create)
        where TKernel : struct, IIndicatorKernel =>
        new(spec, create, usesSource: false);

    private static Func<IndicatorArguments, string?> Increasing(params int[] positions) => a =>
    {
        for (var i = 1; i < positions.Length; i++)
        {
            var lower = positions[i - 1];
            var upper = positions[i];
            if (a.Values[lower] >= a.Values[upper])
            {
                return string.Create(CultureInfo.InvariantCulture, $"parameter position {lower + 1} must be less than position {upper + 1}; got {a.Values[lower]} and {a.Values[upper]}.");
            }
        }

        return null;
    };

    private static List<IndicatorDefinition> Build()
    {
        var lookback = "Number of bars in the window.";
        return
        [
            // Moving averages.
            Value(new() { Name = "sma", FullName = "simplemovingaverage", Category = MovingAverages, Description = "Simple moving average: mean of the last N values.", Parameters = [Periods("lookback", 20, lookback)], Outputs = Fields("sma"), Warmup = a => a.Whole(0) - 1 }, a => new SmaKernel(a.Whole(0))),
            Value(new() { Name = "ema", FullName = "exponentialmovingaverage", Category = MovingAverages, Description = "Exponential moving average, k = 2/(N+1), seeded with the SMA of the first N values.", Parameters = [Periods("lookback", 20, lookback)], Outputs = Fields("ema"), Warmup = a => a.Whole(0) - 1 }, a => new EmaKernel(a.Whole(0))),
            Value(new() { Name = "wma", FullName = "weightedmovingaverage", Category = MovingAverages, Description = "Linearly weighted moving average, weights 1..N (newest N).", Parameters = [Periods("lookback", 20, lookback)], Outputs = Fields("wma"), Warmup = a => a.Whole(0) - 1 }, a => new WmaKernel(a.Whole(0))),
            Value(new() { Name = "dema", FullName = "doubleema", Category = MovingAverages, Description = "Double EMA 2·e1 − e2, both seeded with the SMA at N−1.", Parameters = [Periods("lookback", 20, lookback)], Outputs = Fields("dema"), Warmup = a => a.Whole(0) - 1 }, a => new DemaKernel(a.Whole(0))),
            Value(new() { Name = "tema", FullName = "tripleema", Category = MovingAverages, Description = "Triple EMA 3·e1 − 3·e2 + e3, all seeded with the SMA at N−1.", Parameters = [Periods("lookback", 20, lookback)], Outputs = Fields("tema"), Warmup = a => a.Whole(0) - 1 }, a => new TemaKernel(a.Whole(0))),
            Value(new() { Name = "hma", FullName = "hullmovingaverage", Category = MovingAverages, Description = "Hull moving average: WMA(√N) of 2·WMA(N/2) − WMA(N).", Parameters = [Periods("lookback", 20, lookback, minimum: 2)], Outputs = Fields("hma"), Warmup = a => a.Whole(0) - 1 + (int)Math.Sqrt(a.Whole(0)) - 1 }, a => new HmaKernel(a.Whole(0))),
            Value(new() { Name = "kama", FullName = "kaufmanadaptivemovingaverage", Category = MovingAverages, Description = "Kaufman adaptive moving average driven by the efficiency ratio.", Parameters = [Periods("er", 10, "Efficiency-ratio window."), Periods("fast", 2, "Fast EMA length."), Periods("slow", 30, "Slow EMA length.")], Outputs = Fields("kama"), Warmup = a => a.Whole(0) - 1, Check = Increasing(1, 2) }, a => new KamaKernel(a.Whole(0), a.Whole(1), a.Whole(2))),
            Value(new() { Name = "smma", FullName = "smoothedmovingaverage", Aliases = ["rma", "wilder"], Category = MovingAverages, Description = "Smoothed (Wilder) moving average (prev·(N−1) + x)/N, SMA-seeded.", Parameters = [Periods("lookback", 14, lookback)], Outputs = Fields("smma"), Warmup = a => a.Whole(0) - 1 }, a => new SmmaKernel(a.Whole(0))),
            Bars(new() { Name = "vwma", FullName = "volumeweightedmovingaverage", Category = MovingAverages, Description = "Volume-weighted moving average of the close.", Parameters = [Periods("lookback", 20, lookback)], Outputs = Fields("vwma"), Warmup = a => a.Whole(0) - 1 }, a => new VwmaKernel(a.Whole(0))),

            // Oscillators.
            Value(new() { Name = "rsi", FullName = "relativestrengthindex", Category = Oscillators, Description = "Relative strength index with Wilder smoothing (SMA seed).", Parameters = [Periods("lookback", 14, lookback)], Outputs = Fields("rsi"), Warmup = a => a.Whole(0) }, a => new RsiKernel(a.Whole(0))),
            Value(new() { Name = "stochrsi", FullName = "stochasticrsi", Category = Oscillators, Description = "Stochastic of RSI values, SMA-smoothed, with an SMA signal.", Parameters = [Periods("rsi", 14, "RSI length."), Periods("stoch", 14, "Stochastic window over RSI."), Periods("signal", 3, "Signal SMA length."), Periods("smooth", 1, "Smoothing SMA length.")], Outputs = Fields("stochrsi", "signal"), Warmup = a => a.Whole(0) + a.Whole(1) + a.Whole(3) - 2 }, a => new StochRsiKernel(a.Whole(0), a.Whole(1), a.Whole(2), a.Whole(3))),
            Value(new() { Name = "macd", FullName = "movingaverageconvergencedivergence", Category = Oscillators, Description = "Fast EMA − slow EMA, its signal EMA and the histogram.", Parameters = [Periods("fast", 12, "Fast EMA length."), Periods("slow", 26, "Slow EMA length."), Periods("signal", 9, "Signal EMA length.")], Outputs = Fields("macd", "signal", "histogram"), Warmup = a => a.Whole(1) - 1, Check = Increasing(0, 1) }, a => new MacdKernel(a.Whole(0), a.Whole(1), a.Whole(2))),
            Value(new() { Name = "ppo", FullName = "percentagepriceoscillator", Category = Oscillators, Description = "100·(fast EMA − slow EMA)/slow EMA, signal EMA and histogram.", Parameters = [Periods("fast", 12, "Fast EMA length."), Periods("slow", 26, "Slow EMA length."), Periods("signal", 9, "Signal EMA length.")], Outputs = Fields("ppo", "signal", "histogram"), Warmup = a => a.Whole(1) - 1, Check = Increasing(0, 1) }, a => new PpoKernel(a.Whole(0), a.Whole(1), a.Whole(2))),
            Bars(new() { Name = "stoch", FullName = "stochastic", Category = Oscillators, Description = "Stochastic oscillator %K (smoothed), %D and %J = 3K − 2D.", Parameters = [Periods("lookback", 14, lookback), Periods("signal", 3, "%D length."), Periods("smooth", 3, "%K smoothing (1 = fast stochastic)."), Number("kfactor", 3, -100, 100, "Weight of %K in %J."), Number("dfactor", 2, -100, 100, "Weight of %D in %J."), new IndicatorParameter("matype", ParameterKind.WholeNumber, 0, 0, 1, "Smoothing: 0 = SMA, 1 = SMMA.")], Outputs = Fields("k", "d", "j"), Warmup = a => a.Whole(2) <= 1 ? a.Whole(0) - 1 : a.Whole(0) + a.Whole(2) - 2 }, a => new StochKernel(a.Whole(0), a.Whole(1), a.Whole(2), a.Number(3), a.Number(4), (StochMaType)a.Whole(5))),
            Bars(new() { Name = "stochf", FullName = "faststochastic", Category = Oscillators, Description = "Fast stochastic: raw %K, its SMA %D and %J.", Parameters = [Periods("lookback", 14, lookback), Periods("signal", 3, "%D length.")], Outputs = Fields("k", "d", "j"), Warmup = a => a.Whole(0) - 1 }, a => new StochKernel(a.Whole(0), a.Whole(1), 1)),
            Bars(new() { Name = "williamsr", FullName = "williamspercentr", Aliases = ["willr", "wpr"], Category = Oscillators, Description = "Williams %R: fast %K − 100.", Parameters = [Periods("lookback", 14, lookback)], Outputs = Fields("williamsr"), Warmup = a => a.Whole(0) - 1 }, a => new WilliamsRKernel(a.Whole(0))),
            Bars(new() { Name = "cci", FullName = "commoditychannelindex", Category = Oscillators, Description = "(TP − SMA(TP))/(0.015·mean absolute deviation), TP = (H+L+C)/3.", Parameters = [Periods("lookback", 20, lookback)], Outputs = Fields("cci"), Warmup = a => a.Whole(0) - 1 }, a => new CciKernel(a.Whole(0))),
            Value(new() { Name = "roc", FullName = "rateofchange", Category = Oscillators, Description = "Momentum x − x[N] and rate of change 100·momentum/x[N].", Parameters = [Periods("lookback", 14, lookback)], Outputs = Fields("momentum", "roc"), Warmup = a => a.Whole(0) }, a => new RocKernel(a.Whole(0))),
            Value(new() { Name = "mom", FullName = "momentum", Category = Oscillators, Description = "Momentum x − x[N].", Parameters = [Periods("lookback", 10, lookback)], Outputs = Fields("momentum"), Warmup = a => a.Whole(0) }, a => new RocKernel(a.Whole(0))),
            Bars(new() { Name = "mfi", FullName = "moneyflowindex", Category = Oscillators, Description = "Money flow index over typical-price money flow.", Parameters = [Periods("lookback", 14, lookback)], Outputs = Fields("mfi"), Warmup = a => a.Whole(0) }, a => new MfiKernel(a.Whole(0))),
            Value(new() { Name = "cmo", FullName = "chandemomentumoscillator", Category = Oscillators, Description = "100·(Σup − Σdown)/(Σup + Σdown) over N changes.", Parameters = [Periods("lookback", 14, lookback)], Outputs = Fields("cmo"), Warmup = a => a.Whole(0) }, a => new CmoKernel(a.Whole(0))),
            Value(new() { Name = "trix", FullName = "tripleexponentialaverage", Category = Oscillators, Description = "One-bar % change of a triple EMA, with an SMA signal.", Parameters = [Periods("lookback", 15, lookback), Periods("signal", 9, "Signal SMA length.")], Outputs = Fields("trix", "signal"), Warmup = a => a.Whole(0) }, a => new TrixKernel(a.Whole(0), a.Whole(1))),
            Bars(new() { Name = "uo", FullName = "ultimateoscillator", Aliases = ["ultimate"], Category = Oscillators, Description = "Ultimate oscillator: buying pressure over true range, 4:2:1 over three windows.", Parameters = [Periods("short", 7, "Short window."), Periods("middle", 14, "Middle window."), Periods("long", 28, "Long window.")], Outputs = Fields("uo"), Warmup = a => a.Whole(2), Check = Increasing(0, 1, 2) }, a => new UltimateKernel(a.Whole(0), a.Whole(1), a.Whole(2))),
            Bars(new() { Name = "ao", FullName = "awesomeoscillator", Aliases = ["awesome"], Category = Oscillators, Description = "SMA(hl2, fast) − SMA(hl2, slow), and 100·ao/hl2.", Parameters = [Periods("fast", 5, "Fast SMA length."), Periods("slow", 34, "Slow SMA length.")], Outputs = Fields("ao", "normalized"), Warmup = a => a.Whole(1) - 1, Check = Increasing(0, 1) }, a => new AwesomeKernel(a.Whole(0), a.Whole(1))),
            Bars(new() { Name = "bop", FullName = "balanceofpower", Category = Oscillators, Description = "SMA of (C − O)/(H − L); empty while the window has a bar with H = L.", Parameters = [Periods("smooth", 14, "SMA length.")], Outputs = Fields("bop"), Warmup = a => a.Whole(0) - 1 }, a => new BopKernel(a.Whole(0))),

            // Volume.
            Bars(new() { Name = "obv", FullName = "onbalancevolume", Category = VolumeCategory, Description = "On-balance volume, 0 on the first bar.", Outputs = Fields("obv"), Warmup = _ => 0 }, _ => new ObvKernel()),
            Bars(new() { Name = "adl", FullName = "accumulationdistributionline", Aliases = ["ad"], Category = VolumeCategory, Description = "Running sum of money-flow volume.", Outputs = Fields("adl"), Warmup = _ => 0 }, _ => new AdlKernel()),
            Bars(new() { Name = "cmf", FullName = "chaikinmoneyflow", Category = VolumeCategory, Description = "Σ money-flow volume / Σ volume over N bars.", Parameters = [Periods("lookback", 20, lookback)], Outputs = Fields("cmf"), Warmup = a => a.Whole(0) - 1 }, a => new CmfKernel(a.Whole(0))),
            Bars(new() { Name = "vwap", FullName = "volumeweightedaverageprice", Category = VolumeCategory, Description = "Anchored VWAP of the typical price from the anchor (Unix seconds; 0 = first bar).", Parameters = [new IndicatorParameter("anchor", ParameterKind.WholeNumber, 0, 0, 253_402_300_799, "Anchor time in Unix seconds UTC; 0 anchors at the first bar.")], Outputs = Fields("vwap"), Warmup = _ => 0 }, a => new VwapKernel(a.WholeLong(0) == 0 ? long.MinValue : a.WholeLong(0) * 1000)),

            // Volatility.
            Value(new() { Name = "bb", FullName = "bollinger", Aliases = ["bollingerbands", "bbands"], Category = VolatilityCategory, Description = "SMA ± k population standard deviations, %B and width.", Parameters = [Periods("lookback", 20, lookback, minimum: 2), Number("deviations", 2, 0.01, 100, "Band width in standard deviations.")], Outputs = Fields("middle", "upper", "lower", "percentb", "width"), Warmup = a => a.Whole(0) - 1 }, a => new BollingerKernel(a.Whole(0), a.Number(1))),
            Bars(new() { Name = "keltner", FullName = "keltnerchannels", Aliases = ["kc"], Category = VolatilityCategory, Description = "EMA centre ± m·ATR (Wilder) bands.", Parameters = [Periods("ema", 20, "Centre EMA length."), Number("multiplier", 2, 0.01, 100, "ATR multiple."), Periods("atr", 10, "ATR length.")], Outputs = Fields("upper", "center", "lower", "width"), Warmup = a => Math.Max(a.Whole(0) - 1, a.Whole(2)) }, a => new KeltnerKernel(a.Whole(0), a.Number(1), a.Whole(2))),
            Bars(new() { Name = "donchian", FullName = "donchianchannels", Aliases = ["dc"], Category = VolatilityCategory, Description = "Highest high and lowest low of the previous N bars (current bar excluded).", Parameters = [Periods("lookback", 20, lookback)], Outputs = Fields("upper", "center", "lower", "width"), Warmup = a => a.Whole(0) }, a => new DonchianKernel(a.Whole(0))),
            Bars(new() { Name = "atr", FullName = "averagetruerange", Category = VolatilityCategory, Description = "True range and Wilder's average true range (and as % of close).", Parameters = [Periods("lookback", 14, lookback)], Outputs = Fields("tr", "atr", "atrp"), Warmup = _ => 1 }, a => new AtrKernel(a.Whole(0))),
            Bars(new() { Name = "natr", FullName = "normalizedaveragetruerange", Category = VolatilityCategory, Description = "ATR as a percent of the close.", Parameters = [Periods("lookback", 14, lookback)], Outputs = Fields("natr"), Warmup = a => a.Whole(0), FieldMap = [2] }, a => new AtrKernel(a.Whole(0))),
            Bars(new() { Name = "tr", FullName = "truerange", Category = VolatilityCategory, Description = "max(H − L, |H − Cprev|, |L − Cprev|); empty on the first bar.", Outputs = Fields("tr"), Warmup = _ => 1 }, _ => new TrueRangeKernel()),
            Value(new() { Name = "stddev", FullName = "standarddeviation", Category = VolatilityCategory, Description = "Rolling population standard deviation, mean and z-score.", Parameters = [Periods("lookback", 14, lookback)], Outputs = Fields("stddev", "mean", "zscore"), Warmup = a => a.Whole(0) - 1 }, a => new StdDevKernel(a.Whole(0))),
            Value(new() { Name = "zscore", FullName = "standardscore", Category = VolatilityCategory, Description = "(x − rolling mean)/rolling population standard deviation.", Parameters = [Periods("lookback", 20, lookback, minimum: 2)], Outputs = Fields("zscore"), Warmup = a => a.Whole(0) - 1, FieldMap = [2] }, a => new StdDevKernel(a.Whole(0))),
            Bars(new() { Name = "chandelier", FullName = "chandelierexit", Category = VolatilityCategory, Description = "Highest high − m·ATR (long exit) and lowest low + m·ATR (short exit).", Parameters = [Periods("lookback", 22, lookback), Number("multiplier", 3, 0.01, 100, "ATR multiple.")], Outputs = Fields("long", "short"), Warmup = a => a.Whole(0) }, a => new ChandelierKernel(a.Whole(0), a.Number(1))),

            // Trend.
            Bars(new() { Name = "adx", FullName = "averagedirectionalindex", Aliases = ["dmi"], Category = TrendCategory, Description = "+DI, −DI, ADX and ADXR (Wilder).", Parameters = [Periods("lookback", 14, lookback)], Outputs = Fields("pdi", "mdi", "adx", "adxr"), Warmup = a => a.Whole(0) }, a => new AdxKernel(a.Whole(0))),
            Bars(new() { Name = "dx", FullName = "directionalmovementindex", Category = TrendCategory, Description = "DX = 100·|+DI − −DI|/(+DI + −DI).", Parameters = [Periods("lookback", 14, lookback)], Outputs = Fields("dx"), Warmup = a => a.Whole(0), FieldMap = [4] }, a => new AdxKernel(a.Whole(0))),
            Bars(new() { Name = "aroon", FullName = "aroonindicator", Category = TrendCategory, Description = "Bars since the highest high / lowest low of N + 1 bars, as 0–100, and their difference.", Parameters = [Periods("lookback", 25, lookback)], Outputs = Fields("up", "down", "oscillator"), Warmup = a => a.Whole(0) }, a => new AroonKernel(a.Whole(0))),
            Bars(new() { Name = "psar", FullName = "parabolicsar", Aliases = ["sar"], Category = TrendCategory, Description = "Parabolic stop-and-reverse; empty up to and including the first reversal.", Parameters = [Number("step", 0.02, 0.0001, 1, "Acceleration step."), Number("max", 0.2, 0.0001, 1, "Maximum acceleration factor."), Number("initial", 0, 0, 1, "Initial factor after a reversal (0 = the step).")], Outputs = [new("sar", "Stop-and-reverse level."), new("reversal", "1 on a reversal bar, else 0.")], Warmup = _ => 2, Check = CheckSar }, a => new ParabolicSarKernel(a.Number(0), a.Number(1), a.Number(2) == 0 ? double.NaN : a.Number(2))),
            Bars(new() { Name = "supertrend", FullName = "supertrendindicator", Category = TrendCategory, Description = "hl2 ± m·ATR trailing bands; the active band is the SuperTrend.", Parameters = [Periods("lookback", 10, "ATR length."), Number("multiplier", 3, 0.01, 100, "ATR multiple.")], Outputs = Fields("supertrend", "upperband", "lowerband"), Warmup = a => a.Whole(0) }, a => new SuperTrendKernel(a.Whole(0), a.Number(1))),
            Bars(new() { Name = "ichimoku", FullName = "ichimokucloud", Category = TrendCategory, Description = "Tenkan, kijun, senkou A/B (shifted by kijun) and chikou (close kijun bars ahead).", Parameters = [Periods("tenkan", 9, "Conversion line window."), Periods("kijun", 26, "Base line window and offset."), Periods("senkoub", 52, "Leading span B window.")], Outputs = [new("tenkan", "Conversion line."), new("kijun", "Base line."), new("senkoua", "Leading span A."), new("senkoub", "Leading span B."), new("chikou", "Lagging span: close kijun bars later.", LookAhead: true)], Warmup = a => a.Whole(0) - 1, PostProcess = (bars, a, columns) => IchimokuKernel.FillChikou(bars.Close, columns[4], a.Whole(1)) }, a => new IchimokuKernel(a.Whole(0), a.Whole(1), a.Whole(2))),
            Value(new() { Name = "linreg", FullName = "linearregression", Aliases = ["slope"], Category = TrendCategory, Description = "Least-squares slope per bar, line value at the current bar, and R².", Parameters = [Periods("lookback", 14, lookback, minimum: 2)], Outputs = Fields("slope", "intercept", "r2"), Warmup = a => a.Whole(0) - 1 }, a => new LinearRegressionKernel(a.Whole(0))),
            Bars(new() { Name = "elderray", FullName = "elderrayindex", Category = TrendCategory, Description = "EMA of the close, bull power H − EMA and bear power L − EMA.", Parameters = [Periods("lookback", 13, lookback)], Outputs = Fields("ema", "bullpower", "bearpower"), Warmup = a => a.Whole(0) - 1 }, a => new ElderRayKernel(a.Whole(0))),
        ];
    }

    private static string? CheckSar(IndicatorArguments a)
    {
        if (a.Number(0) > a.Number(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"parameter 'step' must not exceed 'max' ({a.Number(1)}); got {a.Number(0)}.");
        }

        if (a.Number(2) > a.Number(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"parameter 'initial' must not exceed 'max' ({a.Number(1)}); got {a.Number(2)}.");
        }

        return null;
    }
}
