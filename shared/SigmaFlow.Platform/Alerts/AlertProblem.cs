using System.Globalization;

namespace SigmaFlow.Platform.Alerts;

/// <summary>
/// One thing wrong with an alert rule, a channel or an alert candidate: the field (a JSON path such as
/// <c>condition.level</c> or <c>channelIds[1]</c>), the rule it breaks and the offending value as written.
/// </summary>
/// <param name="Field">The field, as a path from the document's root.</param>
/// <param name="Rule">What the field must be (or what is wrong with it).</param>
/// <param name="Value">The value found, already quoted for strings (see <see cref="Show(string?)"/>); null when there is none to show.</param>
public sealed record AlertProblem(string Field, string Rule, string? Value = null)
{
    private const int MaxShown = 80;

    /// <summary>One line: <c>condition.level must be a finite number greater than 0; got -5</c>.</summary>
    public string Message => Value is null ? $"{Field} {Rule}" : $"{Field} {Rule}; got {Value}";

    /// <summary>A text value for <see cref="Value"/>: quoted, control characters escaped, cut after 80 characters.</summary>
    /// <param name="text">The text, or null.</param>
    /// <returns>The shown value (<c>nothing</c> for null).</returns>
    public static string Show(string? text)
    {
        if (text is null)
        {
            return "nothing";
        }

        var cut = text.Length > MaxShown ? string.Concat(text.AsSpan(0, MaxShown), "…") : text;
        var builder = new System.Text.StringBuilder(cut.Length + 2).Append('\'');
        foreach (var c in cut)
        {
            if (char.IsControl(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('\'').ToString();
    }

    /// <summary>A number for <see cref="Value"/>, in round-trip form.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The shown value.</returns>
    public static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override string ToString() => Message;
}

/// <summary>What reading or validating a document gave: the value when it is usable, else every problem found.</summary>
/// <typeparam name="T">The document's type.</typeparam>
/// <param name="Value">The value, or null when there are problems.</param>
/// <param name="Problems">Every problem (empty when the value is usable).</param>
public sealed record AlertReadResult<T>(T? Value, IReadOnlyList<AlertProblem> Problems)
    where T : class
{
    /// <summary>Whether the value is usable.</summary>
    public bool Succeeded => Value is not null && Problems.Count == 0;

    /// <summary>The problems as one message, one per line.</summary>
    public string Describe() => string.Join(Environment.NewLine, Problems.Select(p => p.Message));
}
