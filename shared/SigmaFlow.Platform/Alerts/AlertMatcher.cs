namespace SigmaFlow.Platform.Alerts;

/// <summary>One rule that a candidate fires, with the alert's id.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="AlertId">The alert id (<see cref="AlertCandidate.AlertIdFor"/>).</param>
public sealed record AlertMatch(AlertRule Rule, string AlertId);

/// <summary>Which rules a candidate fires, or why none.</summary>
/// <param name="Matches">The rules it fires.</param>
/// <param name="Problems">What is wrong with the candidate (an unknown rule, a symbol the rule does not watch): it is dead-lettered.</param>
/// <param name="Note">Why nothing fired when that is not a problem (no signal rule matches, the rule is disabled), or null.</param>
public sealed record AlertMatchResult(IReadOnlyList<AlertMatch> Matches, IReadOnlyList<AlertProblem> Problems, string? Note);

/// <summary>
/// Matches candidates to rules (pure). A signal fires every enabled rule with a <see cref="SignalCondition"/> whose
/// strategy (or <c>*</c>), symbols (or none) and side take it. An alert candidate fires the rule it names, if that rule
/// is enabled and watches the candidate's symbol.
/// </summary>
public static class AlertMatcher
{
    /// <summary>Matches a candidate.</summary>
    /// <param name="candidate">The candidate.</param>
    /// <param name="rules">Every rule.</param>
    /// <returns>The matches, problems and note.</returns>
    public static AlertMatchResult Match(AlertCandidate candidate, IEnumerable<AlertRule> rules)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(rules);
        if (candidate.Kind == AlertCandidateKind.Signal)
        {
            var matches = rules
                .Where(r => r.Enabled && r.Condition is SignalCondition c && Takes(c, candidate))
                .OrderBy(r => r.Id, StringComparer.Ordinal)
                .Select(r => new AlertMatch(r, candidate.AlertIdFor(r.Id)))
                .ToList();
            return new AlertMatchResult(matches, [], matches.Count == 0 ? "no enabled signal rule takes it" : null);
        }

        var rule = rules.FirstOrDefault(r => r.Id == candidate.RuleId);
        if (rule is null)
        {
            return new AlertMatchResult([], [new AlertProblem("ruleId", "must name an existing rule", AlertProblem.Show(candidate.RuleId))], null);
        }

        if (!rule.Enabled)
        {
            return new AlertMatchResult([], [], $"rule '{rule.Id}' is disabled");
        }

        var watched = rule.Condition switch
        {
            PriceCrossingCondition c => [c.Symbol],
            ExpressionCondition c => [c.Symbol],
            SignalCondition c => c.Symbols,
            _ => [],
        };
        if (watched.Count > 0 && !watched.Contains(candidate.Symbol, StringComparer.Ordinal))
        {
            return new AlertMatchResult([], [new AlertProblem("symbol", $"must be a symbol rule '{rule.Id}' watches ({string.Join(", ", watched.Take(10))})", AlertProblem.Show(candidate.Symbol))], null);
        }

        return new AlertMatchResult([new AlertMatch(rule, candidate.AlertIdFor(rule.Id))], [], null);
    }

    private static bool Takes(SignalCondition condition, AlertCandidate candidate) =>
        (condition.Strategy == "*" || string.Equals(condition.Strategy, candidate.Strategy, StringComparison.Ordinal))
        && (condition.Symbols.Count == 0 || condition.Symbols.Contains(candidate.Symbol, StringComparer.Ordinal))
        && candidate.SignalKind is { } kind && condition.Takes(kind);
}
