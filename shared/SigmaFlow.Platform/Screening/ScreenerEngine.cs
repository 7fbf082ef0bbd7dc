using System.Globalization;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Strategies.Rules;

namespace SigmaFlow.Platform.Screening;

/// <summary>One symbol's final bars, oldest first, as a screener reads them.</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="Bars">Its final bars of the screener's timeframe.</param>
public sealed record SymbolBars(string Symbol, BarSeries Bars);

/// <summary>What a screener found over a set of symbols: every match in order, the skipped symbols and per-symbol errors.</summary>
/// <param name="Matches">Every symbol that met the condition, in the screener's order, ranked from 1.</param>
/// <param name="Skipped">Symbols with too few bars, with the reason.</param>
/// <param name="Errors">Symbols whose evaluation failed, with the reason.</param>
/// <param name="Evaluated">Symbols evaluated.</param>
public sealed record ScreenerEvaluation(IReadOnlyList<ScreenerMatch> Matches, IReadOnlyList<ScreenerSkip> Skipped, IReadOnlyList<ScreenerIssue> Errors, int Evaluated);

/// <summary>
/// Runs a compiled screener over symbols' bars, with no I/O: the condition's value on each symbol's last bar decides a
/// match, the rank's value there orders the matches (ties and matches without a value by symbol). A symbol with fewer
/// bars than the expressions' warm-up needs is skipped with the reason; one whose evaluation fails is reported with the
/// error; neither stops the others.
/// </summary>
public static class ScreenerEngine
{
    /// <summary>Evaluates the screener.</summary>
    /// <param name="screener">The compiled screener.</param>
    /// <param name="symbols">The symbols with their bars (each symbol once).</param>
    /// <returns>Matches, skips and errors.</returns>
    public static ScreenerEvaluation Evaluate(CompiledScreener screener, IEnumerable<SymbolBars> symbols)
    {
        ArgumentNullException.ThrowIfNull(screener);
        ArgumentNullException.ThrowIfNull(symbols);
        var found = new List<(string Symbol, long Time, double Close, double Value)>();
        var skipped = new List<ScreenerSkip>();
        var errors = new List<ScreenerIssue>();
        var evaluated = 0;
        var timeframe = screener.Definition.Timeframe;
        foreach (var (symbol, bars) in symbols)
        {
            if (bars.Count == 0)
            {
                skipped.Add(new ScreenerSkip(symbol, $"no final {timeframe} bars are stored for {symbol}"));
                continue;
            }

            if (bars.Count < screener.RequiredBars)
            {
                skipped.Add(new ScreenerSkip(symbol, string.Create(CultureInfo.InvariantCulture, $"needs {screener.RequiredBars} final {timeframe} bars (warm-up {screener.Warmup} + 1); {bars.Count} stored")));
                continue;
            }

            try
            {
                // One cache per symbol: an indicator both expressions use is computed once.
                var cache = new IndicatorColumnCache();
                var condition = screener.Condition.LastValue(bars, cache);
                evaluated++;
                if (condition != 1)
                {
                    continue;
                }

                var value = screener.Rank?.LastValue(bars, cache) ?? double.NaN;
                found.Add((symbol, bars.Time[^1], bars.Close[^1], value));
            }
            catch (Exception e) when (e is StrategyException or IndicatorSpecException or ArgumentException or InvalidOperationException or ArithmeticException)
            {
                errors.Add(new ScreenerIssue(symbol, $"evaluation failed: {e.Message}"));
            }
        }

        var descending = screener.Definition.Order == ScreenerOrder.Descending;
        found.Sort((a, b) =>
        {
            var byValue = Compare(a.Value, b.Value, descending);
            return byValue != 0 ? byValue : string.CompareOrdinal(a.Symbol, b.Symbol);
        });
        var matches = new List<ScreenerMatch>(found.Count);
        for (var i = 0; i < found.Count; i++)
        {
            var (symbol, time, close, value) = found[i];
            matches.Add(new ScreenerMatch(i + 1, symbol, time, Finite(close), Finite(value)));
        }

        return new ScreenerEvaluation(matches, skipped, errors, evaluated);
    }

    /// <summary>Values first (in the order asked), empty values last.</summary>
    private static int Compare(double a, double b, bool descending)
    {
        var aEmpty = !double.IsFinite(a);
        var bEmpty = !double.IsFinite(b);
        if (aEmpty || bEmpty)
        {
            return aEmpty == bEmpty ? 0 : aEmpty ? 1 : -1;
        }

        return descending ? b.CompareTo(a) : a.CompareTo(b);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
