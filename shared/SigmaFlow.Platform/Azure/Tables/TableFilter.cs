using System.Globalization;

namespace SigmaFlow.Platform.Azure.Tables;

/// <summary>
/// Builds OData <c>$filter</c> expressions for table queries with every value written as a typed, quoted literal, so
/// that no value can change the expression (<c>Equal("PartitionKey", "BTC'USD")</c> gives
/// <c>PartitionKey eq 'BTC''USD'</c>). Literals: strings in single quotes with quotes doubled, <c>true</c>/<c>false</c>,
/// Int32 as digits, Int64 with an <c>L</c> suffix, Double always with a fraction or exponent (so that it stays a Double
/// literal: the service compares values of the same type), <c>datetime'…Z'</c> (UTC, 7 fractional digits), <c>guid'…'</c> and
/// <c>X'…'</c> (hex) for binary.
/// </summary>
public static class TableFilter
{
    /// <summary><c>property eq value</c>.</summary>
    /// <param name="property">Property name (letters, digits, '_').</param>
    /// <param name="value">A value of a table type.</param>
    /// <returns>The expression.</returns>
    public static string Equal(string property, object value) => Compare(property, "eq", value);

    /// <summary><c>property ne value</c>.</summary>
    /// <param name="property">Property name.</param>
    /// <param name="value">A value of a table type.</param>
    /// <returns>The expression.</returns>
    public static string NotEqual(string property, object value) => Compare(property, "ne", value);

    /// <summary><c>property gt value</c>.</summary>
    /// <param name="property">Property name.</param>
    /// <param name="value">A value of a table type.</param>
    /// <returns>The expression.</returns>
    public static string GreaterThan(string property, object value) => Compare(property, "gt", value);

    /// <summary><c>property ge value</c>.</summary>
    /// <param name="property">Property name.</param>
    /// <param name="value">A value of a table type.</param>
    /// <returns>The expression.</returns>
    public static string GreaterThanOrEqual(string property, object value) => Compare(property, "ge", value);

    /// <summary><c>property lt value</c>.</summary>
    /// <param name="property">Property name.</param>
    /// <param name="value">A value of a table type.</param>
    /// <returns>The expression.</returns>
    public static string LessThan(string property, object value) => Compare(property, "lt", value);

    /// <summary><c>property le value</c>.</summary>
    /// <param name="property">Property name.</param>
    /// <param name="value">A value of a table type.</param>
    /// <returns>The expression.</returns>
    public static string LessThanOrEqual(string property, object value) => Compare(property, "le", value);

    /// <summary>All of the expressions: <c>(a) and (b) and …</c>.</summary>
    /// <param name="filters">Expressions built by this class.</param>
    /// <returns>The expression.</returns>
    public static string And(params string[] filters) => Join("and", filters);

    /// <summary>Any of the expressions: <c>(a) or (b) or …</c>.</summary>
    /// <param name="filters">Expressions built by this class.</param>
    /// <returns>The expression.</returns>
    public static string Or(params string[] filters) => Join("or", filters);

    /// <summary>The negation: <c>not (a)</c>.</summary>
    /// <param name="filter">An expression built by this class.</param>
    /// <returns>The expression.</returns>
    public static string Not(string filter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filter);
        return $"not ({filter})";
    }

    /// <summary>
    /// A filter from an interpolated string whose holes are values, each written as a literal:
    /// <c>TableFilter.Create($"PartitionKey eq {symbol} and RowKey ge {from}")</c>.
    /// </summary>
    /// <param name="filter">The interpolated filter; holes must be values, never property names or operators.</param>
    /// <returns>The expression.</returns>
    public static string Create(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var literals = filter.GetArguments().Select((value, i) => (object)Literal(value ?? throw new ArgumentException($"Filter value {i} in \"{filter.Format}\" is null; table filters cannot compare with null.", nameof(filter)))).ToArray();
        return string.Format(CultureInfo.InvariantCulture, filter.Format, literals);
    }

    /// <summary>The OData literal of a value.</summary>
    /// <param name="value">string, bool, int, long, double (finite), DateTimeOffset, DateTime, Guid or byte[].</param>
    /// <returns>The literal.</returns>
    /// <exception cref="ArgumentException">The type has no table literal, or the double is NaN or infinite.</exception>
    public static string Literal(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value switch
        {
            string text => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'",
            bool flag => flag ? "true" : "false",
            int number => number.ToString(CultureInfo.InvariantCulture),
            long number => number.ToString(CultureInfo.InvariantCulture) + "L",
            double number => DoubleLiteral(number),
            DateTimeOffset time => $"datetime'{TableEntityJson.FormatDate(time)}'",
            DateTime time => $"datetime'{TableEntityJson.FormatDate(time.Kind == DateTimeKind.Local ? new DateTimeOffset(time) : new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)))}'",
            Guid guid => $"guid'{guid.ToString("D", CultureInfo.InvariantCulture)}'",
            byte[] bytes => $"X'{Convert.ToHexStringLower(bytes)}'",
            _ => throw new ArgumentException($"A {value.GetType().Name} has no table filter literal; use string, bool, int, long, double, DateTimeOffset, DateTime, Guid or byte[].", nameof(value)),
        };
    }

    private static string Compare(string property, string op, object value)
    {
        TableGuards.PropertyName(property, nameof(property));
        return $"{property} {op} {Literal(value)}";
    }

    private static string DoubleLiteral(double number)
    {
        if (!double.IsFinite(number))
        {
            throw new ArgumentException($"A filter cannot compare with {TableEntityJson.FormatDouble(number)}; only finite doubles have a literal.", nameof(number));
        }

        var text = number.ToString("R", CultureInfo.InvariantCulture);
        return text.AsSpan().IndexOfAny('.', 'E') < 0 ? text + ".0" : text;
    }

    private static string Join(string op, string[] filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Length == 0)
        {
            throw new ArgumentException($"'{op}' needs at least one expression; got none.", nameof(filters));
        }

        for (var i = 0; i < filters.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(filters[i]))
            {
                throw new ArgumentException($"Expression {i} of '{op}' is empty.", nameof(filters));
            }
        }

        return filters.Length == 1 ? filters[0] : string.Join($" {op} ", filters.Select(f => $"({f})"));
    }
}
