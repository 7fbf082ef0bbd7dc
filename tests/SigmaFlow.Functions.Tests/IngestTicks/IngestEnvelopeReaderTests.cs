using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SigmaFlow.Core.Data;
using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.IngestTicks;
using SigmaFlow.Platform.Live;
using static SigmaFlow.Functions.Tests.IngestTicks.IngestEnvelopes;

namespace SigmaFlow.Functions.Tests.IngestTicks;

/// <summary>
/// The one-pass envelope reader against the general one (<see cref="InvocationRequest.Parse"/> then
/// <see cref="IngestTicksHandler.ReadBatch(InvocationRequest, SymbolTable?)"/>) on the same bytes: the same batch field by
/// field, or the same exception with the same message. The fast reader must also really take the host's shape.
/// </summary>
public sealed class IngestEnvelopeReaderTests
{
    private static readonly HostEvent[] Events =
    [
        new(Tick("BTCUSD", T0, 65000.1, 0.25, 7, 64999.9, 65000.2), 1201, At(T0 + 123), "BTCUSD", new() { ["eventId"] = "e-1" }),
        new(Tick("ETHUSD", T0 + 1, 3500, 1, 8), 1202, At(T0 + 456), "ETHUSD", new() { ["ID"] = 42, ["eventId"] = "later" }),
        new("{\"symbol\":\"ÉTÉ/€\",\"time\":1,\"price\":1,\"note\":\"a\\\"b\\\\c\\n\\u2028 😀 <&'>\"}", 1203, At(T0 + 789), null),
        new("not json", 1204, At(T0 + 1000), "", new() { ["messageId"] = new Dictionary<string, object> { ["x"] = 1 } }),
        new("plain text \t with a tab and \\ a backslash and / a slash", 1205, At(T0 + 1001), new string('K', 70)),
    ];

    public static TheoryData<string> Shapes()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in Corpus())
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ReadBatch_EveryShape_SameAsTheGeneralReader(string shape)
    {
        var body = Corpus().Single(c => c.Name == shape).Body;
        AssertSameAsGeneral(body);
    }

    [Theory]
    [InlineData("host shape")]
    [InlineData("host shape, Json.NET escaping of every body")]
    [InlineData("documented shape")]
    [InlineData("no partition keys or properties")]
    [InlineData("keys and properties null")]
    [InlineData("no events")]
    [InlineData("metadata first, names in other cases")]
    public void TryRead_HostAndDocumentedShapes_AreReadWithoutTheGeneralReader(string shape)
    {
        var body = Corpus().Single(c => c.Name == shape).Body;
        var batch = IngestEnvelopeReader.TryRead(body, new SymbolTable(), out var buffer);
        Assert.NotNull(batch);
        Assert.NotNull(buffer);
        System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
    }

    [Theory]
    [InlineData("default escaping (\\u0022)")]
    [InlineData("sequence numbers as strings")]
    [InlineData("times with an offset")]
    [InlineData("times as Unix milliseconds")]
    [InlineData("partition key with an escape")]
    public void TryRead_ShapesItIsNotSureOf_AreLeftToTheGeneralReader(string shape)
    {
        var body = Corpus().Single(c => c.Name == shape).Body;
        Assert.Null(IngestEnvelopeReader.TryRead(body, null, out var buffer));
        Assert.Null(buffer);

        // … and the general reader reads them.
        Assert.NotEmpty(IngestTicksHandler.ReadBatch(body).Events);
    }

    [Theory]
    [InlineData("""{"Data":{"events":"[\"a\",\"b\"]"},"Metadata":{"PartitionContext":{"PartitionId":"0"},"SequenceNumberArray":"[1]","EnqueuedTimeUtcArray":"[\"2026-01-01T00:00:00\",\"2026-01-01T00:00:00\"]"}}""", "the invocation carries 2 events but Metadata.SequenceNumberArray has 1 entries")]
    [InlineData("""{"Data":{"events":"[\"a\"]"},"Metadata":{"SequenceNumberArray":"[1]","EnqueuedTimeUtcArray":"[\"2026-01-01T00:00:00\"]"}}""", "PartitionContext.PartitionId is missing")]
    [InlineData("""{"Data":{"events":"[\"a\"]"},"Metadata":{"PartitionContext":{"PartitionId":"0"},"SequenceNumberArray":"[\"x\"]","EnqueuedTimeUtcArray":"[\"2026-01-01T00:00:00\"]"}}""", "SequenceNumberArray[0] is not a whole number: \"x\"")]
    [InlineData("""{"Data":{"events":"[\"a\"]"},"Metadata":{"PartitionContext":{"PartitionId":"0"},"SequenceNumberArray":"[1]","EnqueuedTimeUtcArray":"[\"noon\"]"}}""", "EnqueuedTimeUtcArray[0] is not a time: \"noon\"")]
    [InlineData("""{"Data":{"events":5},"Metadata":{"PartitionContext":{"PartitionId":"0"}}}""", "Data.events must be an array of events; got Number")]
    public void ReadBatch_MalformedMetadata_TheGeneralReadersMessage(string body, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => IngestTicksHandler.ReadBatch(Encoding.UTF8.GetBytes(body)));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        AssertSameAsGeneral(Encoding.UTF8.GetBytes(body));
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1]", "must be a JSON object with Data and Metadata; got Array")]
    [InlineData("""{"Data":5}""", "'Data' must be a JSON object; got Number")]
    [InlineData("""{"Data":{"events":"[]"},"Metadata":{"PartitionContext":{"PartitionId":"0"}}} x""", "not valid JSON")]
    public void ReadBatch_NotAnEnvelope_FormatExceptionAsTheGeneralReader(string body, string fragment)
    {
        var error = Assert.Throws<FormatException>(() => IngestTicksHandler.ReadBatch(Encoding.UTF8.GetBytes(body)));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        AssertSameAsGeneral(Encoding.UTF8.GetBytes(body));
    }

    [Fact]
    public void ReadBatch_MutatedEnvelopes_SameBatchOrSameErrorAsTheGeneralReader()
    {
        // Bytes that matter to JSON and to the reader's shortcuts, inserted, replaced and deleted at random places of
        // real envelopes, and harmless-looking edits: whatever the general reader makes of the result, the fast one
        // must make the same.
        byte[] interesting = [(byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'u', (byte)'0', (byte)'9',
            (byte)'-', (byte)'.', (byte)'e', (byte)' ', (byte)'\n', (byte)'\t', 0x01, 0xC3, 0xA9, 0xFF, (byte)'n', (byte)'t', (byte)'Z', (byte)'/', (byte)'x'];
        var corpus = Corpus().Select(c => c.Body).Where(b => IngestEnvelopeReader.TryRead(b, null, out var buffer) is not null && Return(buffer)).ToArray();
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("SIGMAFLOW_MUTATION_ROUNDS"), out var n) ? n : 5000;
        var random = new Random(int.TryParse(Environment.GetEnvironmentVariable("SIGMAFLOW_MUTATION_SEED"), out var seed) ? seed : 20261121);
        var fastReads = 0;
        for (var round = 0; round < rounds; round++)
        {
            var body = corpus[random.Next(corpus.Length)].ToList();
            for (var edits = random.Next(1, 4); edits > 0 && body.Count > 0; edits--)
            {
                var at = random.Next(body.Count);
                switch (random.Next(6))
                {
                    // Mostly harmless: a digit or a letter for another, a space between tokens or inside a string.
                    case 4 when char.IsAsciiLetterOrDigit((char)body[at]):
                        body[at] = char.IsAsciiDigit((char)body[at]) ? (byte)('0' + random.Next(10)) : (byte)('a' + random.Next(26));
                        break;
                    case 5:
                        body.Insert(at, (byte)' ');
                        break;
                    case 0:
                        body.Insert(at, interesting[random.Next(interesting.Length)]);
                        break;
                    case 1:
                        body[at] = interesting[random.Next(interesting.Length)];
                        break;
                    case 2:
                        body.RemoveAt(at);
                        break;
                    default:
                        body.RemoveRange(at, body.Count - at);
                        break;
                }
            }

            var bytes = body.ToArray();
            fastReads += IngestEnvelopeReader.TryRead(bytes, null, out var buffer) is not null && Return(buffer) ? 1 : 0;
            AssertSameAsGeneral(bytes);
        }

        // Many mutations leave the envelope readable (a changed digit, a space): the fast reader took those.
        Assert.InRange(fastReads, rounds / 10, rounds);
    }

    [Fact]
    public void ReadBatch_MutatedInnerTexts_SameBatchOrSameErrorAsTheGeneralReader()
    {
        // The same inside the strings the host encodes: the text of Data.events or of a metadata array is changed and
        // encoded again, so the outer string stays valid and the inner JSON is what breaks (or not).
        char[] interesting = ['"', '\\', '{', '}', '[', ']', ',', ':', 'u', '0', '7', '-', '.', 'e', ' ', '\n', '\u0001', 'é', '€', 'n', 'Z', 'x'];
        string[] items = ["SequenceNumberArray", "EnqueuedTimeUtcArray", "PartitionKeyArray", "PropertiesArray"];
        var random = new Random(int.TryParse(Environment.GetEnvironmentVariable("SIGMAFLOW_MUTATION_SEED"), out var seed) ? seed : 11);
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("SIGMAFLOW_MUTATION_ROUNDS"), out var n) ? n : 5000;
        var fastReads = 0;
        for (var round = 0; round < rounds; round++)
        {
            var envelope = JsonNode.Parse(Envelope("2", Events))!;
            var which = random.Next(items.Length + 2);
            var holder = which < items.Length ? envelope["Metadata"]!.AsObject() : which == items.Length ? envelope["Data"]!.AsObject() : envelope["Metadata"]!["PartitionContext"]!.AsObject();
            var name = which < items.Length ? items[which] : which == items.Length ? "events" : "PartitionId";
            var text = new StringBuilder(holder[name]!.GetValue<string>());
            for (var edits = random.Next(1, 3); edits > 0 && text.Length > 0; edits--)
            {
                var at = random.Next(text.Length);
                switch (random.Next(4))
                {
                    case 0:
                        text.Insert(at, interesting[random.Next(interesting.Length)]);
                        break;
                    case 1 when !char.IsSurrogate(text[at]):
                        text[at] = interesting[random.Next(interesting.Length)];
                        break;
                    case 2 when !char.IsSurrogate(text[at]):
                        text.Remove(at, 1);
                        break;
                    default:
                        text.Insert(at, ' ');
                        break;
                }
            }

            holder[name] = text.ToString();
            var bytes = Encoding.UTF8.GetBytes(envelope.ToJsonString(HostJson));
            fastReads += IngestEnvelopeReader.TryRead(bytes, null, out var buffer) is not null && Return(buffer) ? 1 : 0;
            AssertSameAsGeneral(bytes);
        }

        Assert.InRange(fastReads, rounds / 10, rounds);
    }

    private static bool Return(byte[]? buffer)
    {
        System.Buffers.ArrayPool<byte>.Shared.Return(buffer!);
        return true;
    }

    [Theory]
    [InlineData("\"3\"")]
    [InlineData("3")]
    [InlineData("-1")]
    [InlineData("1e2")]
    [InlineData("3.50")]
    [InlineData("\"03\"")]
    [InlineData("\" 3\"")]
    [InlineData("\"3 \"")]
    [InlineData("\"\\\"3\\\"\"")]
    [InlineData("\"\"")]
    [InlineData("\"null\"")]
    [InlineData("\"true\"")]
    [InlineData("\"{}\"")]
    [InlineData("\"[1]\"")]
    [InlineData("\"-Infinity\"")]
    [InlineData("\"p-1_a\"")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("[\"3\"]")]
    public void ReadBatch_PartitionIdForms_SameAsTheGeneralReader(string partitionId)
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"Data":{"events":"[\"x\"]"},"Metadata":{"PartitionContext":{"PartitionId":{{{partitionId}}},"PartitionId":"second"},"SequenceNumberArray":"[1]","EnqueuedTimeUtcArray":"[\"2026-01-01T00:00:00\"]"}}""");
        AssertSameAsGeneral(body);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("[-1]")]
    [InlineData("[0]")]
    [InlineData("[-0]")]
    [InlineData("[01]")]
    [InlineData("[1.0]")]
    [InlineData("[1e3]")]
    [InlineData("[999999999999999999]")]
    [InlineData("[9223372036854775807]")]
    [InlineData("[9223372036854775808]")]
    [InlineData("[\"7\"]")]
    [InlineData("[\" 7\"]")]
    [InlineData("[null]")]
    [InlineData("[ 1 ]")]
    [InlineData("[1] ")]
    [InlineData("[1] x")]
    [InlineData("[1,]")]
    [InlineData("{}")]
    [InlineData("")]
    public void ReadBatch_SequenceNumberForms_SameAsTheGeneralReader(string sequences)
    {
        AssertSameAsGeneral(Envelope("0", Events[..1], change: m => m["SequenceNumberArray"] = sequences));
        AssertSameAsGeneral(Envelope("0", Events[..1], change: m => m["SequenceNumberArray"] = TryParse(sequences)));
    }

    [Theory]
    [InlineData("2026-01-01T00:00:01")]
    [InlineData("2026-01-01T00:00:01Z")]
    [InlineData("2026-01-01T00:00:01.5")]
    [InlineData("2026-01-01T00:00:01.1234567")]
    [InlineData("2026-01-01T00:00:01.12345678")]
    [InlineData("2026-01-01T23:59:59.9999999Z")]
    [InlineData("2024-02-29T00:00:00")]
    [InlineData("2026-02-29T00:00:00")]
    [InlineData("2026-13-01T00:00:00")]
    [InlineData("2026-01-01T24:00:00")]
    [InlineData("2026-01-01T00:60:00")]
    [InlineData("2026-01-01 00:00:01")]
    [InlineData("2026-01-01T00:00:01+01:00")]
    [InlineData("2026-01-01T00:00:01.")]
    [InlineData("0001-01-01T00:00:00")]
    [InlineData("0000-01-01T00:00:00")]
    [InlineData("9999-12-31T23:59:59.9999999")]
    [InlineData("2026-01-01")]
    [InlineData("1767225601000")]
    [InlineData("yesterday")]
    public void ReadBatch_TimeForms_SameAsTheGeneralReader(string time)
    {
        AssertSameAsGeneral(Envelope("0", Events[..2], change: m => m["EnqueuedTimeUtcArray"] = $"[\"{time}\",\"2026-01-01T00:00:02\"]"));
        AssertSameAsGeneral(Envelope("0", Events[..2], change: m => m["EnqueuedTimeUtcArray"] = $"[\"2026-01-01T00:00:02\",\"{time}\"]"));
    }

    [Theory]
    [InlineData("[\"A\",\"B\"]")]
    [InlineData("[null,\"B\"]")]
    [InlineData("[\"\",\"B\"]")]
    [InlineData("[1,\"B\"]")]
    [InlineData("[\"A\\\"\",\"B\"]")]
    [InlineData("[\"É\",\"€\"]")]
    [InlineData("[\"A\"]")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("\"\"")]
    public void ReadBatch_PartitionKeyForms_SameAsTheGeneralReader(string keys)
    {
        AssertSameAsGeneral(Envelope("0", Events[..2], change: m => m["PartitionKeyArray"] = keys));
        AssertSameAsGeneral(Envelope("0", Events[..2], change: m => m["PartitionKeyArray"] = TryParse(keys)));
    }

    [Theory]
    [InlineData("[{},{}]")]
    [InlineData("[{\"eventId\":\"a\"},{\"id\":7}]")]
    [InlineData("[{\"x\":{\"id\":1},\"MESSAGEID\":\"m\"},{\"id\":null,\"eventId\":\"b\"}]")]
    [InlineData("[{\"id\":[1]},{\"id\":true}]")]
    [InlineData("[{\"id\":\"a\\\"b\"},{}]")]
    [InlineData("[{\"id\":\"é\"},{\"i\\u0064\":\"x\"}]")]
    [InlineData("[null,5]")]
    [InlineData("[\"{\\\"id\\\":\\\"s\\\"}\",[]]")]
    [InlineData("[{}]")]
    [InlineData("null")]
    [InlineData("[{\"id\":1.5e3},{\"id\":-0}]")]
    public void ReadBatch_PropertyForms_SameAsTheGeneralReader(string properties)
    {
        AssertSameAsGeneral(Envelope("0", Events[..2], change: m => m["PropertiesArray"] = properties));
        AssertSameAsGeneral(Envelope("0", Events[..2], change: m => m["PropertiesArray"] = TryParse(properties)));
    }

    [Theory]
    [InlineData("[\"a\",\"b\"]")]
    [InlineData(" [ \"a\" , \"b\" ] ")]
    [InlineData("[\"a\",{\"b\":1}]")]
    [InlineData("[\"a\\u0041\",\"b\\u00e9\"]")]
    [InlineData("[\"a\\ud83d\\ude00\",\"b\"]")]
    [InlineData("[\"a\\ud83d\",\"b\"]")]
    [InlineData("[\"a\\/b\\b\\f\\n\\r\\t\",\"\"]")]
    [InlineData("[\"a\",\"b\"] x")]
    [InlineData("[\"a\"")]
    [InlineData("\"[\\\"a\\\",\\\"b\\\"]\"")]
    [InlineData("{\"a\":1}")]
    [InlineData("not json at all")]
    [InlineData("")]
    public void ReadBatch_EventsTextForms_SameAsTheGeneralReader(string eventsText)
    {
        // As the host sends it (the text in a JSON string), and as the documentation shows it (the text as JSON).
        var envelope = JsonNode.Parse(Envelope("0", Events[..2]))!;
        envelope["Data"]!["events"] = "@events@";
        var template = envelope.ToJsonString(HostJson);
        AssertSameAsGeneral(Encoding.UTF8.GetBytes(template.Replace("\"@events@\"", JsonSerializer.Serialize(eventsText, HostJson), StringComparison.Ordinal)));
        AssertSameAsGeneral(Encoding.UTF8.GetBytes(template.Replace("\"@events@\"", eventsText, StringComparison.Ordinal)));
    }

    /// <summary>Envelopes in every shape the readers know, with a name each.</summary>
    private static IEnumerable<(string Name, byte[] Body)> Corpus()
    {
        yield return ("host shape", Envelope("3", Events));
        yield return ("host shape, Json.NET escaping of every body", Envelope("3", Events.Select((e, i) => e with { Body = e.Body + new string(' ', i) + "\u0001\u001f" }).ToArray()));
        yield return ("default escaping (\\u0022)", Envelope("3", Events, escaping: JsonSerializerOptions.Default));
        yield return ("documented shape", Encoding.UTF8.GetBytes("""
            {"data":{"events":["{\"symbol\":\"A\",\"time\":1,\"price\":1}",{"symbol":"B","time":2,"price":2},7,null,[1,{"a":[]}]]},
             "metadata":{"PartitionContext":{"PartitionId":0},"SequenceNumberArray":[5,6,7,8,9],"EnqueuedTimeUtcArray":["2026-01-01T00:00:01","2026-01-01T00:00:02Z","2026-01-01T00:00:03.5","2026-01-01T00:00:04","2026-01-01T00:00:05"],
                         "PartitionKeyArray":["A","B",null,"",null],"PropertiesArray":[{"id":"i"},{},null,{"eventId":3},{"x":1}]}}
            """));
        yield return ("no partition keys or properties", Envelope("7", Events, change: m =>
        {
            m.Remove("PartitionKeyArray");
            m.Remove("PropertiesArray");
        }));
        yield return ("keys and properties null", Envelope("7", Events, change: m =>
        {
            m["PartitionKeyArray"] = null;
            m["PropertiesArray"] = null;
        }));
        yield return ("no events", Envelope("1", []));
        yield return ("metadata first, names in other cases", Encoding.UTF8.GetBytes("""
            { "METADATA" : { "partitioncontext" : { "partitionid" : "2" } , "sequencenumberarray" : "[ 1 , 2 ]" ,
              "enqueuedTimeUtcArray" : "[\"2026-01-01T00:00:01\" , \"2026-01-01T00:00:02\"]", "sys" : { "MethodName" : "IngestTicks" } } ,
              "data" : { "EVENTS" : "[ \"{\\\"a\\\":1}\" , \"b\" ]" } , "other" : [ true , false , null , -1.5e+3 ] }
            """));
        yield return ("sequence numbers as strings", Envelope("3", Events, change: m => m["SequenceNumberArray"] = JsonSerializer.Serialize(Events.Select(e => e.SequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray())));
        yield return ("times with an offset", Envelope("3", Events, change: m => m["EnqueuedTimeUtcArray"] = JsonSerializer.Serialize(Events.Select(e => e.EnqueuedTime.ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", System.Globalization.CultureInfo.InvariantCulture)).ToArray())));
        yield return ("times as Unix milliseconds", Envelope("3", Events, change: m => m["EnqueuedTimeUtcArray"] = JsonSerializer.Serialize(Events.Select(e => e.EnqueuedTime.ToUnixTimeMilliseconds()).ToArray())));
        yield return ("partition key with an escape", Envelope("3", Events.Select(e => e with { PartitionKey = "A\"B" }).ToArray()));
        yield return ("duplicate events", Encoding.UTF8.GetBytes("""{"Data":{"events":"[\"a\"]","Events":"[\"b\"]"},"Metadata":{"PartitionContext":{"PartitionId":"0"},"SequenceNumberArray":"[1]","EnqueuedTimeUtcArray":"[\"2026-01-01T00:00:00\"]"}}"""));
        yield return ("duplicate metadata", Encoding.UTF8.GetBytes("""{"Data":{"events":"[\"a\"]"},"Metadata":{"PartitionContext":{"PartitionId":"0"},"SequenceNumberArray":"[1]","EnqueuedTimeUtcArray":"[\"2026-01-01T00:00:00\"]"},"metadata":{"SequenceNumberArray":"[2]"}}"""));
        yield return ("data null", Encoding.UTF8.GetBytes("""{"Data":null,"Metadata":{"PartitionContext":{"PartitionId":"0"}}}"""));
        yield return ("events null", Encoding.UTF8.GetBytes("""{"Data":{"events":null},"Metadata":{"PartitionContext":{"PartitionId":"0"}}}"""));
        yield return ("item with an escaped \\u", Encoding.UTF8.GetBytes("""{"Data":{"events":"[\"a\"]"},"Metadata":{"Id":"\"\\ud800\"","PartitionContext":{"PartitionId":"0"},"SequenceNumberArray":"[1]","EnqueuedTimeUtcArray":"[\"2026-01-01T00:00:00\"]"}}"""));
        yield return ("name with an escape", Encoding.UTF8.GetBytes("""{"Data":{"ev\u0065nts":"[\"a\"]"},"Metadata":{"PartitionContext":{"PartitionId":"0"},"SequenceNumberArray":"[1]","EnqueuedTimeUtcArray":"[\"2026-01-01T00:00:00\"]"}}"""));
        yield return ("name with a long s", Encoding.UTF8.GetBytes("""{"Data":{"eventſ":"[\"a\"]"},"Metadata":{"PartitionContext":{"PartitionId":"0"},"SequenceNumberArray":"[1]","EnqueuedTimeUtcArray":"[\"2026-01-01T00:00:00\"]"}}"""));
        yield return ("deep nesting", Encoding.UTF8.GetBytes("{\"Data\":{\"events\":\"[]\",\"deep\":" + new string('[', 70) + new string(']', 70) + "},\"Metadata\":{\"PartitionContext\":{\"PartitionId\":\"0\"}}}"));
        yield return ("byte order mark", [0xEF, 0xBB, 0xBF, .. Envelope("3", Events)]);
    }

    private static JsonNode? TryParse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    /// <summary>The handler's reader and the general reader give equal batches, or throw the same exception type with the same message.</summary>
    private static void AssertSameAsGeneral(byte[] body)
    {
        var (general, generalError) = Run(() => IngestTicksHandler.ReadBatch(InvocationRequest.Parse(body), new SymbolTable()));
        var (fast, fastError) = Run(() => IngestTicksHandler.ReadBatch(body, new SymbolTable()));
        var what = Encoding.UTF8.GetString(body);
        if (generalError is not null || fastError is not null)
        {
            Assert.True(generalError is not null && fastError is not null, $"one reader failed ({generalError?.Message ?? fastError?.Message}) and the other did not on {what}");
            Assert.Equal(generalError!.GetType(), fastError!.GetType());
            Assert.Equal(generalError.Message, fastError.Message);
            return;
        }

        Assert.Equal(general!.PartitionId, fast!.PartitionId);
        Assert.Equal(general.Events.Count, fast.Events.Count);
        for (var i = 0; i < general.Events.Count; i++)
        {
            IngestEvent g = general.Events[i], f = fast.Events[i];
            Assert.True(g.Bytes.Span.SequenceEqual(f.Bytes.Span), $"event {i}: {Encoding.UTF8.GetString(g.Bytes.Span)} vs {Encoding.UTF8.GetString(f.Bytes.Span)} in {what}");
            Assert.Null(f.Text);
            Assert.Equal(g.SequenceNumber, f.SequenceNumber);
            Assert.Equal(g.EnqueuedTime, f.EnqueuedTime);
            Assert.Equal(g.EnqueuedTime.Offset, f.EnqueuedTime.Offset);
            Assert.Equal(g.PartitionKey, f.PartitionKey);
            Assert.Equal(g.EventId, f.EventId);
        }
    }

    private static (IngestBatch? Batch, Exception? Error) Run(Func<IngestBatch> read)
    {
        try
        {
            return (read(), null);
        }
#pragma warning disable CA1031 // Any exception is a result to compare.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return (null, e);
        }
    }
}
