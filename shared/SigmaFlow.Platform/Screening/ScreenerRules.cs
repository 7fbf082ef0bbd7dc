using System.Globalization;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Strategies.Rules;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Platform.Screening;

/// <summary>A screener as sent by a caller, before it is checked: every field may be missing or wrong.</summary>
/// <param name="Id">The id.</param>
/// <param name="Name">The display name.</param>
/// <param name="Watchlists">Watchlist ids; null or empty for every watchlist.</param>
/// <param name="Timeframe">The timeframe text (<c>1m</c>, <c>5m</c>, <c>15m</c>, <c>1h</c>).</param>
/// <param name="Condition">The condition.</param>
/// <param name="Rank">The rank expression.</param>
/// <param name="Order"><c>desc</c> or <c>asc</c> (also <c>descending</c>, <c>ascending</c>).</param>
/// <param name="Limit">Most matches kept.</param>
/// <param name="Enabled">Whether the timer scan runs it.</param>
public sealed record ScreenerDraft(
    string? Id,
    string? Name = null,
    IReadOnlyList<string?>? Watchlists = null,
    string? Timeframe = null,
    string? Condition = null,
    string? Rank = null,
    string? Order = null,
    int? Limit = null,
    bool? Enabled = null);

/// <summary>One thing wrong with a screener: the field, the rule it breaks, the value given and, in an expression, where.</summary>
/// <param name="Field">The field: <c>id</c>, <c>name</c>, <c>watchlists[2]</c>, <c>timeframe</c>, <c>condition</c>, <c>rank</c>, <c>order</c>, <c>limit</c>.</param>
/// <param name="Rule">The rule, in words.</param>
/// <param name="Value">The value given (null when missing).</param>
/// <param name="Line">Line in the expression (from 1), for expression errors.</param>
/// <param name="Column">Column in the expression (from 1), for expression errors.</param>
public sealed record ScreenerError(string Field, string Rule, string? Value = null, int? Line = null, int? Column = null)
{
    /// <inheritdoc />
    public override string ToString() => Line is { } line
        ? string.Create(CultureInfo.InvariantCulture, $"{Field}: line {line}, column {Column}: {Rule}")
        : Value is null ? $"{Field}: {Rule}" : $"{Field}: {Rule} (got '{Value}')";
}

/// <summary>A screener ready to run: its definition with the condition and rank compiled.</summary>
public sealed class CompiledScreener
{
    /// <summary>The fewest bars read per symbol.</summary>
    public const int MinimumWindow = 200;

    /// <summary>The most bars read per symbol (the bar reader's page limit).</summary>
    public const int MaximumWindow = 50_000;

    internal CompiledScreener(ScreenerDefinition definition, RuleExpression condition, RuleExpression? rank)
    {
        Definition = definition;
        Condition = condition;
        Rank = rank;
        Warmup = Math.Max(condition.Warmup, rank?.Warmup ?? 0);
    }

    /// <summary>The definition.</summary>
    public ScreenerDefinition Definition { get; }

    /// <summary>The compiled condition.</summary>
    public RuleExpression Condition { get; }

    /// <summary>The compiled rank, if any.</summary>
    public RuleExpression? Rank { get; }

    /// <summary>Leading bars without a value (the larger of the two expressions' warm-ups, from the indicator catalog).</summary>
    public int Warmup { get; }

    /// <summary>Fewest final bars a symbol needs to be evaluated: <see cref="Warmup"/> + 1; symbols with fewer are skipped.</summary>
    public int RequiredBars => Warmup + 1;

    /// <summary>
    /// Bars read per symbol: four times <see cref="RequiredBars"/>, at least <see cref="MinimumWindow"/> and at most
    /// <see cref="MaximumWindow"/>. More than the warm-up, so that recursive indicators (EMA, RSI, ATR) have settled by the
    /// last bar; evaluation uses every bar read.
    /// </summary>
    public int Window => Math.Clamp(4 * RequiredBars, MinimumWindow, MaximumWindow);

}

/// <summary>The outcome of checking a screener: the compiled screener, or every problem.</summary>
/// <param name="Screener">The compiled screener, or null when there are errors.</param>
/// <param name="Errors">Every problem found; empty when valid.</param>
public sealed record ScreenerCheck(CompiledScreener? Screener, IReadOnlyList<ScreenerError> Errors)
{
    /// <summary>Whether the screener is valid.</summary>
    public bool IsValid => Screener is not null;
}

/// <summary>Checks screener definitions, reporting every problem at once with the field, the rule and the value (and positions in expressions).</summary>
public static class ScreenerRules
{
    /// <summary>Whether a text is a valid screener id (the same rule as strategy and watchlist ids).</summary>
    /// <param name="id">The text.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidId(string? id) => StrategyStore.IsValidId(id);

    /// <summary>Reads an order: <c>desc</c>/<c>descending</c> or <c>asc</c>/<c>ascending</c>, any case.</summary>
    /// <param name="text">The text.</param>
    /// <param name="order">The order.</param>
    /// <returns>True when it is one.</returns>
    public static bool TryParseOrder(string? text, out ScreenerOrder order)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "DESC" or "DESCENDING":
                order = ScreenerOrder.Descending;
                return true;
            case "ASC" or "ASCENDING":
                order = ScreenerOrder.Ascending;
                return true;
            default:
                order = ScreenerOrder.Descending;
                return false;
        }
    }

    /// <summary>Checks a draft and compiles it.</summary>
    /// <param name="draft">What the caller sent.</param>
    /// <param name="requireId">Whether the id must be given (creating) or may be absent (an ad-hoc scan: it becomes <c>adhoc</c>).</param>
    /// <returns>The compiled screener, or every problem.</returns>
    public static ScreenerCheck Check(ScreenerDraft draft, bool requireId = true)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new List<ScreenerError>();
        var id = draft.Id ?? (requireId ? null : "adhoc");
        if (!IsValidId(id))
        {
            errors.Add(new ScreenerError("id", "is required: 1–64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", draft.Id));
        }

        if (draft.Name is { Length: > ScreenerDefinition.MaxNameLength })
        {
            errors.Add(new ScreenerError("name", string.Create(CultureInfo.InvariantCulture, $"must have at most {ScreenerDefinition.MaxNameLength} characters"), Shorten(draft.Name)));
        }

        var watchlists = Watchlists(draft.Watchlists, errors);
        var timeframe = TimeframeOf(draft.Timeframe, errors);
        var order = ScreenerOrder.Descending;
        if (draft.Order is not null && !TryParseOrder(draft.Order, out order))
        {
            errors.Add(new ScreenerError("order", "must be 'desc' (highest rank value first) or 'asc' (lowest first)", draft.Order));
        }

        var limit = draft.Limit ?? ScreenerDefinition.DefaultLimit;
        if (limit is < 1 or > ScreenerDefinition.MaxLimit)
        {
            errors.Add(new ScreenerError("limit", string.Create(CultureInfo.InvariantCulture, $"must be a whole number from 1 to {ScreenerDefinition.MaxLimit}"), limit.ToString(CultureInfo.InvariantCulture)));
        }

        var condition = Expression("condition", draft.Condition, RuleType.Boolean, required: true, errors);
        var rank = Expression("rank", draft.Rank, RuleType.Number, required: false, errors);
        if (errors.Count > 0 || condition is null)
        {
            return new ScreenerCheck(null, errors);
        }

        if (TooLong(condition, rank) is { } tooLong)
        {
            return new ScreenerCheck(null, [tooLong]);
        }

        var definition = new ScreenerDefinition(
            id!,
            string.IsNullOrWhiteSpace(draft.Name) ? id! : draft.Name.Trim(),
            watchlists,
            timeframe,
            condition.Text,
            rank?.Text,
            order,
            limit,
            draft.Enabled ?? true);
        return new ScreenerCheck(new CompiledScreener(definition, condition, rank), []);
    }

    /// <summary>Compiles a stored definition (its expressions may no longer compile, e.g. after a language change).</summary>
    /// <param name="definition">The definition.</param>
    /// <returns>The compiled screener, or every problem.</returns>
    public static ScreenerCheck Compile(ScreenerDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = new List<ScreenerError>();
        var condition = Expression("condition", definition.Condition, RuleType.Boolean, required: true, errors);
        var rank = Expression("rank", definition.Rank, RuleType.Number, required: false, errors);
        if (errors.Count > 0 || condition is null)
        {
            return new ScreenerCheck(null, errors);
        }

        return TooLong(condition, rank) is { } tooLong ? new ScreenerCheck(null, [tooLong]) : new ScreenerCheck(new CompiledScreener(definition, condition, rank), []);
    }

    /// <summary>An expression whose warm-up needs more bars than a scan reads per symbol (<see cref="CompiledScreener.MaximumWindow"/>).</summary>
    private static ScreenerError? TooLong(RuleExpression condition, RuleExpression? rank)
    {
        foreach (var (field, expression) in new[] { ("condition", condition), ("rank", rank) })
        {
            if (expression is not null && expression.RequiredBars > CompiledScreener.MaximumWindow)
            {
                return new ScreenerError(field, string.Create(CultureInfo.InvariantCulture, $"needs {expression.RequiredBars} bars for its warm-up; a scan reads at most {CompiledScreener.MaximumWindow} bars per symbol: use shorter periods"), Shorten(expression.Text));
            }
        }

        return null;
    }

    private static List<string> Watchlists(IReadOnlyList<string?>? given, List<ScreenerError> errors)
    {
        var result = new List<string>();
        if (given is null)
        {
            return result;
        }

        if (given.Count > ScreenerDefinition.MaxWatchlists)
        {
            errors.Add(new ScreenerError("watchlists", string.Create(CultureInfo.InvariantCulture, $"may name at most {ScreenerDefinition.MaxWatchlists} watchlists (leave it out or empty for every watchlist)"), string.Create(CultureInfo.InvariantCulture, $"{given.Count} watchlists")));
            return result;
        }

        for (var i = 0; i < given.Count; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"watchlists[{i}]");
            if (!WatchlistStore.IsValidId(given[i]))
            {
                errors.Add(new ScreenerError(field, "must be a watchlist id: 1–64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", Shorten(given[i])));
            }
            else if (result.Contains(given[i]!, StringComparer.Ordinal))
            {
                errors.Add(new ScreenerError(field, "appears twice", given[i]));
            }
            else
            {
                result.Add(given[i]!);
            }
        }

        return result;
    }

    private static Timeframe TimeframeOf(string? text, List<ScreenerError> errors)
    {
        if (text is null)
        {
            return ScreenerDefinition.DefaultTimeframe;
        }

        if (Timeframe.TryParse(text.Trim(), out var timeframe) && ScreenerDefinition.Timeframes.Contains(timeframe))
        {
            return timeframe;
        }

        errors.Add(new ScreenerError("timeframe", $"must be one of the timeframes the live pipeline stores: {string.Join(", ", ScreenerDefinition.Timeframes)}", Shorten(text)));
        return ScreenerDefinition.DefaultTimeframe;
    }

    private static RuleExpression? Expression(string field, string? text, RuleType type, bool required, List<ScreenerError> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required || text is not null)
            {
                errors.Add(new ScreenerError(field, type == RuleType.Boolean
                    ? "is required: a rule-language condition such as 'rsi(14) < 30'"
                    : "must be a rule-language number such as 'roc(10).roc', or be left out", text));
            }

            return null;
        }

        if (text.Length > ScreenerDefinition.MaxExpressionLength)
        {
            errors.Add(new ScreenerError(field, string.Create(CultureInfo.InvariantCulture, $"must have at most {ScreenerDefinition.MaxExpressionLength} characters"), string.Create(CultureInfo.InvariantCulture, $"{text.Length} characters")));
            return null;
        }

        if (RuleExpression.TryCompile(text, type, out var expression, out var diagnostics, "the " + field))
        {
            return expression;
        }

        foreach (var diagnostic in diagnostics)
        {
            errors.Add(new ScreenerError(field, diagnostic.Message, Shorten(text), diagnostic.Line, diagnostic.Column));
        }

        return null;
    }

    private static string? Shorten(string? value) => value is null || value.Length <= 120 ? value : string.Concat(value.AsSpan(0, 120), "…");
}
