using System.Net.WebSockets;
using System.Text;
using SigmaFlow.Functions.Local.WebPubSub;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Functions.Tests.Local.WebPubSub;

/// <summary>Malformed and oversized frames end only the connection that sent them; the server and others go on.</summary>
public sealed class WebPubSubStandInRobustnessTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> FatalFrames => new()
    {
        { "garbage {{{", "not JSON" },
        { "[1,2,3]", "not an object" },
        { "{\"group\":\"g\"}", "no string 'type'" },
        { "{\"type\":\"teleport\"}", "'teleport' is not supported" },
        { "{\"type\":\"joinGroup\",\"group\":\"g\",\"ackId\":-1}", "'ackId' must be a non-negative integer" },
        { "{\"type\":\"joinGroup\"}", "'group' must be a string" },
    };

    [Theory]
    [MemberData(nameof(FatalFrames))]
    public async Task BadFrameWithoutAckId_ClosesThatSocketOnly(string frame, string reason)
    {
        await using var scope = await StandInScope.StartAsync();
        var bystander = await scope.ConnectAsync(groups: ["g"]);
        var offender = await scope.ConnectAsync(roles: ["webpubsub.joinLeaveGroup"], groups: ["g"]);
        await offender.SendAsync(frame);
        var disconnected = Assert.Single(await offender.ReceiveUntilClosedAsync());
        Assert.Equal("disconnected", disconnected.GetProperty("event").GetString());
        Assert.Contains(reason, disconnected.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, offender.CloseStatus);

        await scope.Service().SendToGroupAsync("g", BinaryData.FromString("still flowing"), WebPubSubContentType.Text, cancellationToken: Token);
        Assert.Equal("still flowing", (await bystander.ReceiveJsonAsync()).GetProperty("data").GetString());
    }

    [Theory]
    [InlineData("{\"type\":\"teleport\",\"ackId\":1}", "'teleport' is not supported")]
    [InlineData("{\"type\":\"sendToGroup\",\"group\":\"g\",\"ackId\":1,\"dataType\":\"text\",\"data\":5}", "must be a string when 'dataType' is text")]
    [InlineData("{\"type\":\"sendToGroup\",\"group\":\"g\",\"ackId\":1,\"dataType\":\"binary\",\"data\":\"%%%\"}", "base64")]
    [InlineData("{\"type\":\"sendToGroup\",\"group\":\"g\",\"ackId\":1,\"dataType\":\"protobuf\",\"data\":\"\"}", "'dataType' must be json, text or binary")]
    [InlineData("{\"type\":\"sendToGroup\",\"group\":\"g\",\"ackId\":1}", "no 'data'")]
    [InlineData("{\"type\":\"sendToGroup\",\"group\":\"g\",\"ackId\":1,\"noEcho\":\"yes\",\"data\":1}", "'noEcho' must be true or false")]
    [InlineData("{\"type\":\"joinGroup\",\"group\":\"\",\"ackId\":1}", "1 to 1024 characters")]
    [InlineData("{\"type\":\"event\",\"ackId\":1,\"data\":1}", "non-empty string 'event'")]
    public async Task BadRequestWithAckId_AcksInvalidRequestAndKeepsTheConnection(string frame, string reason)
    {
        await using var scope = await StandInScope.StartAsync();
        var client = await scope.ConnectAsync(roles: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"]);
        await client.SendAsync(frame);
        var ack = await client.ReceiveJsonAsync();
        Assert.Equal("ack", ack.GetProperty("type").GetString());
        Assert.False(ack.GetProperty("success").GetBoolean());
        Assert.Equal("InvalidRequest", ack.GetProperty("error").GetProperty("name").GetString());
        Assert.Contains(reason, ack.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        await client.SendAsync("{\"type\":\"ping\"}");
        Assert.Equal("pong", (await client.ReceiveJsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task HugeFrame_ClosesWith1009AndOthersKeepReceiving()
    {
        await using var scope = await StandInScope.StartAsync(o => o.MaxMessageSize = 4096);
        var bystander = await scope.ConnectAsync(ClientEndpoint.ReliableJsonProtocol, groups: ["g"]);
        var offender = await scope.ConnectAsync(roles: ["webpubsub.sendToGroup"]);
        var huge = "{\"type\":\"sendToGroup\",\"group\":\"g\",\"dataType\":\"text\",\"data\":\"" + new string('z', 10_000) + "\"}";
        await offender.SendAsync(huge);
        var disconnected = Assert.Single(await offender.ReceiveUntilClosedAsync());
        Assert.Contains("exceeded the 4096-byte limit", disconnected.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, offender.CloseStatus);
        await scope.Service().SendToGroupAsync("g", BinaryData.FromString("fine"), WebPubSubContentType.Text, cancellationToken: Token);
        Assert.Equal("fine", (await bystander.ReceiveJsonAsync()).GetProperty("data").GetString());
    }

    [Fact]
    public async Task FragmentedAndBinaryFrames_AreReassembledAsJson()
    {
        await using var scope = await StandInScope.StartAsync();
        var client = await scope.ConnectAsync(roles: ["webpubsub.joinLeaveGroup"]);
        var bytes = Encoding.UTF8.GetBytes("{\"type\":\"joinGroup\",\"group\":\"frag\",\"ackId\":11}");
        await client.Socket.SendAsync(bytes.AsMemory(0, 10), WebSocketMessageType.Binary, false, Token);
        await client.Socket.SendAsync(bytes.AsMemory(10), WebSocketMessageType.Binary, true, Token);
        var ack = await client.ReceiveJsonAsync();
        Assert.True(ack.GetProperty("success").GetBoolean());
        Assert.Equal(11, ack.GetProperty("ackId").GetInt32());
    }

    [Fact]
    public async Task GroupStream_IsRefusedWithStreamClosed()
    {
        await using var scope = await StandInScope.StartAsync();
        var client = await scope.ConnectAsync(roles: ["webpubsub.sendToGroup"]);
        await client.SendAsync("{\"type\":\"sendToGroup\",\"group\":\"g\",\"noEcho\":false,\"stream\":{\"streamId\":\"s1\"}}");
        var closed = await client.ReceiveJsonAsync();
        Assert.Equal("streamClosed", closed.GetProperty("type").GetString());
        Assert.Equal("s1", closed.GetProperty("streamId").GetString());
        await client.SendAsync("{\"type\":\"streamData\",\"streamId\":\"s1\"}");
        await client.SendAsync("{\"type\":\"ping\"}");
        Assert.Equal("pong", (await client.ReceiveJsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task ManyClientsAndAbruptDrops_ServerStaysUp()
    {
        await using var scope = await StandInScope.StartAsync();
        var clients = new List<TestSocket>();
        for (var i = 0; i < 20; i++)
        {
            clients.Add(await scope.ConnectAsync(i % 2 == 0 ? ClientEndpoint.JsonProtocol : ClientEndpoint.ReliableJsonProtocol, groups: ["all"]));
        }

        foreach (var dropped in clients.Where((_, i) => i % 3 == 0))
        {
            dropped.Socket.Abort();
        }

        await scope.Service().SendToGroupAsync("all", BinaryData.FromString("survivors"), WebPubSubContentType.Text, cancellationToken: Token);
        foreach (var alive in clients.Where((_, i) => i % 3 != 0))
        {
            var message = await alive.ReceiveJsonAsync();
            Assert.Equal("survivors", message.GetProperty("data").GetString());
        }
    }
}
