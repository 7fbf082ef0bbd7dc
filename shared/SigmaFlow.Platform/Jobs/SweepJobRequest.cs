using SigmaFlow.Core.Backtesting;

namespace SigmaFlow.Platform.Jobs;

/// <summary>
/// A parameter sweep to run as a job (the body of <c>POST /api/sweeps</c>). Members are nullable so that a request with
/// a missing member is answered with a problem naming it rather than failing to bind; defaults are those of
/// <c>sigmaflow sweep</c>.
/// </summary>
public sealed record SweepJobRequest
{
    /// <summary>The strategy document, YAML or JSON text. Required.</summary>
    public string? Strategy { get; init; }

    /// <summary>
    /// Swept parameters, each <c>name=start:stop:step</c> (inclusive), <c>name=a,b,c</c>, <c>name=value</c>, or just
    /// <c>name</c> for the document's <c>min … max</c> by its <c>step</c>. When none is given, every parameter whose
    /// document declares a <c>step</c> is swept.
    /// </summary>
    public IReadOnlyList<string>? Parameters { get; init; }

    /// <summary>Parameters fixed at one value (the CLI's <c>--set</c>); every other parameter keeps its default.</summary>
    public IReadOnlyDictionary<string, double>? Fixed { get; init; }

    /// <summary>Conditions over parameter names every combination must meet, e.g. <c>fast &lt; slow</c>.</summary>
    public IReadOnlyList<string>? Constraints { get; init; }

    /// <summary><c>grid</c> (default) or <c>random</c>.</summary>
    public string? Method { get; init; }

    /// <summary>Combinations drawn by <c>random</c> (default 100).</summary>
    public int? Samples { get; init; }

    /// <summary>Seed of <c>random</c> (default 1).</summary>
    public ulong? Seed { get; init; }

    /// <summary><c>sharpe</c> (default), <c>sortino</c>, <c>calmar</c>, <c>cagr</c>, <c>return</c>, <c>return-dd</c>, <c>profit-factor</c>, or an expression over metric names.</summary>
    public string? Objective { get; init; }

    /// <summary>Combinations with fewer closed trades are not ranked (default 0).</summary>
    public int? MinTrades { get; init; }

    /// <summary>Conditions on metrics a ranked combination must meet, e.g. <c>maxDrawdown &gt; -0.3</c>.</summary>
    public IReadOnlyList<string>? Requirements { get; init; }

    /// <summary>Combinations kept in full, best first (default 20).</summary>
    public int? Top { get; init; }

    /// <summary>Blocks for the Probability of Backtest Overfitting (even, 2 … 16; default 10).</summary>
    public int? PboBlocks { get; init; }

    /// <summary>Backtest settings for every combination (cash, fill, commission, slippage, …); defaults when null.</summary>
    public BacktestOptions? Backtest { get; init; }

    /// <summary>The bars every shard runs on. Required.</summary>
    public SweepDataSource? Data { get; init; }

    /// <summary>How long one shard should run, in seconds (default <see cref="SweepJobOptions.TargetShardDuration"/>).</summary>
    public double? ShardSeconds { get; init; }

    /// <summary>Fewest shards to cut, e.g. the number of workers expected (default 1).</summary>
    public int? MinimumShards { get; init; }
}

/// <summary>Where a sweep's bars come from: exactly one of <see cref="Synthetic"/> or <see cref="Stored"/>.</summary>
public sealed record SweepDataSource
{
    /// <summary>A deterministic synthetic market (demos and tests).</summary>
    public SyntheticBarsSource? Synthetic { get; init; }

    /// <summary>Final bars the live pipeline stored in the <c>bars</c> table.</summary>
    public StoredBarsSource? Stored { get; init; }
}

/// <summary>A synthetic market (<c>sigmaflow sample</c>'s generator): the same settings always give the same bars.</summary>
public sealed record SyntheticBarsSource
{
    /// <summary>Seed (default 42).</summary>
    public ulong? Seed { get; init; }

    /// <summary>Number of bars (default 2520).</summary>
    public int? Bars { get; init; }

    /// <summary>Bar length, e.g. <c>1d</c> (default), <c>1h</c>, <c>1m</c>.</summary>
    public string? Interval { get; init; }

    /// <summary>First price (default 100).</summary>
    public double? StartPrice { get; init; }
}

/// <summary>Stored final bars of one symbol and timeframe (table <c>bars</c>, partition <c>{SYMBOL}|{timeframe}</c>) over a time range.</summary>
public sealed record StoredBarsSource
{
    /// <summary>The symbol, e.g. <c>BTCUSD</c>. Required.</summary>
    public string? Symbol { get; init; }

    /// <summary>The timeframe, e.g. <c>1m</c> (default), <c>5m</c>, <c>15m</c>, <c>1h</c>.</summary>
    public string? Timeframe { get; init; }

    /// <summary>First bar start included. Required.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Bars starting at or after this are excluded. Required.</summary>
    public DateTimeOffset? To { get; init; }
}
