using System.Globalization;

namespace SigmaFlow.Platform.Azure.Tables;

/// <summary>
/// The service's naming rules, checked before a request is sent so that a bad name fails with a message that names the
/// parameter, the rule and the value instead of a 400 from the service (or a malformed URL).
/// </summary>
internal static class TableGuards
{
    /// <summary>Longest partition or row key the service accepts, in UTF-16 characters (1 KiB).</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>Longest property name the service accepts.</summary>
    public const int MaxPropertyNameLength = 255;

    /// <summary>
    /// Table names: 3–63 characters, ASCII letters and digits only, starting with a letter; "tables" is reserved.
    /// </summary>
    public static string TableName(string tableName, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(tableName, parameterName);
        var valid = tableName.Length is >= 3 and <= 63 && char.IsAsciiLetter(tableName[0]);
        for (var i = 1; valid && i < tableName.Length; i++)
        {
            valid = char.IsAsciiLetterOrDigit(tableName[i]);
        }

        if (!valid)
        {
            throw new ArgumentException($"A table name must be 3-63 ASCII letters or digits and start with a letter; got '{Printable(tableName)}' ({tableName.Length} characters).", parameterName);
        }

        if (string.Equals(tableName, "tables", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The table name '{tableName}' is reserved by the service; choose another name.", parameterName);
        }

        return tableName;
    }

    /// <summary>
    /// Partition and row keys: at most 1 KiB, none of '/', '\', '#', '?' and no control characters (U+0000–U+001F,
    /// U+007F–U+009F). The empty string is a valid key.
    /// </summary>
    public static string Key(string key, string parameterName, string what)
    {
        ArgumentNullException.ThrowIfNull(key, parameterName);
        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException($"A {what} may be at most {MaxKeyLength} characters; got {key.Length} characters starting '{Printable(key[..32])}'.", parameterName);
        }

        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                throw new ArgumentException($"A {what} may not contain '/', '\\', '#', '?' or control characters; '{Printable(key)}' has {Describe(c)} at position {i}.", parameterName);
            }
        }

        return key;
    }

    /// <summary>
    /// Property names: 1–255 characters, letters, digits and '_' only, not starting with a digit (the service asks for
    /// C# identifiers; '@' and '.' would also collide with OData annotations).
    /// </summary>
    public static string PropertyName(string name, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(name, parameterName);
        var valid = name.Length is >= 1 and <= MaxPropertyNameLength && !char.IsDigit(name[0]);
        for (var i = 0; valid && i < name.Length; i++)
        {
            valid = char.IsLetterOrDigit(name[i]) || name[i] == '_';
        }

        if (!valid)
        {
            throw new ArgumentException($"A property name must be 1-{MaxPropertyNameLength} letters, digits or '_' and not start with a digit; got '{Printable(name)}'.", parameterName);
        }

        return name;
    }

    /// <summary>A value shown in a message: control characters made visible, long values cut.</summary>
    public static string Printable(string value)
    {
        var shown = value.Length > 80 ? value[..80] + "…" : value;
        if (!shown.Any(char.IsControl))
        {
            return shown;
        }

        return string.Concat(shown.Select(c => char.IsControl(c) ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}") : c.ToString()));
    }

    private static string Describe(char c) => char.IsControl(c)
        ? string.Create(CultureInfo.InvariantCulture, $"control character U+{(int)c:X4}")
        : $"'{c}'";
}
