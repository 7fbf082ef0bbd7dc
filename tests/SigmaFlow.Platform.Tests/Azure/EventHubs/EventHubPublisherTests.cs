using System.Net;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using SigmaFlow.Platform.Azure;
using SigmaFlow.Platform.Azure.EventHubs;

namespace SigmaFlow.Platform.Tests.Azure.EventHubs;

/// <summary>
/// What the publisher puts on the wire (URL, headers, body) and how it reads the service's errors, seen through a
/// recording HTTP handler. End-to-end sends against the local stand-in live in SigmaFlow.Functions.Tests (Local/EventHubs).
/// </summary>
public sealed class EventHubPublisherTests
{
    private const string Key = "c2lnbWFmbG93LXRlc3Qta2V5LW5vdC1hLXNlY3JldA==";
    private const string ConnectionString = $"Endpoint=sb://sigmaflow.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={Key};EntityPath=ticks";

    [Fact]
    public async Task SendAsync_PartitionKey_PostsTheBatchFormatWithHeaderAndItemKeys()
    {
        var handler = new RecordingHandler();
        var publisher = new EventHubPublisher(ConnectionString, options: Options(handler));
        var result = await publisher.SendAsync([new EventData("{\"px\":1}"), new EventData("{\"px\":2}")], "BTCUSD", TestContext.Current.CancellationToken);

        Assert.Equal([0, 1], result.Sent);
        Assert.True(result.AllSent);
        Assert.Equal(1, result.Requests);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri("https://sigmaflow.servicebus.windows.net/ticks/messages?timeout=60&api-version=2014-01"), request.Uri);
        Assert.Equal("application/vnd.microsoft.servicebus.json", request.Headers["Content-Type"]);
        Assert.Equal("{\"PartitionKey\":\"BTCUSD\"}", request.Headers["BrokerProperties"]);
        Assert.StartsWith("SharedAccessSignature sr=https%3a%2f%2fsigmaflow.servicebus.windows.net%2fticks&sig=", request.Headers["Authorization"], StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("&skn=RootManageSharedAccessKey", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal("[{\"Body\":\"{\\\"px\\\":1}\",\"BrokerProperties\":{\"PartitionKey\":\"BTCUSD\"}},{\"Body\":\"{\\\"px\\\":2}\",\"BrokerProperties\":{\"PartitionKey\":\"BTCUSD\"}}]", Encoding.UTF8.GetString(request.Body));
    }

    [Fact]
    public async Task SendToPartitionAsync_PartitionId_PostsToThePartitionPathWithoutKey()
    {
        var handler = new RecordingHandler();
        var publisher = new EventHubPublisher(ConnectionString, options: Options(handler));
        await publisher.SendToPartitionAsync([new EventData("a")], "2", TestContext.Current.CancellationToken);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(new Uri("https://sigmaflow.servicebus.windows.net/ticks/partitions/2/messages?timeout=60&api-version=2014-01"), request.Uri);
        Assert.False(request.Headers.ContainsKey("BrokerProperties"));
        Assert.Equal("[{\"Body\":\"a\"}]", Encoding.UTF8.GetString(request.Body));
    }

    [Fact]
    public async Task SendAsync_OverTheLimit_SplitsIntoRequestsUnderIt()
    {
        var handler = new RecordingHandler();
        var options = Options(handler);
        options.MaxRequestBytes = 1024;
        var publisher = new EventHubPublisher(ConnectionString, options: options);
        var events = Enumerable.Range(0, 50).Select(i => new EventData($"{{\"seq\":{i},\"pad\":\"{new string('p', 60)}\"}}")).ToList();
        var result = await publisher.SendAsync(events, "ETHUSD", TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, 50), result.Sent);
        Assert.Equal(handler.Requests.Count, result.Requests);
        Assert.True(handler.Requests.Count > 1);
        Assert.All(handler.Requests, r => Assert.True(r.Body.Length <= 1024, $"{r.Body.Length} bytes"));
        var bodies = handler.Requests.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.EnumerateArray().Select(e => e.GetProperty("Body").GetString())).ToList();
        Assert.Equal(events.Select(e => e.Text), bodies);
    }

    [Fact]
    public async Task SendAsync_ServiceRefuses_ThrowsWithStatusCodeAndDetailButNoSecret()
    {
        var handler = new RecordingHandler
        {
            Respond = _ => new HttpResponseMessage(HttpStatusCode.Unauthorized)
            {
                Content = new StringContent("<Error><Code>401</Code><Detail>InvalidSignature: The token has an invalid signature. TrackingId:1, SystemTracker:x, Timestamp:y</Detail></Error>", Encoding.UTF8, "application/xml"),
            },
        };
        var publisher = new EventHubPublisher(ConnectionString, options: Options(handler));
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => publisher.SendAsync([new EventData("a")], null, TestContext.Current.CancellationToken));

        Assert.Equal(401, error.Status);
        Assert.Equal("InvalidSignature", error.ErrorCode);
        Assert.Contains("event hub 'ticks'", error.Message, StringComparison.Ordinal);
        Assert.Contains("The token has an invalid signature", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", error.Message, StringComparison.Ordinal);
        Assert.Single(handler.Requests); // 401 is not retried
    }

    [Fact]
    public async Task SendAsync_SecondRequestFails_MessageSaysHowManyWereSent()
    {
        var calls = 0;
        var handler = new RecordingHandler
        {
            Respond = _ => ++calls == 1 ? new HttpResponseMessage(HttpStatusCode.Created) : new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("<Error><Code>404</Code><Detail>The messaging entity could not be found.</Detail></Error>") },
        };
        var options = Options(handler);
        options.MaxRequestBytes = 128;
        var publisher = new EventHubPublisher(ConnectionString, options: options);
        var events = Enumerable.Range(0, 10).Select(i => new EventData(new string('z', 40))).ToList();
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => publisher.SendAsync(events, null, TestContext.Current.CancellationToken));

        Assert.Equal(404, error.Status);
        Assert.Matches(@"\(2 of 10 events had been sent", error.Message);
    }

    [Fact]
    public async Task SendAsync_Throttled_RetriesAndSucceeds()
    {
        var calls = 0;
        var handler = new RecordingHandler { Respond = _ => ++calls < 3 ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) : new HttpResponseMessage(HttpStatusCode.Created) };
        var publisher = new EventHubPublisher(ConnectionString, options: Options(handler));
        var result = await publisher.SendAsync([new EventData("a")], null, TestContext.Current.CancellationToken);

        Assert.True(result.AllSent);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal(1, result.Requests);
    }

    [Fact]
    public async Task SendAsync_EntraCredential_SendsBearerToken()
    {
        var handler = new RecordingHandler();
        var connection = EventHubsConnection.ForIdentity("sigmaflow.servicebus.windows.net", "ticks", new FixedCredential());
        var publisher = new EventHubPublisher(connection, Options(handler));
        await publisher.SendAsync([new EventData("a")], null, TestContext.Current.CancellationToken);

        Assert.Equal("Bearer entra-token-for-https://eventhubs.azure.net/.default", Assert.Single(handler.Requests).Headers["Authorization"]);
    }

    [Fact]
    public async Task SendAsync_EmptyList_SendsNothing()
    {
        var handler = new RecordingHandler();
        var publisher = new EventHubPublisher(ConnectionString, options: Options(handler));
        var result = await publisher.SendAsync([], null, TestContext.Current.CancellationToken);
        Assert.Empty(result.Sent);
        Assert.Equal(0, result.Requests);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public void SendAsync_BadArguments_NameTheRule()
    {
        var publisher = new EventHubPublisher(ConnectionString, options: Options(new RecordingHandler()));
        var nullEvent = Assert.Throws<ArgumentException>(() => { _ = publisher.SendAsync([new EventData("a"), null!], null, TestContext.Current.CancellationToken); });
        Assert.Contains("event 1 is null", nullEvent.Message, StringComparison.Ordinal);
        var blankKey = Assert.Throws<ArgumentException>(() => { _ = publisher.SendAsync([new EventData("a")], " ", TestContext.Current.CancellationToken); });
        Assert.Equal("partitionKey", blankKey.ParamName);
    }

    [Fact]
    public void Constructor_NoHub_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new EventHubPublisher($"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey={Key}"));
        Assert.Contains("names no event hub", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10, 60, 5, "MaxRequestBytes")]
    [InlineData(1024, 0, 0, "SasTokenLifetime")]
    [InlineData(1024, 60, 60, "SasTokenRenewalMargin")]
    public void Options_OutOfRange_NameTheSetting(int maxBytes, int lifetimeMinutes, int marginMinutes, string setting)
    {
        var options = new EventHubPublisherOptions { MaxRequestBytes = maxBytes, SasTokenLifetime = TimeSpan.FromMinutes(lifetimeMinutes), SasTokenRenewalMargin = TimeSpan.FromMinutes(marginMinutes) };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(setting, error.ParamName);
    }

    private static EventHubPublisherOptions Options(RecordingHandler handler)
    {
        var client = new AzureClientOptions { Transport = new HttpClientTransport(new HttpClient(handler)) };
        client.Retry.Delay = TimeSpan.FromMilliseconds(1);
        client.Retry.MaxDelay = TimeSpan.FromMilliseconds(5);
        return new EventHubPublisherOptions { Client = client };
    }

    private sealed record Recorded(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, byte[] Body);

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<Recorded> Requests { get; } = [];

        public Func<HttpRequestMessage, HttpResponseMessage> Respond { get; init; } = _ => new HttpResponseMessage(HttpStatusCode.Created);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in request.Headers)
            {
                headers[name] = string.Join(",", values);
            }

            byte[] body = [];
            if (request.Content is not null)
            {
                foreach (var (name, values) in request.Content.Headers)
                {
                    headers[name] = string.Join(",", values);
                }

                body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
            }

            Requests.Add(new Recorded(request.Method, request.RequestUri!, headers, body));
            return Respond(request);
        }
    }

    private sealed class FixedCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("entra-token-for-" + string.Join(" ", requestContext.Scopes), DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
