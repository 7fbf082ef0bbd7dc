using System.Globalization;

namespace SigmaFlow.Core.Optimization.MonteCarlo;

/// <summary>
/// Settings of <see cref="MonteCarloAnalysis.Run"/>. Defaults: 1,000 paths per method, seed 1, all four methods, 10 % skip
/// probability, cost factors from 0.5 to 2, ruin at a 50 % loss of the starting equity, all cores.
/// </summary>
public sealed record MonteCarloOptions
{
    /// <summary>Most paths per method <see cref="Validate"/> accepts.</summary>
    public const int MaxPaths = 1_000_000;

    /// <summary>Largest <see cref="CostFactorHigh"/> <see cref="Validate"/> accepts (scaled decimal commissions must stay representable).</summary>
    public const double MaxCostFactor = 1000;

    /// <summary>Paths simulated per method (default 1,000; 1 to 1,000,000).</summary>
    public int Paths { get; init; } = 1000;

    /// <summary>
    /// Seed of every random draw (default 1; any value). Each (method, path) has its own generator seeded from this seed,
    /// the method and the path index, so the same seed gives the same report whatever the thread count.
    /// </summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Methods to run, reported in this order (default all four; at least one, no repeats, defined values only).</summary>
    public IReadOnlyList<MonteCarloMethod> Methods { get; init; } =
        [MonteCarloMethod.Reshuffle, MonteCarloMethod.Bootstrap, MonteCarloMethod.Skip, MonteCarloMethod.Costs];

    /// <summary>Chance that the <see cref="MonteCarloMethod.Skip"/> method leaves out each trade (default 0.1; at least 0 and below 1).</summary>
    public double SkipProbability { get; init; } = 0.1;

    /// <summary>Smallest cost multiplier of the <see cref="MonteCarloMethod.Costs"/> method (default 0.5; finite, at least 0).</summary>
    public double CostFactorLow { get; init; } = 0.5;

    /// <summary>Largest cost multiplier of the <see cref="MonteCarloMethod.Costs"/> method (default 2; at least <see cref="CostFactorLow"/>, at most 1,000).</summary>
    public double CostFactorHigh { get; init; } = 2.0;

    /// <summary>
    /// Loss of the starting equity that counts as ruin (default 0.5: a path is ruined once its equity is at or below 50 % of
    /// the initial cash; greater than 0 and at most 1, where 1 means equity at or below 0).
    /// </summary>
    public double RuinThreshold { get; init; } = 0.5;

    /// <summary>
    /// Most paths simulated at once (default −1: as many as the thread pool allows; 1 runs serially; otherwise at least 1).
    /// The report does not depend on it.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">
    /// A setting breaks its rule (an <see cref="ArgumentOutOfRangeException"/> for a value out of range); the message
    /// names the setting, the rule and the value, and <see cref="ArgumentException.ParamName"/> is the setting's name.
    /// </exception>
    public void Validate()
    {
        if (Paths < 1 || Paths > MaxPaths)
        {
            throw OutOfRange(nameof(Paths), Paths, "must be between 1 and 1000000");
        }

        if (Methods is null || Methods.Count == 0)
        {
            throw new ArgumentException("Methods must name at least one method; got none.", nameof(Methods));
        }

        for (var i = 0; i < Methods.Count; i++)
        {
            var method = Methods[i];
            if (!Enum.IsDefined(method))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Methods must hold defined methods only; got {(int)method} at index {i}."), nameof(Methods));
            }

            for (var j = 0; j < i; j++)
            {
                if (Methods[j] == method)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Methods must not repeat a method; got {method} at indexes {j} and {i}."), nameof(Methods));
                }
            }
        }

        if (!(SkipProbability >= 0 && SkipProbability < 1))
        {
            throw OutOfRange(nameof(SkipProbability), SkipProbability, "must be at least 0 and below 1");
        }

        if (!(CostFactorLow >= 0) || double.IsInfinity(CostFactorLow))
        {
            throw OutOfRange(nameof(CostFactorLow), CostFactorLow, "must be a finite number of at least 0");
        }

        if (!(CostFactorHigh >= CostFactorLow && CostFactorHigh <= MaxCostFactor))
        {
            throw OutOfRange(nameof(CostFactorHigh), CostFactorHigh, string.Create(CultureInfo.InvariantCulture, $"must be at least CostFactorLow ({CostFactorLow}) and at most {MaxCostFactor}"));
        }

        if (!(RuinThreshold > 0 && RuinThreshold <= 1))
        {
            throw OutOfRange(nameof(RuinThreshold), RuinThreshold, "must be greater than 0 and at most 1");
        }

        if (MaxDegreeOfParallelism != -1 && MaxDegreeOfParallelism < 1)
        {
            throw OutOfRange(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "must be -1 (no limit) or at least 1");
        }
    }

    private static ArgumentOutOfRangeException OutOfRange(string name, object value, string rule) =>
        new(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} {rule}; got {value}."));
}
