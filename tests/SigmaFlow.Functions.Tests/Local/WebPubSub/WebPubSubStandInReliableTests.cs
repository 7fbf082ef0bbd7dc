using System.Net.WebSockets;
using System.Text.Json;
using SigmaFlow.Functions.Local.WebPubSub;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Functions.Tests.Local.WebPubSub;

/// <summary>The reliable subprotocol: sequence ids, sequence acks, recovery within the window, refusal after it.</summary>
public sealed class WebPubSubStandInReliableTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Uri RecoveryUri(StandInScope scope, TestSocket socket, string? token = null) =>
        new($"ws://{scope.BaseAddress[7..]}/client/hubs/market?awps_connection_id={socket.ConnectionId}&awps_reconnection_token={Uri.EscapeDataString(token ?? socket.ReconnectionToken!)}");

    private static Task SendTextAsync(StandInScope scope, string text) =>
        scope.Service().SendToGroupAsync("ticks", BinaryData.FromString(text), WebPubSubContentType.Text, cancellationToken: Token);

    private static async Task<List<(ulong Sequence, string Data)>> ReceiveDataAsync(TestSocket socket, int count)
    {
        var received = new List<(ulong, string)>();
        while (received.Count < count)
        {
            var message = await socket.ReceiveJsonAsync();
            if (message.GetProperty("type").GetString() == "message")
            {
                received.Add((message.GetProperty("sequenceId").GetUInt64(), message.GetProperty("data").GetString()!));
            }
        }

        return received;
    }

    /// <summary>Acknowledges, then waits for the answer to a ping: frames are handled in order, so the ack is in.</summary>
    private static async Task AckAsync(TestSocket socket, ulong sequenceId)
    {
        await socket.SendAsync("{\"type\":\"sequenceAck\",\"sequenceId\":" + sequenceId + "}");
        await socket.SendAsync("{\"type\":\"ping\"}");
        Assert.Equal("pong", (await socket.ReceiveJsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task DataMessages_CarryIncreasingSequenceIds_ControlMessagesDoNot()
    {
        await using var scope = await StandInScope.StartAsync();
        var client = await scope.ConnectAsync(ClientEndpoint.ReliableJsonProtocol, roles: ["webpubsub.joinLeaveGroup"]);
        await client.SendAsync("{\"type\":\"joinGroup\",\"group\":\"ticks\",\"ackId\":1}");
        var ack = await client.ReceiveJsonAsync();
        Assert.Equal("ack", ack.GetProperty("type").GetString());
        Assert.False(ack.TryGetProperty("sequenceId", out _));
        for (var i = 1; i <= 3; i++)
        {
            await SendTextAsync(scope, "t" + i);
        }

        Assert.Equal([(1UL, "t1"), (2UL, "t2"), (3UL, "t3")], await ReceiveDataAsync(client, 3));
        await scope.Service().SendToConnectionAsync(client.ConnectionId, BinaryData.FromString("{}"), WebPubSubContentType.Json, Token);
        var raw = (await client.ReceiveAsync())!.Value;
        Assert.StartsWith("{\"sequenceId\":4,\"type\":\"message\"", System.Text.Encoding.UTF8.GetString(raw.Bytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconnect_WithinWindow_ResendsUnackedAndMissedMessagesKeepingGroups()
    {
        await using var scope = await StandInScope.StartAsync();
        var first = await scope.ConnectAsync(ClientEndpoint.ReliableJsonProtocol, userId: "u1", groups: ["ticks"]);
        await SendTextAsync(scope, "before-1");
        await SendTextAsync(scope, "before-2");
        Assert.Equal([(1UL, "before-1"), (2UL, "before-2")], await ReceiveDataAsync(first, 2));
        await AckAsync(first, 1);
        first.Socket.Abort(); // a network drop: no close handshake

        await SendTextAsync(scope, "while-away-1"); // the group membership survives the drop
        await scope.Service().SendToUserAsync("u1", BinaryData.FromString("while-away-2"), WebPubSubContentType.Text, Token);

        var second = await scope.OpenAsync(RecoveryUri(scope, first), ClientEndpoint.ReliableJsonProtocol);
        var connected = await second.ReceiveJsonAsync();
        Assert.Equal("connected", connected.GetProperty("event").GetString());
        Assert.Equal(first.ConnectionId, connected.GetProperty("connectionId").GetString());
        Assert.Equal("u1", connected.GetProperty("userId").GetString());
        // Sequence 1 was acknowledged; 2 was delivered but not acknowledged, so it comes again, then the missed ones.
        Assert.Equal([(2UL, "before-2"), (3UL, "while-away-1"), (4UL, "while-away-2")], await ReceiveDataAsync(second, 3));

        await AckAsync(second, 4);
        await SendTextAsync(scope, "after");
        Assert.Equal([(5UL, "after")], await ReceiveDataAsync(second, 1));
        second.Socket.Abort();

        var third = await scope.OpenAsync(RecoveryUri(scope, first), ClientEndpoint.ReliableJsonProtocol);
        Assert.Equal("connected", (await third.ReceiveJsonAsync()).GetProperty("event").GetString());
        Assert.Equal([(5UL, "after")], await ReceiveDataAsync(third, 1)); // 1..4 were acknowledged
        await third.AssertSilentAsync(200);
    }

    [Fact]
    public async Task Reconnect_WhileOldSocketStillOpen_TakesOverTheConnection()
    {
        await using var scope = await StandInScope.StartAsync();
        var first = await scope.ConnectAsync(ClientEndpoint.ReliableJsonProtocol, groups: ["ticks"]);
        var second = await scope.OpenAsync(RecoveryUri(scope, first), ClientEndpoint.ReliableJsonProtocol);
        Assert.Equal(first.ConnectionId, (await second.ReceiveJsonAsync()).GetProperty("connectionId").GetString());
        await SendTextAsync(scope, "to the new socket");
        Assert.Equal([(1UL, "to the new socket")], await ReceiveDataAsync(second, 1));
        Assert.Empty(await first.ReceiveUntilClosedAsync()); // the old socket was cut
    }

    [Fact]
    public async Task Reconnect_AfterWindow_IsRefusedWithDisconnectedAnd1008()
    {
        await using var scope = await StandInScope.StartAsync(o => o.ReconnectionWindow = TimeSpan.FromSeconds(1));
        var first = await scope.ConnectAsync(ClientEndpoint.ReliableJsonProtocol, groups: ["ticks"]);
        first.Socket.Abort();
        await Task.Delay(1600, Token);
        var late = await scope.OpenAsync(RecoveryUri(scope, first), ClientEndpoint.ReliableJsonProtocol);
        var messages = await late.ReceiveUntilClosedAsync();
        var disconnected = Assert.Single(messages);
        Assert.Equal("disconnected", disconnected.GetProperty("event").GetString());
        Assert.Contains("no longer exists", disconnected.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, late.CloseStatus);
        using var exists = await scope.RestAsync(HttpMethod.Head, "/api/hubs/market/groups/ticks?api-version=2024-12-01");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, exists.StatusCode); // the expired connection left its groups
    }

    [Theory]
    [InlineData("wrong-token", ClientEndpoint.ReliableJsonProtocol, "does not match")]
    [InlineData(null, ClientEndpoint.JsonProtocol, "Only json.reliable.webpubsub.azure.v1")]
    public async Task Reconnect_WrongTokenOrProtocol_IsRefused(string? token, string protocol, string reason)
    {
        await using var scope = await StandInScope.StartAsync();
        var first = await scope.ConnectAsync(ClientEndpoint.ReliableJsonProtocol);
        first.Socket.Abort();
        var attempt = await scope.OpenAsync(RecoveryUri(scope, first, token), protocol);
        var disconnected = Assert.Single(await attempt.ReceiveUntilClosedAsync());
        Assert.Contains(reason, disconnected.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, attempt.CloseStatus);
    }

    [Fact]
    public async Task CleanCloseByClient_EndsTheConnectionAtOnce()
    {
        await using var scope = await StandInScope.StartAsync();
        var first = await scope.ConnectAsync(ClientEndpoint.ReliableJsonProtocol);
        await first.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Token);
        Assert.Empty(await first.ReceiveUntilClosedAsync());
        var attempt = await scope.OpenAsync(RecoveryUri(scope, first), ClientEndpoint.ReliableJsonProtocol);
        Assert.Contains("no longer exists", Assert.Single(await attempt.ReceiveUntilClosedAsync()).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnackedMessages_BeyondSendBufferLimit_CloseTheConnection()
    {
        await using var scope = await StandInScope.StartAsync(o =>
        {
            o.MaxMessageSize = 1024;
            o.SendBufferLimit = 4096;
        });
        var slow = await scope.ConnectAsync(ClientEndpoint.ReliableJsonProtocol, groups: ["ticks"]);
        var payload = new string('x', 900);
        for (var i = 0; i < 6; i++)
        {
            await SendTextAsync(scope, payload); // never acknowledged
        }

        var messages = await slow.ReceiveUntilClosedAsync();
        Assert.InRange(messages.Count(m => m.GetProperty("type").GetString() == "message"), 1, 4);
        Assert.Contains("send buffer limit", messages[^1].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, slow.CloseStatus);
    }

    [Fact]
    public async Task SequenceAck_KeepsTheBufferSmall_SoManyMessagesFlow()
    {
        await using var scope = await StandInScope.StartAsync(o =>
        {
            o.MaxMessageSize = 1024;
            o.SendBufferLimit = 4096;
        });
        var client = await scope.ConnectAsync(ClientEndpoint.ReliableJsonProtocol, groups: ["ticks"]);
        for (var i = 1; i <= 20; i++)
        {
            await SendTextAsync(scope, new string('y', 900));
            var (sequence, _) = (await ReceiveDataAsync(client, 1))[0];
            Assert.Equal((ulong)i, sequence);
            await AckAsync(client, sequence);
        }

        Assert.Equal(WebSocketState.Open, client.Socket.State);
    }

    [Fact]
    public async Task SequenceAck_NotANumber_AcksNothingAndClosesAsInvalid()
    {
        await using var scope = await StandInScope.StartAsync();
        var client = await scope.ConnectAsync(ClientEndpoint.ReliableJsonProtocol);
        await client.SendAsync("{\"type\":\"sequenceAck\",\"sequenceId\":\"five\"}");
        var disconnected = Assert.Single(await client.ReceiveUntilClosedAsync());
        Assert.Contains("sequenceId", disconnected.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.String, disconnected.GetProperty("message").ValueKind);
    }
}
