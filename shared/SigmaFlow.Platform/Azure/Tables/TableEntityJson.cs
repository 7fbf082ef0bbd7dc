using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Azure;

namespace SigmaFlow.Platform.Azure.Tables;

/// <summary>
/// The service's JSON for entities (OData JSON "light"): writes each property with an <c>@odata.type</c> annotation
/// where the JSON type alone would lose it, and reads annotations back so that every value keeps its type.
/// </summary>
internal static class TableEntityJson
{
    private const string TypeSuffix = "@odata.type";

    /// <summary>Serialises the keys and the custom properties (never Timestamp or ETag).</summary>
    public static byte[] Serialize(TableEntity entity)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("PartitionKey", entity.PartitionKey);
            writer.WriteString("RowKey", entity.RowKey);
            foreach (var (name, value) in entity)
            {
                WriteProperty(writer, name, value);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads one entity object of a response (minimal or no metadata).</summary>
    /// <exception cref="FormatException">A value does not match its annotation, or the annotation is unknown.</exception>
    public static TableEntity Read(JsonElement element)
    {
        var partitionKey = element.TryGetProperty("PartitionKey", out var pk) ? pk.GetString() ?? string.Empty : string.Empty;
        var rowKey = element.TryGetProperty("RowKey", out var rk) ? rk.GetString() ?? string.Empty : string.Empty;
        var entity = new TableEntity(partitionKey, rowKey);
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name;
            if (name is "PartitionKey" or "RowKey" || name.EndsWith(TypeSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            if (name == "odata.etag")
            {
                entity.ETag = new ETag(property.Value.GetString() ?? string.Empty);
                continue;
            }

            if (name.StartsWith("odata.", StringComparison.Ordinal) || property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            string? type = element.TryGetProperty(name + TypeSuffix, out var annotation) ? annotation.GetString() : null;
            var value = ReadValue(entity, name, type, property.Value);
            if (name == "Timestamp")
            {
                entity.Timestamp = value as DateTimeOffset? ?? ParseDate(entity, name, property.Value);
                continue;
            }

            entity.SetRead(name, value);
        }

        return entity;
    }

    /// <summary>The Edm.DateTime text of an instant: UTC with seven fractional digits.</summary>
    public static string FormatDate(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The text of a double the service reads back as the same double: round-trip digits, NaN, Infinity, -Infinity.</summary>
    public static string FormatDouble(double value) => value switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "Infinity",
        double.NegativeInfinity => "-Infinity",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void WriteProperty(Utf8JsonWriter writer, string name, object value)
    {
        switch (value)
        {
            case string text:
                writer.WriteString(name, text);
                break;
            case bool flag:
                writer.WriteBoolean(name, flag);
                break;
            case int number:
                writer.WriteNumber(name, number);
                break;
            case long number:
                writer.WriteString(name + TypeSuffix, "Edm.Int64");
                writer.WriteString(name, number.ToString(CultureInfo.InvariantCulture));
                break;
            case double number:
                // Always typed: without it a whole number (5.0) is written as 5 and read back as an Int32.
                writer.WriteString(name + TypeSuffix, "Edm.Double");
                if (double.IsFinite(number))
                {
                    writer.WriteNumber(name, number);
                }
                else
                {
                    writer.WriteString(name, FormatDouble(number));
                }

                break;
            case DateTimeOffset time:
                writer.WriteString(name + TypeSuffix, "Edm.DateTime");
                writer.WriteString(name, FormatDate(time));
                break;
            case byte[] bytes:
                writer.WriteString(name + TypeSuffix, "Edm.Binary");
                writer.WriteBase64String(name, bytes);
                break;
            case Guid guid:
                writer.WriteString(name + TypeSuffix, "Edm.Guid");
                writer.WriteString(name, guid.ToString("D", CultureInfo.InvariantCulture));
                break;
            default:
                throw new InvalidOperationException($"Property '{name}' holds a {value.GetType().Name}, which TableEntity does not accept.");
        }
    }

    private static object ReadValue(TableEntity entity, string name, string? type, JsonElement value)
    {
        try
        {
            return type switch
            {
                null => Inferred(entity, name, value),
                "Edm.String" => value.GetString()!,
                "Edm.Boolean" => value.GetBoolean(),
                "Edm.Int32" => value.ValueKind == JsonValueKind.String ? int.Parse(value.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : value.GetInt32(),
                "Edm.Int64" => value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : value.GetInt64(),
                "Edm.Double" => value.ValueKind == JsonValueKind.String ? ParseDouble(value.GetString()!) : value.GetDouble(),
                "Edm.DateTime" => ParseDate(entity, name, value),
                "Edm.Binary" => value.GetBytesFromBase64(),
                "Edm.Guid" => Guid.Parse(value.GetString()!, CultureInfo.InvariantCulture),
                _ => throw new FormatException($"Property '{name}' of {entity} has the type annotation '{type}', which this client does not know."),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException && !e.Message.StartsWith("Property '", StringComparison.Ordinal))
        {
            throw new FormatException($"Property '{name}' of {entity}: the value {Shorten(value.GetRawText())} is not a valid {type ?? value.ValueKind.ToString()}.", e);
        }
    }

    private static object Inferred(TableEntity entity, string name, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return name == "Timestamp" ? ParseDate(entity, name, value) : value.GetString()!;
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number:
                // A number without a fraction or exponent is an Int32 (the service types larger integers as Int64
                // strings); anything else is a Double.
                var raw = value.GetRawText();
                if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0 && value.TryGetInt32(out var whole))
                {
                    return whole;
                }

                return value.GetDouble();
            default:
                throw new FormatException($"Property '{name}' of {entity} holds a JSON {value.ValueKind}, which is no table type.");
        }
    }

    private static DateTimeOffset ParseDate(TableEntity entity, string name, JsonElement value)
    {
        var text = value.GetString();
        if (text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return parsed;
        }

        throw new FormatException($"Property '{name}' of {entity}: '{text}' is not an Edm.DateTime.");
    }

    private static double ParseDouble(string text) => text switch
    {
        "NaN" => double.NaN,
        "Infinity" or "INF" => double.PositiveInfinity,
        "-Infinity" or "-INF" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string Shorten(string raw) => raw.Length > 60 ? raw[..60] + "…" : raw;
}
