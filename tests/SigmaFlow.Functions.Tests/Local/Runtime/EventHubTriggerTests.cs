using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.Local.EventHubs;
using SigmaFlow.Functions.Local.Runtime;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.Local.Runtime;

/// <summary>The Event Hubs trigger over the local log: the host's exact envelope, order, batches, retries, checkpoints.</summary>
public sealed partial class EventHubTriggerTests(AzuriteEmulator azurite)
{
    private const string Ingest = """
        { "bindings": [ { "type": "eventHubTrigger", "direction": "in", "name": "events", "eventHubName": "%TicksHubName%",
            "consumerGroup": "%Group%", "connection": "EventHubConnection", "cardinality": "many", "dataType": "string" } ] }
        """;

    private const string IngestWithRetry = """
        { "bindings": [ { "type": "eventHubTrigger", "direction": "in", "name": "events", "eventHubName": "ticks",
            "consumerGroup": "ingest", "connection": "EventHubConnection", "cardinality": "many", "dataType": "string" } ],
          "retry": { "strategy": "fixedDelay", "maxRetryCount": 2, "delayInterval": "00:00:00.050" } }
        """;

    private const string OneAtATime = """{ "version": "2.0", "extensions": { "eventHubs": { "maxEventBatchSize": 1 } } }""";

    private static readonly DateTimeOffset Enqueued = new(2026, 1, 2, 3, 4, 5, 123, TimeSpan.Zero);

    [Fact]
    public async Task Batch_IsPostedInTheHostsExactEncoding()
    {
        using var app = TestApp.Create(TestApp.DefaultHost, ("IngestTicks", Ingest));
        await using var handler = await RecordingHandler.StartAsync();
        var log = new LocalEventLog(new LocalEventLogOptions { Hubs = new Dictionary<string, int> { ["ticks"] = 2 } }, new FixedClock(Enqueued));
        var partition = LocalEventLog.PartitionFor("BTCUSD", 2);
        log.AppendBatch("ticks", null, [
            new LocalEventInput(Encoding.UTF8.GetBytes("""{"symbol":"BTCUSD","price":65000.1}"""), new Dictionary<string, object> { ["src"] = "feed1", ["n"] = 3 }, "BTCUSD"),
            new LocalEventInput(Encoding.UTF8.GetBytes("""{"symbol":"BTCUSD","price":65000.2}"""), null, "BTCUSD"),
        ]);

        await using (await StartAsync(app.Load(Settings("ingest")), handler, log, RuntimeStateStore.InMemory()))
        {
            var call = Assert.Single(await handler.WaitForCallsAsync(1));
            Assert.Equal("IngestTicks", call.Function);
            var expected = """
                {"Data":{"events":"[\"{\\\"symbol\\\":\\\"BTCUSD\\\",\\\"price\\\":65000.1}\",\"{\\\"symbol\\\":\\\"BTCUSD\\\",\\\"price\\\":65000.2}\"]"},"Metadata":{"PartitionContext":{"FullyQualifiedNamespace":"127.0.0.1","EventHubName":"ticks","ConsumerGroup":"ingest","PartitionId":"PARTITION"},"PartitionKeyArray":"[\"BTCUSD\",\"BTCUSD\"]","OffsetArray":"[\"0\",\"35\"]","SequenceNumberArray":"[0,1]","EnqueuedTimeUtcArray":"[\"2026-01-02T03:04:05.123\",\"2026-01-02T03:04:05.123\"]","PropertiesArray":"[{\"src\":\"feed1\",\"n\":3},{}]","SystemPropertiesArray":"[{\"x-opt-sequence-number\":0,\"x-opt-offset\":\"0\",\"x-opt-enqueued-time\":\"2026-01-02T03:04:05.123+00:00\",\"x-opt-partition-key\":\"BTCUSD\",\"SequenceNumber\":0,\"Offset\":0,\"PartitionKey\":\"BTCUSD\",\"EnqueuedTimeUtc\":\"2026-01-02T03:04:05.123\"},{\"x-opt-sequence-number\":1,\"x-opt-offset\":\"35\",\"x-opt-enqueued-time\":\"2026-01-02T03:04:05.123+00:00\",\"x-opt-partition-key\":\"BTCUSD\",\"SequenceNumber\":1,\"Offset\":35,\"PartitionKey\":\"BTCUSD\",\"EnqueuedTimeUtc\":\"2026-01-02T03:04:05.123\"}]"}}
                """.Replace("PARTITION", partition.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            Assert.Equal(expected, SysMetadata().Replace(call.Body, string.Empty));

            // sys as the host adds it; the host's headers.
            var sys = call.Metadata["sys"]!;
            Assert.Equal("IngestTicks", sys["MethodName"]!.GetValue<string>());
            Assert.EndsWith("Z", sys["UtcNow"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.True(Guid.TryParse(sys["RandGuid"]!.GetValue<string>(), out _));
            Assert.True(Guid.TryParse(call.Headers["X-Azure-Functions-InvocationId"], out _));
            Assert.Equal(LocalRuntimeOptions.DefaultHostVersion, call.Headers["X-Azure-Functions-HostVersion"]);
            Assert.Equal("application/json; charset=utf-8", call.Headers["Content-Type"]);
            Assert.StartsWith("Azure-Functions-Host/", call.Headers["User-Agent"], StringComparison.Ordinal);

            // The platform's own envelope reader understands it.
            var request = InvocationRequest.Parse(Encoding.UTF8.GetBytes(call.Body));
            Assert.Equal(["""{"symbol":"BTCUSD","price":65000.1}""", """{"symbol":"BTCUSD","price":65000.2}"""], request.DataStrings("events"));
            Assert.Equal([0L, 1L], request.MetadataArray("SequenceNumberArray").Select(e => InvocationRequest.TryGetInt64(e, out var v) ? v : -1));
        }
    }

    [Fact]
    public async Task SingleDispatch_SendsOneEvent_WithSingularMetadata()
    {
        using var app = TestApp.Create(TestApp.DefaultHost, ("One", """
            { "bindings": [ { "type": "eventHubTrigger", "direction": "in", "name": "e", "eventHubName": "ticks", "connection": "EventHubConnection" } ] }
            """));
        await using var handler = await RecordingHandler.StartAsync();
        var log = new LocalEventLog(new LocalEventLogOptions { Hubs = new Dictionary<string, int> { ["ticks"] = 1 } }, new FixedClock(Enqueued));
        log.Append("ticks", null, 0, "plain text"u8);
        log.Append("ticks", null, 0, "second"u8);
        await using (await StartAsync(app.Load(Settings("x")), handler, log, RuntimeStateStore.InMemory()))
        {
            var calls = await handler.WaitForCallsAsync(2);
            Assert.Equal("\"\\\"plain text\\\"\"", RecordedCall.Raw(calls[0].Data["e"]!));
            var metadata = calls[0].Metadata.AsObject();
            Assert.False(metadata.ContainsKey("PartitionKey"));
            Assert.Equal("\"0\"", RecordedCall.Raw(calls[0].Metadata["SequenceNumber"]!));
            Assert.Equal("\"0\"", RecordedCall.Raw(calls[0].Metadata["Offset"]!));
            Assert.Equal("\"\\\"2026-01-02T03:04:05.123\\\"\"", RecordedCall.Raw(calls[0].Metadata["EnqueuedTimeUtc"]!));
            Assert.Equal("$Default", calls[0].Metadata["PartitionContext"]!["ConsumerGroup"]!.GetValue<string>());
            Assert.Equal(1, calls[1].Metadata["SystemProperties"]!["SequenceNumber"]!.GetValue<long>());
        }
    }

    [Fact]
    public async Task Partitions_AreReadInOrder_OneInvocationAtATime_InBatchesOfAtMostMaxEventBatchSize()
    {
        using var app = TestApp.Create(TestApp.DefaultHost, ("IngestTicks", Ingest));
        await using var handler = await RecordingHandler.StartAsync();
        handler.Respond = async (_, ct) =>
        {
            await Task.Delay(15, ct);
            return 200;
        };
        var log = new LocalEventLog(new LocalEventLogOptions { Hubs = new Dictionary<string, int> { ["ticks"] = 2 } });
        log.AppendBatch("ticks", 0, Events(0, 10));
        log.AppendBatch("ticks", 1, Events(100, 7));

        await using (await StartAsync(app.Load(Settings("ingest")), handler, log, RuntimeStateStore.InMemory()))
        {
            await Eventually.TrueAsync(() => Task.FromResult(handler.Calls.Sum(c => c.Decoded("SequenceNumberArray")!.AsArray().Count) >= 17), "17 events handled");
            log.AppendBatch("ticks", 0, Events(10, 2)); // arrives while the runtime waits: picked up without polling
            await Eventually.TrueAsync(() => Task.FromResult(handler.Calls.Sum(c => c.Decoded("SequenceNumberArray")!.AsArray().Count) >= 19), "19 events handled");
        }

        foreach (var (partition, expectedCount, firstBody) in new[] { ("0", 12, 0), ("1", 7, 100) })
        {
            var calls = handler.Calls.Where(c => c.Metadata["PartitionContext"]!["PartitionId"]!.GetValue<string>() == partition).OrderBy(c => c.Started).ToList();
            var sequence = calls.SelectMany(c => c.Decoded("SequenceNumberArray")!.AsArray().Select(n => n!.GetValue<long>())).ToList();
            Assert.Equal(Enumerable.Range(0, expectedCount).Select(i => (long)i), sequence);
            Assert.All(calls, c => Assert.InRange(c.Decoded("SequenceNumberArray")!.AsArray().Count, 1, 3));
            var bodies = calls.SelectMany(c => JsonNode.Parse(c.Data["events"]!.GetValue<string>())!.AsArray().Select(b => b!.GetValue<string>())).ToList();
            Assert.Equal(Enumerable.Range(firstBody, expectedCount).Select(i => $$"""{"i":{{i}}}"""), bodies);
            for (var i = 1; i < calls.Count; i++)
            {
                Assert.True(calls[i].Started >= calls[i - 1].Finished, $"partition {partition}: invocation {i} started before invocation {i - 1} finished");
            }
        }
    }

    [Fact]
    public async Task Failure_WithoutRetryPolicy_IsCheckpointedAndTheTriggerMovesOn()
    {
        using var app = TestApp.Create(OneAtATime, ("IngestTicks", Ingest));
        await using var handler = await RecordingHandler.StartAsync();
        handler.Respond = (call, _) => Task.FromResult(FirstBody(call) == """{"i":0}""" ? 500 : 200);
        var log = new LocalEventLog(new LocalEventLogOptions { Hubs = new Dictionary<string, int> { ["ticks"] = 1 } });
        log.AppendBatch("ticks", 0, Events(0, 2));
        var store = RuntimeStateStore.InMemory();
        await using (await StartAsync(app.Load(Settings("ingest")), handler, log, store))
        {
            var calls = await handler.WaitForCallsAsync(2);
            Assert.Equal(["[0]", "[1]"], calls.Select(c => c.Metadata["SequenceNumberArray"]!.GetValue<string>()));
            Assert.All(calls, c => Assert.False(c.Metadata.AsObject().ContainsKey("RetryContext")));
            await Eventually.TrueAsync(async () => (await store.GetCheckpointAsync("ticks", "ingest", 0, default))?.SequenceNumber == 1, "checkpoint at 1");
        }
    }

    [Fact]
    public async Task Failure_WithRetryPolicy_IsRetriedWithRetryContext_ThenCheckpointedAndTheTriggerMovesOn()
    {
        using var app = TestApp.Create(OneAtATime, ("IngestTicks", IngestWithRetry));
        await using var handler = await RecordingHandler.StartAsync();
        var attemptsOfOne = 0;
        handler.Respond = (call, _) => Task.FromResult(
            FirstBody(call) == """{"i":0}""" ? 500 // always fails
            : FirstBody(call) == """{"i":1}""" && Interlocked.Increment(ref attemptsOfOne) == 1 ? 503 // fails once
            : 200);
        var log = new LocalEventLog(new LocalEventLogOptions { Hubs = new Dictionary<string, int> { ["ticks"] = 1 } });
        log.AppendBatch("ticks", 0, Events(0, 3));
        var store = RuntimeStateStore.InMemory();
        await using (await StartAsync(app.Load(Settings("ingest")), handler, log, store))
        {
            var calls = (await handler.WaitForCallsAsync(6)).OrderBy(c => c.Started).ToList();
            await Task.Delay(150, TestContext.Current.CancellationToken);
            Assert.Equal(6, handler.Calls.Count);
            Assert.Equal(["[0]", "[0]", "[0]", "[1]", "[1]", "[2]"], calls.Select(c => c.Metadata["SequenceNumberArray"]!.GetValue<string>()));
            Assert.Equal([0, 1, 2, 0, 1, 0], calls.Select(c => c.Metadata["RetryContext"]!["RetryCount"]!.GetValue<int>()));
            Assert.All(calls, c => Assert.Equal(2, c.Metadata["RetryContext"]!["MaxRetryCount"]!.GetValue<int>()));
            Assert.Null(calls[0].Metadata["RetryContext"]!["Exception"]);
            Assert.Equal("Response status code does not indicate success: 500 (Internal Server Error).", calls[1].Metadata["RetryContext"]!["Exception"]!["Message"]!.GetValue<string>());
            Assert.Equal("Response status code does not indicate success: 503 (Service Unavailable).", calls[4].Metadata["RetryContext"]!["Exception"]!["Message"]!.GetValue<string>());
            Assert.True(calls[1].Started - calls[0].Finished!.Value >= TimeSpan.FromMilliseconds(40), "the fixed delay separates retries");
            await Eventually.TrueAsync(async () => (await store.GetCheckpointAsync("ticks", "ingest", 0, default))?.SequenceNumber == 2, "checkpoint at 2");
        }
    }

    [Fact]
    public async Task Checkpoints_InAzurite_ResumeInTheSameEpoch_AndRestartInANewOne()
    {
        var tables = new TableServiceClient(azurite.ConnectionString);
        var group = "g" + Guid.NewGuid().ToString("N")[..12];
        using var app = TestApp.Create(TestApp.DefaultHost, ("IngestTicks", Ingest));
        var definition = app.Load(Settings(group));
        await using var handler = await RecordingHandler.StartAsync();
        var log = new LocalEventLog(new LocalEventLogOptions { Hubs = new Dictionary<string, int> { ["ticks"] = 1 } });
        log.AppendBatch("ticks", 0, Events(0, 5));

        // Run 1 handles 0..4 and checkpoints 4.
        await using (await StartAsync(definition, handler, log, RuntimeStateStore.Tables(tables)))
        {
            await Eventually.TrueAsync(() => Task.FromResult(Handled(handler).Count == 5), "events 0..4");
        }

        var checkpoint = await RuntimeStateStore.Tables(tables).GetCheckpointAsync("ticks", group, 0, TestContext.Current.CancellationToken);
        Assert.Equal(4, checkpoint!.SequenceNumber);

        // Run 2, same log (same epoch): resumes after the checkpoint.
        handler.Calls.Clear();
        log.AppendBatch("ticks", 0, Events(5, 2));
        await using (await StartAsync(definition, handler, log, RuntimeStateStore.Tables(tables)))
        {
            await Eventually.TrueAsync(() => Task.FromResult(Handled(handler).Count == 2), "events 5..6");
            await Task.Delay(100, TestContext.Current.CancellationToken);
            Assert.Equal([5L, 6L], Handled(handler));
        }

        // Run 3, a new log (a new serve process): its numbers restart, so the old checkpoint does not apply.
        handler.Calls.Clear();
        var fresh = new LocalEventLog(new LocalEventLogOptions { Hubs = new Dictionary<string, int> { ["ticks"] = 1 } });
        fresh.AppendBatch("ticks", 0, Events(0, 3));
        await using (await StartAsync(definition, handler, fresh, RuntimeStateStore.Tables(tables)))
        {
            await Eventually.TrueAsync(() => Task.FromResult(Handled(handler).Count == 3), "events 0..2 of the new log");
            Assert.Equal([0L, 1L, 2L], Handled(handler));
        }

        checkpoint = await RuntimeStateStore.Tables(tables).GetCheckpointAsync("ticks", group, 0, TestContext.Current.CancellationToken);
        Assert.Equal((2L, EventHubListener.EpochOf(fresh)), (checkpoint!.SequenceNumber, checkpoint.Epoch));
    }

    [Fact]
    public async Task Checkpoints_DurableLogReloaded_KeepItsEpoch_SoTheTriggerResumes()
    {
        var folder = Directory.CreateTempSubdirectory("sigmaflow-eventlog-");
        try
        {
            using var app = TestApp.Create(TestApp.DefaultHost, ("IngestTicks", Ingest));
            var definition = app.Load(Settings("ingest"));
            await using var handler = await RecordingHandler.StartAsync();
            var store = RuntimeStateStore.InMemory();
            var options = new LocalEventLogOptions { Hubs = new Dictionary<string, int> { ["ticks"] = 1 }, DataDirectory = folder.FullName };

            // Process 1: events 0..4 handled and checkpointed, then 5..6 arrive while nothing runs.
            using (var log = new LocalEventLog(options))
            {
                log.AppendBatch("ticks", 0, Events(0, 5));
                await using (await StartAsync(definition, handler, log, store))
                {
                    await Eventually.TrueAsync(() => Task.FromResult(Handled(handler).Count == 5), "events 0..4");
                }

                log.AppendBatch("ticks", 0, Events(5, 2));
            }

            // Process 2: the reloaded log has the same epoch, so the trigger resumes at 5, not at 0.
            handler.Calls.Clear();
            using (var log = new LocalEventLog(options))
            {
                await using (await StartAsync(definition, handler, log, store))
                {
                    await Eventually.TrueAsync(() => Task.FromResult(Handled(handler).Count == 2), "events 5..6");
                    await Task.Delay(100, TestContext.Current.CancellationToken);
                    Assert.Equal([5L, 6L], Handled(handler));
                    Assert.Equal("{\"i\":5}", FirstBody(handler.Calls.OrderBy(c => c.Started).First()));
                }
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Stop_LetsTheInFlightInvocationFinish_AndCheckpointsIt()
    {
        using var app = TestApp.Create(TestApp.DefaultHost, ("IngestTicks", Ingest));
        await using var handler = await RecordingHandler.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        handler.Respond = async (_, _) =>
        {
            await Task.Delay(700, TestContext.Current.CancellationToken);
            release.TrySetResult();
            return 200;
        };
        var log = new LocalEventLog(new LocalEventLogOptions { Hubs = new Dictionary<string, int> { ["ticks"] = 1 } });
        log.AppendBatch("ticks", 0, Events(0, 2));
        var store = RuntimeStateStore.InMemory();
        var runtime = await StartAsync(app.Load(Settings("ingest")), handler, log, store);
        await handler.WaitForCallsAsync(1);
        var stopping = DateTimeOffset.UtcNow;
        await runtime.StopAsync(TestContext.Current.CancellationToken);
        var call = Assert.Single(handler.Calls);
        Assert.True(release.Task.IsCompleted, "the invocation finished before StopAsync returned");
        Assert.NotNull(call.Finished);
        Assert.True(DateTimeOffset.UtcNow - stopping < TimeSpan.FromSeconds(3));
        Assert.Equal(1, (await store.GetCheckpointAsync("ticks", "ingest", 0, TestContext.Current.CancellationToken))!.SequenceNumber);
        Assert.Equal(1, runtime.InvocationCount);
        await runtime.DisposeAsync();
    }

    internal static async Task<LocalRuntime> StartAsync(FunctionAppDefinition app, RecordingHandler handler, LocalEventLog log, RuntimeStateStore store)
    {
        var runtime = new LocalRuntime(app, new LocalRuntimeOptions { HandlerAddress = handler.Address, ReadSetting = TestApp.Settings(), EventLog = log, StateStore = store });
        await runtime.StartAsync(TestContext.Current.CancellationToken);
        return runtime;
    }

    private static Func<string, string?> Settings(string group) => TestApp.Settings(("Group", group));

    private static LocalEventInput[] Events(int first, int count) =>
        Enumerable.Range(first, count).Select(i => new LocalEventInput(Encoding.UTF8.GetBytes($$"""{"i":{{i}}}"""))).ToArray();

    private static string FirstBody(RecordedCall call) => JsonNode.Parse(call.Data["events"]!.GetValue<string>())![0]!.GetValue<string>();

    private static List<long> Handled(RecordingHandler handler) =>
        handler.Calls.OrderBy(c => c.Started).SelectMany(c => c.Decoded("SequenceNumberArray")!.AsArray().Select(n => n!.GetValue<long>())).ToList();

    [GeneratedRegex(""","sys":\{[^{}]*\}""")]
    private static partial Regex SysMetadata();
}
