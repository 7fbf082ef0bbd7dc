using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Functions.Tests.IngestTicks;

/// <summary>One event as the Event Hubs trigger delivers it.</summary>
internal sealed record HostEvent(string Body, long SequenceNumber, DateTimeOffset EnqueuedTime, string? PartitionKey, Dictionary<string, object>? Properties = null);

/// <summary>
/// Envelopes of an <c>eventHubTrigger</c> with cardinality many and <c>dataType: string</c>, in the shape the Functions
/// host sends (AZURE-REFERENCE.md §1.4 a): every value passed through Json.NET's <c>SerializeObject</c> and sent as a JSON
/// string (the bodies, each metadata array), <c>PartitionContext</c> as an object, enqueued times as zone-less UTC text.
/// Json.NET escapes only quotes, backslashes and control characters (<c>"</c>, not <c>"</c>).
/// </summary>
internal static class IngestEnvelopes
{
    /// <summary>Json.NET's escaping.</summary>
    public static readonly JsonSerializerOptions HostJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const long T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    public static DateTimeOffset At(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs);

    public static string Tick(string symbol, long time, double price, double size, long seq = -1, double bid = double.NaN, double ask = double.NaN) =>
        Encoding.UTF8.GetString(TickCodec.Write(new Tick(symbol, time, price, size, bid, ask, seq)));

    public static byte[] Envelope(string partitionId, IReadOnlyList<HostEvent> events, string hub = "ticks", Action<JsonObject>? change = null, JsonSerializerOptions? escaping = null)
    {
        var options = escaping ?? HostJson;
        JsonNode Text(object? value) => JsonValue.Create(JsonSerializer.Serialize(value, options))!;
        var metadata = new JsonObject
        {
            ["PartitionContext"] = new JsonObject
            {
                ["FullyQualifiedNamespace"] = "sigmaflow.servicebus.windows.net",
                ["EventHubName"] = hub,
                ["ConsumerGroup"] = "ingest",
                ["PartitionId"] = partitionId,
            },
            ["PartitionKeyArray"] = Text(events.Select(e => e.PartitionKey).ToArray()),
            ["OffsetArray"] = Text(events.Select(e => (e.SequenceNumber * 128).ToString(CultureInfo.InvariantCulture)).ToArray()),
            ["SequenceNumberArray"] = Text(events.Select(e => e.SequenceNumber).ToArray()),
            ["EnqueuedTimeUtcArray"] = Text(events.Select(e => e.EnqueuedTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)).ToArray()),
            ["PropertiesArray"] = Text(events.Select(e => e.Properties ?? []).ToArray()),
            ["SystemPropertiesArray"] = Text(events.Select(e => new Dictionary<string, object> { ["x-opt-sequence-number"] = e.SequenceNumber }).ToArray()),
            ["sys"] = new JsonObject { ["MethodName"] = "IngestTicks", ["UtcNow"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), ["RandGuid"] = Guid.NewGuid().ToString() },
        };
        change?.Invoke(metadata);
        var body = new JsonObject
        {
            ["Data"] = new JsonObject { ["events"] = Text(events.Select(e => e.Body).ToArray()) },
            ["Metadata"] = metadata,
        };
        return JsonSerializer.SerializeToUtf8Bytes(body, options);
    }
}
