using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SigmaFlow.Functions.Cli;
using SigmaFlow.Functions.Local.EventHubs;
using SigmaFlow.Platform.Azure.EventHubs;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Functions.Tests.Cli;

/// <summary><c>sigmaflow serve</c>: the function app behind the public port, the stand-ins with the platform's real clients, a clean stop.</summary>
public sealed partial class ServeCommandTests
{
    private static readonly string[] StopOrder = ["triggers stopped", "HTTP gateway stopped", "custom handler stopped", "Web PubSub stand-in stopped", "Event Hubs stand-in stopped"];

    [Fact]
    public async Task Serve_HostsTheAppAndBothStandIns_AndStopsCleanlyOnCancel()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var stdout = new SyncWriter();
        var stderr = new SyncWriter();
        var run = CliApp.RunAsync(["serve", "--port", "0", "--event-hubs-port", "0", "--web-pubsub-port", "0"], stdout, stderr, stop.Token);
        var text = await WaitFor(stdout, "Ready in", run);
        var eventHubs = EventHubsLine().Match(text).Groups["value"].Value;
        var webPubSub = WebPubSubLine().Match(text).Groups["value"].Value;
        var health = HealthLine().Match(text).Groups["value"].Value;
        Assert.Contains("UseDevelopmentEmulator=true", eventHubs, StringComparison.Ordinal);
        Assert.Matches(ReadyLine(), text);

        // The app's HTTP function through the public port, proxied to the in-process custom handler.
        using var http = new HttpClient();
        using (var response = await http.GetAsync(new Uri(health), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("healthy", JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["status"]!.GetValue<string>());
        }

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

        var stopping = Stopwatch.StartNew();
        await stop.CancelAsync();
        Assert.Equal(0, await run);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"serve took {stopping.Elapsed} to stop");
        var log = stderr.ToString();
        var order = StopOrder.Select(line => log.IndexOf(line, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
    }

    [Fact]
    public async Task Serve_WithoutStandIns_StillServesTheApp()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var stdout = new SyncWriter();
        var stderr = new SyncWriter();
        var run = CliApp.RunAsync(["serve", "--port", "0", "--no-event-hubs", "--no-web-pubsub"], stdout, stderr, stop.Token);
        var text = await WaitFor(stdout, "Ready in", run);
        Assert.DoesNotContain("EventHubConnection=", text, StringComparison.Ordinal);
        Assert.DoesNotContain("WebPubSubConnection=", text, StringComparison.Ordinal);
        using var http = new HttpClient();
        using (var response = await http.GetAsync(new Uri(HealthLine().Match(text).Groups["value"].Value), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }

    [Fact]
    public async Task Serve_DataDir_KeepsTheEventLogAcrossRestarts_AndRefusesADamagedOne()
    {
        var data = Directory.CreateTempSubdirectory("sigmaflow-serve-data-");
        try
        {
            string[] arguments = ["serve", "--port", "0", "--event-hubs-port", "0", "--no-web-pubsub", "--data-dir", data.FullName];
            for (var run = 0; run < 2; run++)
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
                var stdout = new SyncWriter();
                var serve = CliApp.RunAsync(arguments, stdout, new SyncWriter(), stop.Token);
                var text = await WaitFor(stdout, "Ready in", serve);
                Assert.Contains(run == 0 ? "(kept across restarts; new)" : "(kept across restarts; 3 events reloaded)", text, StringComparison.Ordinal);
                var publisher = new EventHubPublisher(EventHubsLine().Match(text).Groups["value"].Value, "ticks");
                await publisher.SendAsync([new EventData("""{"symbol":"BTCUSD","time":1,"price":1}""")], "BTCUSD", TestContext.Current.CancellationToken);
                await publisher.SendAsync([new EventData("""{"symbol":"ETHUSD","time":1,"price":1}"""), new EventData("""{"symbol":"ETHUSD","time":2,"price":1}""")], "ETHUSD", TestContext.Current.CancellationToken);
                await stop.CancelAsync();
                Assert.Equal(0, await serve);
            }

            // BTCUSD and ETHUSD share partition 0 (FNV-1a): 6 events there, numbered 0..5 across both runs.
            using (var log = new LocalEventLog(new LocalEventLogOptions { DataDirectory = Path.Combine(data.FullName, "eventhubs") }))
            {
                Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), log.Read("ticks", 0, 0, 100).Events.Select(e => e.SequenceNumber));
            }

            await File.WriteAllTextAsync(Path.Combine(data.FullName, "eventhubs", "log.json"), "not json", TestContext.Current.CancellationToken);
            using var stderr = new StringWriter(CultureInfo.InvariantCulture);
            using var quiet = new StringWriter(CultureInfo.InvariantCulture);
            Assert.Equal(CliApp.DataError, await CliApp.RunAsync(arguments, quiet, stderr, TestContext.Current.CancellationToken));
            Assert.Contains("log.json: not JSON", stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Serve_BadAppRoot_ExitsOneNamingHostJson()
    {
        var empty = Directory.CreateTempSubdirectory("sigmaflow-serve-");
        try
        {
            using var stdout = new StringWriter(CultureInfo.InvariantCulture);
            using var stderr = new StringWriter(CultureInfo.InvariantCulture);
            Assert.Equal(1, await CliApp.RunAsync(["serve", "--app-root", empty.FullName, "--port", "0"], stdout, stderr, TestContext.Current.CancellationToken));
            Assert.Contains("host.json is missing", stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Serve_UnknownOption_ExitsOne()
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(1, await CliApp.RunAsync(["serve", "--ports", "1"], stdout, stderr, TestContext.Current.CancellationToken));
        Assert.Contains("Unknown option --ports for 'serve'", stderr.ToString(), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"EventHubConnection=(?<value>\S+)")]
    private static partial Regex EventHubsLine();

    [GeneratedRegex(@"WebPubSubConnection=(?<value>\S+)")]
    private static partial Regex WebPubSubLine();

    [GeneratedRegex(@"^\s+Health\s+(?<value>http://\S+)", RegexOptions.Multiline)]
    private static partial Regex HealthLine();

    [GeneratedRegex(@"Ready in \d+ ms \(\d+ ms since the process started\)\. Ctrl\+C stops\.")]
    private static partial Regex ReadyLine();

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

        public override void WriteLine(string? value)
        {
            lock (gate)
            {
                base.WriteLine(value);
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
