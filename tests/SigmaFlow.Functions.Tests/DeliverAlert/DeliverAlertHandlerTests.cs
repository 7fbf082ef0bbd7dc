using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Functions.DeliverAlert;
using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.Local.Runtime;
using SigmaFlow.Functions.Tests.Local.Runtime;
using SigmaFlow.Platform.Alerts;
using SigmaFlow.Platform.Alerts.Safety;
using SigmaFlow.Platform.Alerts.Storage;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Live;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.DeliverAlert;

/// <summary>DeliverAlert: the host's envelope, the function without storage, and a queue message through the local runtime to a local webhook.</summary>
public sealed class DeliverAlertHandlerTests(AzuriteEmulator azurite)
{
    private const long T0 = 1_767_225_600_000;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void ReadMessage_TheHostsShape_GivesTextIdInsertionTimeAndDequeueCount()
    {
        // As the host sends a queue trigger: a JSON object message as an object, metadata values JSON-encoded in strings.
        var envelope = """
            {"Data":{"alert":{"type":"signal","id":"X|s|1m|LongEntry|1","symbol":"X"}},
             "Metadata":{"DequeueCount":"2","Id":"\"0f1e2d3c-aaaa-bbbb-cccc-0123456789ab\"","InsertionTime":"\"2026-01-01T00:00:01+00:00\"","PopReceipt":"\"AgAAAA==\"","sys":{"MethodName":"DeliverAlert"}}}
            """;
        var message = DeliverAlertHandler.ReadMessage(InvocationRequest.Parse(Encoding.UTF8.GetBytes(envelope)));
        Assert.Equal("""{"type":"signal","id":"X|s|1m|LongEntry|1","symbol":"X"}""", message.Text);
        Assert.Equal("0f1e2d3c-aaaa-bbbb-cccc-0123456789ab", message.MessageId);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 1, TimeSpan.Zero), message.InsertedOn);
        Assert.Equal(2, message.DequeueCount);

        // Text that is not a JSON object arrives as the host serialises a string.
        var text = DeliverAlertHandler.ReadMessage(InvocationRequest.Parse(Encoding.UTF8.GetBytes("""{"Data":{"alert":"\"not json at all\""},"Metadata":{}}""")));
        Assert.Equal(("not json at all", null, 1L), (text.Text, text.MessageId, text.DequeueCount));
    }

    [Fact]
    public async Task WithoutStorage_TheFunctionIsRegistered_AndEveryInvocationSaysWhatToSet()
    {
        var app = FunctionApp.Compose(new PlatformSettings { Read = _ => null }, TimeProvider.System);
        var handler = Assert.Single(app.Handlers, h => h.Name == DeliverAlertHandler.FunctionName);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => handler.InvokeAsync(InvocationRequest.Parse("""{"Data":{"alert":{}},"Metadata":{}}"""u8), Token));
        Assert.StartsWith("DeliverAlert cannot run: AzureWebJobsStorage is not set.", error.Message, StringComparison.Ordinal);
        Assert.Contains(PlatformSettings.AlertsAllowLocal, PlatformSettings.Names);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData(" TRUE ", true)]
    [InlineData("false", false)]
    [InlineData("yes", false)]
    [InlineData(null, false)]
    public void AlertsAllowLocalTargets_IsOnlyOnWhenSaidSo(string? value, bool expected)
    {
        Assert.Equal(expected, new PlatformSettings { Read = n => n == PlatformSettings.AlertsAllowLocal ? value : null }.AlertsAllowLocalTargets);
    }

    [Fact]
    public async Task InvokeAsync_AHostEnvelope_DeliversOnce_AndABadMessageIsDeadLetteredNotFailed()
    {
        var storage = azurite.ConnectionString;
        await using var receiver = await AlertReceiver.StartAsync();
        var symbol = "H" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var settings = Settings(storage);
        var rule = await SeedAsync(storage, symbol, receiver);
        var handler = (DeliverAlertHandler)FunctionApp.Compose(settings, TimeProvider.System, NullLoggerFactory.Instance).Handlers.Single(h => h.Name == DeliverAlertHandler.FunctionName);
        var signal = LiveMessages.Signal(new SignalEvent(symbol, "ema-cross", Timeframe.Parse("1m"), SignalKind.LongEntry, T0, 101.25));
        var envelope = new JsonObject
        {
            ["Data"] = new JsonObject { ["alert"] = JsonNode.Parse(signal) },
            ["Metadata"] = new JsonObject { ["DequeueCount"] = "1", ["Id"] = "\"msg-1\"", ["InsertionTime"] = "\"2026-01-01T00:01:01+00:00\"" },
        }.ToJsonString();

        var result = await handler.InvokeAsync(InvocationRequest.Parse(Encoding.UTF8.GetBytes(envelope)), Token);
        Assert.StartsWith($"DeliverAlert message msg-1: signal {symbol}|ema-cross|1m|LongEntry|1767225600000 → 1 rule, 1 delivery: 1 delivered", Assert.Single(result.Logs), StringComparison.Ordinal);
        var again = await handler.InvokeAsync(InvocationRequest.Parse(Encoding.UTF8.GetBytes(envelope.Replace("\"1\"", "\"2\"", StringComparison.Ordinal))), Token);
        Assert.Contains("1 already done", Assert.Single(again.Logs), StringComparison.Ordinal);
        var (path, body) = Assert.Single(receiver.Received);
        Assert.Equal("/api/webhooks/42/token", path);
        Assert.Equal($"{rule}|{symbol}|ema-cross|1m|LongEntry|1767225600000", JsonDocument.Parse(body).RootElement.GetProperty("embeds")[0].GetProperty("footer").GetProperty("text").GetString()![6..]);

        var bad = await handler.InvokeAsync(InvocationRequest.Parse("""{"Data":{"alert":"\"hello\""},"Metadata":{"Id":"\"msg-2\""}}"""u8), Token);
        Assert.Equal("DeliverAlert message msg-2: dead-lettered: (message) is not valid JSON (line 1, byte 1); got 'hello'", Assert.Single(bad.Logs)[..Assert.Single(bad.Logs).LastIndexOf(';')]);
    }

    [Fact]
    public async Task AQueueMessage_ThroughTheLocalRuntimesQueueTrigger_ReachesTheWebhook_Once()
    {
        var storage = azurite.ConnectionString;
        await using var receiver = await AlertReceiver.StartAsync();
        var symbol = "Q" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var settings = Settings(storage);
        var rule = await SeedAsync(storage, symbol, receiver);

        // The real function.json, on a queue of this test's own (other tests use the 'alerts' queue of the same Azurite).
        var queueName = "alerts-" + Guid.NewGuid().ToString("N")[..12];
        var root = LocalEmulator.RepositoryRoot() ?? throw new InvalidOperationException("repository root not found");
        var functionJson = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, "functions", "DeliverAlert", "function.json"), Token))!;
        var trigger = functionJson["bindings"]![0]!;
        Assert.Equal(("queueTrigger", "alert", "alerts", "AzureWebJobsStorage"), (trigger["type"]!.GetValue<string>(), trigger["name"]!.GetValue<string>(), trigger["queueName"]!.GetValue<string>(), trigger["connection"]!.GetValue<string>()));
        trigger["queueName"] = queueName;
        using var app = TestApp.Create(TestApp.DefaultHost, (DeliverAlertHandler.FunctionName, functionJson.ToJsonString()));

        await using var server = FunctionApp.Compose(settings, TimeProvider.System, NullLoggerFactory.Instance).CreateServer(new CustomHandlerOptions { Url = "http://127.0.0.1:0" });
        await server.StartAsync(Token);
        var runtimeSettings = TestApp.Settings(("AzureWebJobsStorage", storage));
        await using var runtime = new LocalRuntime(app.Load(runtimeSettings), new LocalRuntimeOptions
        {
            HandlerAddress = new Uri(server.Urls.First().TrimEnd('/') + "/"),
            ReadSetting = runtimeSettings,
            StateStore = RuntimeStateStore.InMemory(),
            MinQueuePollingInterval = TimeSpan.FromMilliseconds(20),
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(100),
        });
        await runtime.StartAsync(Token);
        var queue = new QueueServiceClient(storage).GetQueueClient(queueName);
        await queue.CreateIfNotExistsAsync(Token);

        var signal = LiveMessages.Signal(new SignalEvent(symbol, "ema-cross", Timeframe.Parse("1m"), SignalKind.LongEntry, T0, 101.25));
        await queue.SendAsync(signal, cancellationToken: Token);
        await queue.SendAsync(signal, cancellationToken: Token);
        await Eventually.TrueAsync(() => Task.FromResult(!receiver.Received.IsEmpty), "the alert to reach the webhook");
        await Eventually.TrueAsync(async () => await queue.GetApproximateMessageCountAsync(Token) == 0 && runtime.InvocationCount >= 2, "both messages to be processed and deleted");
        await Task.Delay(200, Token);

        Assert.Single(receiver.Received);
        Assert.Equal(0, runtime.FailureCount);
        var log = new AlertDeliveryLog(new TableServiceClient(storage));
        var row = Assert.Single(await log.ReadAlertAsync(T0, $"{rule}|{symbol}|ema-cross|1m|LongEntry|1767225600000", Token));
        Assert.Equal((AlertDeliveryStatus.Delivered, 1, (int?)204), (row.Status, row.Attempts, row.HttpStatus));
        await runtime.StopAsync(Token);
        await server.StopAsync(Token);
    }

    private static PlatformSettings Settings(string storage) => new()
    {
        Read = name => name switch
        {
            PlatformSettings.Storage => storage,
            PlatformSettings.AlertsAllowLocal => "true",
            _ => null,
        },
    };

    /// <summary>A Discord channel pointing at the receiver and a rule for the symbol's long entries; returns the rule id.</summary>
    private static async Task<string> SeedAsync(string storage, string symbol, AlertReceiver receiver)
    {
        var store = new AlertStore(new TableServiceClient(storage), new AlertTargetPolicy(allowLocalTargets: true));
        var suffix = symbol.ToLowerInvariant();
        var channel = await store.CreateChannelAsync(new AlertChannel { Id = "discord-" + suffix, Kind = AlertChannelKind.Discord, Url = new Uri(receiver.BaseAddress, "api/webhooks/42/token").AbsoluteUri }, Token);
        Assert.True(channel.Succeeded, channel.Message);
        var rule = await store.CreateRuleAsync(new AlertRule { Id = "rule-" + suffix, Name = "Entries " + symbol, Condition = new SignalCondition { Symbols = [symbol], Side = SignalSide.LongEntry }, ChannelIds = ["discord-" + suffix] }, Token);
        Assert.True(rule.Succeeded, rule.Message);
        return "rule-" + suffix;
    }
}
