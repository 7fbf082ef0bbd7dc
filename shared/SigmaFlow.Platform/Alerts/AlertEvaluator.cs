using System.Globalization;
using SigmaFlow.Core.Data;
using SigmaFlow.Platform.Alerts.Delivery;

namespace SigmaFlow.Platform.Alerts;

/// <summary>
/// Evaluates the bar conditions of rules (pure), for whoever watches bars — the timer scan, a bar-close check in the
/// live pipeline. It answers "does this rule fire on the newest bar?" and, when it does, gives the
/// <see cref="AlertCandidate"/> to put on the <c>alerts</c> queue (<see cref="AlertCandidate.ToQueueMessage"/>): the same
/// rule firing on the same bar always gives the same alert id, so evaluating twice alerts once.
/// </summary>
/// <remarks>
/// Price crossing, on closes: <b>above</b> fires when the previous close is below the level and the current close is at
/// or above it; <b>below</b> when the previous close is above the level and the current one at or below it; <b>either</b>
/// when one of the two does. A close exactly on the level counts as reaching it, so a move 99 → 100 → 101 across 100
/// fires once (on 100), and touching the level and turning back (99 → 100 → 99) fires once, on the way up (for
/// <b>above</b> and <b>either</b>). NaN closes never fire.
/// </remarks>
public static class AlertEvaluator
{
    /// <summary>Whether a move from one close to the next crosses a level.</summary>
    /// <param name="previousClose">The earlier close.</param>
    /// <param name="currentClose">The later close.</param>
    /// <param name="level">The level.</param>
    /// <param name="direction">Which way.</param>
    /// <returns>True when it crosses.</returns>
    public static bool Crosses(double previousClose, double currentClose, double level, CrossingDirection direction)
    {
        var up = previousClose < level && currentClose >= level;
        var down = previousClose > level && currentClose <= level;
        return direction switch
        {
            CrossingDirection.Above => up,
            CrossingDirection.Below => down,
            _ => up || down,
        };
    }

    /// <summary>Evaluates a price-crossing rule on the last two closes.</summary>
    /// <param name="rule">The rule (with a <see cref="PriceCrossingCondition"/>).</param>
    /// <param name="previousClose">The close of the bar before.</param>
    /// <param name="currentClose">The close of the newest bar.</param>
    /// <param name="time">The newest bar's start (Unix ms).</param>
    /// <returns>The candidate when it fires, else null.</returns>
    /// <exception cref="ArgumentException">The rule's condition is not a price crossing.</exception>
    public static AlertCandidate? Evaluate(AlertRule rule, double previousClose, double currentClose, long time)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Condition is not PriceCrossingCondition condition)
        {
            throw new ArgumentException($"rule '{rule.Id}' has a {rule.Condition?.Type ?? "missing"} condition; this overload evaluates priceCrossing conditions.", nameof(rule));
        }

        if (!Crosses(previousClose, currentClose, condition.Level, condition.Direction))
        {
            return null;
        }

        var way = currentClose >= condition.Level ? "above" : "below";
        var text = $"{condition.Symbol} crossed {way} {AlertMessage.Number(condition.Level)} (close {AlertMessage.Number(currentClose)}, before {AlertMessage.Number(previousClose)})";
        return AlertCandidate.ForRule(rule.Id, condition.Symbol, time, [new("close", currentClose), new("previousClose", previousClose), new("level", condition.Level)], text);
    }

    /// <summary>Evaluates a price-crossing or expression rule on a symbol's bars (of the condition's timeframe, in time order).</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="bars">The bars; the newest is the one judged.</param>
    /// <returns>The candidate when the rule fires on the newest bar, else null (also for fewer than two bars of a crossing, or an expression still warming up).</returns>
    /// <exception cref="ArgumentException">The rule has a signal condition, or an expression that does not compile (the message has every problem).</exception>
    public static AlertCandidate? Evaluate(AlertRule rule, BarSeries bars)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(bars);
        switch (rule.Condition)
        {
            case PriceCrossingCondition:
                return bars.Count < 2 ? null : Evaluate(rule, bars.Close[^2], bars.Close[^1], bars.Time[^1]);
            case ExpressionCondition condition:
                var compiled = AlertExpression.Compile(condition.Expression, "condition.expression");
                if (compiled.Value is not { } expression)
                {
                    throw new ArgumentException($"rule '{rule.Id}': {compiled.Describe()}", nameof(rule));
                }

                return Evaluate(rule, expression, bars);
            default:
                throw new ArgumentException($"rule '{rule.Id}' has a {rule.Condition?.Type ?? "missing"} condition; signal rules fire on live signals, not on bars.", nameof(rule));
        }
    }

    /// <summary>Evaluates an expression rule with an expression compiled once (scans that judge many symbols reuse it).</summary>
    /// <param name="rule">The rule (with an <see cref="ExpressionCondition"/>).</param>
    /// <param name="expression">Its compiled expression.</param>
    /// <param name="bars">The bars.</param>
    /// <returns>The candidate when it is true on the newest bar, else null.</returns>
    public static AlertCandidate? Evaluate(AlertRule rule, AlertExpression expression, BarSeries bars)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(bars);
        if (rule.Condition is not ExpressionCondition condition)
        {
            throw new ArgumentException($"rule '{rule.Id}' has a {rule.Condition?.Type ?? "missing"} condition; this overload evaluates expression conditions.", nameof(rule));
        }

        if (!expression.IsTrueOnLastBar(bars))
        {
            return null;
        }

        var close = bars.Close[^1];
        var text = string.Create(CultureInfo.InvariantCulture, $"{expression.Text} on {condition.Symbol} ({condition.Timeframe}), close {AlertMessage.Number(close)}");
        return AlertCandidate.ForRule(rule.Id, condition.Symbol, bars.Time[^1], [new("close", close)], text);
    }
}
