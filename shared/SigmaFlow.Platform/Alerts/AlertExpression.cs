using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Strategies.Rules;

namespace SigmaFlow.Platform.Alerts;

/// <summary>
/// A rule-language condition compiled for alerts: a true/false expression over one symbol's bars (price fields,
/// every catalog indicator, <c>crossover</c>, <c>x[n]</c>, …; no strategy parameters). Evaluated over a whole series
/// (<see cref="Evaluate"/>, <see cref="IsTrueOnLastBar"/>) or bar by bar (<see cref="CreateLive"/>), with the
/// rule engine's column and streaming kernels, which agree exactly.
/// </summary>
public sealed class AlertExpression
{
    /// <summary>Longest expression accepted.</summary>
    public const int MaxLength = 1000;

    private static readonly Dictionary<string, double> NoParameters = new(StringComparer.Ordinal);
    private readonly RuleProgram program;

    private AlertExpression(string text, RuleProgram program)
    {
        Text = text;
        this.program = program;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>Compiles an expression.</summary>
    /// <param name="text">The expression.</param>
    /// <param name="field">The field name for problems (<c>condition.expression</c>).</param>
    /// <returns>The expression, or every problem with its column (<c>column 5: unknown name 'clse'; … Did you mean 'close'?</c>).</returns>
    public static AlertReadResult<AlertExpression> Compile(string? text, string field = "expression")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Failed(new AlertProblem(field, "is required: a true/false condition such as 'rsi(14) > 70'", text is null ? null : AlertProblem.Show(text)));
        }

        if (text.Length > MaxLength)
        {
            return Failed(new AlertProblem(field, $"must be at most {MaxLength} characters", $"{text.Length} characters"));
        }

        var binder = new RuleBinder(NoParameters);
        var node = binder.Bind(SourceText.Of(text), RuleType.Boolean, "an alert condition");
        if (node is null || binder.Diagnostics.Count > 0)
        {
            var problems = binder.Diagnostics
                .Select(d => new AlertProblem(field, $"is not a valid condition: {Position(d, text)}{d.Message}", AlertProblem.Show(text)))
                .ToList();
            return new AlertReadResult<AlertExpression>(null, problems.Count > 0 ? problems : [new AlertProblem(field, "is not a valid condition", AlertProblem.Show(text))]);
        }

        return new AlertReadResult<AlertExpression>(new AlertExpression(text, new RuleProgram([node])), []);
    }

    /// <summary>The condition on every bar: 1 true, 0 false (NaN while an indicator warms up counts as false).</summary>
    /// <param name="bars">The bars, in time order.</param>
    /// <returns>One value per bar.</returns>
    public double[] Evaluate(BarSeries bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        return program.Evaluate(bars)[0];
    }

    /// <summary>Whether the condition is true on the last bar.</summary>
    /// <param name="bars">The bars, in time order.</param>
    /// <returns>True when it is (false for no bars).</returns>
    public bool IsTrueOnLastBar(BarSeries bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        if (bars.Count == 0)
        {
            return false;
        }

        var column = Evaluate(bars);
        return column[^1] == 1;
    }

    /// <summary>The streaming form: feed bars in order (the last one may be revised) and read whether the condition holds on the newest.</summary>
    /// <returns>A new evaluator with no bars yet.</returns>
    public LiveAlertExpression CreateLive() => new(program.CreateLive());

    /// <inheritdoc />
    public override string ToString() => Text;

    private static string Position(StrategyDiagnostic diagnostic, string text) =>
        text.Contains('\n', StringComparison.Ordinal) ? $"line {diagnostic.Line}, column {diagnostic.Column}: " : $"column {diagnostic.Column}: ";

    private static AlertReadResult<AlertExpression> Failed(AlertProblem problem) => new(null, [problem]);
}

/// <summary>An <see cref="AlertExpression"/> evaluated bar by bar.</summary>
public sealed class LiveAlertExpression
{
    private readonly LiveRuleSet rules;

    internal LiveAlertExpression(LiveRuleSet rules) => this.rules = rules;

    /// <summary>Bars seen.</summary>
    public int Count => rules.Count;

    /// <summary>Adds a later bar or revises the newest one (same time); an older bar is ignored.</summary>
    /// <param name="bar">The bar.</param>
    /// <returns>Whether the condition is true on the newest bar.</returns>
    public bool Update(in Ohlcv bar) => rules.Update(bar) != StreamUpdate.RejectedLate && rules.Value(0) == 1;
}
