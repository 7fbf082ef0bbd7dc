using System.Globalization;
using System.Reflection;
using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Backtesting.Performance;
using SigmaFlow.Core.Strategies;

namespace SigmaFlow.Core.Optimization;

/// <summary>How a sweep chooses the combinations it tries.</summary>
public enum SearchMethod
{
    /// <summary>Every combination of the grid that meets the constraints.</summary>
    Grid,

    /// <summary><see cref="SweepDefinition.Samples"/> distinct combinations drawn uniformly from the allowed grid with the seed.</summary>
    Random,

    /// <summary>
    /// Successive halving: a seeded random sample is tried on the most recent part of the history, the best
    /// 1/<see cref="SweepDefinition.HalvingRate"/> go on to a longer part, until the survivors run on all of it.
    /// </summary>
    Adaptive,
}

/// <summary>What a sweep maximises.</summary>
/// <param name="Name">
/// <c>sharpe</c>, <c>sortino</c>, <c>calmar</c>, <c>cagr</c>, <c>return</c> (total return), <c>return-dd</c> (total
/// return / |max drawdown|), <c>profit-factor</c>, or an expression over metric names (camelCase, e.g.
/// <c>cagr / abs(maxDrawdown)</c>).
/// </param>
public sealed record SweepObjective(string Name)
{
    private static readonly Dictionary<string, string> Builtins = new(StringComparer.Ordinal)
    {
        ["sharpe"] = "sharpe",
        ["sortino"] = "sortino",
        ["calmar"] = "calmar",
        ["cagr"] = "cagr",
        ["return"] = "totalReturn",
        ["return-dd"] = "totalReturn / abs(maxDrawdown)",
        ["profit-factor"] = "profitFactor",
    };

    /// <summary>The Sharpe ratio.</summary>
    public static SweepObjective Sharpe { get; } = new("sharpe");

    /// <summary>Names of the built-in objectives.</summary>
    public static IReadOnlyCollection<string> BuiltinNames => Builtins.Keys;

    /// <summary>The expression the objective evaluates, over <see cref="MetricValues.Names"/>.</summary>
    public string Expression => Builtins.TryGetValue(Name, out var e) ? e : Name;
}

/// <summary>Everything that defines a sweep, apart from the bars it runs on. Serialisable; two equal definitions give equal results.</summary>
public sealed record SweepDefinition
{
    /// <summary>The strategy.</summary>
    public required StrategyDocument Strategy { get; init; }

    /// <summary>The swept parameters.</summary>
    public required IReadOnlyList<ParameterAxis> Axes { get; init; }

    /// <summary>Conditions on parameters every combination must meet, e.g. <c>fast &lt; slow</c>.</summary>
    public IReadOnlyList<string> Constraints { get; init; } = [];

    /// <summary>How combinations are chosen.</summary>
    public SearchMethod Method { get; init; } = SearchMethod.Grid;

    /// <summary>Combinations to draw for <see cref="SearchMethod.Random"/> and <see cref="SearchMethod.Adaptive"/>.</summary>
    public int Samples { get; init; } = 100;

    /// <summary>Seed of every random choice.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Successive halving: keep 1/rate of the candidates per rung (≥ 2).</summary>
    public int HalvingRate { get; init; } = 3;

    /// <summary>Successive halving: number of rungs (≥ 1); rung r of R runs on the last rate^(r − R + 1) of the bars.</summary>
    public int Rungs { get; init; } = 3;

    /// <summary>What to maximise.</summary>
    public SweepObjective Objective { get; init; } = SweepObjective.Sharpe;

    /// <summary>Combinations with fewer closed trades are not ranked (they still count as trials).</summary>
    public int MinTrades { get; init; }

    /// <summary>Conditions on report metrics a ranked combination must meet, e.g. <c>maxDrawdown &gt; -0.3</c>.</summary>
    public IReadOnlyList<string> Requirements { get; init; } = [];

    /// <summary>Combinations kept in full, best first.</summary>
    public int Top { get; init; } = 20;

    /// <summary>Backtest settings for every combination.</summary>
    public BacktestOptions Options { get; init; } = new();

    /// <summary>The bars to trade (all when null); see <see cref="BacktestEngine.Run(Data.BarSeries, CompiledStrategy, BacktestOptions?, Strategies.Rules.IndicatorColumnCache?, BarRange?)"/>.</summary>
    public BarRange? Range { get; init; }

    /// <summary>Explicit grid indices to try instead of <see cref="Method"/>'s choice (successive-halving rungs use this).</summary>
    public IReadOnlyList<long>? Candidates { get; init; }

    /// <summary>Blocks the return series is cut into for CSCV (even, 2 … 16).</summary>
    public int PboBlocks { get; init; } = 10;

    /// <summary>Most trials CSCV uses; larger sweeps use a fixed pseudo-random subset of this size, chosen by grid index.</summary>
    public int PboTrials { get; init; } = 10_000;

    /// <summary>Most trials a result keeps in full.</summary>
    public const int MaxTop = 100_000;

    /// <summary>Checks the numeric settings.</summary>
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

        Check(Samples is >= 1 and <= 10_000_000, nameof(Samples), "between 1 and 10000000", Samples);
        Check(HalvingRate is >= 2 and <= 16, nameof(HalvingRate), "between 2 and 16", HalvingRate);
        Check(Rungs is >= 1 and <= 8, nameof(Rungs), "between 1 and 8", Rungs);
        Check(MinTrades >= 0, nameof(MinTrades), "≥ 0", MinTrades);
        Check(Top is >= 1 and <= MaxTop, nameof(Top), "between 1 and 100000", Top);
        Check(Method != SearchMethod.Adaptive || Math.Ceiling(Samples / (double)HalvingRate) <= MaxTop, nameof(Samples), "such that samples / halving rate ≤ 100000 (successive halving keeps its survivors in full)", Samples);
        Check(PboBlocks is >= 2 and <= 16 && PboBlocks % 2 == 0, nameof(PboBlocks), "even and between 2 and 16", PboBlocks);
        Check(PboTrials is >= 2 and <= 1_000_000, nameof(PboTrials), "between 2 and 1000000", PboTrials);
        Options.Validate();
    }
}

/// <summary>The report metrics as a vector of named numbers, for objectives and requirements.</summary>
public static class MetricValues
{
    private static readonly Func<PerformanceMetrics, double>[] Getters;

    static MetricValues()
    {
        var properties = typeof(PerformanceMetrics).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(double) || p.PropertyType == typeof(int)).ToArray();
        Names = properties.Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]).ToArray();
        Getters = properties.Select(Getter).ToArray();
    }

    /// <summary>Metric names in camelCase (<c>sharpe</c>, <c>maxDrawdown</c>, <c>tradeCount</c>, …).</summary>
    public static IReadOnlyList<string> Names { get; }

    /// <summary>Writes the metrics into <paramref name="values"/> in <see cref="Names"/> order.</summary>
    /// <param name="metrics">The metrics.</param>
    /// <param name="values">Receives the values (length ≥ <see cref="Names"/>).</param>
    public static void Fill(PerformanceMetrics metrics, Span<double> values)
    {
        for (var i = 0; i < Getters.Length; i++)
        {
            values[i] = Getters[i](metrics);
        }
    }

    private static Func<PerformanceMetrics, double> Getter(PropertyInfo property)
    {
        if (property.PropertyType == typeof(double))
        {
            return property.GetGetMethod()!.CreateDelegate<Func<PerformanceMetrics, double>>();
        }

        var getInt = property.GetGetMethod()!.CreateDelegate<Func<PerformanceMetrics, int>>();
        return m => getInt(m);
    }
}
