using System.Net.WebSockets;
using System.Text.Json;
using SigmaFlow.Functions.Local.WebPubSub;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Functions.Tests.Local.WebPubSub;

/// <summary>Groups, permissions, acks and messages between clients and from the server (through the platform client).</summary>
public sealed class WebPubSubStandInMessagingTests
{
    private const string JoinAny = "webpubsub.joinLeaveGroup";
    private const string SendAny = "webpubsub.sendToGroup";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static void AssertAck(JsonElement ack, int ackId, string? error = null)
    {
        Assert.Equal("ack", ack.GetProperty("type").GetString());
        Assert.Equal(ackId, ack.GetProperty("ackId").GetInt32());
        Assert.Equal(error is null, ack.GetProperty("success").GetBoolean());
        if (error is not null)
        {
            Assert.Equal(error, ack.GetProperty("error").GetProperty("name").GetString());
            Assert.False(string.IsNullOrEmpty(ack.GetProperty("error").GetProperty("message").GetString()));
        }
    }

    [Fact]
    public async Task JoinGroup_WithRole_AcksSuccess()
    {
        await using var scope = await StandInScope.StartAsync();
        var client = await scope.ConnectAsync(roles: [JoinAny]);
        await client.SendAsync("{\"type\":\"joinGroup\",\"group\":\"signals\",\"ackId\":1}");
        AssertAck(await client.ReceiveJsonAsync(), 1);
        await scope.Service().SendToGroupAsync("signals", BinaryData.FromString("\"go\""), WebPubSubContentType.Json, cancellationToken: Token);
        var message = await client.ReceiveJsonAsync();
        Assert.Equal("server", message.GetProperty("from").GetString());
        Assert.Equal("go", message.GetProperty("data").GetString());
    }

    [Fact]
    public async Task JoinGroup_WithoutRole_AcksForbiddenAndDoesNotJoin()
    {
        await using var scope = await StandInScope.StartAsync();
        var client = await scope.ConnectAsync(roles: ["webpubsub.joinLeaveGroup.allowed"]);
        await client.SendAsync("{\"type\":\"joinGroup\",\"group\":\"secret\",\"ackId\":7}");
        AssertAck(await client.ReceiveJsonAsync(), 7, "Forbidden");
        await client.SendAsync("{\"type\":\"joinGroup\",\"group\":\"allowed\",\"ackId\":8}");
        AssertAck(await client.ReceiveJsonAsync(), 8);
        await scope.Service().SendToGroupAsync("secret", BinaryData.FromString("x"), WebPubSubContentType.Text, cancellationToken: Token);
        await scope.Service().SendToGroupAsync("allowed", BinaryData.FromString("y"), WebPubSubContentType.Text, cancellationToken: Token);
        Assert.Equal("y", (await client.ReceiveJsonAsync()).GetProperty("data").GetString());
    }

    [Fact]
    public async Task LeaveGroup_WithRole_StopsDelivery()
    {
        await using var scope = await StandInScope.StartAsync();
        var client = await scope.ConnectAsync(roles: [JoinAny], groups: ["g"]);
        await client.SendAsync("{\"type\":\"leaveGroup\",\"group\":\"g\",\"ackId\":1}");
        AssertAck(await client.ReceiveJsonAsync(), 1);
        await scope.Service().SendToGroupAsync("g", BinaryData.FromString("gone"), WebPubSubContentType.Text, cancellationToken: Token);
        await scope.Service().SendToConnectionAsync(client.ConnectionId, BinaryData.FromString("direct"), WebPubSubContentType.Text, Token);
        Assert.Equal("direct", (await client.ReceiveJsonAsync()).GetProperty("data").GetString());
    }

    [Fact]
    public async Task SendToGroup_DeliversToMembersWithSenderAndHonoursNoEcho()
    {
        await using var scope = await StandInScope.StartAsync();
        var alice = await scope.ConnectAsync(userId: "alice", roles: [JoinAny, SendAny], groups: ["chat"]);
        var bob = await scope.ConnectAsync(userId: "bob", groups: ["chat"]);
        var outsider = await scope.ConnectAsync(userId: "carol");

        await alice.SendAsync("{\"type\":\"sendToGroup\",\"group\":\"chat\",\"ackId\":1,\"dataType\":\"json\",\"data\":{\"px\":65000.5,\"tags\":[\"a\"]}}");
        var echo = await alice.ReceiveJsonAsync();
        var ack = await alice.ReceiveJsonAsync();
        if (echo.GetProperty("type").GetString() == "ack")
        {
            (echo, ack) = (ack, echo); // ack and echo may come in either order
        }

        AssertAck(ack, 1);
        var received = await bob.ReceiveJsonAsync();
        foreach (var message in new[] { echo, received })
        {
            Assert.Equal("message", message.GetProperty("type").GetString());
            Assert.Equal("group", message.GetProperty("from").GetString());
            Assert.Equal("chat", message.GetProperty("group").GetString());
            Assert.Equal("json", message.GetProperty("dataType").GetString());
            Assert.Equal(65000.5, message.GetProperty("data").GetProperty("px").GetDouble());
            Assert.Equal("alice", message.GetProperty("fromUserId").GetString());
            Assert.False(message.TryGetProperty("sequenceId", out _));
        }

        await alice.SendAsync("{\"type\":\"sendToGroup\",\"group\":\"chat\",\"ackId\":2,\"noEcho\":true,\"dataType\":\"text\",\"data\":\"quiet\"}");
        AssertAck(await alice.ReceiveJsonAsync(), 2);
        Assert.Equal("quiet", (await bob.ReceiveJsonAsync()).GetProperty("data").GetString());
        await scope.Service().SendToUserAsync("alice", BinaryData.FromString("after"), WebPubSubContentType.Text, Token);
        Assert.Equal("after", (await alice.ReceiveJsonAsync()).GetProperty("data").GetString()); // no echo came before it
        await outsider.AssertSilentAsync();
    }

    [Fact]
    public async Task SendToGroup_BinaryFromClient_ArrivesAsBase64()
    {
        await using var scope = await StandInScope.StartAsync();
        var sender = await scope.ConnectAsync(roles: ["webpubsub.sendToGroup.bin"]);
        var receiver = await scope.ConnectAsync(groups: ["bin"]);
        await sender.SendAsync("{\"type\":\"sendToGroup\",\"group\":\"bin\",\"ackId\":1,\"dataType\":\"binary\",\"data\":\"AAEC/w==\"}");
        AssertAck(await sender.ReceiveJsonAsync(), 1);
        var message = await receiver.ReceiveJsonAsync();
        Assert.Equal("binary", message.GetProperty("dataType").GetString());
        Assert.Equal([0, 1, 2, 255], message.GetProperty("data").GetBytesFromBase64());
        Assert.False(message.TryGetProperty("fromUserId", out _));
    }

    [Fact]
    public async Task SendToGroup_WithoutPermission_AcksForbiddenAndDeliversNothing()
    {
        await using var scope = await StandInScope.StartAsync();
        var sender = await scope.ConnectAsync(roles: ["webpubsub.sendToGroup.other"]);
        var receiver = await scope.ConnectAsync(groups: ["chat"]);
        await sender.SendAsync("{\"type\":\"sendToGroup\",\"group\":\"chat\",\"ackId\":3,\"dataType\":\"text\",\"data\":\"no\"}");
        AssertAck(await sender.ReceiveJsonAsync(), 3, "Forbidden");
        await receiver.AssertSilentAsync();
    }

    [Fact]
    public async Task RepeatedAckId_AfterSuccess_AcksDuplicateWithoutResending()
    {
        await using var scope = await StandInScope.StartAsync();
        var sender = await scope.ConnectAsync(roles: [SendAny]);
        var receiver = await scope.ConnectAsync(groups: ["g"]);
        const string Frame = "{\"type\":\"sendToGroup\",\"group\":\"g\",\"ackId\":42,\"dataType\":\"text\",\"data\":\"once\"}";
        await sender.SendAsync(Frame);
        AssertAck(await sender.ReceiveJsonAsync(), 42);
        await sender.SendAsync(Frame);
        var duplicate = await sender.ReceiveJsonAsync();
        AssertAck(duplicate, 42, "Duplicate");
        Assert.Equal("Message with ack-id: 42 has been processed", duplicate.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("once", (await receiver.ReceiveJsonAsync()).GetProperty("data").GetString());
        await receiver.AssertSilentAsync();
    }

    [Fact]
    public async Task EventPingAndInvoke_AreAnsweredWithoutUpstream()
    {
        await using var scope = await StandInScope.StartAsync();
        var client = await scope.ConnectAsync();
        await client.SendAsync("{\"type\":\"event\",\"event\":\"orderPlaced\",\"ackId\":5,\"dataType\":\"json\",\"data\":{\"qty\":1}}");
        AssertAck(await client.ReceiveJsonAsync(), 5);
        await client.SendAsync("{\"type\":\"ping\"}");
        Assert.Equal("pong", (await client.ReceiveJsonAsync()).GetProperty("type").GetString());
        await client.SendAsync("{\"type\":\"invoke\",\"invocationId\":\"i-1\",\"target\":\"event\",\"event\":\"quote\"}");
        var response = await client.ReceiveJsonAsync();
        Assert.Equal("invokeResponse", response.GetProperty("type").GetString());
        Assert.Equal("i-1", response.GetProperty("invocationId").GetString());
        Assert.False(response.GetProperty("success").GetBoolean());
        Assert.Equal("NotSupported", response.GetProperty("error").GetProperty("name").GetString());
    }

    [Fact]
    public async Task ServerSends_ReachAllGroupUserAndConnectionWithExclusions()
    {
        await using var scope = await StandInScope.StartAsync();
        var service = scope.Service();
        var a = await scope.ConnectAsync(userId: "u1", groups: ["g"]);
        var b = await scope.ConnectAsync(ClientEndpoint.ReliableJsonProtocol, userId: "u1");
        var c = await scope.ConnectAsync(userId: "u2", groups: ["g"]);

        await service.SendToAllAsync(BinaryData.FromString("{\"n\":1}"), WebPubSubContentType.Json, [c.ConnectionId], Token);
        await service.SendToGroupAsync("g", BinaryData.FromString("group"), WebPubSubContentType.Text, [a.ConnectionId], Token);
        await service.SendToUserAsync("u1", BinaryData.FromBytes(new byte[] { 9, 8 }), WebPubSubContentType.Binary, Token);
        await service.SendToConnectionAsync(c.ConnectionId, BinaryData.FromString("just c"), WebPubSubContentType.Text, Token);

        var all = await a.ReceiveJsonAsync();
        Assert.Equal("{\"type\":\"message\",\"from\":\"server\",\"dataType\":\"json\",\"data\":{\"n\":1}}", all.GetRawText());
        var user = await a.ReceiveJsonAsync();
        Assert.Equal("binary", user.GetProperty("dataType").GetString());
        Assert.Equal("CQg=", user.GetProperty("data").GetString());
        Assert.Equal(1, (await b.ReceiveJsonAsync()).GetProperty("sequenceId").GetInt32());
        Assert.Equal(2, (await b.ReceiveJsonAsync()).GetProperty("sequenceId").GetInt32());
        Assert.Equal("group", (await c.ReceiveJsonAsync()).GetProperty("data").GetString());
        Assert.Equal("just c", (await c.ReceiveJsonAsync()).GetProperty("data").GetString());
        await a.AssertSilentAsync(200);
    }

    [Fact]
    public async Task GroupMembershipViaRest_ConnectionsAndUsers_FollowThePlatformClient()
    {
        await using var scope = await StandInScope.StartAsync();
        var service = scope.Service();
        await service.AddUserToGroupAsync("vip", "u1", Token); // before u1 connects
        var first = await scope.ConnectAsync(userId: "u1");
        var other = await scope.ConnectAsync(userId: "u2");
        await service.AddConnectionToGroupAsync("room", other.ConnectionId, Token);

        await service.SendToGroupAsync("vip", BinaryData.FromString("vip-1"), WebPubSubContentType.Text, cancellationToken: Token);
        await service.SendToGroupAsync("room", BinaryData.FromString("room-1"), WebPubSubContentType.Text, cancellationToken: Token);
        Assert.Equal("vip-1", (await first.ReceiveJsonAsync()).GetProperty("data").GetString());
        Assert.Equal("room-1", (await other.ReceiveJsonAsync()).GetProperty("data").GetString());

        await service.RemoveUserFromGroupAsync("vip", "u1", Token);
        await service.RemoveConnectionFromGroupAsync("room", other.ConnectionId, Token);
        await service.SendToGroupAsync("vip", BinaryData.FromString("vip-2"), WebPubSubContentType.Text, cancellationToken: Token);
        await service.SendToGroupAsync("room", BinaryData.FromString("room-2"), WebPubSubContentType.Text, cancellationToken: Token);
        await service.SendToAllAsync(BinaryData.FromString("end"), WebPubSubContentType.Text, cancellationToken: Token);
        Assert.Equal("end", (await first.ReceiveJsonAsync()).GetProperty("data").GetString());
        Assert.Equal("end", (await other.ReceiveJsonAsync()).GetProperty("data").GetString());

        var missing = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => service.AddConnectionToGroupAsync("room", "no-such-connection", Token));
        Assert.Equal(404, missing.Status);
        Assert.Contains("ConnectionNotFound", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CloseConnectionAsync_SendsDisconnectedWithReasonThenCloses1008()
    {
        await using var scope = await StandInScope.StartAsync();
        var client = await scope.ConnectAsync(ClientEndpoint.ReliableJsonProtocol);
        await scope.Service().CloseConnectionAsync(client.ConnectionId, "maintenance", Token);
        var messages = await client.ReceiveUntilClosedAsync();
        var disconnected = Assert.Single(messages);
        Assert.Equal("disconnected", disconnected.GetProperty("event").GetString());
        Assert.Equal("maintenance", disconnected.GetProperty("message").GetString());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.CloseStatus);
    }
}
