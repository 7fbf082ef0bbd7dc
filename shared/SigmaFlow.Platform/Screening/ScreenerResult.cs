using System.Globalization;

namespace SigmaFlow.Platform.Screening;

/// <summary>A symbol that meets a screener's condition on its last final bar.</summary>
/// <param name="Rank">Position among all matches in the screener's order (from 1).</param>
/// <param name="Symbol">The symbol.</param>
/// <param name="Time">Start of the last final bar (Unix ms), the bar the condition was met on.</param>
/// <param name="Close">That bar's close (null when not stored).</param>
/// <param name="Value">The rank expression's value on that bar; null without a rank expression, or while it has no value yet (such matches come last).</param>
public sealed record ScreenerMatch(int Rank, string Symbol, long Time, double? Close, double? Value);

/// <summary>A symbol the screener could not evaluate yet, with the reason (not an error: e.g. too few bars for the warm-up).</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="Reason">Why, with the numbers.</param>
public sealed record ScreenerSkip(string Symbol, string Reason);

/// <summary>Something that went wrong for one symbol (its bars could not be read or evaluated) or for the screener as a whole (a watchlist that no longer exists).</summary>
/// <param name="Symbol">The symbol, or null when the problem is not about one symbol.</param>
/// <param name="Message">What went wrong.</param>
public sealed record ScreenerIssue(string? Symbol, string Message);

/// <summary>
/// One run of a screener: what was scanned and what matched. The timer scan stores the latest per screener, pushes it
/// and returns it from the API; an ad-hoc scan returns it inline.
/// </summary>
/// <param name="Screener">The screener id (<c>adhoc</c> for an ad-hoc scan).</param>
/// <param name="Name">Its name.</param>
/// <param name="Timeframe">The bars read (<c>15m</c>).</param>
/// <param name="Condition">The condition as written.</param>
/// <param name="RankExpression">The rank expression as written, or null.</param>
/// <param name="Order"><c>desc</c> or <c>asc</c>.</param>
/// <param name="Limit">Most matches listed.</param>
/// <param name="ScannedAt">When the scan ran.</param>
/// <param name="Symbols">Symbols in the scan's universe.</param>
/// <param name="Evaluated">Symbols evaluated (not skipped, no error).</param>
/// <param name="Matched">Symbols that met the condition (may exceed the matches listed).</param>
/// <param name="Matches">The first <paramref name="Limit"/> matches, in order.</param>
/// <param name="NewMatches">Symbols that match now and did not in the previous run (timer scans only; they became alert candidates).</param>
/// <param name="Skipped">Symbols not evaluated, with reasons.</param>
/// <param name="Errors">Problems for single symbols or the universe; the rest of the scan went on.</param>
/// <param name="Error">Why the screener could not run at all (its expressions no longer compile), or null.</param>
public sealed record ScreenerResult(
    string Screener,
    string Name,
    string Timeframe,
    string Condition,
    string? RankExpression,
    string Order,
    int Limit,
    DateTimeOffset ScannedAt,
    int Symbols,
    int Evaluated,
    int Matched,
    IReadOnlyList<ScreenerMatch> Matches,
    IReadOnlyList<string> NewMatches,
    IReadOnlyList<ScreenerSkip> Skipped,
    IReadOnlyList<ScreenerIssue> Errors,
    string? Error = null);

/// <summary>
/// An alert candidate for a symbol that newly matches a screener, put on the <c>alerts</c> queue as
/// <c>{"type":"screener","id":…,"screener":…,"symbol":…,"timeframe":…,"time":…,"value":…,"rank":…,"close":…,"text":…}</c>.
/// </summary>
/// <param name="Screener">The screener id.</param>
/// <param name="Name">The screener's name (used in the text).</param>
/// <param name="Symbol">The symbol.</param>
/// <param name="Timeframe">The timeframe (<c>15m</c>).</param>
/// <param name="Time">Start of the bar the condition was met on (Unix ms).</param>
/// <param name="Close">That bar's close, if stored.</param>
/// <param name="Value">The rank value, if any.</param>
/// <param name="Rank">Position among the matches.</param>
/// <param name="Matched">Number of matches in the run.</param>
/// <param name="Condition">The condition, for the text.</param>
public sealed record ScreenerAlert(string Screener, string Name, string Symbol, string Timeframe, long Time, double? Close, double? Value, int Rank, int Matched, string Condition)
{
    /// <summary>
    /// A stable id: <c>screener|{screener}|{symbol}|{timeframe}|{time}</c>. The same match found again on the same bar (a
    /// retried timer run, a run before the next bar is final) has the same id, so delivery can drop duplicates.
    /// </summary>
    public string Id => string.Create(CultureInfo.InvariantCulture, $"screener|{Screener}|{Symbol}|{Timeframe}|{Time}");

    /// <summary>
    /// A readable line: <c>BTCUSD now matches screener 'Oversold' (rsi(14) &lt; 30) on the 15m bar of 2026-01-01 00:00 UTC:
    /// close 64,210.5, rank 1 of 3, value 27.4</c>.
    /// </summary>
    public string Text
    {
        get
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(Time).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
            var close = Close is { } c ? string.Create(CultureInfo.InvariantCulture, $"close {c:G10}, ") : string.Empty;
            var value = Value is { } v ? string.Create(CultureInfo.InvariantCulture, $", value {v:G6}") : string.Empty;
            return string.Create(CultureInfo.InvariantCulture, $"{Symbol} now matches screener '{Name}' ({Condition}) on the {Timeframe} bar of {at}: {close}rank {Rank} of {Matched}{value}");
        }
    }
}
