using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using SigmaFlow.Functions.Cli;
using SigmaFlow.Platform.Azure.EventHubs;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Functions.Tests.Cli;

/// <summary><c>sigmaflow serve</c> hosts the stand-ins; the platform's own clients talk to them as to Azure.</summary>
public sealed partial class ServeCommandTests
{
    [Fact]
    public async Task Serve_BothStandIns_AcceptTheRealClients_AndStopOnCancel()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var stdout = new SyncWriter();
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var run = CliApp.RunAsync(["serve", "--event-hubs", "--event-hubs-port", "0", "--web-pubsub", "--web-pubsub-port", "0"], stdout, stderr, stop.Token);
        var text = await WaitFor(stdout, "Ready.", run);
        var eventHubs = EventHubsLine().Match(text).Groups["value"].Value;
        var webPubSub = WebPubSubLine().Match(text).Groups["value"].Value;
        Assert.Contains("UseDevelopmentEmulator=true", eventHubs, StringComparison.Ordinal);

        // Event Hubs: the publisher sends a batch with a partition key.
        var publisher = new EventHubPublisher(eventHubs, "ticks");
        var sent = await publisher.SendAsync([new EventData("""{"symbol":"BTCUSD","time":1,"price":1}""")], "BTCUSD", TestContext.Current.CancellationToken);
        Assert.True(sent.AllSent);

        // Web PubSub: a client connects with a URL minted by the server client and receives a group message.
        var service = new WebPubSubServiceClient(WebPubSubConnection.Parse(webPubSub), "market");
        var url = await service.GetClientAccessUriAsync("alice", groups: ["bars.BTCUSD.1m"], cancellationToken: TestContext.Current.CancellationToken);
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("json.webpubsub.azure.v1");
        await socket.ConnectAsync(url, TestContext.Current.CancellationToken);
        Assert.Contains("\"connected\"", await Receive(socket), StringComparison.Ordinal);
        await service.SendToGroupAsync("bars.BTCUSD.1m", BinaryData.FromString("""{"close":65000.5}"""), WebPubSubContentType.Json, cancellationToken: TestContext.Current.CancellationToken);
        var message = await Receive(socket);
        Assert.Contains("\"from\":\"server\"", message, StringComparison.Ordinal);
        Assert.Contains("65000.5", message, StringComparison.Ordinal);

        await stop.CancelAsync();
        Assert.Equal(0, await run);
        Assert.Contains("Event Hubs stand-in stopped", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("Web PubSub stand-in stopped", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithoutAStandIn_ExitsOneWithTheChoices()
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(1, await CliApp.RunAsync(["serve"], stdout, stderr, TestContext.Current.CancellationToken));
        Assert.Contains("serve needs at least one of --web-pubsub and --event-hubs", stderr.ToString(), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"EventHubConnection=(?<value>\S+)")]
    private static partial Regex EventHubsLine();

    [GeneratedRegex(@"WebPubSubConnectionString=(?<value>\S+)")]
    private static partial Regex WebPubSubLine();

    private static async Task<string> WaitFor(SyncWriter writer, string marker, Task<int> run)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var text = writer.ToString();
            if (text.Contains(marker, StringComparison.Ordinal))
            {
                return text;
            }

            Assert.False(run.IsCompleted, $"serve ended early with {(run.IsCompleted ? run.Result : 0)}: {text}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"serve did not print '{marker}' within 30 s; it printed: {writer}");
    }

    private static async Task<string> Receive(ClientWebSocket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    /// <summary>A StringWriter safe to read while another task writes.</summary>
    private sealed class SyncWriter : StringWriter
    {
        private readonly Lock gate = new();

        public SyncWriter()
            : base(CultureInfo.InvariantCulture)
        {
        }

        public override void Write(char value)
        {
            lock (gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (gate)
            {
                base.Write(value);
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            lock (gate)
            {
                base.WriteLine(value);
            }

            return Task.CompletedTask;
        }

        public override string ToString()
        {
            lock (gate)
            {
                return base.ToString();
            }
        }
    }
}
