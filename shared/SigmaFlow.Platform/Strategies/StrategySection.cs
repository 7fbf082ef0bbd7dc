using SigmaFlow.Core;
using System.Globalization;
using SigmaFlow.Core.Strategies;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using static System.FormattableString;

namespace SigmaFlow.Platform.Strategies;

/// <summary>
/// One mapping of a strategy document (the top level, <c>long</c>, <c>long.stop_loss</c>, ...): checks its keys
/// against the allowed ones and reads typed values, reporting every problem to the shared
/// <see cref="DiagnosticBag"/> instead of stopping at the first.
/// </summary>
internal sealed class StrategySection
{
    private readonly Dictionary<string, KeyValuePair<YamlScalarNode, YamlNode>> entries = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<YamlScalarNode, YamlNode>> ordered = [];

    private StrategySection(string path, Mark start, DiagnosticBag diagnostics, SourceLines source)
    {
        Path = path;
        Start = start;
        Diagnostics = diagnostics;
        Source = source;
    }

    /// <summary>Dotted path of the section ("" for the top level), used in messages.</summary>
    public string Path { get; }

    /// <summary>Where problems with the section as a whole (a missing key) are reported: the key that opens it.</summary>
    public Mark Start { get; }

    /// <summary>Where problems are collected.</summary>
    public DiagnosticBag Diagnostics { get; }

    /// <summary>The document's lines, for rule positions.</summary>
    public SourceLines Source { get; }

    /// <summary>The entries in document order (repeated keys were already dropped by <see cref="DuplicateKeyFilter"/>).</summary>
    public IReadOnlyList<KeyValuePair<YamlScalarNode, YamlNode>> Entries => ordered;

    /// <summary>Wraps a mapping, reporting keys that are not scalars and, when <paramref name="allowedKeys"/> is given, unknown keys.</summary>
    /// <param name="node">The mapping.</param>
    /// <param name="path">Its dotted path.</param>
    /// <param name="start">Where to report a missing key.</param>
    /// <param name="allowedKeys">The keys the section accepts, or null to accept any (names of parameters).</param>
    /// <param name="diagnostics">Where problems are collected.</param>
    /// <param name="source">The document's lines.</param>
    /// <returns>The section.</returns>
    public static StrategySection Create(YamlMappingNode node, string path, Mark start, IReadOnlyList<string>? allowedKeys, DiagnosticBag diagnostics, SourceLines source)
    {
        var section = new StrategySection(path, start, diagnostics, source);
        foreach (var entry in node.Children)
        {
            if (entry.Key is not YamlScalarNode { Value: { } name } key || IsNull(entry.Key))
            {
                diagnostics.Add(entry.Key.Start, Invariant($"expected a name as key in {Describe(path)}, found {DescribeNode(entry.Key)}"));
                continue;
            }

            if (allowedKeys is not null && !allowedKeys.Contains(name, StringComparer.Ordinal))
            {
                var suggestion = Spelling.Suggest(name, allowedKeys, name.Length <= 3 ? 1 : 2);
                var hint = suggestion is null ? string.Empty : Invariant($"; did you mean '{suggestion}'?");
                diagnostics.Add(key.Start, Invariant($"unknown key '{name}' in {Describe(path)}; expected one of {string.Join(", ", allowedKeys)}{hint}"));
                continue;
            }

            var pair = new KeyValuePair<YamlScalarNode, YamlNode>(key, entry.Value);
            if (section.entries.TryAdd(name, pair))
            {
                section.ordered.Add(pair);
            }
        }

        return section;
    }

    /// <summary>How a section path reads in a message: "the document" for the top level, else the quoted path.</summary>
    /// <param name="path">The dotted path.</param>
    /// <returns>The description.</returns>
    public static string Describe(string path) => path.Length == 0 ? "the document" : Invariant($"'{path}'");

    /// <summary>The path of a child of a section.</summary>
    /// <param name="parent">The parent's path.</param>
    /// <param name="name">The key, or an index as "[n]".</param>
    /// <returns>The child's path.</returns>
    public static string Child(string parent, string name) =>
        parent.Length == 0 || name.StartsWith('[') ? parent + name : parent + "." + name;

    /// <summary>How a node reads after "found" in a message.</summary>
    /// <param name="node">The node.</param>
    /// <returns>"nothing", "a mapping", "a list" or the quoted scalar text.</returns>
    public static string DescribeNode(YamlNode node) => node switch
    {
        _ when IsNull(node) => "nothing",
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar => Invariant($"'{scalar.Value}'"),
        _ => "an alias",
    };

    /// <summary>Whether a node is YAML's null: an empty plain scalar, ~ or null.</summary>
    /// <param name="node">The node.</param>
    /// <returns>True for null.</returns>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>Whether the key is present.</summary>
    /// <param name="key">The key.</param>
    /// <returns>True when present.</returns>
    public bool Has(string key) => entries.ContainsKey(key);

    /// <summary>The key node, when present, for positions of problems about the entry as a whole.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The mark of the key, or the section start.</returns>
    public Mark KeyMark(string key) => entries.TryGetValue(key, out var entry) ? entry.Key.Start : Start;

    /// <summary>The value of a key, or null when absent.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value node.</returns>
    public YamlNode? Value(string key) => entries.TryGetValue(key, out var entry) ? entry.Value : null;

    /// <summary>Reports a missing required key at the section's start.</summary>
    /// <param name="key">The key.</param>
    public void ReportMissing(string key) =>
        Diagnostics.Add(Start, Invariant($"missing required key '{key}' in {Describe(Path)}"));

    /// <summary>Reads a nested mapping.</summary>
    /// <param name="key">The key.</param>
    /// <param name="allowedKeys">The keys it accepts, or null for any.</param>
    /// <returns>The nested section, or null when absent or not a mapping (reported).</returns>
    public StrategySection? Section(string key, IReadOnlyList<string>? allowedKeys)
    {
        if (!entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.Value is not YamlMappingNode mapping)
        {
            Diagnostics.Add(entry.Value.Start, Invariant($"expected a mapping for '{key}', found {DescribeNode(entry.Value)}"));
            return null;
        }

        return Create(mapping, Child(Path, key), entry.Key.Start, allowedKeys, Diagnostics, Source);
    }

    /// <summary>Reads a non-empty text value.</summary>
    /// <param name="key">The key.</param>
    /// <param name="required">Whether a missing key is a problem.</param>
    /// <returns>The text, or null when absent or invalid (reported).</returns>
    public string? Text(string key, bool required)
    {
        var scalar = Scalar(key, required, "text");
        if (scalar is null)
        {
            return null;
        }

        var text = scalar.Value ?? string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            Diagnostics.Add(scalar.Start, Invariant($"'{key}' must not be empty"));
            return null;
        }

        return text;
    }

    /// <summary>Reads a rule expression, keeping the position of its first character.</summary>
    /// <param name="key">The key.</param>
    /// <param name="required">Whether a missing key is a problem.</param>
    /// <returns>The rule, or null when absent or invalid (reported).</returns>
    public SourceText? Rule(string key, bool required)
    {
        var scalar = Scalar(key, required, "a rule");
        if (scalar is null)
        {
            return null;
        }

        // Block scalars end with a line break, and may start with blank lines that the position skips; white space
        // around a rule is never part of it.
        var text = (scalar.Value ?? string.Empty).TrimEnd();
        if (scalar.Style is ScalarStyle.Literal or ScalarStyle.Folded)
        {
            text = text.TrimStart('\n');
        }

        if (text.Length == 0)
        {
            Diagnostics.Add(scalar.Start, Invariant($"expected a rule for '{key}', found an empty text"));
            return null;
        }

        return Source.RuleAt(scalar, text);
    }

    /// <summary>Reads a finite number in invariant culture.</summary>
    /// <param name="key">The key.</param>
    /// <param name="required">Whether a missing key is a problem.</param>
    /// <returns>The number, or null when absent or invalid (reported).</returns>
    public double? Number(string key, bool required)
    {
        var scalar = Scalar(key, required, "a number");
        if (scalar is null)
        {
            return null;
        }

        var text = scalar.Value ?? string.Empty;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            if (scalar.Style is ScalarStyle.Plain or ScalarStyle.Any)
            {
                return value;
            }

            Diagnostics.Add(scalar.Start, Invariant($"expected a number for '{key}', found the quoted text '{text}'; remove the quotes"));
            return null;
        }

        Diagnostics.Add(scalar.Start, Invariant($"expected a number for '{key}', found '{text}'"));
        return null;
    }

    /// <summary>Reads a number that must be greater than 0.</summary>
    /// <param name="key">The key.</param>
    /// <param name="required">Whether a missing key is a problem.</param>
    /// <returns>The number, or null when absent or invalid (reported).</returns>
    public double? PositiveNumber(string key, bool required)
    {
        var value = Number(key, required);
        if (value is > 0)
        {
            return value;
        }

        if (value is { } invalid)
        {
            Diagnostics.Add(Value(key)!.Start, Invariant($"'{key}' must be greater than 0, found {invalid}"));
        }

        return null;
    }

    /// <summary>Reads a whole number with a lower bound.</summary>
    /// <param name="key">The key.</param>
    /// <param name="minimum">Smallest allowed value.</param>
    /// <returns>The number, or null when absent or invalid (reported).</returns>
    public int? WholeNumber(string key, int minimum)
    {
        var scalar = Scalar(key, required: false, "a whole number");
        if (scalar is null)
        {
            return null;
        }

        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any)
            || !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Diagnostics.Add(scalar.Start, Invariant($"expected a whole number for '{key}', found '{text}'"));
            return null;
        }

        if (value < minimum)
        {
            Diagnostics.Add(scalar.Start, Invariant($"'{key}' must be at least {minimum}, found {value}"));
            return null;
        }

        return value;
    }

    /// <summary>Reads true or false (any letter case).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The flag, or null when absent or invalid (reported).</returns>
    public bool? Flag(string key)
    {
        var scalar = Scalar(key, required: false, "true or false");
        if (scalar is null)
        {
            return null;
        }

        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is ScalarStyle.Plain or ScalarStyle.Any)
        {
            if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        Diagnostics.Add(scalar.Start, Invariant($"expected true or false for '{key}', found '{text}'"));
        return null;
    }

    /// <summary>The scalar value of a key, reporting a missing required key, a null, a mapping or a list.</summary>
    private YamlScalarNode? Scalar(string key, bool required, string expected)
    {
        if (!entries.TryGetValue(key, out var entry))
        {
            if (required)
            {
                ReportMissing(key);
            }

            return null;
        }

        if (entry.Value is YamlScalarNode scalar && !IsNull(scalar))
        {
            return scalar;
        }

        var at = IsNull(entry.Value) ? entry.Key.Start : entry.Value.Start;
        Diagnostics.Add(at, Invariant($"expected {expected} for '{key}', found {DescribeNode(entry.Value)}"));
        return null;
    }
}
