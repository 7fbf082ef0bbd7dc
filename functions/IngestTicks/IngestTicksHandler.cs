using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using SigmaFlow.Core.Data;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Live;

namespace SigmaFlow.Functions.IngestTicks;

/// <summary>
/// <c>IngestTicks</c>: the Event Hubs trigger (cardinality many, <c>dataType: string</c>) of the live tick pipeline.
/// Reads the host's envelope into an <see cref="IngestBatch"/>, runs the partition's <see cref="IngestPipeline"/> (one
/// per partition, kept for the life of the process) and answers with one log line. A failed batch throws, so the
/// invocation fails and the function's retry policy runs it again; the pipeline makes re-runs idempotent. The server
/// calls it with the request body (<see cref="IRawFunctionHandler"/>), which <see cref="IngestEnvelopeReader"/> reads
/// in one pass; envelopes that reader is not sure of go through <see cref="InvocationRequest"/> as before.
/// </summary>
public sealed class IngestTicksHandler : IRawFunctionHandler
{
    /// <summary>The function's name (its folder).</summary>
    public const string FunctionName = "IngestTicks";

    /// <summary>The trigger binding's name in <c>function.json</c>.</summary>
    public const string BindingName = "events";

    private static readonly string[] EventIdProperties = ["eventId", "id", "messageId"];
    private readonly Func<string, IngestPipeline>? createPipeline;
    private readonly string? unavailable;
    private readonly SymbolTable keys;
    private readonly ConcurrentDictionary<string, Lazy<IngestPipeline>> pipelines = new(StringComparer.Ordinal);

    /// <summary>Creates the handler.</summary>
    /// <param name="createPipeline">Makes the pipeline of a partition (called once per partition).</param>
    /// <param name="symbols">Interns partition keys (share the pipelines' table); a new one when null.</param>
    public IngestTicksHandler(Func<string, IngestPipeline> createPipeline, SymbolTable? symbols = null)
    {
        ArgumentNullException.ThrowIfNull(createPipeline);
        this.createPipeline = createPipeline;
        keys = symbols ?? new SymbolTable();
    }

    private IngestTicksHandler(string unavailable)
    {
        this.unavailable = unavailable;
        keys = new SymbolTable();
    }

    /// <inheritdoc />
    public string Name => FunctionName;

    /// <summary>A handler that fails every invocation with a reason (the function is registered but not configured).</summary>
    /// <param name="reason">Why it cannot run, naming the settings to set.</param>
    /// <returns>The handler.</returns>
    public static IngestTicksHandler Unavailable(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new IngestTicksHandler(reason);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The function is not configured, or the envelope's metadata does not line up with its events.</exception>
    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (createPipeline is null)
        {
            throw new InvalidOperationException(unavailable);
        }

        return await RunAsync(ReadBatch(request, keys), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="FormatException">The body is not an invocation envelope (as <see cref="InvocationRequest.Parse"/> says).</exception>
    /// <exception cref="InvalidOperationException">The function is not configured, or the envelope's metadata does not line up with its events.</exception>
    public async Task<InvocationResult> InvokeAsync(ReadOnlyMemory<byte> body, string invocationId, CancellationToken cancellationToken)
    {
        if (createPipeline is null)
        {
            // As through the request: an unreadable envelope is reported as such first.
            _ = InvocationRequest.Parse(body.Span, invocationId);
            throw new InvalidOperationException(unavailable);
        }

        var batch = IngestEnvelopeReader.TryRead(body.Span, keys, out var buffer) ?? ReadBatch(InvocationRequest.Parse(body.Span, invocationId), keys);
        try
        {
            return await RunAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The pipeline keeps nothing of the bodies once the batch is done (dead letters hold copies).
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Reads the Event Hubs batch of an invocation body: what <see cref="ReadBatch(InvocationRequest, SymbolTable?)"/>
    /// reads from <see cref="InvocationRequest.Parse"/>'s request, the same batch and the same errors, in one pass over
    /// the bytes for the envelopes the host sends.
    /// </summary>
    /// <param name="body">The request body.</param>
    /// <param name="symbols">Interns partition keys, or null.</param>
    /// <returns>The batch; its bodies lie in one buffer of its own.</returns>
    /// <exception cref="FormatException">The body is not an invocation envelope.</exception>
    /// <exception cref="InvalidOperationException">As <see cref="ReadBatch(InvocationRequest, SymbolTable?)"/>.</exception>
    public static IngestBatch ReadBatch(ReadOnlySpan<byte> body, SymbolTable? symbols = null)
    {
        if (IngestEnvelopeReader.TryRead(body, symbols, out var buffer) is not { } batch)
        {
            return ReadBatch(InvocationRequest.Parse(body), symbols);
        }

        try
        {
            var events = new IngestEvent[batch.Events.Count];
            var total = 0;
            foreach (var e in batch.Events)
            {
                total += e.Bytes.Length;
            }

            var bytes = new byte[total];
            var used = 0;
            for (var i = 0; i < events.Length; i++)
            {
                var e = batch.Events[i];
                e.Bytes.Span.CopyTo(bytes.AsSpan(used));
                events[i] = new IngestEvent(bytes.AsMemory(used, e.Bytes.Length), e.SequenceNumber, e.EnqueuedTime, e.PartitionKey, e.EventId);
                used += e.Bytes.Length;
            }

            return batch with { Events = events };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer!);
        }
    }

    private async Task<InvocationResult> RunAsync(IngestBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Events.Count == 0)
        {
            return new InvocationResult().Log($"{FunctionName} partition {batch.PartitionId}: no events");
        }

        var pipeline = pipelines.GetOrAdd(batch.PartitionId, id => new Lazy<IngestPipeline>(() => createPipeline!(id))).Value;
        var report = await pipeline.ProcessAsync(batch, cancellationToken).ConfigureAwait(false);
        return new InvocationResult().Log(report.ToLogLine());
    }

    /// <summary>
    /// Reads the Event Hubs batch of an invocation: the bodies (<c>Data.events</c>, as UTF-8 in one buffer per batch), <c>PartitionContext.PartitionId</c>,
    /// and per event <c>SequenceNumberArray</c>, <c>EnqueuedTimeUtcArray</c> (a time without a zone is UTC),
    /// <c>PartitionKeyArray</c> and <c>PropertiesArray</c> (an <c>eventId</c>, <c>id</c> or <c>messageId</c> property
    /// becomes the event id). Sequence numbers and enqueued times are required for every event; partition keys and
    /// properties may be absent altogether.
    /// </summary>
    /// <param name="request">The invocation.</param>
    /// <param name="symbols">Interns partition keys, or null.</param>
    /// <returns>The batch.</returns>
    /// <exception cref="InvalidOperationException">
    /// The partition id is missing, or an array's length differs from the number of events, or a sequence number or
    /// time cannot be read. Such a batch cannot be checkpointed safely: the invocation fails (and is retried by the host)
    /// instead of guessing.
    /// </exception>
    public static IngestBatch ReadBatch(InvocationRequest request, SymbolTable? symbols = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var bodies = Bodies(request.Data(BindingName));
        var partitionId = PartitionIdOf(request.Metadata("PartitionContext"));
        if (bodies.Count == 0)
        {
            return new IngestBatch(partitionId, []);
        }

        var sequences = Required(request, "SequenceNumberArray", bodies.Count);
        var times = Required(request, "EnqueuedTimeUtcArray", bodies.Count);
        var partitionKeys = Optional(request, "PartitionKeyArray", bodies.Count);
        var properties = Optional(request, "PropertiesArray", bodies.Count);
        var events = new IngestEvent[bodies.Count];
        for (var i = 0; i < events.Length; i++)
        {
            if (!InvocationRequest.TryGetInt64(sequences[i], out var sequence))
            {
                throw Malformed($"SequenceNumberArray[{i}] is not a whole number: {Show(sequences[i])}");
            }

            if (!TryGetTime(times[i], out var enqueued))
            {
                throw Malformed($"EnqueuedTimeUtcArray[{i}] is not a time: {Show(times[i])}");
            }

            var key = partitionKeys is null ? null : Key(partitionKeys[i], symbols);
            var id = properties is null ? null : EventId(properties[i]);
            events[i] = new IngestEvent(bodies[i], sequence, enqueued, key, id);
        }

        return new IngestBatch(partitionId, events);
    }

    /// <summary>
    /// The event bodies as UTF-8, unescaped into one buffer: what <see cref="InvocationRequest.DataStrings"/> gives, without a
    /// string per event and without encoding each back to UTF-8 for the tick parser.
    /// </summary>
    private static List<ReadOnlyMemory<byte>> Bodies(JsonElement value)
    {
        var bodies = new List<ReadOnlyMemory<byte>>(value.ValueKind == JsonValueKind.Array ? value.GetArrayLength() : 1);
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return bodies;
            case JsonValueKind.Array:
                var total = 0;
                foreach (var element in value.EnumerateArray())
                {
                    total += JsonMarshal.GetRawUtf8Value(element).Length;
                }

                var buffer = new byte[total];
                var used = 0;
                foreach (var element in value.EnumerateArray())
                {
                    var length = Unescape(element, buffer.AsSpan(used));
                    bodies.Add(buffer.AsMemory(used, length));
                    used += length;
                }

                return bodies;
            case JsonValueKind.String or JsonValueKind.Object:
                var single = new byte[JsonMarshal.GetRawUtf8Value(value).Length];
                bodies.Add(single.AsMemory(0, Unescape(value, single)));
                return bodies;
            default:
                throw Malformed($"Data.{BindingName} must be an array of events; got {value.ValueKind}");
        }
    }

    /// <summary>A string element's unescaped UTF-8, or any other element's JSON text.</summary>
    private static int Unescape(JsonElement element, Span<byte> destination)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (element.ValueKind != JsonValueKind.String)
        {
            raw.CopyTo(destination);
            return raw.Length;
        }

        var inner = raw[1..^1];
        var written = 0;
        while (true)
        {
            var slash = inner.IndexOf((byte)'\\');
            if (slash < 0)
            {
                inner.CopyTo(destination[written..]);
                return written + inner.Length;
            }

            inner[..slash].CopyTo(destination[written..]);
            written += slash;
            var escaped = inner[slash + 1] switch
            {
                (byte)'"' => (byte)'"',
                (byte)'\\' => (byte)'\\',
                (byte)'/' => (byte)'/',
                (byte)'n' => (byte)'\n',
                (byte)'t' => (byte)'\t',
                (byte)'r' => (byte)'\r',
                (byte)'b' => (byte)'\b',
                (byte)'f' => (byte)'\f',
                _ => (byte)0,
            };
            var skip = 2;
            if (escaped == 0 && inner[slash + 1] == (byte)'u' && inner.Length >= slash + 6 && Utf8Parser.TryParse(inner.Slice(slash + 2, 4), out ushort code, out var used, 'x') && used == 4 && code < 0x80)
            {
                // \u0022 and the like (System.Text.Json's default escaping of ASCII).
                escaped = (byte)code;
                skip = 6;
            }
            else if (escaped == 0)
            {
                // Other \uXXXX (a non-ASCII character, surrogate pairs): the reader's own unescaping, for the whole string.
                var reader = new Utf8JsonReader(raw);
                reader.Read();
                return reader.CopyString(destination);
            }

            destination[written++] = escaped;
            inner = inner[(slash + skip)..];
        }
    }

    private static string PartitionIdOf(JsonElement context)
    {
        if (context.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in context.EnumerateObject())
            {
                if (property.NameEquals("PartitionId") || property.Name.Equals("PartitionId", StringComparison.OrdinalIgnoreCase))
                {
                    var value = InvocationRequest.Normalize(property.Value);
                    var id = value.ValueKind switch
                    {
                        JsonValueKind.String => value.GetString(),
                        JsonValueKind.Number => value.GetRawText(),
                        _ => null,
                    };
                    if (!string.IsNullOrEmpty(id))
                    {
                        return id;
                    }
                }
            }
        }

        throw Malformed("Metadata.PartitionContext.PartitionId is missing; without it the batch cannot be tied to its partition's state and checkpoint");
    }

    private static List<JsonElement> Required(InvocationRequest request, string name, int count)
    {
        var values = Elements(request, name);
        return values.Count == count
            ? values
            : throw Malformed(string.Create(CultureInfo.InvariantCulture, $"the invocation carries {count} events but Metadata.{name} has {values.Count} entries"));
    }

    private static List<JsonElement>? Optional(InvocationRequest request, string name, int count)
    {
        var values = Elements(request, name);
        if (values.Count == 0 && request.Metadata(name).ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }

        return values.Count == count
            ? values
            : throw Malformed(string.Create(CultureInfo.InvariantCulture, $"the invocation carries {count} events but Metadata.{name} has {values.Count} entries"));
    }

    /// <summary>
    /// A metadata array's elements as sent. (<see cref="InvocationRequest.MetadataArray"/> would also try to read every
    /// string element as JSON; for the ISO times of <c>EnqueuedTimeUtcArray</c> that throws and catches an exception
    /// per event, which costs more than the rest of the batch. Elements here are read by type instead.)
    /// </summary>
    private static List<JsonElement> Elements(InvocationRequest request, string name)
    {
        var value = request.Metadata(name);
        var elements = new List<JsonElement>(value.ValueKind == JsonValueKind.Array ? value.GetArrayLength() : 0);
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in value.EnumerateArray())
            {
                elements.Add(element);
            }
        }

        return elements;
    }

    private static InvalidOperationException Malformed(string detail) =>
        new($"{FunctionName}: malformed invocation: {detail}. The batch is refused as a whole (nothing is stored or checkpointed) so that the host retries it.");

    /// <summary>A time as the host writes it: ISO text (a time without a zone is UTC, as Json.NET writes an unspecified DateTime) or Unix ms.</summary>
    private static bool TryGetTime(JsonElement element, out DateTimeOffset value)
    {
        if (element.ValueKind == JsonValueKind.String && IngestEnvelopeReader.TryParseUtc(JsonMarshal.GetRawUtf8Value(element), out value))
        {
            return true;
        }

        if (element.ValueKind == JsonValueKind.String && element.TryGetDateTime(out var time))
        {
            if (time.Kind == DateTimeKind.Local && element.TryGetDateTimeOffset(out var withOffset))
            {
                value = withOffset.ToUniversalTime();
                return true;
            }

            value = new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc));
            return true;
        }

        if (InvocationRequest.TryGetTime(element, out value))
        {
            value = value.ToUniversalTime();
            return true;
        }

        return false;
    }

    private static string? Key(JsonElement element, SymbolTable? symbols)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        // Interning keeps a batch of 256 events of a few symbols from allocating 256 strings.
        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (symbols is not null && raw.Length is > 2 and <= 66 && raw.IndexOf((byte)'\\') < 0)
        {
            Span<char> chars = stackalloc char[64];
            var length = Encoding.UTF8.GetChars(raw[1..^1], chars);
            return symbols.Intern(chars[..length]);
        }

        return element.GetString();
    }

    private static string? EventId(JsonElement properties)
    {
        if (properties.ValueKind == JsonValueKind.String)
        {
            properties = InvocationRequest.Normalize(properties);
        }

        if (properties.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in properties.EnumerateObject())
        {
            foreach (var name in EventIdProperties)
            {
                if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Number => property.Value.GetRawText(),
                        _ => null,
                    };
                }
            }
        }

        return null;
    }

    private static string Show(JsonElement element)
    {
        var text = element.ValueKind == JsonValueKind.Undefined ? "nothing" : element.GetRawText();
        return text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 60), "…");
    }
}
