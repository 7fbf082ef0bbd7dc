using System.Globalization;
using System.Text;

namespace SigmaFlow.Platform.Azure.EventHubs;

/// <summary>
/// One event to publish: a body (text, sent as is, or bytes, sent base64 with <c>"IsBodyBase64": true</c>) and
/// application properties whose values are strings, numbers or booleans. Immutable: the constructor copies the body
/// and the properties and checks them.
/// </summary>
public sealed class EventData
{
    private static readonly IReadOnlyDictionary<string, object> NoProperties = new Dictionary<string, object>(StringComparer.Ordinal);
    private readonly byte[]? bytes;

    /// <summary>An event with a text body (usually JSON), sent as the JSON string <c>Body</c>.</summary>
    /// <param name="body">The body.</param>
    /// <param name="properties">Application properties (string, number or bool values), or null.</param>
    /// <exception cref="ArgumentException">A property has an empty name or a value of another type, or a non-finite number.</exception>
    public EventData(string body, IReadOnlyDictionary<string, object>? properties = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        Text = body;
        Properties = CopyProperties(properties);
    }

    /// <summary>An event with a binary body, sent base64-encoded with <c>"IsBodyBase64": true</c>.</summary>
    /// <param name="body">The body (copied).</param>
    /// <param name="properties">Application properties (string, number or bool values), or null.</param>
    /// <exception cref="ArgumentException">A property has an empty name or a value of another type, or a non-finite number.</exception>
    public EventData(ReadOnlySpan<byte> body, IReadOnlyDictionary<string, object>? properties = null)
    {
        bytes = body.ToArray();
        Properties = CopyProperties(properties);
    }

    /// <summary>The text body, or null when the body is binary.</summary>
    public string? Text { get; }

    /// <summary>True when the body is binary (<see cref="Text"/> is null).</summary>
    public bool IsBinary => bytes is not null;

    /// <summary>The body's bytes: the binary body, or the UTF-8 encoding of the text body.</summary>
    public ReadOnlyMemory<byte> Body => bytes ?? Encoding.UTF8.GetBytes(Text!);

    /// <summary>Application properties (the REST batch item's <c>UserProperties</c>): string, number or bool values.</summary>
    public IReadOnlyDictionary<string, object> Properties { get; }

    /// <summary>The binary body without copying it (null for a text body).</summary>
    internal byte[]? Bytes => bytes;

    /// <inheritdoc />
    public override string ToString() => IsBinary
        ? string.Create(CultureInfo.InvariantCulture, $"event ({bytes!.Length} bytes, {Properties.Count} properties)")
        : string.Create(CultureInfo.InvariantCulture, $"event ({Text!.Length} chars, {Properties.Count} properties)");

    /// <summary>True for the property value types the REST batch format carries: string, bool and the numeric types.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it can be sent.</returns>
    internal static bool IsSupportedValue(object? value) => value switch
    {
        string or bool or byte or sbyte or short or ushort or int or uint or long or ulong or decimal => true,
        double d => double.IsFinite(d),
        float f => float.IsFinite(f),
        _ => false,
    };

    private static IReadOnlyDictionary<string, object> CopyProperties(IReadOnlyDictionary<string, object>? properties)
    {
        if (properties is null || properties.Count == 0)
        {
            return NoProperties;
        }

        var copy = new Dictionary<string, object>(properties.Count, StringComparer.Ordinal);
        foreach (var (name, value) in properties)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("event property names must not be empty.", nameof(properties));
            }

            if (!IsSupportedValue(value))
            {
                throw new ArgumentException(
                    $"event property '{name}' must be a string, a finite number or a bool; got {(value is null ? "null" : value.GetType().Name + " " + Convert.ToString(value, CultureInfo.InvariantCulture))}.",
                    nameof(properties));
            }

            copy[name] = value;
        }

        return copy;
    }
}
