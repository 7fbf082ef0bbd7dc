namespace SigmaFlow.Core.Optimization.MonteCarlo;

/// <summary>How a Monte Carlo path perturbs the baseline backtest.</summary>
public enum MonteCarloMethod
{
    /// <summary>
    /// The baseline's trade returns in a random order (a uniform permutation). The compounded final equity is the same on
    /// every path (multiplication is commutative); only the path, hence drawdown and ruin, changes.
    /// </summary>
    Reshuffle,

    /// <summary>As many trade returns as the baseline has, drawn from its trade returns uniformly with replacement.</summary>
    Bootstrap,

    /// <summary>The baseline's trade returns in order, each left out independently with <see cref="MonteCarloOptions.SkipProbability"/>.</summary>
    Skip,

    /// <summary>
    /// The backtest re-run with commission and slippage each multiplied by its own factor drawn uniformly from
    /// [<see cref="MonteCarloOptions.CostFactorLow"/>, <see cref="MonteCarloOptions.CostFactorHigh"/>]. Needs a re-run
    /// function and a baseline with commission or slippage.
    /// </summary>
    Costs,
}
