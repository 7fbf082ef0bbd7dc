using System.Text;
using System.Text.Json.Nodes;
using SigmaFlow.Core.Data;
using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.IngestTicks;
using static SigmaFlow.Functions.Tests.IngestTicks.IngestEnvelopes;

namespace SigmaFlow.Functions.Tests.IngestTicks;

/// <summary>Reading the host's envelope into a batch, and the function without storage.</summary>
public sealed class IngestTicksEnvelopeTests
{
    [Fact]
    public void ReadBatch_HostShape_ReadsBodiesSequenceNumbersUtcTimesKeysAndIds()
    {
        var events = new[]
        {
            new HostEvent(Tick("BTCUSD", T0, 100, 1, 7), 1201, At(T0 + 123), "BTCUSD", new() { ["eventId"] = "e-1" }),
            new HostEvent(Tick("BTCUSD", T0 + 1, 101, 1, 8), 1202, At(T0 + 456), "BTCUSD", new() { ["other"] = 5 }),
            new HostEvent("not json", 1203, At(T0 + 789), null),
        };
        var symbols = new SymbolTable();
        var batch = IngestTicksHandler.ReadBatch(InvocationRequest.Parse(Envelope("3", events)), symbols);

        Assert.Equal("3", batch.PartitionId);
        Assert.Equal([1201L, 1202, 1203], batch.Events.Select(e => e.SequenceNumber));
        Assert.Equal([At(T0 + 123), At(T0 + 456), At(T0 + 789)], batch.Events.Select(e => e.EnqueuedTime));
        Assert.All(batch.Events, e => Assert.Equal(TimeSpan.Zero, e.EnqueuedTime.Offset));
        Assert.Equal(events.Select(e => e.Body), batch.Events.Select(e => Encoding.UTF8.GetString(e.Bytes.Span)));
        Assert.All(batch.Events, e => Assert.Null(e.Text));
        Assert.Equal(["BTCUSD", "BTCUSD", null], batch.Events.Select(e => e.PartitionKey));
        Assert.Same(batch.Events[0].PartitionKey, batch.Events[1].PartitionKey);
        Assert.Equal(["e-1", null, null], batch.Events.Select(e => e.EventId));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ReadBatch_BodiesWithEscapesAndUnicode_ComeBackByteForByte(bool hostEscaping)
    {
        var bodies = new[]
        {
            "{\"symbol\":\"ÉTÉ/€\",\"time\":1,\"price\":1,\"note\":\"a\\\"b\\\\c\\n\\u2028 😀 <&'>\"}",
            "{\"symbol\":\"A\",\"time\":1,\"price\":1}",
            "plain text \t with a tab",
        };
        var events = bodies.Select((b, i) => new HostEvent(b, i, At(T0), null)).ToArray();
        var escaping = hostEscaping ? HostJson : System.Text.Json.JsonSerializerOptions.Default;
        var batch = IngestTicksHandler.ReadBatch(InvocationRequest.Parse(Envelope("0", events, escaping: escaping)));

        Assert.Equal(bodies, batch.Events.Select(e => Encoding.UTF8.GetString(e.Bytes.Span)));
    }

    [Fact]
    public void ReadBatch_DocumentedShapeWithRawArraysAndOffsets_IsReadToo()
    {
        var request = InvocationRequest.Parse("""
            {"Data":{"events":["{\"symbol\":\"A\",\"time\":1,\"price\":1}"]},
             "Metadata":{"PartitionContext":{"PartitionId":0},"SequenceNumberArray":[5],"EnqueuedTimeUtcArray":["2026-01-01T00:00:01+01:00"]}}
            """u8);
        var batch = IngestTicksHandler.ReadBatch(request);

        Assert.Equal("0", batch.PartitionId);
        var e = Assert.Single(batch.Events);
        Assert.Equal(5, e.SequenceNumber);
        Assert.Equal(At(T0 + 1000 - 3_600_000), e.EnqueuedTime);
        Assert.Null(e.PartitionKey);
        Assert.Equal("""{"symbol":"A","time":1,"price":1}""", Encoding.UTF8.GetString(e.Bytes.Span));
    }

    [Theory]
    [InlineData("2026-01-01T00:00:01.5", 1500)]
    [InlineData("2026-01-01T00:00:01.5Z", 1500)]
    [InlineData("2026-01-01T00:00:01", 1000)]
    [InlineData("2026-01-01T00:00:01.1234567", 1123)]
    [InlineData("2026-01-01T01:00:01+01:00", 1000)]
    [InlineData("1767225601000", 1000)]
    public void ReadBatch_EnqueuedTimes_InEveryFormTheHostWrites(string time, long offset)
    {
        var envelope = new JsonObject
        {
            ["Data"] = new JsonObject { ["events"] = "[\"x\"]" },
            ["Metadata"] = new JsonObject
            {
                ["PartitionContext"] = new JsonObject { ["PartitionId"] = "1" },
                ["SequenceNumberArray"] = "[1]",
                ["EnqueuedTimeUtcArray"] = $"[\"{time}\"]",
            },
        };
        var request = InvocationRequest.Parse(Encoding.UTF8.GetBytes(envelope.ToJsonString()));
        var enqueued = IngestTicksHandler.ReadBatch(request).Events[0].EnqueuedTime;
        Assert.Equal(T0 + offset, enqueued.ToUnixTimeMilliseconds());
        Assert.Equal(TimeSpan.Zero, enqueued.Offset);
    }

    [Theory]
    [InlineData("SequenceNumberArray", "the invocation carries 2 events but Metadata.SequenceNumberArray has 1 entries")]
    [InlineData("EnqueuedTimeUtcArray", "the invocation carries 2 events but Metadata.EnqueuedTimeUtcArray has 1 entries")]
    [InlineData("PartitionKeyArray", "the invocation carries 2 events but Metadata.PartitionKeyArray has 1 entries")]
    public void ReadBatch_ArraysOfDifferentLengths_RefuseTheWholeInvocation(string array, string message)
    {
        var events = new[] { new HostEvent(Tick("A", T0, 1, 1), 1, At(T0), "A"), new HostEvent(Tick("A", T0 + 1, 1, 1), 2, At(T0 + 1), "A") };
        var envelope = Envelope("0", events, change: m => m[array] = JsonValue.Create("[1]"));

        var error = Assert.Throws<InvalidOperationException>(() => IngestTicksHandler.ReadBatch(InvocationRequest.Parse(envelope)));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains("refused as a whole", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadBatch_MissingPartitionOrUnreadableSequence_SaysWhich()
    {
        var events = new[] { new HostEvent(Tick("A", T0, 1, 1), 1, At(T0), "A") };
        var noPartition = Envelope("0", events, change: m => m.Remove("PartitionContext"));
        Assert.Contains("PartitionContext.PartitionId is missing", Assert.Throws<InvalidOperationException>(() => IngestTicksHandler.ReadBatch(InvocationRequest.Parse(noPartition))).Message, StringComparison.Ordinal);

        var badSequence = Envelope("0", events, change: m => m["SequenceNumberArray"] = JsonValue.Create("[\"x\"]"));
        Assert.Contains("SequenceNumberArray[0] is not a whole number: \"x\"", Assert.Throws<InvalidOperationException>(() => IngestTicksHandler.ReadBatch(InvocationRequest.Parse(badSequence))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_WithoutStorage_FailsSayingAzureWebJobsStorageIsNotSet()
    {
        var app = FunctionApp.Compose(new PlatformSettings { Read = _ => null }, TimeProvider.System);
        var handler = Assert.Single(app.Handlers, h => h.Name == "IngestTicks");
        var request = InvocationRequest.Parse(Envelope("0", [new HostEvent(Tick("A", T0, 1, 1), 1, At(T0), "A")]));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => handler.InvokeAsync(request, TestContext.Current.CancellationToken));
        Assert.Contains("AzureWebJobsStorage is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_NameTheLiveStrategiesFolder()
    {
        Assert.Contains(PlatformSettings.LiveStrategies, PlatformSettings.Names);
        Assert.Null(new PlatformSettings { Read = _ => null }.LiveStrategiesFolder);
        Assert.Equal("/s", new PlatformSettings { Read = n => n == "LiveStrategies" ? "/s" : null }.LiveStrategiesFolder);
    }
}
