using System.Globalization;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace SigmaFlow.Platform.Alerts;

/// <summary>
/// The JSON form of rules and channels, as the HTTP API takes and returns them and as the tables store them:
/// camelCase names (any case accepted on input), enums as camelCase strings (any case accepted), unknown properties
/// refused, conditions as objects with a <c>type</c>. <see cref="Read{T}(string)"/> turns every JSON problem into an
/// <see cref="AlertProblem"/> naming the field, the rule and the value; validation follows with <see cref="AlertValidator"/>.
/// </summary>
public static partial class AlertJson
{
    /// <summary>The serializer options (read-only).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNameCaseInsensitive = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.Strict,
            ReadCommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
            MaxDepth = 16,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Serializes a rule, channel or condition.</summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>JSON text.</returns>
    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Reads a document (a rule, a channel), reporting JSON problems as values.</summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <param name="json">The JSON text.</param>
    /// <returns>The value, or the problems (syntax, types, unknown properties, enum values, condition types); not yet validated.</returns>
    public static AlertReadResult<T> Read<T>(string? json)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return new AlertReadResult<T>(null, [new AlertProblem("(body)", "must be a JSON object", "nothing")]);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            return new AlertReadResult<T>(null, [new AlertProblem("(body)", string.Create(CultureInfo.InvariantCulture, $"is not valid JSON (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1})"), null)]);
        }

        using (document)
        {
            return Read<T>(document.RootElement);
        }
    }

    /// <summary>Reads a document that is already parsed.</summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <param name="element">The JSON value.</param>
    /// <returns>The value or the problems.</returns>
    public static AlertReadResult<T> Read<T>(JsonElement element)
        where T : class
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return new AlertReadResult<T>(null, [new AlertProblem("(body)", "must be a JSON object", Kind(element))]);
        }

        try
        {
            var value = element.Deserialize<T>(Options);
            return value is null
                ? new AlertReadResult<T>(null, [new AlertProblem("(body)", "must be a JSON object", "null")])
                : new AlertReadResult<T>(value, []);
        }
        catch (JsonException e)
        {
            return new AlertReadResult<T>(null, [Problem(e, element)]);
        }
        catch (NotSupportedException e)
        {
            return new AlertReadResult<T>(null, [new AlertProblem("(body)", "cannot be read: " + e.Message)]);
        }
    }

    /// <summary>A JSON path (<c>$.condition.level</c>, <c>$.channelIds[1]</c>) as a field name (<c>condition.level</c>).</summary>
    /// <param name="path">The path, or null.</param>
    /// <returns>The field.</returns>
    internal static string Field(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "(body)";
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length == 0 ? "(body)" : field;
    }

    /// <summary>How a value looks in a message: text quoted and cut, anything else as JSON.</summary>
    /// <param name="element">The value.</param>
    /// <returns>The shown value.</returns>
    internal static string Show(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => AlertProblem.Show(element.GetString()),
        JsonValueKind.Undefined => "nothing",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => Cut(element.GetRawText()),
    };

    private static string Cut(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => element.ValueKind.ToString(),
    };

    private static AlertProblem Problem(JsonException e, JsonElement root)
    {
        var path = e is NestedJsonException { InnerPath: { Length: > 1 } inner } && e.Path is { } outer ? outer + inner[1..] : e.Path;
        var field = Field(path);
        var message = e.Message;
        var unmapped = UnmappedProperty().Match(message);
        if (unmapped.Success)
        {
            var name = unmapped.Groups["name"].Value;
            var owner = unmapped.Groups["type"].Value;
            var parent = field == "(body)" || field.EndsWith(name, StringComparison.Ordinal) ? field[..Math.Max(0, field.Length - name.Length)].TrimEnd('.') : field;
            var known = KnownProperties(owner);
            return new AlertProblem(parent.Length == 0 || parent == "(body)" ? name : $"{parent}.{name}", $"is not a known property{(known.Length == 0 ? string.Empty : $" (expected {known})")}");
        }

        var missing = MissingProperties().Match(message);
        if (missing.Success)
        {
            return new AlertProblem(field == "(body)" ? missing.Groups["names"].Value : $"{field}.{missing.Groups["names"].Value}", "is required");
        }

        var value = At(root, path);
        var conversion = Conversion().Match(message);
        if (conversion.Success)
        {
            return new AlertProblem(field, "must be " + Describe(conversion.Groups["type"].Value), value is { } v ? Show(v) : null);
        }

        // The converters of this feature throw messages that already read "must be …".
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var rule = cut > 0 ? message[..cut] : message;
        var shownValue = value is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Array) } found ? Show(found) : null;
        return new AlertProblem(field, rule.StartsWith("must", StringComparison.Ordinal) || rule.StartsWith("is ", StringComparison.Ordinal) ? rule : "cannot be read: " + rule, shownValue);
    }

    private static string KnownProperties(string typeName)
    {
        var type = typeof(AlertJson).Assembly.GetType(typeName);
        if (type is null)
        {
            return string.Empty;
        }

        var names = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));
        return string.Join(", ", type.IsSubclassOf(typeof(AlertCondition)) ? names.Prepend("type") : names);
    }

    private static string Describe(string clrType) => clrType switch
    {
        "System.Double" => "a number",
        "System.Int32" => "a whole number",
        "System.Int64" => "a whole number",
        "System.Boolean" => "true or false",
        "System.String" => "a string",
        _ when clrType.Contains("IReadOnlyList", StringComparison.Ordinal) => "an array of strings",
        _ => "a " + clrType[(clrType.LastIndexOf('.') + 1)..],
    };

    /// <summary>The value at a JSON path of the simple form STJ reports (<c>$.a.b[2].c</c>), or null.</summary>
    private static JsonElement? At(JsonElement root, string? path)
    {
        if (string.IsNullOrEmpty(path) || !path.StartsWith('$'))
        {
            return null;
        }

        var current = root;
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                var name = end < 0 ? path[(i + 1)..] : path[(i + 1)..end];
                if (current.ValueKind != JsonValueKind.Object || !TryGetProperty(current, name, out current))
                {
                    return null;
                }

                i = end < 0 ? path.Length : end;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    || current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength())
                {
                    return null;
                }

                current = current[index];
                i = end + 1;
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    private static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    [GeneratedRegex(@"The JSON property '(?<name>[^']*)' could not be mapped to any \.NET member contained in type '(?<type>[^']*)'")]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex(@"missing required properties including: '(?<names>[^']*)'")]
    private static partial Regex MissingProperties();

    [GeneratedRegex(@"The JSON value could not be converted to (?<type>[^.\s][^\s]*?)\.(?: Path|$)")]
    private static partial Regex Conversion();
}

/// <summary>Enums as camelCase strings; reading accepts any case and names the valid values when it fails.</summary>
/// <typeparam name="T">The enum.</typeparam>
internal sealed class AlertEnumConverter<T> : JsonConverter<T>
    where T : struct, Enum
{
    private static readonly string[] Names = Enum.GetNames<T>().Select(n => JsonNamingPolicy.CamelCase.ConvertName(n)).ToArray();

    /// <summary>The JSON names, in declaration order.</summary>
    public static IReadOnlyList<string> JsonNames => Names;

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString();
            foreach (var value in Enum.GetValues<T>())
            {
                if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
                {
                    return value;
                }
            }
        }

        throw new JsonException($"must be one of {string.Join(", ", Names)}");
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(JsonNamingPolicy.CamelCase.ConvertName(value.ToString()));
    }
}

/// <summary>Conditions as objects with a <c>type</c> first; reading names the valid types when the type is missing or unknown.</summary>
internal sealed class AlertConditionConverter : JsonConverter<AlertCondition>
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert == typeof(AlertCondition);

    public override AlertCondition? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"must be an object with a type ({string.Join(", ", AlertCondition.Types)})");
        }

        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        string? type = null;
        var found = false;
        var rest = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name.Equals("type", StringComparison.OrdinalIgnoreCase))
            {
                found = true;
                type = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
            }
            else
            {
                rest[property.Name] = property.Value;
            }
        }

        var concrete = found ? AlertCondition.Types.FirstOrDefault(t => t.Equals(type, StringComparison.OrdinalIgnoreCase)) : null;
        var target = concrete switch
        {
            AlertCondition.SignalType => typeof(SignalCondition),
            AlertCondition.PriceCrossingType => typeof(PriceCrossingCondition),
            AlertCondition.ExpressionType => typeof(ExpressionCondition),
            _ => null,
        };
        if (target is null)
        {
            throw new JsonException(found
                ? $"must have a type of {string.Join(", ", AlertCondition.Types)}; its type is {AlertProblem.Show(type)}"
                : $"must have a type ({string.Join(", ", AlertCondition.Types)})");
        }

        var body = JsonSerializer.SerializeToElement(rest, options);
        try
        {
            return (AlertCondition?)body.Deserialize(target, options);
        }
        catch (JsonException e)
        {
            // The nested read reports paths from the condition ("$.level"); the outer read adds where the condition is.
            throw new NestedJsonException(e.Message, e.Path, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, AlertCondition value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var body = JsonSerializer.SerializeToElement(value, value.GetType(), options);
        writer.WriteStartObject();
        writer.WriteString("type", value.Type);
        foreach (var property in body.EnumerateObject())
        {
            property.WriteTo(writer);
        }

        writer.WriteEndObject();
    }
}

/// <summary>A problem inside a condition, with its path relative to the condition; the outer read sets <see cref="JsonException.Path"/> to where the condition is.</summary>
internal sealed class NestedJsonException : JsonException
{
    public NestedJsonException(string message, string? innerPath, Exception innerException)
        : base(StripPath(message), innerException)
    {
        InnerPath = innerPath;
    }

    public NestedJsonException()
    {
    }

    public NestedJsonException(string message)
        : base(message)
    {
    }

    public NestedJsonException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The path inside the condition (<c>$.level</c>).</summary>
    public string? InnerPath { get; }

    private static string StripPath(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
