using System.Globalization;
using System.Text.RegularExpressions;
using SigmaFlow.Platform.Alerts.Delivery;
using SigmaFlow.Platform.Alerts.Safety;

namespace SigmaFlow.Platform.Alerts;

/// <summary>
/// Checks rules and channels, reporting every problem with its field, rule and value (pure: whether channel ids
/// refer to stored channels is checked by <see cref="Storage.AlertStore"/>). Expressions are compiled with the rule
/// language, so their problems carry columns.
/// </summary>
public static partial class AlertValidator
{
    /// <summary>The rule for ids, as messages state it.</summary>
    public const string IdRule = "1 to 64 letters, digits, '.', '_' or '-'";

    /// <summary>Most channels per rule.</summary>
    public const int MaxChannelsPerRule = 10;

    /// <summary>Most symbols of a signal condition.</summary>
    public const int MaxSymbols = 100;

    /// <summary>Longest cooldown: 7 days.</summary>
    public const int MaxCooldownSeconds = 7 * 24 * 3600;

    /// <summary>Longest name.</summary>
    public const int MaxNameLength = 100;

    /// <summary>Whether a text is a valid rule or channel id.</summary>
    /// <param name="id">The text.</param>
    /// <returns>True when it is.</returns>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>Checks a rule.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>Every problem (empty when valid).</returns>
    public static IReadOnlyList<AlertProblem> Validate(AlertRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var problems = new List<AlertProblem>();
        Id("id", rule.Id, problems);
        Name("name", rule.Name, required: true, problems);
        switch (rule.Condition)
        {
            case null:
                problems.Add(new AlertProblem("condition", $"is required: an object with a type ({string.Join(", ", AlertCondition.Types)})"));
                break;
            case SignalCondition signal:
                Signal(signal, problems);
                break;
            case PriceCrossingCondition crossing:
                Add(problems, SymbolProblem("condition.symbol", crossing.Symbol));
                if (!double.IsFinite(crossing.Level) || crossing.Level <= 0)
                {
                    problems.Add(new AlertProblem("condition.level", "must be a finite number greater than 0", AlertProblem.Show(crossing.Level)));
                }

                Timeframe("condition.timeframe", crossing.Timeframe, problems);
                Defined("condition.direction", crossing.Direction, problems);
                break;
            case ExpressionCondition expression:
                Add(problems, SymbolProblem("condition.symbol", expression.Symbol));
                Timeframe("condition.timeframe", expression.Timeframe, problems);
                problems.AddRange(AlertExpression.Compile(expression.Expression, "condition.expression").Problems);
                break;
            default:
                problems.Add(new AlertProblem("condition", $"must have a type of {string.Join(", ", AlertCondition.Types)}", rule.Condition.GetType().Name));
                break;
        }

        var channels = rule.ChannelIds ?? [];
        if (channels.Count is 0 or > MaxChannelsPerRule)
        {
            problems.Add(new AlertProblem("channelIds", string.Create(CultureInfo.InvariantCulture, $"must list 1 to {MaxChannelsPerRule} channel ids"), string.Create(CultureInfo.InvariantCulture, $"{channels.Count} ids")));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < channels.Count; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"channelIds[{i}]");
            if (!IsValidId(channels[i]))
            {
                problems.Add(new AlertProblem(field, "must be a channel id: " + IdRule, AlertProblem.Show(channels[i])));
            }
            else if (!seen.Add(channels[i]))
            {
                problems.Add(new AlertProblem(field, "must not repeat a channel id", AlertProblem.Show(channels[i])));
            }
        }

        if (rule.CooldownSeconds is < 0 or > MaxCooldownSeconds)
        {
            problems.Add(new AlertProblem("cooldownSeconds", string.Create(CultureInfo.InvariantCulture, $"must be between 0 and {MaxCooldownSeconds} (7 days)"), rule.CooldownSeconds.ToString(CultureInfo.InvariantCulture)));
        }

        return problems;
    }

    /// <summary>Checks a channel.</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="policy">Which URLs are allowed (<see cref="AlertTargetPolicy.Strict"/> unless local targets are allowed).</param>
    /// <returns>Every problem (empty when valid).</returns>
    public static IReadOnlyList<AlertProblem> Validate(AlertChannel channel, AlertTargetPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(policy);
        var problems = new List<AlertProblem>();
        Id("id", channel.Id, problems);
        Name("name", channel.Name, required: false, problems);
        Defined("kind", channel.Kind, problems);
        Defined("parseMode", channel.ParseMode, problems);
        switch (channel.Kind)
        {
            case AlertChannelKind.Discord or AlertChannelKind.Slack or AlertChannelKind.Webhook:
                Add(problems, policy.CheckUrl("url", channel.Url));
                NotUsed("botToken", channel.BotToken, channel.Kind, problems);
                NotUsed("chatId", channel.ChatId, channel.Kind, problems);
                if (channel.Kind == AlertChannelKind.Webhook)
                {
                    if (string.IsNullOrEmpty(channel.Secret))
                    {
                        problems.Add(new AlertProblem("secret", "is required for webhook channels: 16 to 256 characters that sign every request"));
                    }
                    else if (channel.Secret.Length is < 16 or > 256)
                    {
                        problems.Add(new AlertProblem("secret", "must be 16 to 256 characters", string.Create(CultureInfo.InvariantCulture, $"{channel.Secret.Length} characters")));
                    }
                }
                else
                {
                    NotUsed("secret", channel.Secret, channel.Kind, problems);
                }

                break;
            case AlertChannelKind.Telegram:
                NotUsed("url", channel.Url, channel.Kind, problems);
                NotUsed("secret", channel.Secret, channel.Kind, problems);
                if (string.IsNullOrEmpty(channel.BotToken))
                {
                    problems.Add(new AlertProblem("botToken", "is required for telegram channels: the token BotFather gave (123456789:AA…)"));
                }
                else if (!BotTokenPattern().IsMatch(channel.BotToken))
                {
                    // The token is a credential: its shape is described, never shown.
                    problems.Add(new AlertProblem("botToken", "must look like 123456789:AA… (digits, a colon, then at least 30 letters, digits, '_' or '-')", string.Create(CultureInfo.InvariantCulture, $"{channel.BotToken.Length} characters")));
                }

                if (string.IsNullOrEmpty(channel.ChatId))
                {
                    problems.Add(new AlertProblem("chatId", "is required for telegram channels: a numeric chat id or a public channel's @username"));
                }
                else if (!ChatIdPattern().IsMatch(channel.ChatId))
                {
                    problems.Add(new AlertProblem("chatId", "must be a numeric chat id (-1001234567890) or @username (5 to 32 letters, digits or '_')", AlertProblem.Show(channel.ChatId)));
                }

                break;
        }

        if (channel.Template is not null)
        {
            problems.AddRange(AlertTemplate.Check(channel.Template, "template"));
        }

        return problems;
    }

    /// <summary>The problem with a symbol, or null: 1 to 64 characters without white space or control characters.</summary>
    /// <param name="field">The field.</param>
    /// <param name="symbol">The symbol.</param>
    /// <returns>The problem, or null.</returns>
    public static AlertProblem? SymbolProblem(string field, string? symbol) =>
        string.IsNullOrEmpty(symbol) ? new AlertProblem(field, "is required: a symbol of 1 to 64 characters without white space", symbol is null ? null : AlertProblem.Show(symbol))
        : symbol.Length > 64 || symbol.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? new AlertProblem(field, "must be a symbol of 1 to 64 characters without white space or control characters", AlertProblem.Show(symbol))
        : null;

    private static void Signal(SignalCondition signal, List<AlertProblem> problems)
    {
        if (signal.Strategy != "*" && (string.IsNullOrEmpty(signal.Strategy) || signal.Strategy.Length > 100 || signal.Strategy.Any(c => char.IsControl(c))))
        {
            problems.Add(new AlertProblem("condition.strategy", "must be a strategy name of 1 to 100 characters, or * for every strategy", AlertProblem.Show(signal.Strategy)));
        }

        var symbols = signal.Symbols ?? [];
        if (symbols.Count > MaxSymbols)
        {
            problems.Add(new AlertProblem("condition.symbols", string.Create(CultureInfo.InvariantCulture, $"must list at most {MaxSymbols} symbols (none for every symbol)"), string.Create(CultureInfo.InvariantCulture, $"{symbols.Count} symbols")));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < symbols.Count && i < MaxSymbols; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"condition.symbols[{i}]");
            if (SymbolProblem(field, symbols[i]) is { } problem)
            {
                problems.Add(problem);
            }
            else if (!seen.Add(symbols[i]))
            {
                problems.Add(new AlertProblem(field, "must not repeat a symbol", AlertProblem.Show(symbols[i])));
            }
        }

        Defined("condition.side", signal.Side, problems);
    }

    private static void Id(string field, string? id, List<AlertProblem> problems)
    {
        if (string.IsNullOrEmpty(id))
        {
            problems.Add(new AlertProblem(field, "is required: " + IdRule));
        }
        else if (!IsValidId(id))
        {
            problems.Add(new AlertProblem(field, "must be " + IdRule, AlertProblem.Show(id)));
        }
    }

    private static void Name(string field, string? name, bool required, List<AlertProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            if (required)
            {
                problems.Add(new AlertProblem(field, string.Create(CultureInfo.InvariantCulture, $"is required: 1 to {MaxNameLength} characters"), name is null ? null : AlertProblem.Show(name)));
            }
        }
        else if (name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            problems.Add(new AlertProblem(field, string.Create(CultureInfo.InvariantCulture, $"must be 1 to {MaxNameLength} characters without control characters"), AlertProblem.Show(name)));
        }
    }

    private static void Timeframe(string field, string? timeframe, List<AlertProblem> problems)
    {
        if (!Core.Data.Timeframe.TryParse(timeframe, out _))
        {
            problems.Add(new AlertProblem(field, "must be a timeframe such as 1m, 15m, 1h or 1d", AlertProblem.Show(timeframe)));
        }
    }

    private static void Defined<T>(string field, T value, List<AlertProblem> problems)
        where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            problems.Add(new AlertProblem(field, $"must be one of {string.Join(", ", AlertEnumConverter<T>.JsonNames)}", Convert.ToString(value, CultureInfo.InvariantCulture)));
        }
    }

    private static void NotUsed(string field, string? value, AlertChannelKind kind, List<AlertProblem> problems)
    {
        if (value is not null)
        {
            problems.Add(new AlertProblem(field, $"is not used by {kind.ToString().ToLowerInvariant()} channels; leave it out"));
        }
    }

    private static void Add(List<AlertProblem> problems, AlertProblem? problem)
    {
        if (problem is not null)
        {
            problems.Add(problem);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[0-9]{1,20}:[A-Za-z0-9_-]{30,100}$")]
    private static partial Regex BotTokenPattern();

    [GeneratedRegex("^(-?[0-9]{1,20}|@[A-Za-z0-9_]{5,32})$")]
    private static partial Regex ChatIdPattern();
}
