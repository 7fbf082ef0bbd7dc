using System.Text;
using Azure;
using Azure.Core.Pipeline;
using SigmaFlow.Platform.Azure;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Platform.Tests.Azure.WebPubSub;

/// <summary>The REST client against a real local HTTP server: URLs, content types, signatures, errors, client URLs.</summary>
public sealed class WebPubSubServiceClientTests : IAsyncLifetime
{
    private const string Key = "local-test-key-0123456789";
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);
    private readonly WebPubSubTestServer server = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => server.DisposeAsync();

    private WebPubSubServiceClient Client(string hub = "market", int retries = 5) =>
        new(WebPubSubConnection.Parse($"Endpoint={server.BaseAddress};AccessKey={Key};Version=1.0;"), hub, Options(retries));

    private static AzureClientOptions Options(int retries = 5)
    {
        var options = new AzureClientOptions { Clock = new FixedClock(Now) };
        options.Retry.MaxRetries = retries;
        return options;
    }

    private void AssertSignedFor(RecordedRequest request)
    {
        var audience = server.BaseAddress + request.Path;
        var result = Hs256Jwt.Validate(request.BearerToken!, Key, [audience], Now);
        Assert.True(result.IsValid, result.Error);
        Assert.Equal(audience, result.Claims!.Audience);
        Assert.Equal(Now.AddHours(1), result.Claims.ExpiresAt);
        Assert.Equal(Now, result.Claims.IssuedAt);
    }

    [Fact]
    public async Task SendToGroupAsync_Json_PostsBodyTypeVersionAndTokenForTheUrl()
    {
        await Client().SendToGroupAsync("bars.BTCUSD", BinaryData.FromString("{\"close\":65000.5}"), WebPubSubContentType.Json, cancellationToken: Token);
        var request = server.Single;
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/hubs/market/groups/bars.BTCUSD/:send?api-version=2024-12-01", request.RawUrl);
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        Assert.Equal("{\"close\":65000.5}", Encoding.UTF8.GetString(request.Body));
        AssertSignedFor(request);
    }

    [Theory]
    [InlineData(WebPubSubContentType.Text, "text/plain", "hello")]
    [InlineData(WebPubSubContentType.Binary, "application/octet-stream", "\u0001\u0002")]
    [InlineData(WebPubSubContentType.Json, "application/json", "\"a string\"")]
    public async Task SendToAllAsync_ContentType_SetsTheMediaType(WebPubSubContentType type, string mediaType, string body)
    {
        await Client().SendToAllAsync(BinaryData.FromString(body), type, cancellationToken: Token);
        var request = server.Single;
        Assert.Equal("/api/hubs/market/:send?api-version=2024-12-01", request.RawUrl);
        Assert.Equal(mediaType, request.Headers["Content-Type"]);
        Assert.Equal(body, Encoding.UTF8.GetString(request.Body));
        AssertSignedFor(request);
    }

    [Fact]
    public async Task SendToAllAsync_Excluded_AddsOneParameterEachAndSignsWithoutQuery()
    {
        await Client().SendToAllAsync(BinaryData.FromString("x"), WebPubSubContentType.Text, ["c1", "c 2"], Token);
        var request = server.Single;
        Assert.Equal([("api-version", "2024-12-01"), ("excluded", "c1"), ("excluded", "c 2")], request.Query);
        AssertSignedFor(request);
    }

    [Fact]
    public async Task SendToUserAndConnection_EscapeIdsInThePathAndSignTheEscapedUrl()
    {
        var client = Client();
        await client.SendToUserAsync("user one/ü", BinaryData.FromString("t"), WebPubSubContentType.Text, Token);
        await client.SendToConnectionAsync("conn+1", BinaryData.FromBytes(new byte[] { 0, 255 }), WebPubSubContentType.Binary, Token);
        await client.SendToGroupAsync("a b/c", BinaryData.FromString("1"), WebPubSubContentType.Json, ["x"], Token);
        var requests = server.Requests.ToArray();
        Assert.Equal("/api/hubs/market/users/user%20one%2F%C3%BC/:send", requests[0].Path);
        Assert.Equal("/api/hubs/market/connections/conn%2B1/:send", requests[1].Path);
        Assert.Equal([0, 255], requests[1].Body);
        Assert.Equal("/api/hubs/market/groups/a%20b%2Fc/:send", requests[2].Path);
        foreach (var request in requests)
        {
            AssertSignedFor(request);
        }
    }

    [Fact]
    public async Task Membership_PutsAndDeletesTheDocumentedPaths()
    {
        var client = Client();
        await client.AddConnectionToGroupAsync("signals", "c1", Token);
        await client.RemoveConnectionFromGroupAsync("signals", "c1", Token);
        await client.AddUserToGroupAsync("signals", "u1", Token);
        await client.RemoveUserFromGroupAsync("signals", "u1", Token);
        await client.CloseConnectionAsync("c1", "maintenance window", Token);
        var seen = server.Requests.Select(r => $"{r.Method} {r.RawUrl}").ToArray();
        Assert.Equal(
            [
                "PUT /api/hubs/market/groups/signals/connections/c1?api-version=2024-12-01",
                "DELETE /api/hubs/market/groups/signals/connections/c1?api-version=2024-12-01",
                "PUT /api/hubs/market/users/u1/groups/signals?api-version=2024-12-01",
                "DELETE /api/hubs/market/users/u1/groups/signals?api-version=2024-12-01",
                "DELETE /api/hubs/market/connections/c1?api-version=2024-12-01&reason=maintenance%20window",
            ],
            seen);
        foreach (var request in server.Requests)
        {
            AssertSignedFor(request);
        }
    }

    [Fact]
    public async Task SendToGroupAsync_ServiceRefuses_ThrowsNamingOperationStatusAndServiceMessage()
    {
        server.Respond = _ => (400, "{\"code\":\"InvalidGroup\",\"message\":\"Group name is too funny.\"}");
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => Client().SendToGroupAsync("signals", BinaryData.FromString("x"), WebPubSubContentType.Text, cancellationToken: Token));
        Assert.Equal(400, e.Status);
        Assert.Equal("InvalidGroup", e.ErrorCode);
        Assert.Equal("Send to group 'signals' of hub 'market' failed: HTTP 400 InvalidGroup: Group name is too funny.", e.Message);
        Assert.DoesNotContain(server.Single.BearerToken!, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Key, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddUserToGroupAsync_Unauthorized_AddsTheKeyHint()
    {
        server.Respond = _ => (401, null);
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => Client().AddUserToGroupAsync("signals", "u1", Token));
        Assert.Equal(401, e.Status);
        Assert.StartsWith("Add user 'u1' to group 'signals' of hub 'market' failed: HTTP 401", e.Message, StringComparison.Ordinal);
        Assert.Contains("AccessKey", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendToAllAsync_NothingListening_ThrowsStatusZeroNamingTheEndpoint()
    {
        var port = server.Port;
        await server.DisposeAsync();
        var client = new WebPubSubServiceClient(WebPubSubConnection.Parse($"Endpoint=http://127.0.0.1:{port};AccessKey=k"), "market", Options(retries: 0));
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => client.SendToAllAsync(BinaryData.FromString("x"), WebPubSubContentType.Text, cancellationToken: Token));
        Assert.Equal(0, e.Status);
        Assert.Contains($"http://127.0.0.1:{port} could not be reached", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetClientAccessUriAsync_AccessKeyOverHttp_MintsWsUrlWithClaims()
    {
        var uri = await Client().GetClientAccessUriAsync("trader-1", ["webpubsub.joinLeaveGroup"], ["signals", "bars.BTCUSD"], TimeSpan.FromMinutes(10), Token);
        Assert.Equal("ws", uri.Scheme);
        Assert.Equal($"ws://127.0.0.1:{server.Port}/client/hubs/market", uri.GetLeftPart(UriPartial.Path));
        Assert.StartsWith("?access_token=", uri.Query, StringComparison.Ordinal);
        var token = Uri.UnescapeDataString(uri.Query["?access_token=".Length..]);
        var result = Hs256Jwt.Validate(token, Key, [$"{server.BaseAddress}/client/hubs/market"], Now);
        Assert.True(result.IsValid, result.Error);
        Assert.Equal("trader-1", result.Claims!.UserId);
        Assert.Equal(["webpubsub.joinLeaveGroup"], result.Claims.Roles);
        Assert.Equal(["signals", "bars.BTCUSD"], result.Claims.Groups);
        Assert.Equal(Now.AddMinutes(10), result.Claims.ExpiresAt);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task GetClientAccessUriAsync_HttpsEndpoint_UsesWssAndDefaultHour()
    {
        var client = new WebPubSubServiceClient(WebPubSubConnection.Parse("Endpoint=https://sigmaflow.webpubsub.azure.com;AccessKey=k;Version=1.0;"), "market", Options());
        var uri = await client.GetClientAccessUriAsync(cancellationToken: Token);
        Assert.Equal("wss://sigmaflow.webpubsub.azure.com/client/hubs/market", uri.GetLeftPart(UriPartial.Path));
        var token = uri.Query["?access_token=".Length..];
        var claims = Hs256Jwt.Validate(token, "k", ["https://sigmaflow.webpubsub.azure.com/client/hubs/market"], Now).Claims!;
        Assert.Null(claims.UserId);
        Assert.Empty(claims.Roles);
        Assert.Equal(Now.AddHours(1), claims.ExpiresAt);
    }

    [Fact]
    public async Task GetClientAccessUriAsync_Entra_AsksTheServiceForTheToken()
    {
        server.Respond = _ => (200, "{\"token\":\"service.minted.token\"}");
        var credential = new FixedTokenCredential("entra-access-token");
        var options = Options();
        options.Transport = new HttpClientTransport(new HttpClient(new HttpsToHttpHandler()));
        var client = new WebPubSubServiceClient(new WebPubSubConnection(new Uri($"https://127.0.0.1:{server.Port}"), credential), "market", options);
        var uri = await client.GetClientAccessUriAsync("u1", ["webpubsub.sendToGroup.signals", "webpubsub.joinLeaveGroup"], ["signals"], TimeSpan.FromSeconds(90), Token);
        Assert.Equal(new Uri($"wss://127.0.0.1:{server.Port}/client/hubs/market?access_token=service.minted.token"), uri);
        var request = server.Single;
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/hubs/market/:generateToken", request.Path);
        Assert.Equal(
            [("api-version", "2024-12-01"), ("userId", "u1"), ("role", "webpubsub.sendToGroup.signals"), ("role", "webpubsub.joinLeaveGroup"), ("group", "signals"), ("minutesToExpire", "2")],
            request.Query);
        Assert.Equal("entra-access-token", request.BearerToken);
        Assert.Equal(WebPubSubServiceClient.EntraScope, Assert.Single(credential.Scopes.Distinct()));
    }

    [Fact]
    public async Task GetClientAccessUriAsync_EntraAnswerWithoutToken_Throws()
    {
        server.Respond = _ => (200, "{\"nope\":1}");
        var options = Options();
        options.Transport = new HttpClientTransport(new HttpClient(new HttpsToHttpHandler()));
        var client = new WebPubSubServiceClient(new WebPubSubConnection(new Uri($"https://127.0.0.1:{server.Port}"), new FixedTokenCredential("t")), "market", options);
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetClientAccessUriAsync(cancellationToken: Token));
        Assert.Contains("Generate client token for hub 'market'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1market")]
    [InlineData("")]
    [InlineData("market/x")]
    [InlineData("market\n")]
    public void Constructor_InvalidHub_ThrowsNamingRuleAndValue(string hub)
    {
        var e = Assert.Throws<ArgumentException>(() => Client(hub));
        Assert.Equal("hub", e.ParamName);
        Assert.Contains("must start with a letter", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_LongestValidHub_IsAccepted()
    {
        var hub = "h" + new string('_', 127) ;
        Assert.Equal(hub, Client(hub).Hub);
        Assert.Equal("a`,.[]9", Client("a`,.[]9").Hub);
    }

    [Fact]
    public async Task Guards_BadGroupJsonAndLifetime_ThrowBeforeSending()
    {
        var client = Client();
        var group = await Assert.ThrowsAsync<ArgumentException>(() => client.SendToGroupAsync(new string('g', 1025), BinaryData.FromString("x"), WebPubSubContentType.Text, cancellationToken: Token));
        Assert.Contains("1 to 1024 characters; got 1025", group.Message, StringComparison.Ordinal);
        var json = await Assert.ThrowsAsync<ArgumentException>(() => client.SendToAllAsync(BinaryData.FromString("{not json"), WebPubSubContentType.Json, cancellationToken: Token));
        Assert.Equal("content", json.ParamName);
        var two = await Assert.ThrowsAsync<ArgumentException>(() => client.SendToAllAsync(BinaryData.FromString("1 2"), WebPubSubContentType.Json, cancellationToken: Token));
        Assert.Contains("after a single JSON value", two.Message, StringComparison.Ordinal);
        var lifetime = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetClientAccessUriAsync(expiresAfter: TimeSpan.Zero, cancellationToken: Token));
        Assert.Equal("expiresAfter", lifetime.ParamName);
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetClientAccessUriAsync(groups: [string.Empty], cancellationToken: Token));
        Assert.Empty(server.Requests);
    }
}
