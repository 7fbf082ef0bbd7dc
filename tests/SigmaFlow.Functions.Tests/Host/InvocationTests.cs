using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using SigmaFlow.Functions.Host;

namespace SigmaFlow.Functions.Tests.Host;

/// <summary>The custom-handler envelope in the documented shapes and in the shapes the host really sends; the server.</summary>
public sealed class InvocationTests
{
    // As the host's own unit tests and source show it: values JSON-encoded inside strings, numbers as strings.
    private const string HostShape = """
        {"Data":{"events":"[\"{\\\"symbol\\\":\\\"BTCUSD\\\",\\\"price\\\":65000.1}\",\"{\\\"symbol\\\":\\\"ETHUSD\\\",\\\"price\\\":3500}\"]"},
         "Metadata":{
           "PartitionContext":{"FullyQualifiedNamespace":"ns.servicebus.windows.net","EventHubName":"ticks","ConsumerGroup":"ingest","PartitionId":"3"},
           "PartitionKeyArray":"[\"BTCUSD\",\"ETHUSD\"]","SequenceNumberArray":"[1201,1202]",
           "EnqueuedTimeUtcArray":"[\"2026-01-01T00:00:01Z\",\"2026-01-01T00:00:02Z\"]",
           "DequeueCount":"4","Id":"\"abc\"",
           "sys":{"MethodName":"IngestTicks","UtcNow":"2026-01-01T00:00:03Z","RandGuid":"x"}}}
        """;

    // As the documentation shows it: raw values.
    private const string DocumentedShape = """
        {"data":{"events":["{\"symbol\":\"BTCUSD\",\"price\":65000.1}",{"symbol":"ETHUSD","price":3500}]},
         "metadata":{"PartitionContext":{"PartitionId":"3"},"SequenceNumberArray":[1201,1202],"DequeueCount":4,"Id":"abc"}}
        """;

    [Theory]
    [InlineData(HostShape)]
    [InlineData(DocumentedShape)]
    public void Parse_BothShapes_GiveTheSameValues(string body)
    {
        var request = InvocationRequest.Parse(Encoding.UTF8.GetBytes(body), "inv-1");
        Assert.Equal("inv-1", request.InvocationId);
        var events = request.DataStrings("EVENTS");
        Assert.Equal(2, events.Count);
        Assert.Equal("BTCUSD", JsonDocument.Parse(events[0]).RootElement.GetProperty("symbol").GetString());
        Assert.Equal("ETHUSD", JsonDocument.Parse(events[1]).RootElement.GetProperty("symbol").GetString());
        Assert.Equal([1201L, 1202L], request.MetadataArray("SequenceNumberArray").Select(e => InvocationRequest.TryGetInt64(e, out var v) ? v : -1));
        Assert.True(InvocationRequest.TryGetInt64(request.Metadata("DequeueCount"), out var dequeue));
        Assert.Equal(4, dequeue);
        Assert.Equal("abc", request.Metadata("Id").GetString());
        Assert.Equal("3", request.Metadata("PartitionContext").GetProperty("PartitionId").GetString());
    }

    [Fact]
    public void Parse_PlainStringsThatAreNotJson_StayStrings()
    {
        var request = InvocationRequest.Parse("""{"Data":{"msg":"hello world","when":"2026-01-01T00:00:00Z"},"Metadata":{}}"""u8);
        Assert.Equal("hello world", request.Data("msg").GetString());
        Assert.True(InvocationRequest.TryGetTime(request.Data("when"), out var when));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), when);
        Assert.Equal(JsonValueKind.Undefined, request.Data("missing").ValueKind);
        Assert.Empty(request.DataStrings("missing"));
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1]", "must be a JSON object with Data and Metadata; got Array")]
    [InlineData("""{"Data":5}""", "'Data' must be a JSON object; got Number")]
    public void Parse_BadEnvelope_SaysWhy(string body, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => InvocationRequest.Parse(Encoding.UTF8.GetBytes(body)));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Result_OnlyObjectsAndArrays_AndTheDocumentedShape()
    {
        var result = new InvocationResult().Output("alerts", new JsonArray(new JsonObject { ["id"] = "a1" })).Log("2 ticks");
        var e = Assert.Throws<ArgumentException>(() => result.Output("queue", JsonValue.Create("ping")));
        Assert.Contains("would base64-decode a bare String", e.Message, StringComparison.Ordinal);
        var json = JsonNode.Parse(result.ToJson())!;
        Assert.Equal("a1", json["Outputs"]!["alerts"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("2 ticks", json["Logs"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Server_AnswersReadiness_RunsHandlers_AndSurvivesBadInput()
    {
        await using var app = CustomHandlerServer.Create(new CustomHandlerOptions { Url = "http://127.0.0.1:0" }, [new Echo(), new Boom()], null, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await app.StartAsync(TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/", ct)).StatusCode);

        using var content = new StringContent(HostShape, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Echo") { Content = content };
        request.Headers.Add("X-Azure-Functions-InvocationId", "inv-42");
        var response = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
        Assert.Equal(2, body["Outputs"]!["echo"]!["count"]!.GetValue<int>());
        Assert.Equal("inv-42", body["Logs"]![0]!.GetValue<string>());

        var bad = await http.PostAsync("/Echo", new StringContent("{oops", Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("bad invocation envelope", await bad.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        var failing = await http.PostAsync("/Boom", JsonContent.Create(new { Data = new { }, Metadata = new { } }), ct);
        Assert.Equal(HttpStatusCode.InternalServerError, failing.StatusCode);
        Assert.Contains("Boom failed: InvalidOperationException: kaboom", await failing.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        var unknown = await http.PostAsync("/Nope", JsonContent.Create(new { }), ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("this handler serves Boom, Echo", await unknown.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        // Still serving after all that.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/", ct)).StatusCode);
    }

    [Fact]
    public async Task Server_RawHandler_GetsTheBodyAndTheInvocationId_AndItsFormatExceptionAnswers400()
    {
        var raw = new RawEcho();
        await using var app = CustomHandlerServer.Create(new CustomHandlerOptions { Url = "http://127.0.0.1:0" }, [raw], null, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await app.StartAsync(TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var ct = TestContext.Current.CancellationToken;

        // A body larger than the first buffer the server rents, so that it grows while reading.
        var body = "{\"Data\":{\"events\":\"" + new string('x', 300_000) + "\"},\"Metadata\":{}}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/RawEcho") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("X-Azure-Functions-InvocationId", "inv-7");
        var response = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
        Assert.Equal(Encoding.UTF8.GetByteCount(body), answer["Outputs"]!["echo"]!["length"]!.GetValue<int>());
        Assert.Equal("inv-7", answer["Logs"]![0]!.GetValue<string>());
        Assert.Equal(body, raw.LastBody);

        // Without the header the handler gets a new id; a body it cannot read answers 400 as the parsed path does.
        var plain = await http.PostAsync("/RawEcho", new StringContent("{}", Encoding.UTF8, "application/json"), ct);
        Assert.Equal(32, JsonNode.Parse(await plain.Content.ReadAsStringAsync(ct))!["Logs"]![0]!.GetValue<string>().Length);
        var bad = await http.PostAsync("/RawEcho", new StringContent("{oops", Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("bad invocation envelope: the invocation body is not valid JSON", await bad.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    /// <summary>Reads its body itself; refuses what <see cref="InvocationRequest.Parse"/> refuses.</summary>
    private sealed class RawEcho : IRawFunctionHandler
    {
        public string Name => "RawEcho";

        public string? LastBody { get; private set; }

        public Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken) => throw new InvalidOperationException("the server must call the raw entry");

        public Task<InvocationResult> InvokeAsync(ReadOnlyMemory<byte> body, string invocationId, CancellationToken cancellationToken)
        {
            _ = InvocationRequest.Parse(body.Span, invocationId);
            LastBody = Encoding.UTF8.GetString(body.Span);
            return Task.FromResult(new InvocationResult().Output("echo", new JsonObject { ["length"] = body.Length }).Log(invocationId));
        }
    }

    private sealed class Echo : IFunctionHandler
    {
        public string Name => "Echo";

        public Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new InvocationResult().Output("echo", new JsonObject { ["count"] = request.DataStrings("events").Count }).Log(request.InvocationId));
    }

    private sealed class Boom : IFunctionHandler
    {
        public string Name => "Boom";

        public Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken) => throw new InvalidOperationException("kaboom");
    }
}
