using System.Net;
using SigmaFlow.Functions.Local.WebPubSub;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Functions.Tests.Local.WebPubSub;

/// <summary>Client connects: tokens, audiences, subprotocols, hubs, and the options that guard the server.</summary>
public sealed class WebPubSubStandInConnectTests
{
    [Fact]
    public async Task Connect_ValidToken_SendsConnectedWithUserAndConnectionId()
    {
        await using var scope = await StandInScope.StartAsync();
        var uri = await scope.Service().GetClientAccessUriAsync("trader-1", cancellationToken: TestContext.Current.CancellationToken);
        var socket = await scope.OpenAsync(uri, ClientEndpoint.JsonProtocol);
        Assert.Equal(ClientEndpoint.JsonProtocol, socket.Socket.SubProtocol);
        var connected = await socket.ReceiveJsonAsync();
        Assert.Equal("system", connected.GetProperty("type").GetString());
        Assert.Equal("connected", connected.GetProperty("event").GetString());
        Assert.Equal("trader-1", connected.GetProperty("userId").GetString());
        Assert.Equal(22, connected.GetProperty("connectionId").GetString()!.Length);
        Assert.False(connected.TryGetProperty("reconnectionToken", out _));
    }

    [Fact]
    public async Task Connect_ReliableProtocol_AddsReconnectionToken()
    {
        await using var scope = await StandInScope.StartAsync();
        var socket = await scope.ConnectAsync(ClientEndpoint.ReliableJsonProtocol);
        Assert.Equal(ClientEndpoint.ReliableJsonProtocol, socket.Socket.SubProtocol);
        Assert.False(string.IsNullOrEmpty(socket.ReconnectionToken));
    }

    [Fact]
    public async Task Connect_OfferedProtocols_PicksTheFirstSupported()
    {
        await using var scope = await StandInScope.StartAsync();
        var uri = await scope.Service().GetClientAccessUriAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var client = new System.Net.WebSockets.ClientWebSocket();
        client.Options.AddSubProtocol("protobuf.webpubsub.azure.v1");
        client.Options.AddSubProtocol(ClientEndpoint.ReliableJsonProtocol);
        client.Options.AddSubProtocol(ClientEndpoint.JsonProtocol);
        await client.ConnectAsync(uri, TestContext.Current.CancellationToken);
        Assert.Equal(ClientEndpoint.ReliableJsonProtocol, client.SubProtocol);
    }

    public static TheoryData<string, Func<StandInScope, Uri>> BadTokens => new()
    {
        { "bad signature", s => s.ClientUri(new WebPubSubTokenClaims { Audience = s.ClientAudience(), ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }, key: "not-the-stand-in-key") },
        { "expired", s => s.ClientUri(new WebPubSubTokenClaims { Audience = s.ClientAudience(), ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) }) },
        { "wrong audience", s => s.ClientUri(new WebPubSubTokenClaims { Audience = s.ClientAudience("other"), ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }) },
        { "not yet valid", s => s.ClientUri(new WebPubSubTokenClaims { Audience = s.ClientAudience(), NotBefore = DateTimeOffset.UtcNow.AddMinutes(5), ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }) },
        { "no token", s => new Uri($"ws://{s.BaseAddress[7..]}/client/hubs/market") },
        { "garbage token", s => new Uri($"ws://{s.BaseAddress[7..]}/client/hubs/market?access_token=abc.def.ghi") },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Connect_BadToken_Refuses401(string why, Func<StandInScope, Uri> uri)
    {
        await using var scope = await StandInScope.StartAsync();
        Assert.True(HttpStatusCode.Unauthorized == await StandInScope.UpgradeStatusAsync(uri(scope)), why);
    }

    [Fact]
    public async Task Connect_TokenInAuthorizationHeader_IsAccepted()
    {
        await using var scope = await StandInScope.StartAsync();
        var token = Hs256Jwt.Create(new WebPubSubTokenClaims { Audience = scope.ClientAudience(), ExpiresAt = DateTimeOffset.UtcNow.AddHours(1), UserId = "h" }, scope.AccessKey);
        using var client = new System.Net.WebSockets.ClientWebSocket();
        client.Options.SetRequestHeader("Authorization", "Bearer " + token);
        client.Options.AddSubProtocol(ClientEndpoint.JsonProtocol);
        await client.ConnectAsync(new Uri($"ws://{scope.BaseAddress[7..]}/client/hubs/market"), TestContext.Current.CancellationToken);
        using var socket = new TestSocket(client);
        Assert.Equal("h", (await socket.ReceiveJsonAsync()).GetProperty("userId").GetString());
    }

    [Fact]
    public async Task Connect_AudienceWithLocalhostInsteadOfIp_IsAcceptedForTheHostUsed()
    {
        // The audience may name the host the client used (the request's Host), not only the listening address.
        await using var scope = await StandInScope.StartAsync();
        var port = new Uri(scope.BaseAddress).Port;
        var token = Hs256Jwt.Create(new WebPubSubTokenClaims { Audience = $"http://localhost:{port}/client/hubs/market", ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }, scope.AccessKey);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await StandInScope.UpgradeStatusAsync(new Uri($"ws://localhost:{port}/client/hubs/market?access_token={token}")));
        Assert.Equal(HttpStatusCode.Unauthorized, await StandInScope.UpgradeStatusAsync(new Uri($"ws://127.0.0.1:{port}/client/hubs/market?access_token={token}")));
    }

    [Fact]
    public async Task Connect_UnsupportedSubprotocolInvalidHubOrUnknownHub_Refuses()
    {
        await using var scope = await StandInScope.StartAsync(o => o.AllowedHubs.Add("market"));
        var valid = await scope.Service().GetClientAccessUriAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, await StandInScope.UpgradeStatusAsync(valid, "protobuf.webpubsub.azure.v1"));
        var invalidHub = scope.ClientUri(new WebPubSubTokenClaims { Audience = scope.ClientAudience("1bad"), ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }, hub: "1bad");
        Assert.Equal(HttpStatusCode.BadRequest, await StandInScope.UpgradeStatusAsync(invalidHub));
        var unknownHub = scope.ClientUri(new WebPubSubTokenClaims { Audience = scope.ClientAudience("other"), ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }, hub: "other");
        Assert.Equal(HttpStatusCode.NotFound, await StandInScope.UpgradeStatusAsync(unknownHub));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await StandInScope.UpgradeStatusAsync(valid));
    }

    [Fact]
    public async Task Get_NotAWebSocketRequest_Returns400WithErrorBody()
    {
        await using var scope = await StandInScope.StartAsync();
        using var http = new HttpClient();
        var response = await http.GetAsync(scope.BaseAddress + "/client/hubs/market", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("WebSocketExpected", response.Headers.GetValues("x-ms-error-code").Single());
        Assert.Contains("\"code\":\"WebSocketExpected\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainWebSocket_ReceivesServerMessagesAsRawFrames()
    {
        await using var scope = await StandInScope.StartAsync();
        var uri = await scope.Service().GetClientAccessUriAsync("plain", groups: ["g"], cancellationToken: TestContext.Current.CancellationToken);
        var socket = await scope.OpenAsync(uri, protocol: null);
        Assert.Null(socket.Socket.SubProtocol);

        // A plain client gets no "connected" message; wait until the server has registered it.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var exists = await scope.RestAsync(HttpMethod.Head, "/api/hubs/market/users/plain?api-version=2024-12-01");
            if (exists.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        var service = scope.Service();
        await service.SendToGroupAsync("g", BinaryData.FromString("{\"a\":1}"), WebPubSubContentType.Json, cancellationToken: TestContext.Current.CancellationToken);
        await service.SendToUserAsync("plain", BinaryData.FromString("hi"), WebPubSubContentType.Text, TestContext.Current.CancellationToken);
        await service.SendToAllAsync(BinaryData.FromBytes(new byte[] { 1, 2, 3 }), WebPubSubContentType.Binary, cancellationToken: TestContext.Current.CancellationToken);
        var json = (await socket.ReceiveAsync())!.Value;
        Assert.Equal(System.Net.WebSockets.WebSocketMessageType.Text, json.Type);
        Assert.Equal("{\"a\":1}", System.Text.Encoding.UTF8.GetString(json.Bytes));
        Assert.Equal("hi", System.Text.Encoding.UTF8.GetString((await socket.ReceiveAsync())!.Value.Bytes));
        var binary = (await socket.ReceiveAsync())!.Value;
        Assert.Equal(System.Net.WebSockets.WebSocketMessageType.Binary, binary.Type);
        Assert.Equal([1, 2, 3], binary.Bytes);
        await socket.SendAsync("ignored: there is no upstream");
        await service.SendToAllAsync(BinaryData.FromString("still here"), WebPubSubContentType.Text, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("still here", System.Text.Encoding.UTF8.GetString((await socket.ReceiveAsync())!.Value.Bytes));
    }

    [Theory]
    [InlineData("https://127.0.0.1:0", "Url")]
    [InlineData("http://127.0.0.1:0/path", "Url")]
    [InlineData("not a url", "Url")]
    public void Create_InvalidUrl_ThrowsNamingTheOption(string url, string option)
    {
        var e = Assert.Throws<ArgumentException>(() => WebPubSubStandIn.Create(new WebPubSubStandInOptions { Url = url }));
        Assert.Equal(option, e.ParamName);
        Assert.Contains(url, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_InvalidLimits_ThrowNamingTheRule()
    {
        Assert.Contains("from 1 KiB to 64 MiB; got 10 bytes", Assert.Throws<ArgumentException>(() => WebPubSubStandIn.Create(new WebPubSubStandInOptions { MaxMessageSize = 10 })).Message, StringComparison.Ordinal);
        Assert.Equal("ReconnectionWindow", Assert.Throws<ArgumentException>(() => WebPubSubStandIn.Create(new WebPubSubStandInOptions { ReconnectionWindow = TimeSpan.Zero })).ParamName);
        Assert.Equal("SendBufferLimit", Assert.Throws<ArgumentException>(() => WebPubSubStandIn.Create(new WebPubSubStandInOptions { SendBufferLimit = 1024 })).ParamName);
        var key = Assert.Throws<ArgumentException>(() => WebPubSubStandIn.Create(new WebPubSubStandInOptions { AccessKey = "short;key" }));
        Assert.DoesNotContain("short;key", key.Message, StringComparison.Ordinal);
        var hubs = new WebPubSubStandInOptions();
        hubs.AllowedHubs.Add("9lives");
        Assert.Contains("'9lives'", Assert.Throws<ArgumentException>(() => WebPubSubStandIn.Create(hubs)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetConnectionString_BeforeStart_ThrowsThenGivesPortAndKey()
    {
        await using var app = WebPubSubStandIn.Create(new WebPubSubStandInOptions { AccessKey = "fixed-key-for-this-test" });
        Assert.Throws<InvalidOperationException>(() => WebPubSubStandIn.GetConnectionString(app));
        await app.StartAsync(TestContext.Current.CancellationToken);
        var text = WebPubSubStandIn.GetConnectionString(app);
        Assert.Matches(@"^Endpoint=http://127\.0\.0\.1:[1-9][0-9]*;AccessKey=fixed-key-for-this-test;Version=1\.0;$", text);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Create_NoAccessKey_GeneratesADifferentKeyPerRun()
    {
        await using var first = await StandInScope.StartAsync();
        await using var second = await StandInScope.StartAsync();
        Assert.NotEqual(first.AccessKey, second.AccessKey);
        Assert.True(first.AccessKey.Length >= 40);
    }
}
