using System.Net;
using System.Text;
using SigmaFlow.Functions.Local.WebPubSub;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Functions.Tests.Local.WebPubSub;

/// <summary>The data-plane REST API: authorisation, validation, statuses and the token endpoint.</summary>
public sealed class WebPubSubStandInRestTests
{
    private const string Send = "/api/hubs/market/:send?api-version=2024-12-01";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static StringContent Text(string text) => new(text, Encoding.UTF8, "text/plain");

    [Fact]
    public async Task Send_SignedForTheUrl_Returns202()
    {
        await using var scope = await StandInScope.StartAsync();
        using var response = await scope.RestAsync(HttpMethod.Post, Send, Text("x"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Send_AudienceWithQueryLikeTheDotNetSdk_IsAccepted()
    {
        await using var scope = await StandInScope.StartAsync();
        var token = Hs256Jwt.Create(new WebPubSubTokenClaims { Audience = scope.BaseAddress + Send, ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(5) }, scope.AccessKey);
        using var response = await scope.RestAsync(HttpMethod.Post, Send, Text("x"), token);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    public static TheoryData<string, Func<StandInScope, string>> BadTokens => new()
    {
        { "none", _ => string.Empty },
        { "wrong key", s => Hs256Jwt.Create(new WebPubSubTokenClaims { Audience = s.BaseAddress + "/api/hubs/market/:send", ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }, "another-key-entirely") },
        { "other path", s => Hs256Jwt.Create(new WebPubSubTokenClaims { Audience = s.BaseAddress + "/api/hubs/market/groups/g/:send", ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }, s.AccessKey) },
        { "expired", s => Hs256Jwt.Create(new WebPubSubTokenClaims { Audience = s.BaseAddress + "/api/hubs/market/:send", ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-5) }, s.AccessKey) },
        { "client token", s => Hs256Jwt.Create(new WebPubSubTokenClaims { Audience = s.ClientAudience(), ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }, s.AccessKey) },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Send_BadToken_Returns401WithErrorBody(string why, Func<StandInScope, string> token)
    {
        await using var scope = await StandInScope.StartAsync();
        using var response = await scope.RestAsync(HttpMethod.Post, Send, Text("x"), token(scope));
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, why);
        Assert.Equal("Unauthorized", response.Headers.GetValues("x-ms-error-code").Single());
    }

    [Fact]
    public async Task PlatformClient_WrongKey_GetsRequestFailedException401()
    {
        await using var scope = await StandInScope.StartAsync();
        var wrong = WebPubSubConnection.Parse($"Endpoint={scope.BaseAddress};AccessKey=definitely-not-the-key;Version=1.0;");
        var options = new SigmaFlow.Platform.Azure.AzureClientOptions();
        options.Retry.MaxRetries = 0;
        var e = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => new WebPubSubServiceClient(wrong, "market", options).SendToAllAsync(BinaryData.FromString("x"), WebPubSubContentType.Text, cancellationToken: Token));
        Assert.Equal(401, e.Status);
        Assert.Contains("signature does not match", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/hubs/1bad/:send?api-version=2024-12-01", "text/plain", HttpStatusCode.BadRequest, "InvalidHub")]
    [InlineData("/api/hubs/market/:send", "text/plain", HttpStatusCode.BadRequest, "MissingApiVersion")]
    [InlineData("/api/hubs/market/:send?api-version=2024-12-01", "image/png", HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType")]
    [InlineData("/api/hubs/market/:send?api-version=2024-12-01", "application/json", HttpStatusCode.BadRequest, "InvalidJson")]
    [InlineData("/api/hubs/market/teleport?api-version=2024-12-01", "text/plain", HttpStatusCode.NotFound, "NotFound")]
    public async Task Send_InvalidRequest_ReturnsStatusAndCode(string path, string mediaType, HttpStatusCode status, string code)
    {
        await using var scope = await StandInScope.StartAsync();
        using var content = new StringContent("{not json", Encoding.UTF8, mediaType);
        using var response = await scope.RestAsync(HttpMethod.Post, path, content);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, response.Headers.GetValues("x-ms-error-code").Single());
    }

    [Fact]
    public async Task Send_GroupNameTooLong_Returns400()
    {
        await using var scope = await StandInScope.StartAsync();
        using var response = await scope.RestAsync(HttpMethod.Post, $"/api/hubs/market/groups/{new string('g', 1025)}/:send?api-version=2024-12-01", Text("x"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("InvalidGroup", response.Headers.GetValues("x-ms-error-code").Single());
    }

    [Fact]
    public async Task Send_BodyOverLimit_Returns413()
    {
        await using var scope = await StandInScope.StartAsync(o => o.MaxMessageSize = 2048);
        using var response = await scope.RestAsync(HttpMethod.Post, Send, Text(new string('a', 3000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task WrongMethod_Returns405()
    {
        await using var scope = await StandInScope.StartAsync();
        using var response = await scope.RestAsync(HttpMethod.Get, Send);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task MembershipAndClose_ReturnTheDocumentedStatuses()
    {
        await using var scope = await StandInScope.StartAsync();
        var client = await scope.ConnectAsync(userId: "u1");
        var c = client.ConnectionId;
        var calls = new (HttpMethod Method, string Path, HttpStatusCode Status)[]
        {
            (HttpMethod.Put, $"/api/hubs/market/groups/g/connections/{c}", HttpStatusCode.OK),
            (HttpMethod.Head, "/api/hubs/market/groups/g", HttpStatusCode.OK),
            (HttpMethod.Head, "/api/hubs/market/users/u1", HttpStatusCode.OK),
            (HttpMethod.Head, "/api/hubs/market/users/nobody", HttpStatusCode.NotFound),
            (HttpMethod.Delete, $"/api/hubs/market/connections/{c}/groups", HttpStatusCode.NoContent),
            (HttpMethod.Head, "/api/hubs/market/groups/g", HttpStatusCode.NotFound),
            (HttpMethod.Put, "/api/hubs/market/users/u1/groups/h", HttpStatusCode.OK),
            (HttpMethod.Delete, "/api/hubs/market/users/u1/groups", HttpStatusCode.NoContent),
            (HttpMethod.Head, "/api/hubs/market/groups/h", HttpStatusCode.NotFound),
            (HttpMethod.Head, $"/api/hubs/market/connections/{c}", HttpStatusCode.OK),
            (HttpMethod.Delete, $"/api/hubs/market/connections/{c}", HttpStatusCode.NoContent),
            (HttpMethod.Head, $"/api/hubs/market/connections/{c}", HttpStatusCode.NotFound),
        };
        foreach (var (method, path, status) in calls)
        {
            using var response = await scope.RestAsync(method, path + "?api-version=2024-12-01");
            Assert.True(status == response.StatusCode, $"{method} {path}: expected {status}, got {response.StatusCode}");
        }
    }

    [Fact]
    public async Task GenerateToken_MintsATokenThatConnectsWithItsClaims()
    {
        await using var scope = await StandInScope.StartAsync();
        using var response = await scope.RestAsync(HttpMethod.Post, "/api/hubs/market/:generateToken?api-version=2024-12-01&userId=u9&role=webpubsub.joinLeaveGroup&group=g1&group=g2&minutesToExpire=5");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        var token = body.RootElement.GetProperty("token").GetString()!;
        var claims = Hs256Jwt.Validate(token, scope.AccessKey, [scope.ClientAudience()], DateTimeOffset.UtcNow).Claims!;
        Assert.Equal("u9", claims.UserId);
        Assert.Equal(["webpubsub.joinLeaveGroup"], claims.Roles);
        Assert.Equal(["g1", "g2"], claims.Groups);
        Assert.InRange(claims.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5.1));
        var socket = await scope.OpenAsync(new Uri($"ws://{scope.BaseAddress[7..]}/client/hubs/market?access_token={token}"), "json.webpubsub.azure.v1");
        Assert.Equal("u9", (await socket.ReceiveJsonAsync()).GetProperty("userId").GetString());
        await scope.Service().SendToGroupAsync("g2", BinaryData.FromString("auto-joined"), WebPubSubContentType.Text, cancellationToken: Token);
        Assert.Equal("auto-joined", (await socket.ReceiveJsonAsync()).GetProperty("data").GetString());
    }

    [Fact]
    public async Task TestHook_OnlyWhenEnabled()
    {
        await using var plain = await StandInScope.StartAsync();
        using var http = new HttpClient();
        using var off = await http.PostAsync(plain.BaseAddress + "/_test/hubs/market/connections/x/:drop", null, Token);
        Assert.Equal(HttpStatusCode.NotFound, off.StatusCode);

        await using var hooked = await StandInScope.StartAsync(o => o.EnableTestHooks = true);
        var client = await hooked.ConnectAsync(ClientEndpoint.ReliableJsonProtocol);
        using var drop = await http.PostAsync($"{hooked.BaseAddress}/_test/hubs/market/connections/{client.ConnectionId}/:drop?blockRecoveryMs=60000", null, Token);
        Assert.Equal(HttpStatusCode.NoContent, drop.StatusCode);
        Assert.Empty(await client.ReceiveUntilClosedAsync());
        var recovery = new Uri($"ws://{hooked.BaseAddress[7..]}/client/hubs/market?awps_connection_id={client.ConnectionId}&awps_reconnection_token={Uri.EscapeDataString(client.ReconnectionToken!)}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StandInScope.UpgradeStatusAsync(recovery, ClientEndpoint.ReliableJsonProtocol));
    }
}
