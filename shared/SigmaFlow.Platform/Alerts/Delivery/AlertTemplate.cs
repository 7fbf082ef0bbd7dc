using System.Globalization;
using System.Text;

namespace SigmaFlow.Platform.Alerts.Delivery;

/// <summary>
/// Message templates: text with placeholders in braces, <c>{symbol} crossed {values.level} at {price}</c>.
/// Placeholders: <c>{rule}</c> (name), <c>{ruleId}</c>, <c>{alertId}</c>, <c>{symbol}</c>, <c>{time}</c> (ISO 8601 UTC),
/// <c>{price}</c>, <c>{text}</c> (the default line), <c>{strategy}</c>, <c>{kind}</c> (<c>long entry</c>, …),
/// <c>{timeframe}</c>, <c>{values}</c> (<c>close=…, level=…</c>) and <c>{values.NAME}</c> (one value; <c>n/a</c> when
/// absent). <c>{{</c> and <c>}}</c> stand for braces. The literal text is the channel's markup (Discord Markdown,
/// Slack mrkdwn, Telegram HTML or MarkdownV2) and is sent as written; placeholder values are escaped for the channel.
/// </summary>
public static class AlertTemplate
{
    /// <summary>Longest template.</summary>
    public const int MaxLength = 2000;

    /// <summary>The prefix of a single value's placeholder.</summary>
    public const string ValuesPrefix = "values.";

    /// <summary>Every placeholder name except <c>values.NAME</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["rule", "ruleId", "alertId", "symbol", "time", "price", "text", "strategy", "kind", "timeframe", "values"];

    /// <summary>Checks a template: length, balanced braces, known placeholders.</summary>
    /// <param name="template">The template.</param>
    /// <param name="field">The field name for problems.</param>
    /// <returns>Every problem (empty when valid).</returns>
    public static IReadOnlyList<AlertProblem> Check(string template, string field = "template")
    {
        ArgumentNullException.ThrowIfNull(template);
        var problems = new List<AlertProblem>();
        if (template.Length == 0 || template.Length > MaxLength)
        {
            problems.Add(new AlertProblem(field, string.Create(CultureInfo.InvariantCulture, $"must be 1 to {MaxLength} characters (leave it out for the default message)"), string.Create(CultureInfo.InvariantCulture, $"{template.Length} characters")));
            return problems;
        }

        Walk(template, literal: null, placeholder: (name, position) =>
        {
            if (!IsKnown(name))
            {
                var hint = Names.Concat([ValuesPrefix + "NAME"]).FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase));
                problems.Add(new AlertProblem(field, string.Create(CultureInfo.InvariantCulture, $"has an unknown placeholder at character {position + 1}; known: {string.Join(", ", Names.Select(n => "{" + n + "}"))}, {{values.NAME}}{(hint is null ? string.Empty : $" (did you mean {{{hint}}}?)")}"), AlertProblem.Show("{" + name + "}")));
            }
        }, problem: (rule, position, _, text) => problems.Add(new AlertProblem(field, string.Create(CultureInfo.InvariantCulture, $"{rule} at character {position + 1} (write {{{{ or }}}} for a literal brace)"), AlertProblem.Show(text))));
        return problems;
    }

    /// <summary>Fills a template (which <see cref="Check"/> accepted) with a message's values.</summary>
    /// <param name="template">The template.</param>
    /// <param name="message">The message.</param>
    /// <param name="escape">Escapes a value for the channel's markup.</param>
    /// <returns>The text.</returns>
    public static string Render(string template, AlertMessage message, Func<string, string> escape)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(escape);
        var builder = new StringBuilder(template.Length + 64);
        Walk(
            template,
            literal: text => builder.Append(text),
            placeholder: (name, _) => builder.Append(message.Placeholder(name) is { } value ? escape(value) : "{" + name + "}"),
            problem: (_, _, consumed, _) => builder.Append(consumed));
        return builder.ToString();
    }

    private static bool IsKnown(string name) =>
        Names.Contains(name, StringComparer.Ordinal) || (name.StartsWith(ValuesPrefix, StringComparison.Ordinal) && name.Length > ValuesPrefix.Length && name.Length <= ValuesPrefix.Length + 64);

    private static void Walk(string template, Action<string>? literal, Action<string, int> placeholder, Action<string, int, string, string> problem)
    {
        var i = 0;
        var start = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                literal?.Invoke(template[start..i] + "{");
                i += 2;
                start = i;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                literal?.Invoke(template[start..i] + "}");
                i += 2;
                start = i;
            }
            else if (c == '{')
            {
                literal?.Invoke(template[start..i]);
                var end = template.IndexOf('}', i + 1);
                var nextOpen = template.IndexOf('{', i + 1);
                if (end < 0 || (nextOpen >= 0 && nextOpen < end))
                {
                    problem("has a '{' that is not closed", i, "{", template[i..Math.Min(template.Length, i + 20)]);
                    i++;
                    start = i;
                    continue;
                }

                var name = template[(i + 1)..end];
                if (name.Length == 0)
                {
                    problem("has an empty placeholder '{}'", i, "{}", "{}");
                }
                else
                {
                    placeholder(name, i);
                }

                i = end + 1;
                start = i;
            }
            else if (c == '}')
            {
                literal?.Invoke(template[start..i]);
                problem("has a '}' that closes nothing", i, "}", "}");
                i++;
                start = i;
            }
            else
            {
                i++;
            }
        }

        literal?.Invoke(template[start..]);
    }
}
