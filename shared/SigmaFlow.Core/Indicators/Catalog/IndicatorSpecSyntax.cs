using System.Globalization;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Indicators.Catalog;

/// <summary>
/// The textual form of an indicator instance: <c>name</c> or <c>name(arg, …)</c>, where the arguments are numbers in
/// the catalog's parameter order and a value indicator may take a price field first (<c>ema(hl2, 9)</c>).
/// </summary>
public static class IndicatorSpecSyntax
{
    /// <summary>Splits a spec into its name, optional source and numbers, without consulting the catalog.</summary>
    /// <param name="spec">The spec text.</param>
    /// <returns>The parts.</returns>
    /// <exception cref="IndicatorSpecException">The text is malformed; the message gives the character position.</exception>
    public static (string Name, PriceField? Source, IReadOnlyList<double> Values) Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var text = spec.Trim();
        if (text.Length == 0)
        {
            throw new IndicatorSpecException("The indicator spec is empty; expected a name such as 'ema(20)'.");
        }

        var i = 0;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
        {
            i++;
        }

        if (i == 0 || !char.IsAsciiLetter(text[0]))
        {
            throw new IndicatorSpecException($"Spec '{spec}': expected an indicator name at position 1; found '{text[0]}'.");
        }

        var name = text[..i];
        var rest = text[i..].Trim();
        if (rest.Length == 0)
        {
            return (name, null, []);
        }

        if (rest[0] != '(' || rest[^1] != ')')
        {
            throw new IndicatorSpecException($"Spec '{spec}': expected '(' followed by arguments and ')' after '{name}'; found '{rest}'.");
        }

        var inner = rest[1..^1];
        if (inner.Trim().Length == 0)
        {
            return (name, null, []);
        }

        var parts = inner.Split(',');
        PriceField? source = null;
        var values = new List<double>(parts.Length);
        for (var p = 0; p < parts.Length; p++)
        {
            var part = parts[p].Trim();
            if (p == 0 && PriceFields.TryParse(part, out var field))
            {
                source = field;
                continue;
            }

            if (part.Length == 0)
            {
                throw new IndicatorSpecException($"Spec '{spec}': argument {p + 1} is empty; expected a number.");
            }

            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                var hint = p == 0 ? $" or a price field ({string.Join(", ", PriceFields.Names)})" : string.Empty;
                throw new IndicatorSpecException($"Spec '{spec}': argument {p + 1} must be a number{hint}; found '{part}'.");
            }

            values.Add(value);
        }

        return (name, source, values);
    }
}
