namespace SigmaFlow.Platform.Alerts;

/// <summary>
/// An alert rule: when its <see cref="Condition"/> holds, an alert goes to each of its channels, at most once per
/// (alert id, channel), and not again for the same symbol within <see cref="CooldownSeconds"/>.
/// </summary>
public sealed record AlertRule
{
    /// <summary>Id: 1–64 letters, digits, <c>.</c>, <c>_</c> or <c>-</c>.</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>Name shown in messages: 1–100 characters.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Whether the rule is in force (default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>When it fires: a strategy signal, a price crossing or a rule-language condition.</summary>
    public AlertCondition? Condition { get; init; }

    /// <summary>Channels it sends to: 1–10 distinct channel ids.</summary>
    public IReadOnlyList<string> ChannelIds { get; init; } = [];

    /// <summary>
    /// Seconds after an alert of this rule for a symbol during which further alerts for that symbol are suppressed
    /// (measured in the alerts' own times; 0 = none, at most 7 days).
    /// </summary>
    public int CooldownSeconds { get; init; }
}
