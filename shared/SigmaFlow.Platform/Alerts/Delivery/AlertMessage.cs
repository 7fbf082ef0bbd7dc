using System.Globalization;
using SigmaFlow.Core.Live;

namespace SigmaFlow.Platform.Alerts.Delivery;

/// <summary>
/// What an alert says, before it is shaped for a channel: the rule's name as the title, a line of text, and the
/// facts as named fields. Channel payloads (<see cref="AlertPayloads"/>) and templates (<see cref="AlertTemplate"/>)
/// read from it.
/// </summary>
public sealed record AlertMessage
{
    /// <summary>The alert id (the same on every attempt and every redelivery).</summary>
    public required string AlertId { get; init; }

    /// <summary>The rule's id.</summary>
    public required string RuleId { get; init; }

    /// <summary>The rule's name (the title).</summary>
    public required string RuleName { get; init; }

    /// <summary>What fired.</summary>
    public required AlertCandidate Candidate { get; init; }

    /// <summary>The symbol.</summary>
    public string Symbol => Candidate.Symbol;

    /// <summary>When it happened.</summary>
    public DateTimeOffset Time => Candidate.Timestamp;

    /// <summary>
    /// The default line: for a signal <c>ema-cross: long entry on BTCUSD (1m) at 65000.5</c>; for an alert its
    /// text, or <c>{rule} on {symbol}</c> when it has none.
    /// </summary>
    public string Text => Candidate.Kind == AlertCandidateKind.Signal
        ? $"{Candidate.Strategy}: {Describe(Candidate.SignalKind)} on {Symbol} ({Candidate.Timeframe}){(Candidate.Price is { } p ? " at " + Number(p) : string.Empty)}"
        : Candidate.Text ?? $"{RuleName} on {Symbol}";

    /// <summary>The facts, in display order: Symbol, Price, Strategy, Signal, Timeframe, each value, Time.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields
    {
        get
        {
            var fields = new List<KeyValuePair<string, string>> { new("Symbol", Symbol) };
            if (Candidate.Price is { } price)
            {
                fields.Add(new("Price", Number(price)));
            }

            if (Candidate.Kind == AlertCandidateKind.Signal)
            {
                fields.Add(new("Strategy", Candidate.Strategy ?? string.Empty));
                fields.Add(new("Signal", Describe(Candidate.SignalKind)));
                fields.Add(new("Timeframe", Candidate.Timeframe ?? string.Empty));
            }

            foreach (var (name, value) in Candidate.Values)
            {
                if (name.Equals("close", StringComparison.OrdinalIgnoreCase) || name.Equals("price", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                fields.Add(new(name, value is { } v ? Number(v) : "n/a"));
            }

            fields.Add(new("Time", TimeText(Time)));
            return fields;
        }
    }

    /// <summary>Makes the message of one rule firing on one candidate.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="candidate">What fired.</param>
    /// <returns>The message.</returns>
    public static AlertMessage For(AlertRule rule, AlertCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(candidate);
        return new AlertMessage { AlertId = candidate.AlertIdFor(rule.Id), RuleId = rule.Id, RuleName = rule.Name, Candidate = candidate };
    }

    /// <summary>A number as messages show it: up to 8 decimals, no exponent for everyday magnitudes.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The text.</returns>
    public static string Number(double value)
    {
        if (!double.IsFinite(value))
        {
            return "n/a";
        }

        var magnitude = Math.Abs(value);
        return magnitude != 0 && (magnitude >= 1e15 || magnitude < 1e-8)
            ? value.ToString("G6", CultureInfo.InvariantCulture)
            : Math.Round(value, 8).ToString("0.########", CultureInfo.InvariantCulture);
    }

    /// <summary>A time as messages show it: <c>2026-01-01 00:00:00 UTC</c>.</summary>
    /// <param name="time">The time.</param>
    /// <returns>The text.</returns>
    public static string TimeText(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A signal kind in words: <c>long entry</c>.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The words.</returns>
    public static string Describe(SignalKind? kind) => kind switch
    {
        SignalKind.LongEntry => "long entry",
        SignalKind.LongExit => "long exit",
        SignalKind.ShortEntry => "short entry",
        SignalKind.ShortExit => "short exit",
        _ => "signal",
    };

    /// <summary>The value of a template placeholder (unescaped), or null when the name is unknown.</summary>
    /// <param name="name">The placeholder's name (<c>symbol</c>, <c>values.rsi</c>).</param>
    /// <returns>The value; empty when known but absent here.</returns>
    public string? Placeholder(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.StartsWith(AlertTemplate.ValuesPrefix, StringComparison.Ordinal))
        {
            var key = name[AlertTemplate.ValuesPrefix.Length..];
            foreach (var (k, v) in Candidate.Values)
            {
                if (k.Equals(key, StringComparison.OrdinalIgnoreCase))
                {
                    return v is { } value ? Number(value) : "n/a";
                }
            }

            return "n/a";
        }

        return name switch
        {
            "alertId" => AlertId,
            "rule" => RuleName,
            "ruleId" => RuleId,
            "symbol" => Symbol,
            "time" => Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            "price" => Candidate.Price is { } p ? Number(p) : string.Empty,
            "text" => Text,
            "strategy" => Candidate.Strategy ?? string.Empty,
            "kind" => Candidate.Kind == AlertCandidateKind.Signal ? Describe(Candidate.SignalKind) : string.Empty,
            "timeframe" => Candidate.Timeframe ?? string.Empty,
            "values" => string.Join(", ", Candidate.Values.Select(v => $"{v.Key}={(v.Value is { } x ? Number(x) : "n/a")}")),
            _ => null,
        };
    }
}
