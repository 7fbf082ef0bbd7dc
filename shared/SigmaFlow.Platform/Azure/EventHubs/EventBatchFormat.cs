using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SigmaFlow.Platform.Azure.EventHubs;

/// <summary>
/// The REST batch wire format (<c>application/vnd.microsoft.servicebus.json</c>): a JSON array of
/// <c>{"Body":"…","IsBodyBase64":true,"BrokerProperties":{"PartitionKey":"…"},"UserProperties":{…}}</c>, optional
/// members left out; and the split of a list of serialized items into requests that stay under a byte limit.
/// </summary>
internal static class EventBatchFormat
{
    /// <summary>Content type of a batch request.</summary>
    public const string ContentType = "application/vnd.microsoft.servicebus.json";

    // Bodies are UTF-8 JSON; non-ASCII text stays as UTF-8 rather than \uXXXX escapes (the size we measure is the size we send).
    private static readonly JsonWriterOptions BodyWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One batch item, as UTF-8 JSON.</summary>
    /// <param name="data">The event.</param>
    /// <param name="partitionKey">The partition key to repeat in the item's <c>BrokerProperties</c>, or null.</param>
    /// <returns>The item.</returns>
    public static byte[] SerializeItem(EventData data, string? partitionKey)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + (data.Text?.Length ?? (data.Bytes!.Length * 4 / 3)));
        using (var writer = new Utf8JsonWriter(buffer, BodyWriter))
        {
            writer.WriteStartObject();
            if (data.Bytes is { } bytes)
            {
                writer.WriteBase64String("Body", bytes);
                writer.WriteBoolean("IsBodyBase64", true);
            }
            else
            {
                writer.WriteString("Body", data.Text);
            }

            if (partitionKey is not null)
            {
                writer.WriteStartObject("BrokerProperties");
                writer.WriteString("PartitionKey", partitionKey);
                writer.WriteEndObject();
            }

            if (data.Properties.Count > 0)
            {
                writer.WriteStartObject("UserProperties");
                foreach (var (name, value) in data.Properties)
                {
                    writer.WritePropertyName(name);
                    WriteValue(writer, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The <c>BrokerProperties</c> header of a request whose events share a partition key (ASCII-only JSON).</summary>
    /// <param name="partitionKey">The key.</param>
    /// <returns>The header value.</returns>
    public static string BrokerPropertiesHeader(string partitionKey) =>
        JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal) { ["PartitionKey"] = partitionKey });

    /// <summary>
    /// Splits items into requests, in order, so that each request body (<c>[</c>, items joined by commas, <c>]</c>)
    /// has at most <paramref name="maxRequestBytes"/> bytes; an item too large to travel alone is rejected.
    /// </summary>
    /// <param name="items">Serialized items.</param>
    /// <param name="maxRequestBytes">The limit.</param>
    /// <returns>The requests (lists of item indexes) and the rejected items.</returns>
    public static (List<List<int>> Requests, List<EventRejection> Rejected) Split(IReadOnlyList<byte[]> items, int maxRequestBytes)
    {
        var requests = new List<List<int>>();
        var rejected = new List<EventRejection>();
        List<int>? current = null;
        long currentSize = 0;
        for (var i = 0; i < items.Count; i++)
        {
            long size = items[i].Length;
            if (size + 2 > maxRequestBytes)
            {
                rejected.Add(new EventRejection(i, size, string.Create(
                    CultureInfo.InvariantCulture,
                    $"event {i} is {size} bytes serialized ({size + 2} as a batch of one), over the limit of {maxRequestBytes} bytes per request; it was not sent.")));
                continue;
            }

            if (current is not null && currentSize + 1 + size <= maxRequestBytes)
            {
                current.Add(i);
                currentSize += 1 + size;
                continue;
            }

            current = [i];
            currentSize = 2 + size;
            requests.Add(current);
        }

        return (requests, rejected);
    }

    /// <summary>The body of one request: the chosen items as a JSON array.</summary>
    /// <param name="items">All serialized items.</param>
    /// <param name="indexes">The items of this request.</param>
    /// <returns>The body.</returns>
    public static byte[] Join(IReadOnlyList<byte[]> items, IReadOnlyList<int> indexes)
    {
        var length = 1 + indexes.Count;
        foreach (var index in indexes)
        {
            length += items[index].Length;
        }

        var body = new byte[length];
        body[0] = (byte)'[';
        var at = 1;
        for (var n = 0; n < indexes.Count; n++)
        {
            if (n > 0)
            {
                body[at++] = (byte)',';
            }

            var item = items[indexes[n]];
            item.CopyTo(body, at);
            at += item.Length;
        }

        body[at] = (byte)']';
        return body;
    }

    private static void WriteValue(Utf8JsonWriter writer, object value)
    {
        switch (value)
        {
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case byte n: writer.WriteNumberValue(n); break;
            case sbyte n: writer.WriteNumberValue(n); break;
            case short n: writer.WriteNumberValue(n); break;
            case ushort n: writer.WriteNumberValue(n); break;
            case int n: writer.WriteNumberValue(n); break;
            case uint n: writer.WriteNumberValue(n); break;
            case long n: writer.WriteNumberValue(n); break;
            case ulong n: writer.WriteNumberValue(n); break;
            case float n: writer.WriteNumberValue(n); break;
            case double n: writer.WriteNumberValue(n); break;
            case decimal n: writer.WriteNumberValue(n); break;
            default: throw new InvalidOperationException($"unsupported event property type {value.GetType().Name}."); // EventData checks this first
        }
    }
}
