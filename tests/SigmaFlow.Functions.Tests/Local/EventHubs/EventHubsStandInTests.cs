using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Azure;
using Azure.Core;
using SigmaFlow.Functions.Local.EventHubs;
using SigmaFlow.Platform.Azure.EventHubs;

namespace SigmaFlow.Functions.Tests.Local.EventHubs;

/// <summary>The platform's EventHubPublisher against the stand-in on Kestrel, end to end, plus raw HTTP for what a client would never send.</summary>
public sealed class EventHubsStandInTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SendAsync_OneEvent_StoredWithBodyPropertiesAndMetadata()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var server = await StandInServer.StartAsync(clock: clock);
        var publisher = server.Publisher(configure: o => o.Client.Clock = clock);
        var properties = new Dictionary<string, object> { ["src"] = "feed1", ["n"] = 3, ["live"] = true, ["w"] = 0.5 };
        var result = await publisher.SendAsync([new EventData("{\"sym\":\"BTCUSD\",\"px\":65000.1}", properties)], null, Token);

        Assert.True(result.AllSent);
        var stored = Assert.Single(server.Log.Read("ticks", 0, 0, 10).Events);
        Assert.Equal("{\"sym\":\"BTCUSD\",\"px\":65000.1}", Encoding.UTF8.GetString(stored.Body.Span));
        Assert.Equal(0, stored.SequenceNumber);
        Assert.Equal(0, stored.Offset);
        Assert.Equal(clock.GetUtcNow(), stored.EnqueuedTime);
        Assert.Null(stored.PartitionKey);
        Assert.Equal("feed1", stored.Properties["src"]);
        Assert.Equal(3L, stored.Properties["n"]);
        Assert.Equal(true, stored.Properties["live"]);
        Assert.Equal(0.5, stored.Properties["w"]);
        Assert.Equal(1, server.StandIn.AcceptedRequestCount);
    }

    [Fact]
    public async Task SendAsync_BatchWithPartitionKey_AllOnOnePartitionInOrder()
    {
        await using var server = await StandInServer.StartAsync();
        var events = Enumerable.Range(0, 20).Select(i => new EventData($"{{\"seq\":{i}}}")).ToList();
        await server.Publisher().SendAsync(events, "BTCUSD", Token);

        var partition = LocalEventLog.PartitionFor("BTCUSD", 4);
        var stored = server.Log.Read("ticks", partition, 0, 100).Events;
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), stored.Select(e => e.SequenceNumber));
        Assert.Equal(events.Select(e => e.Text), stored.Select(e => Encoding.UTF8.GetString(e.Body.Span)));
        Assert.All(stored, e => Assert.Equal("BTCUSD", e.PartitionKey));
        Assert.All(Enumerable.Range(0, 4).Where(p => p != partition), p => Assert.Equal(0, server.Log.GetPartitionInfo("ticks", p).Count));
    }

    [Fact]
    public async Task SendToPartitionAsync_Partition2_LandsThere()
    {
        await using var server = await StandInServer.StartAsync();
        await server.Publisher().SendToPartitionAsync([new EventData("a"), new EventData("b")], "2", Token);

        var stored = server.Log.Read("ticks", 2, 0, 10).Events;
        Assert.Equal(["a", "b"], stored.Select(e => Encoding.UTF8.GetString(e.Body.Span)).ToArray());
        Assert.All(stored, e => Assert.Null(e.PartitionKey));
    }

    [Fact]
    public async Task SendAsync_ManySymbols_SpreadOverPartitionsTheSameWayEveryRun()
    {
        var symbols = Enumerable.Range(0, 40).Select(i => $"SYM{i:D2}USD").ToList();
        var runs = new List<Dictionary<string, int>>();
        for (var run = 0; run < 2; run++)
        {
            await using var server = await StandInServer.StartAsync();
            var publisher = server.Publisher();
            foreach (var symbol in symbols)
            {
                await publisher.SendAsync([new EventData($"{{\"sym\":\"{symbol}\"}}"), new EventData($"{{\"sym\":\"{symbol}\"}}")], symbol, Token);
            }

            var placement = new Dictionary<string, int>();
            for (var p = 0; p < 4; p++)
            {
                foreach (var e in server.Log.Read("ticks", p, 0, 1000).Events)
                {
                    Assert.Equal(p, placement.TryAdd(e.PartitionKey!, p) ? p : placement[e.PartitionKey!]);
                }
            }

            runs.Add(placement);
        }

        Assert.Equal(symbols.ToDictionary(s => s, s => LocalEventLog.PartitionFor(s, 4)), runs[0]);
        Assert.Equal(runs[0], runs[1]);
        Assert.Equal(4, runs[0].Values.Distinct().Count());
    }

    [Fact]
    public async Task SendAsync_LargeBatch_SplitIntoSeveralPostsUnderTheLimit()
    {
        await using var server = await StandInServer.StartAsync();
        var pad = new string('p', 1000);
        var events = Enumerable.Range(0, 3000).Select(i => new EventData($"{{\"seq\":{i},\"pad\":\"{pad}\"}}")).ToList();
        var result = await server.Publisher().SendAsync(events, "ETHUSD", Token);

        Assert.True(result.AllSent);
        Assert.True(result.Requests >= 3, $"{result.Requests} requests for ~3 MB");
        Assert.Equal(result.Requests, server.StandIn.AcceptedRequestCount);
        Assert.Equal(result.Requests, server.StandIn.RequestCount);
        var stored = server.Log.Read("ticks", LocalEventLog.PartitionFor("ETHUSD", 4), 0, 5000).Events;
        Assert.Equal(events.Select(e => e.Text), stored.Select(e => Encoding.UTF8.GetString(e.Body.Span)));
    }

    [Fact]
    public async Task SendAsync_OneEventOverTheLimit_RejectedAndTheRestDelivered()
    {
        await using var server = await StandInServer.StartAsync();
        EventData[] events = [new EventData("before"), new EventData(new string('x', 2 * 1024 * 1024)), new EventData("after")];
        var result = await server.Publisher().SendAsync(events, "AAPL", Token);

        Assert.Equal([0, 2], result.Sent);
        var rejection = Assert.Single(result.Rejected);
        Assert.Equal(1, rejection.Index);
        Assert.Contains("limit of 1048576 bytes", rejection.Reason, StringComparison.Ordinal);
        var stored = server.Log.Read("ticks", LocalEventLog.PartitionFor("AAPL", 4), 0, 10).Events;
        Assert.Equal(["before", "after"], stored.Select(e => Encoding.UTF8.GetString(e.Body.Span)).ToArray());
    }

    [Fact]
    public async Task SendAsync_BinaryBody_StoredAsTheSameBytes()
    {
        await using var server = await StandInServer.StartAsync();
        byte[] body = [0, 1, 2, 0xFE, 0xFF, (byte)'"', (byte)'\\'];
        await server.Publisher().SendToPartitionAsync([new EventData(body)], "1", Token);
        Assert.Equal(body, Assert.Single(server.Log.Read("ticks", 1, 0, 10).Events).Body.ToArray());
    }

    [Fact]
    public async Task SendAsync_WrongKey_Unauthorized()
    {
        await using var server = await StandInServer.StartAsync();
        var forged = server.Connection with { SharedAccessKey = "not-the-key-of-this-run" };
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => server.Publisher(connection: forged).SendAsync([new EventData("a")], null, Token));

        Assert.Equal(401, error.Status);
        Assert.Equal("InvalidSignature", error.ErrorCode);
        Assert.Contains("The token has an invalid signature", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Connection.SharedAccessKey!, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.StandIn.RequestCount);
        Assert.Equal(0, server.StandIn.AcceptedEventCount);
    }

    [Fact]
    public async Task SendAsync_ExpiredToken_Unauthorized()
    {
        await using var server = await StandInServer.StartAsync();
        var pastClock = new ManualClock(DateTimeOffset.UtcNow.AddHours(-2));
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => server.Publisher(configure: o => o.Client.Clock = pastClock).SendAsync([new EventData("a")], null, Token));

        Assert.Equal(401, error.Status);
        Assert.Equal("ExpiredToken", error.ErrorCode);
        Assert.Contains("The token is expired", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_TokenForAnotherHub_Unauthorized()
    {
        await using var server = await StandInServer.StartAsync(o => o.Log.Hubs["orders"] = 2);
        var otherHub = server.Token("orders");
        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => server.Publisher(configure: o => o.Client.AddPolicy(new SetAuthorizationPolicy(otherHub), HttpPipelinePosition.PerRetry)).SendAsync([new EventData("a")], null, Token));

        Assert.Equal(401, error.Status);
        Assert.Equal("InvalidAudience", error.ErrorCode);
        await server.Publisher("orders").SendAsync([new EventData("a")], null, Token); // the same key is fine for its own hub
        Assert.Equal(1, server.StandIn.AcceptedEventCount);
    }

    [Fact]
    public async Task SendAsync_NamespaceToken_CoversEveryHubAndPartition()
    {
        await using var server = await StandInServer.StartAsync();
        var namespaceToken = EventHubsSas.CreateToken(server.StandIn.BaseAddress.AbsoluteUri, server.Connection.SharedAccessKeyName!, server.Connection.SharedAccessKey!, DateTimeOffset.UtcNow.AddMinutes(5));
        var publisher = server.Publisher(configure: o => o.Client.AddPolicy(new SetAuthorizationPolicy(namespaceToken), HttpPipelinePosition.PerRetry));
        await publisher.SendAsync([new EventData("a")], "k", Token);
        await publisher.SendToPartitionAsync([new EventData("b")], "3", Token);
        Assert.Equal(2, server.StandIn.AcceptedEventCount);
    }

    [Fact]
    public async Task SendAsync_LongRun_RenewsTheTokenBeforeItExpires()
    {
        await using var server = await StandInServer.StartAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var capture = new CaptureAuthorizationPolicy();
        var publisher = server.Publisher(configure: o =>
        {
            o.Client.Clock = clock;
            o.Client.AddPolicy(capture, HttpPipelinePosition.PerRetry);
        });
        await publisher.SendAsync([new EventData("a")], null, Token);
        clock.Advance(TimeSpan.FromMinutes(30));
        await publisher.SendAsync([new EventData("b")], null, Token);
        clock.Advance(TimeSpan.FromMinutes(26));
        await publisher.SendAsync([new EventData("c")], null, Token);

        Assert.Equal(3, capture.Values.Count);
        Assert.Equal(capture.Values[0], capture.Values[1]);
        Assert.NotEqual(capture.Values[1], capture.Values[2]);
        Assert.Equal(3, server.StandIn.AcceptedEventCount);
    }

    [Fact]
    public async Task SendAsync_UnknownHub_NotFound()
    {
        await using var server = await StandInServer.StartAsync();
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => server.Publisher("orders").SendAsync([new EventData("a")], null, Token));
        Assert.Equal(404, error.Status);
        Assert.Contains("'sb://sigmaflow-local/orders' could not be found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendToPartitionAsync_UnknownPartition_NotFound()
    {
        await using var server = await StandInServer.StartAsync();
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => server.Publisher().SendToPartitionAsync([new EventData("a")], "7", Token));
        Assert.Equal(404, error.Status);
        Assert.Contains("partitions 0 to 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_MalformedJson_BadRequestAndTheServerKeepsServing()
    {
        await using var server = await StandInServer.StartAsync();
        using var bad = await PostAsync(server, "ticks/messages", "[{\"Body\":\"a\"},", StandInRequestReader.BatchContentType);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var text = await bad.Content.ReadAsStringAsync(Token);
        Assert.StartsWith("<Error><Code>400</Code><Detail>MalformedJson:", text, StringComparison.Ordinal);

        using var noBody = await PostAsync(server, "ticks/messages", "[{\"UserProperties\":{}}]", StandInRequestReader.BatchContentType);
        Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);
        Assert.Contains("event 0: 'Body' is required", await noBody.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);

        using var nested = await PostAsync(server, "ticks/messages", "[{\"Body\":\"a\"},{\"Body\":\"b\",\"UserProperties\":{\"x\":{\"y\":1}}}]", StandInRequestReader.BatchContentType);
        Assert.Contains("event 1: user property 'x'", await nested.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);

        await server.Publisher().SendAsync([new EventData("still serving")], null, Token);
        Assert.Equal(1, server.StandIn.AcceptedEventCount);
    }

    [Fact]
    public async Task Post_BodyOverTheLimit_PayloadTooLargeAndTheServerKeepsServing()
    {
        await using var server = await StandInServer.StartAsync();
        using var tooLarge = await PostAsync(server, "ticks/messages", new string('x', (1024 * 1024) + 1), "text/plain");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Contains("limit of 1048576 bytes", await tooLarge.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);

        using var ok = await PostAsync(server, "ticks/messages", "fits", "text/plain");
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        Assert.Equal(1, server.StandIn.AcceptedEventCount);
    }

    [Fact]
    public async Task Post_SingleEvent_KeyFromBrokerPropertiesAndPropertiesFromHeaders()
    {
        await using var server = await StandInServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "ticks/messages?timeout=60&api-version=2014-01")
        {
            Content = new StringContent("{ \"DeviceId\":\"dev-01\", \"Temperature\":\"37.0\" }", Encoding.UTF8, "application/atom+xml"),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/atom+xml;type=entry;charset=utf-8");
        request.Headers.TryAddWithoutValidation("Authorization", server.Token());
        request.Headers.TryAddWithoutValidation("BrokerProperties", "{\"PartitionKey\":\"AAPL\"}");
        request.Headers.TryAddWithoutValidation("Alert", "\"Strong Wind\"");
        request.Headers.TryAddWithoutValidation("Priority", "High");
        using var response = await server.Http.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var stored = Assert.Single(server.Log.Read("ticks", 3, 0, 10).Events);
        Assert.Equal("AAPL", stored.PartitionKey);
        Assert.Equal("{ \"DeviceId\":\"dev-01\", \"Temperature\":\"37.0\" }", Encoding.UTF8.GetString(stored.Body.Span));
        Assert.Equal(new Dictionary<string, object> { ["Alert"] = "Strong Wind", ["Priority"] = "High" }, stored.Properties);
    }

    [Fact]
    public async Task Post_ItemKeyDiffersFromHeaderKey_BadRequest()
    {
        await using var server = await StandInServer.StartAsync();
        using var response = await PostAsync(
            server,
            "ticks/messages",
            "[{\"Body\":\"a\",\"BrokerProperties\":{\"PartitionKey\":\"MSFT\"}}]",
            StandInRequestReader.BatchContentType,
            ("BrokerProperties", "{\"PartitionKey\":\"AAPL\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("differs from the BrokerProperties header's 'AAPL'", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.Equal(0, server.StandIn.AcceptedEventCount);
    }

    [Theory]
    [InlineData(null, "MissingToken")]
    [InlineData("Bearer eyJ0eXAiOiJKV1QifQ.e30.sig", "MalformedToken")]
    [InlineData("SharedAccessSignature sr=x&sig=y", "MalformedToken")]
    [InlineData("SharedAccessSignature sr=http%3A%2F%2F127.0.0.1%2Fticks&sig=AAAA&se=4102444800&skn=RootManageSharedAccessKey", "InvalidSignature")]
    public async Task Post_BadAuthorization_UnauthorizedWithTheServiceShape(string? authorization, string code)
    {
        await using var server = await StandInServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "ticks/messages") { Content = new StringContent("a") };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await server.Http.SendAsync(request, Token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith($"<Error><Code>401</Code><Detail>{code}:", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnknownPath_NotFoundWithTheServiceShape()
    {
        await using var server = await StandInServer.StartAsync();
        using var response = await server.Http.GetAsync(new Uri("nothing/here", UriKind.Relative), Token);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("serves only POST /{hub}/messages", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_SendRoute_RefusedAndTheServerKeepsServing()
    {
        await using var server = await StandInServer.StartAsync();
        using var response = await server.Http.GetAsync(new Uri("ticks/messages", UriKind.Relative), Token);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("<Error><Code>404</Code><Detail>EndpointNotFound:", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        await server.Publisher().SendAsync([new EventData("a")], null, Token);
        Assert.Equal(1, server.StandIn.AcceptedEventCount);
    }

    [Fact]
    public async Task Post_BodyOverKestrelsCap_PayloadTooLargeAndTheServerKeepsServing()
    {
        await using var server = await StandInServer.StartAsync();
        using var huge = await PostAsync(server, "ticks/messages", new string('x', 17 * 1024 * 1024), "text/plain");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        using var ok = await PostAsync(server, "ticks/messages", "fits", "text/plain");
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
    }

    [Fact]
    public async Task SendAsync_PastTheRetention_OldestDroppedAndReaderLearnsFirstAvailable()
    {
        await using var server = await StandInServer.StartAsync(o => o.Log.MaxEventsPerPartition = 5);
        await server.Publisher().SendAsync(Enumerable.Range(0, 8).Select(i => new EventData($"{i}")).ToList(), "BTCUSD", Token);

        var batch = server.Log.Read("ticks", LocalEventLog.PartitionFor("BTCUSD", 4), 0, 100);
        Assert.Equal(3, batch.FirstAvailableSequenceNumber);
        Assert.Equal(3, batch.Missed);
        Assert.Equal(["3", "4", "5", "6", "7"], batch.Events.Select(e => Encoding.UTF8.GetString(e.Body.Span)).ToArray());
    }

    [Fact]
    public async Task WaitForEventsAsync_ReaderWaiting_WakesWhenAClientSends()
    {
        await using var server = await StandInServer.StartAsync();
        var partition = LocalEventLog.PartitionFor("SOLUSD", 4);
        var wait = server.Log.WaitForEventsAsync("ticks", partition, -1, Token);
        Assert.False(wait.IsCompleted);

        await server.Publisher().SendAsync([new EventData("tick")], "SOLUSD", Token);
        Assert.Equal(0, await wait.WaitAsync(TimeSpan.FromSeconds(10), Token));
    }

    [Fact]
    public async Task Create_LogBuiltFromOtherOptions_Throws()
    {
        var options = new EventHubsStandInOptions { Url = "http://127.0.0.1:0" };
        options.Log.Hubs["orders"] = 2;
        var error = Assert.Throws<ArgumentException>(() => EventHubsStandIn.Create(options, new LocalEventLog()));
        Assert.Contains("options.Log configures orders=2, ticks=4", error.Message, StringComparison.Ordinal);

        await using var app = EventHubsStandIn.Create(new EventHubsStandInOptions { Url = "http://127.0.0.1:0" }, new LocalEventLog());
        Assert.Throws<InvalidOperationException>(() => EventHubsStandIn.From(app).ConnectionString);
    }

    [Theory]
    [InlineData("https://127.0.0.1:0", null, "Url")]
    [InlineData("http://127.0.0.1:0/path", null, "Url")]
    [InlineData("http://127.0.0.1:0", "short", "SharedAccessKey")]
    [InlineData("http://127.0.0.1:0", "has;semicolon", "SharedAccessKey")]
    public void Create_BadOptions_NameTheSetting(string url, string? key, string setting)
    {
        var options = new EventHubsStandInOptions { Url = url, SharedAccessKey = key };
        var error = Assert.Throws<ArgumentException>(() => EventHubsStandIn.Create(options, new LocalEventLog()));
        Assert.Equal(setting, error.ParamName);
        if (key is not null)
        {
            Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ConnectionString_AfterStart_IsTheDevelopmentFormWithAFreshKeyPerRun()
    {
        await using var first = await StandInServer.StartAsync();
        await using var second = await StandInServer.StartAsync();
        Assert.Matches(@"^Endpoint=sb://127\.0\.0\.1:\d+/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=[A-Za-z0-9+/=]{44};UseDevelopmentEmulator=true$", first.StandIn.ConnectionString);
        Assert.NotEqual(first.Connection.SharedAccessKey, second.Connection.SharedAccessKey);
        Assert.NotEqual(0, first.StandIn.BaseAddress.Port);

        await using var given = await StandInServer.StartAsync(o => o.SharedAccessKey = "a-key-chosen-by-config");
        Assert.Equal("a-key-chosen-by-config", given.Connection.SharedAccessKey);
    }

    [Fact]
    public async Task TestHook_PinsTheEnqueuedTime_UntilDeleted_AndIsAbsentByDefault()
    {
        await using var server = await StandInServer.StartAsync(o => o.EnableTestHooks = true);
        var publisher = server.Publisher();
        var pinned = new DateTimeOffset(2026, 1, 5, 0, 1, 0, TimeSpan.Zero);

        using (var response = await server.Http.PutAsync(new Uri("/_test/enqueued-time?time=2026-01-05T00:01:00Z", UriKind.Relative), null, Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        await publisher.SendToPartitionAsync([new EventData("a")], "0", Token);
        using (var response = await server.Http.PutAsync(new Uri("/_test/enqueued-time?time=" + pinned.AddSeconds(30).ToUnixTimeMilliseconds(), UriKind.Relative), null, Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        await publisher.SendToPartitionAsync([new EventData("b")], "0", Token);
        using (var response = await server.Http.DeleteAsync(new Uri("/_test/enqueued-time", UriKind.Relative), Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var before = DateTimeOffset.UtcNow;
        await publisher.SendToPartitionAsync([new EventData("c")], "0", Token);
        var stored = server.Log.Read("ticks", 0, 0, 10).Events;
        Assert.Equal(pinned, stored[0].EnqueuedTime);
        Assert.Equal(pinned.AddSeconds(30), stored[1].EnqueuedTime);
        Assert.True(stored[2].EnqueuedTime >= before, "unpinned: the clock again");

        using (var response = await server.Http.PutAsync(new Uri("/_test/enqueued-time?time=yesterday", UriKind.Relative), null, Token))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync(Token);
            Assert.Contains("'time' must be an ISO 8601 time or Unix milliseconds", body, StringComparison.Ordinal);
            Assert.Contains("got 'yesterday'", body, StringComparison.Ordinal);
        }

        await using var plain = await StandInServer.StartAsync();
        using (var response = await plain.Http.PutAsync(new Uri("/_test/enqueued-time?time=0", UriKind.Relative), null, Token))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    private static async Task<HttpResponseMessage> PostAsync(StandInServer server, string path, string body, string contentType, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("Authorization", server.Token());
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await server.Http.SendAsync(request, Token);
    }
}
