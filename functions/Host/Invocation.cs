using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SigmaFlow.Functions.Host;

/// <summary>
/// One invocation as the Functions host sends it to a custom handler: <c>{"Data": {...}, "Metadata": {...}}</c>.
/// Reads both the documented shapes and the shapes the host really sends: values JSON-encoded inside strings (a
/// string input arrives as <c>"\"hello\""</c>, an array as <c>"[...]"</c>, numbers as <c>"4"</c>), metadata arrays as
/// strings, property names in any case. Every value is normalised once: a string whose content is JSON is replaced by
/// that JSON (twice at most); anything else stays as it is.
/// </summary>
public sealed class InvocationRequest
{
    private readonly Dictionary<string, JsonElement> data;
    private readonly Dictionary<string, JsonElement> metadata;

    private InvocationRequest(Dictionary<string, JsonElement> data, Dictionary<string, JsonElement> metadata, string invocationId)
    {
        this.data = data;
        this.metadata = metadata;
        InvocationId = invocationId;
    }

    /// <summary>The host's invocation id (<c>X-Azure-Functions-InvocationId</c>), or a new one.</summary>
    public string InvocationId { get; }

    /// <summary>Names of the data (trigger and input) values.</summary>
    public IEnumerable<string> DataNames => data.Keys;

    /// <summary>Names of the metadata values.</summary>
    public IEnumerable<string> MetadataNames => metadata.Keys;

    /// <summary>Parses an invocation body.</summary>
    /// <param name="utf8">The request body.</param>
    /// <param name="invocationId">The host's invocation id, when sent.</param>
    /// <returns>The request.</returns>
    /// <exception cref="FormatException">The body is not a JSON object with object-valued <c>Data</c>/<c>Metadata</c>; the message says which.</exception>
    public static InvocationRequest Parse(ReadOnlySpan<byte> utf8, string? invocationId = null)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(utf8.ToArray());
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new FormatException($"the invocation body is not valid JSON: {e.Message}", e);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"the invocation body must be a JSON object with Data and Metadata; got {root.ValueKind}.");
        }

        var data = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        var metadata = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in root.EnumerateObject())
        {
            var target = property.Name.Equals("Data", StringComparison.OrdinalIgnoreCase) ? data
                : property.Name.Equals("Metadata", StringComparison.OrdinalIgnoreCase) ? metadata
                : null;
            if (target is null)
            {
                continue;
            }

            var value = Normalize(property.Value);
            if (value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"'{property.Name}' must be a JSON object; got {value.ValueKind}.");
            }

            foreach (var item in value.EnumerateObject())
            {
                target[item.Name] = Normalize(item.Value);
            }
        }

        return new InvocationRequest(data, metadata, invocationId ?? Guid.NewGuid().ToString("N"));
    }

    /// <summary>A data value (normalised), or <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    /// <param name="name">Binding name (any case).</param>
    /// <returns>The value.</returns>
    public JsonElement Data(string name) => data.TryGetValue(name, out var v) ? v : default;

    /// <summary>A metadata value (normalised), or <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    /// <param name="name">Metadata name (any case).</param>
    /// <returns>The value.</returns>
    public JsonElement Metadata(string name) => metadata.TryGetValue(name, out var v) ? v : default;

    /// <summary>
    /// A data value that is a batch of strings (an Event Hubs trigger with cardinality many and dataType string): each
    /// element as it was sent, objects and numbers re-serialised as JSON text.
    /// </summary>
    /// <param name="name">Binding name.</param>
    /// <returns>The elements; empty when absent.</returns>
    /// <exception cref="FormatException">The value is neither an array nor absent.</exception>
    public IReadOnlyList<string> DataStrings(string name)
    {
        var value = Data(name);
        return value.ValueKind switch
        {
            JsonValueKind.Undefined or JsonValueKind.Null => [],
            JsonValueKind.Array => value.EnumerateArray().Select(Text).ToArray(),
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Object => [value.GetRawText()],
            _ => throw new FormatException($"Data.{name} must be an array of events; got {value.ValueKind}."),
        };
    }

    /// <summary>A metadata array (e.g. <c>SequenceNumberArray</c>) as elements; empty when absent.</summary>
    /// <param name="name">Metadata name.</param>
    /// <returns>The elements, each normalised.</returns>
    public IReadOnlyList<JsonElement> MetadataArray(string name)
    {
        var value = Metadata(name);
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(Normalize).ToArray() : [];
    }

    /// <summary>Reads an element as a 64-bit integer whether it is a number or a numeric string.</summary>
    /// <param name="element">The element.</param>
    /// <param name="value">The integer.</param>
    /// <returns>True when it is one.</returns>
    public static bool TryGetInt64(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetInt64(out value),
            JsonValueKind.String => long.TryParse(element.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    /// <summary>Reads an element as a UTC time whether it is an ISO string or Unix milliseconds.</summary>
    /// <param name="element">The element.</param>
    /// <param name="value">The time.</param>
    /// <returns>True when it is one.</returns>
    public static bool TryGetTime(JsonElement element, out DateTimeOffset value)
    {
        value = default;
        if (element.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return true;
        }

        if (TryGetInt64(element, out var ms))
        {
            value = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            return true;
        }

        return false;
    }

    /// <summary>Replaces a string whose content is JSON by that JSON (at most twice); other values stay as they are.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The normalised value.</returns>
    public static JsonElement Normalize(JsonElement value)
    {
        for (var round = 0; round < 2 && value.ValueKind == JsonValueKind.String; round++)
        {
            var text = value.GetString()!;
            var trimmed = text.AsSpan().Trim();
            if (trimmed.IsEmpty)
            {
                break;
            }

            // Numbers in strings ("4") become numbers; other text starting with a digit (ISO dates) stays text, without
            // the cost of a failed JSON parse per value.
            var structured = trimmed[0] is '{' or '[' or '"' || trimmed is "true" or "false" or "null";
            if (!structured && !((char.IsAsciiDigit(trimmed[0]) || trimmed[0] == '-') && double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                break;
            }

            try
            {
                using var document = JsonDocument.Parse(text);
                value = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                break;
            }
        }

        return value;
    }

    private static string Text(JsonElement element) => element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
}

/// <summary>
/// What a handler answers: <c>{"Outputs": {...}, "Logs": [...], "ReturnValue": ...}</c>. Output values are JSON objects
/// or arrays only: the host base64-decodes any top-level string output and would send its bytes to the binding.
/// </summary>
public sealed class InvocationResult
{
    /// <summary>Output binding values by binding name.</summary>
    public Dictionary<string, JsonNode?> Outputs { get; } = new(StringComparer.Ordinal);

    /// <summary>Lines the host logs as the invocation's information logs.</summary>
    public List<string> Logs { get; } = [];

    /// <summary>Value for a <c>$return</c> binding (an object or array), if any.</summary>
    public JsonNode? ReturnValue { get; private set; }

    /// <summary>Sets an output binding's value.</summary>
    /// <param name="binding">The binding name.</param>
    /// <param name="value">A JSON object or array.</param>
    /// <returns>This result.</returns>
    /// <exception cref="ArgumentException">The value is a bare string, number or boolean.</exception>
    public InvocationResult Output(string binding, JsonNode value)
    {
        Outputs[binding] = ObjectOrArray(value, binding);
        return this;
    }

    /// <summary>Sets the <c>$return</c> value.</summary>
    /// <param name="value">A JSON object or array.</param>
    /// <returns>This result.</returns>
    public InvocationResult Return(JsonNode value)
    {
        ReturnValue = ObjectOrArray(value, "$return");
        return this;
    }

    /// <summary>Adds a log line.</summary>
    /// <param name="line">The line.</param>
    /// <returns>This result.</returns>
    public InvocationResult Log(string line)
    {
        Logs.Add(line);
        return this;
    }

    /// <summary>The response body.</summary>
    /// <returns>UTF-8 JSON.</returns>
    public byte[] ToJson()
    {
        var body = new JsonObject
        {
            [nameof(Outputs)] = new JsonObject(Outputs.Select(o => KeyValuePair.Create(o.Key, o.Value?.DeepClone()))),
            [nameof(Logs)] = new JsonArray(Logs.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
            [nameof(ReturnValue)] = ReturnValue?.DeepClone(),
        };
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    private static JsonNode ObjectOrArray(JsonNode value, string binding)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value is not (JsonObject or JsonArray))
        {
            throw new ArgumentException($"output '{binding}' must be a JSON object or array; the Functions host would base64-decode a bare {value.GetValueKind()} and send its bytes.", nameof(value));
        }

        return value;
    }
}

/// <summary>A function's code: the folder <c>functions/{Name}/</c> holds its <c>function.json</c> and this handler.</summary>
public interface IFunctionHandler
{
    /// <summary>The function's name: its folder name and the path the host posts to.</summary>
    string Name { get; }

    /// <summary>Runs one invocation. Expected failures of single items are handled inside (dead letters); an exception fails the whole invocation (the host retries per the function's retry policy).</summary>
    /// <param name="request">The invocation.</param>
    /// <param name="cancellationToken">Host shutdown.</param>
    /// <returns>The outputs and logs.</returns>
    Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// A function that reads its invocation body itself instead of receiving an <see cref="InvocationRequest"/>: the server
/// hands it the body bytes and the invocation id, so a hot function can read the envelope in one pass without building a
/// JSON document. It must accept and refuse the envelopes <see cref="InvocationRequest.Parse"/> accepts and refuses.
/// <see cref="IFunctionHandler.InvokeAsync"/> still works (tests and other callers use it).
/// </summary>
public interface IRawFunctionHandler : IFunctionHandler
{
    /// <summary>Runs one invocation from its body. A <see cref="FormatException"/> says the body is not an envelope (the server answers 400); any other exception fails the invocation (500).</summary>
    /// <param name="body">The request body (UTF-8 JSON); valid only until the returned task completes, when the server reuses its buffer.</param>
    /// <param name="invocationId">The host's invocation id, or a new one.</param>
    /// <param name="cancellationToken">Host shutdown.</param>
    /// <returns>The outputs and logs.</returns>
    Task<InvocationResult> InvokeAsync(ReadOnlyMemory<byte> body, string invocationId, CancellationToken cancellationToken);
}
