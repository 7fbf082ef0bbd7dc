using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;

namespace SigmaFlow.Platform.Screening;

/// <summary>The order of a screener's matches by their rank value.</summary>
public enum ScreenerOrder
{
    /// <summary>Highest value first (the default).</summary>
    Descending,

    /// <summary>Lowest value first.</summary>
    Ascending,
}

/// <summary>
/// A screener: a true/false <see cref="Condition"/> evaluated on the last final bar of every symbol of some watchlists,
/// and an optional number <see cref="Rank"/> that orders the symbols that match. Checked and compiled by
/// <see cref="ScreenerRules"/>; run by <see cref="ScreenerEngine"/>.
/// </summary>
/// <param name="Id">The id: 1–64 lower-case letters, digits, <c>.</c>, <c>_</c> or <c>-</c>, starting with a letter or digit.</param>
/// <param name="Name">A display name (defaults to the id).</param>
/// <param name="Watchlists">Ids of the watchlists whose symbols it scans; empty for every watchlist.</param>
/// <param name="Timeframe">The bars it reads: one of <see cref="Timeframes"/> (default 15m).</param>
/// <param name="Condition">The rule-language condition a symbol must meet, e.g. <c>rsi(14) &lt; 30</c>.</param>
/// <param name="Rank">A rule-language number that orders the matches (e.g. <c>roc(10).roc</c>), or null to list them by symbol.</param>
/// <param name="Order">Highest rank value first (default) or lowest first.</param>
/// <param name="Limit">Most matches kept in a result (1–<see cref="MaxLimit"/>, default <see cref="DefaultLimit"/>).</param>
/// <param name="Enabled">Whether the timer scan runs it.</param>
public sealed record ScreenerDefinition(
    string Id,
    string Name,
    IReadOnlyList<string> Watchlists,
    Timeframe Timeframe,
    string Condition,
    string? Rank,
    ScreenerOrder Order = ScreenerOrder.Descending,
    int Limit = ScreenerDefinition.DefaultLimit,
    bool Enabled = true)
{
    /// <summary>Matches kept when no limit is given.</summary>
    public const int DefaultLimit = 50;

    /// <summary>Largest limit.</summary>
    public const int MaxLimit = 500;

    /// <summary>Longest condition or rank expression (characters).</summary>
    public const int MaxExpressionLength = 2000;

    /// <summary>Most watchlists one screener names.</summary>
    public const int MaxWatchlists = 20;

    /// <summary>Longest name.</summary>
    public const int MaxNameLength = 100;

    /// <summary>Most symbols one scan evaluates (the rest are reported, not scanned).</summary>
    public const int MaxSymbols = 1000;

    /// <summary>The timeframe used when none is given.</summary>
    public static Timeframe DefaultTimeframe { get; } = Timeframe.Parse("15m");

    /// <summary>The timeframes a screener can read: those the live pipeline stores (1m, 5m, 15m, 1h).</summary>
    public static IReadOnlyList<Timeframe> Timeframes { get; } = new LiveSymbolOptions().Timeframes;

    /// <summary>Whether it scans every watchlist.</summary>
    public bool AllWatchlists => Watchlists.Count == 0;

    /// <summary>The order as written in JSON and accepted in input: <c>desc</c> or <c>asc</c>.</summary>
    public string OrderText => Order == ScreenerOrder.Ascending ? "asc" : "desc";
}

/// <summary>A stored screener.</summary>
/// <param name="Definition">The definition.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it was last written.</param>
/// <param name="ETag">The stored version, for conditional updates.</param>
public sealed record StoredScreener(ScreenerDefinition Definition, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string ETag);
