using System.Text.Json.Nodes;
using SigmaFlow.Functions.Local.Runtime;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.Local.Runtime;

/// <summary>The queue trigger against Azurite: the host's metadata, delete on success, redelivery, poison queue, lease renewal.</summary>
public sealed class QueueTriggerTests(AzuriteEmulator azurite)
{
    [Fact]
    public async Task Success_PostsTheHostsMetadata_AndDeletesTheMessage()
    {
        var (queue, _) = await CreateQueueAsync();
        using var app = QueueApp(queue.Name);
        await using var handler = await RecordingHandler.StartAsync();
        var sent = await queue.SendAsync("""{"shard":7,"runId":"r1"}""", cancellationToken: TestContext.Current.CancellationToken);
        await queue.SendAsync("plain words", cancellationToken: TestContext.Current.CancellationToken);
        await using (await StartAsync(app, handler))
        {
            var calls = await handler.WaitForCallsAsync(2);
            var json = calls.Single(c => c.Data["msg"] is JsonObject);
            Assert.Equal("""{"shard":7,"runId":"r1"}""", RecordedCall.Raw(json.Data["msg"]!));
            Assert.Equal("\"1\"", RecordedCall.Raw(json.Metadata["DequeueCount"]!));
            Assert.Equal($"\"{sent.MessageId}\"", json.Metadata["Id"]!.GetValue<string>());
            Assert.StartsWith("\"", json.Metadata["PopReceipt"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(sent.InsertedOn, DateTimeOffset.Parse(json.Decoded("InsertionTime")!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
            Assert.EndsWith("+00:00\"", json.Metadata["ExpirationTime"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.EndsWith("+00:00\"", json.Metadata["NextVisibleTime"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal("QueueJob", json.Metadata["sys"]!["MethodName"]!.GetValue<string>());

            // A message that is not a JSON object arrives as the host serialises a string.
            var text = calls.Single(c => c.Data["msg"] is JsonValue);
            Assert.Equal("\"plain words\"", text.Data["msg"]!.GetValue<string>());

            await Eventually.TrueAsync(async () => (await queue.PeekAsync(32, TestContext.Current.CancellationToken)).Count == 0 && (await queue.GetApproximateMessageCountAsync(TestContext.Current.CancellationToken)) == 0, "the queue to be empty");
        }
    }

    [Fact]
    public async Task Failures_RaiseTheDequeueCount_ThenTheMessageMovesToThePoisonQueue()
    {
        var (queue, poison) = await CreateQueueAsync();
        using var app = QueueApp(queue.Name);
        await using var handler = await RecordingHandler.StartAsync();
        handler.Respond = (_, _) => Task.FromResult(500);
        await queue.SendAsync("""{"bad":true}""", cancellationToken: TestContext.Current.CancellationToken);
        await using (await StartAsync(app, handler))
        {
            // maxDequeueCount is 3 in the test host.json: three deliveries, then the poison queue.
            var calls = await handler.WaitForCallsAsync(3);
            Assert.Equal(["\"1\"", "\"2\"", "\"3\""], calls.OrderBy(c => c.Started).Select(c => RecordedCall.Raw(c.Metadata["DequeueCount"]!)));
            // The runtime creates the poison queue when it moves the first message there; until then it does not exist.
            await Eventually.TrueAsync(
                async () =>
                {
                    try
                    {
                        return (await poison.PeekAsync(1, TestContext.Current.CancellationToken)).Count == 1;
                    }
                    catch (Azure.RequestFailedException e) when (e.Status == 404)
                    {
                        return false;
                    }
                },
                "a message in the poison queue");
            var poisoned = Assert.Single(await poison.PeekAsync(32, TestContext.Current.CancellationToken));
            Assert.Equal("""{"bad":true}""", poisoned.Text);
            Assert.Empty(await queue.PeekAsync(32, TestContext.Current.CancellationToken));
            Assert.Equal(0, await queue.GetApproximateMessageCountAsync(TestContext.Current.CancellationToken));
            await Task.Delay(300, TestContext.Current.CancellationToken);
            Assert.Equal(3, handler.Calls.Count);
        }
    }

    [Fact]
    public async Task LongInvocation_KeepsItsLease_AndIsDeliveredOnce()
    {
        var (queue, _) = await CreateQueueAsync();
        using var app = QueueApp(queue.Name);
        await using var handler = await RecordingHandler.StartAsync();
        handler.Respond = async (_, ct) =>
        {
            await Task.Delay(3500, ct); // longer than the 2 s visibility timeout: only renewals keep it hidden
            return 200;
        };
        await queue.SendAsync("""{"slow":true}""", cancellationToken: TestContext.Current.CancellationToken);
        await using (await StartAsync(app, handler, TimeSpan.FromSeconds(2)))
        {
            await handler.WaitForCallsAsync(1);
            await Eventually.TrueAsync(() => Task.FromResult(handler.Calls.All(c => c.Finished is not null)), "the invocation to finish");
            await Eventually.TrueAsync(async () => (await queue.GetApproximateMessageCountAsync(TestContext.Current.CancellationToken)) == 0, "the message to be deleted");
            Assert.Single(handler.Calls);
        }
    }

    [Fact]
    public async Task MissingConnection_LeavesTheFunctionOff_AndTheRuntimeRunning()
    {
        using var app = TestApp.Create(TestApp.DefaultHost, ("QueueJob", """
            { "bindings": [ { "type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "never-polled", "connection": "NoSuchSetting" } ] }
            """));
        await using var handler = await RecordingHandler.StartAsync();
        await using var runtime = new LocalRuntime(app.Load(TestApp.Settings()), new LocalRuntimeOptions { HandlerAddress = handler.Address, ReadSetting = TestApp.Settings() });
        await runtime.StartAsync(TestContext.Current.CancellationToken);
        Assert.Contains("QueueJob: queue 'never-polled' (NoSuchSetting)", runtime.Triggers[0], StringComparison.Ordinal);
        await runtime.StopAsync(TestContext.Current.CancellationToken);
    }

    private static TestApp QueueApp(string queueName) => TestApp.Create(TestApp.DefaultHost, ("QueueJob", $$"""
        { "bindings": [ { "type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "{{queueName}}", "connection": "AzureWebJobsStorage" } ] }
        """));

    private async Task<LocalRuntime> StartAsync(TestApp app, RecordingHandler handler, TimeSpan? visibility = null)
    {
        var settings = TestApp.Settings(("AzureWebJobsStorage", azurite.ConnectionString));
        var runtime = new LocalRuntime(app.Load(settings), new LocalRuntimeOptions
        {
            HandlerAddress = handler.Address,
            ReadSetting = settings,
            StateStore = RuntimeStateStore.InMemory(),
            QueueVisibilityTimeout = visibility ?? TimeSpan.FromSeconds(30),
            MinQueuePollingInterval = TimeSpan.FromMilliseconds(20),
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(100),
        });
        await runtime.StartAsync(TestContext.Current.CancellationToken);
        return runtime;
    }

    private async Task<(QueueClient Queue, QueueClient Poison)> CreateQueueAsync()
    {
        var service = new QueueServiceClient(azurite.ConnectionString);
        var name = "rt-" + Guid.NewGuid().ToString("N")[..16];
        var queue = service.GetQueueClient(name);
        await queue.CreateIfNotExistsAsync(TestContext.Current.CancellationToken);
        return (queue, service.GetQueueClient(name + "-poison"));
    }
}
