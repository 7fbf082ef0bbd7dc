using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace SigmaFlow.Functions.Local.EventHubs;

/// <summary>
/// Turns a send request into events: the body within the byte limit, the <c>BrokerProperties</c> header, and either
/// the batch format (<c>application/vnd.microsoft.servicebus.json</c>: <c>[{"Body":"…","IsBodyBase64":true,
/// "BrokerProperties":{"PartitionKey":"…"},"UserProperties":{…}}]</c>) or a single event (the body as is, application
/// properties from the request's other headers). Failures come back as the detail of a 400 response.
/// </summary>
internal static class StandInRequestReader
{
    /// <summary>Content type of the batch format.</summary>
    public const string BatchContentType = "application/vnd.microsoft.servicebus.json";

    // Headers that are HTTP, tracing or Azure SDK plumbing rather than application properties of a single event.
    private static readonly HashSet<string> NotProperties = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "BrokerProperties", "Content-Type", "Content-Length", "Content-Encoding", "Content-MD5", "Host",
        "Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Connection", "Keep-Alive", "User-Agent",
        "Expect", "Transfer-Encoding", "TE", "Upgrade", "Date", "Cookie", "Origin", "Referer", "Cache-Control", "Pragma",
        "Via", "traceparent", "tracestate", "baggage", "Request-Id", "Correlation-Context",
    };

    /// <summary>The body, or null when it is longer than <paramref name="maxBytes"/> (the rest is read and dropped, so the client gets the 413).</summary>
    public static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream((int)Math.Min(request.ContentLength ?? 4096, maxBytes));
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var tooLarge = request.ContentLength > maxBytes;
            int read;
            while ((read = await request.Body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (!tooLarge && body.Length + read <= maxBytes)
                {
                    body.Write(buffer, 0, read);
                }
                else
                {
                    tooLarge = true;
                }
            }

            return tooLarge ? null : body.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>True for the batch content type (parameters and case ignored).</summary>
    public static bool IsBatch(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals(BatchContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The partition key of a <c>BrokerProperties</c> header (JSON object; other broker properties are ignored).</summary>
    public static bool TryReadBrokerProperties(string? header, out string? partitionKey, out string? error)
    {
        partitionKey = null;
        error = null;
        if (string.IsNullOrWhiteSpace(header))
        {
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(header);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "InvalidBrokerProperties: the BrokerProperties header must be a JSON object such as {\"PartitionKey\":\"BTCUSD\"}.";
                return false;
            }

            if (!TryReadPartitionKey(document.RootElement, "the BrokerProperties header", out partitionKey, out var keyError))
            {
                error = "InvalidBrokerProperties: " + keyError;
                return false;
            }

            return true;
        }
        catch (JsonException e)
        {
            error = $"InvalidBrokerProperties: the BrokerProperties header is not valid JSON ({e.Message}).";
            return false;
        }
    }

    /// <summary>A single event: the body as is, application properties from the headers that are not HTTP plumbing (quoted values unquoted).</summary>
    public static LocalEventInput Single(byte[] body, string? partitionKey, IHeaderDictionary headers)
    {
        var properties = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, values) in headers)
        {
            if (NotProperties.Contains(name) || name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase) || name.StartsWith(':') || name.StartsWith("Sec-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = values.ToString();
            properties[name] = value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
        }

        return new LocalEventInput(body, properties, partitionKey);
    }

    /// <summary>Parses the batch format; every item's key must agree with the header's when both are given.</summary>
    public static bool TryParseBatch(byte[] body, string? headerPartitionKey, out List<LocalEventInput> events, out string? error)
    {
        events = [];
        error = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            error = $"MalformedJson: the batch is not valid JSON ({e.Message}).";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0)
            {
                error = "InvalidBatch: a batch must be a non-empty JSON array of {\"Body\":\"…\"} objects.";
                return false;
            }

            var index = 0;
            foreach (var item in root.EnumerateArray())
            {
                if (!TryParseItem(item, index, headerPartitionKey, out var input, out error))
                {
                    return false;
                }

                events.Add(input!);
                index++;
            }

            return true;
        }
    }

    private static bool TryParseItem(JsonElement item, int index, string? headerPartitionKey, out LocalEventInput? input, out string? error)
    {
        input = null;
        string Where(string what) => string.Create(CultureInfo.InvariantCulture, $"InvalidBatch: event {index}: {what}");
        if (item.ValueKind != JsonValueKind.Object)
        {
            error = Where("each item must be a JSON object with a string 'Body'.");
            return false;
        }

        if (!TryGet(item, "Body", out var bodyElement) || bodyElement.ValueKind != JsonValueKind.String)
        {
            error = Where("'Body' is required and must be a JSON string.");
            return false;
        }

        var base64 = false;
        if (TryGet(item, "IsBodyBase64", out var flag))
        {
            if (flag.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                error = Where("'IsBodyBase64' must be true or false.");
                return false;
            }

            base64 = flag.ValueKind == JsonValueKind.True;
        }

        byte[] body;
        if (base64)
        {
            if (!bodyElement.TryGetBytesFromBase64(out var decoded))
            {
                error = Where("'Body' is not valid base64 although 'IsBodyBase64' is true.");
                return false;
            }

            body = decoded;
        }
        else
        {
            body = Encoding.UTF8.GetBytes(bodyElement.GetString()!);
        }

        string? partitionKey = null;
        if (TryGet(item, "BrokerProperties", out var broker))
        {
            if (broker.ValueKind != JsonValueKind.Object)
            {
                error = Where("'BrokerProperties' must be a JSON object.");
                return false;
            }

            if (!TryReadPartitionKey(broker, "its BrokerProperties", out partitionKey, out var keyError))
            {
                error = Where(keyError!);
                return false;
            }
        }

        if (partitionKey is not null && headerPartitionKey is not null && !string.Equals(partitionKey, headerPartitionKey, StringComparison.Ordinal))
        {
            error = Where($"its partition key '{partitionKey}' differs from the BrokerProperties header's '{headerPartitionKey}'.");
            return false;
        }

        var properties = new Dictionary<string, object>(StringComparer.Ordinal);
        if (TryGet(item, "UserProperties", out var user))
        {
            if (user.ValueKind != JsonValueKind.Object)
            {
                error = Where("'UserProperties' must be a JSON object.");
                return false;
            }

            foreach (var property in user.EnumerateObject())
            {
                object? value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.Number => property.Value.TryGetInt64(out var whole) ? (object)whole : property.Value.GetDouble(),
                    _ => null,
                };
                if (value is null)
                {
                    error = Where($"user property '{property.Name}' must be a string, number or bool; got {property.Value.ValueKind}.");
                    return false;
                }

                properties[property.Name] = value;
            }
        }

        input = new LocalEventInput(body, properties, partitionKey ?? headerPartitionKey);
        error = null;
        return true;
    }

    private static bool TryReadPartitionKey(JsonElement broker, string where, out string? partitionKey, out string? error)
    {
        partitionKey = null;
        error = null;
        if (!TryGet(broker, "PartitionKey", out var key) || key.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (key.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(key.GetString()))
        {
            error = $"'PartitionKey' in {where} must be a non-empty string.";
            return false;
        }

        partitionKey = key.GetString();
        return true;
    }

    /// <summary>A member by name, in any letter case (lenient with hand-written clients).</summary>
    private static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}
