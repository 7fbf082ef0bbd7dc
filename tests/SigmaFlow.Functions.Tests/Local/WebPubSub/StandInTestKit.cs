using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using SigmaFlow.Functions.Local.WebPubSub;
using SigmaFlow.Platform.Azure;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Functions.Tests.Local.WebPubSub;

/// <summary>A started stand-in on a free port for one test, with the platform client and raw WebSocket clients.</summary>
public sealed class StandInScope : IAsyncDisposable
{
    private readonly List<TestSocket> sockets = [];

    private StandInScope(WebApplication app)
    {
        App = app;
        ConnectionString = WebPubSubStandIn.GetConnectionString(app);
        Connection = WebPubSubConnection.Parse(ConnectionString);
    }

    /// <summary>The server.</summary>
    public WebApplication App { get; }

    /// <summary>Its connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>Its parsed connection.</summary>
    public WebPubSubConnection Connection { get; }

    /// <summary>The access key.</summary>
    public string AccessKey => Connection.AccessKey!;

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public string BaseAddress => Connection.BaseAddress;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Starts a stand-in.</summary>
    /// <param name="configure">Changes to the default options.</param>
    /// <returns>The scope.</returns>
    public static async Task<StandInScope> StartAsync(Action<WebPubSubStandInOptions>? configure = null)
    {
        var options = new WebPubSubStandInOptions { Url = "http://127.0.0.1:0" };
        configure?.Invoke(options);
        var app = WebPubSubStandIn.Create(options);
        await app.StartAsync(Token);
        return new StandInScope(app);
    }

    /// <summary>The platform client for a hub (no retries, so refusals surface at once).</summary>
    /// <param name="hub">The hub.</param>
    /// <returns>The client.</returns>
    public WebPubSubServiceClient Service(string hub = "market")
    {
        var options = new AzureClientOptions();
        options.Retry.MaxRetries = 0;
        return new WebPubSubServiceClient(Connection, hub, options);
    }

    /// <summary>Connects a client with a token minted by the platform client and reads its <c>connected</c> message.</summary>
    /// <param name="protocol">Subprotocol, or null for a plain WebSocket.</param>
    /// <param name="userId">User id.</param>
    /// <param name="roles">Roles.</param>
    /// <param name="groups">Groups joined on connect.</param>
    /// <param name="hub">The hub.</param>
    /// <returns>The connected client.</returns>
    public async Task<TestSocket> ConnectAsync(string? protocol = ClientEndpoint.JsonProtocol, string? userId = null, string[]? roles = null, string[]? groups = null, string hub = "market")
    {
        var uri = await Service(hub).GetClientAccessUriAsync(userId, roles, groups, cancellationToken: Token);
        var socket = await OpenAsync(uri, protocol);
        if (protocol is not null)
        {
            var connected = await socket.ReceiveJsonAsync();
            Assert.Equal("system", connected.GetProperty("type").GetString());
            Assert.Equal("connected", connected.GetProperty("event").GetString());
            socket.ConnectionId = connected.GetProperty("connectionId").GetString()!;
            socket.ReconnectionToken = connected.TryGetProperty("reconnectionToken", out var t) ? t.GetString() : null;
        }

        return socket;
    }

    /// <summary>Opens a WebSocket to a URL (upgrade failures throw; see <see cref="UpgradeStatusAsync"/>).</summary>
    /// <param name="uri">The URL.</param>
    /// <param name="protocol">Subprotocol or null.</param>
    /// <returns>The socket.</returns>
    public async Task<TestSocket> OpenAsync(Uri uri, string? protocol)
    {
        var client = new ClientWebSocket();
        if (protocol is not null)
        {
            client.Options.AddSubProtocol(protocol);
        }

        await client.ConnectAsync(uri, Token);
        var socket = new TestSocket(client);
        sockets.Add(socket);
        return socket;
    }

    /// <summary>The HTTP status of a refused upgrade (or 101 when it was accepted).</summary>
    /// <param name="uri">The URL.</param>
    /// <param name="protocol">Subprotocol or null.</param>
    /// <returns>The status.</returns>
    public static async Task<HttpStatusCode> UpgradeStatusAsync(Uri uri, string? protocol = ClientEndpoint.JsonProtocol)
    {
        using var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true;
        if (protocol is not null)
        {
            client.Options.AddSubProtocol(protocol);
        }

        try
        {
            await client.ConnectAsync(uri, Token);
            client.Abort();
            return HttpStatusCode.SwitchingProtocols;
        }
        catch (WebSocketException)
        {
            return client.HttpStatusCode;
        }
    }

    /// <summary>A client URL with a hand-made token.</summary>
    /// <param name="claims">The claims.</param>
    /// <param name="key">The signing key (the stand-in's when null).</param>
    /// <param name="hub">The hub in the path.</param>
    /// <returns>The URL.</returns>
    public Uri ClientUri(WebPubSubTokenClaims claims, string? key = null, string hub = "market") =>
        new($"ws://{BaseAddress["http://".Length..]}/client/hubs/{hub}?access_token={Hs256Jwt.Create(claims, key ?? AccessKey)}");

    /// <summary>The audience of client tokens for a hub.</summary>
    /// <param name="hub">The hub.</param>
    /// <returns>The audience.</returns>
    public string ClientAudience(string hub = "market") => $"{BaseAddress}/client/hubs/{hub}";

    /// <summary>A REST request signed like the platform client signs it (or with the given token).</summary>
    /// <param name="method">Method.</param>
    /// <param name="pathAndQuery">Path and query.</param>
    /// <param name="content">Body or null.</param>
    /// <param name="token">Token to send instead of a valid one; empty for none.</param>
    /// <returns>The response.</returns>
    public async Task<HttpResponseMessage> RestAsync(HttpMethod method, string pathAndQuery, HttpContent? content = null, string? token = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, BaseAddress + pathAndQuery) { Content = content };
        var now = DateTimeOffset.UtcNow;
        token ??= Hs256Jwt.Create(new WebPubSubTokenClaims { Audience = BaseAddress + pathAndQuery.Split('?')[0], IssuedAt = now, ExpiresAt = now.AddHours(1) }, AccessKey);
        if (token.Length > 0)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return await http.SendAsync(request, Token);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }
}

/// <summary>
/// A raw WebSocket client with JSON helpers. A background pump reads frames into a queue, so waiting with a timeout
/// never aborts the socket.
/// </summary>
public sealed class TestSocket : IDisposable
{
    /// <summary>How long a receive waits before the test fails.</summary>
    public static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(10);

    private readonly System.Threading.Channels.Channel<(WebSocketMessageType Type, byte[] Bytes)> frames = System.Threading.Channels.Channel.CreateUnbounded<(WebSocketMessageType, byte[])>();

    /// <summary>Wraps a connected socket and starts reading.</summary>
    /// <param name="socket">The socket.</param>
    public TestSocket(ClientWebSocket socket)
    {
        Socket = socket;
        _ = Task.Run(PumpAsync);
    }

    /// <summary>The socket.</summary>
    public ClientWebSocket Socket { get; }

    /// <summary>The connection id from <c>connected</c>.</summary>
    public string ConnectionId { get; set; } = string.Empty;

    /// <summary>The reconnection token from <c>connected</c> (reliable protocol).</summary>
    public string? ReconnectionToken { get; set; }

    /// <summary>The close status the server sent, once closed.</summary>
    public WebSocketCloseStatus? CloseStatus => Socket.CloseStatus;

    /// <summary>Sends a text frame.</summary>
    /// <param name="text">The text.</param>
    /// <returns>A task.</returns>
    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    /// <summary>Sends a frame.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="type">Text or binary.</param>
    /// <returns>A task.</returns>
    public async Task SendAsync(byte[] bytes, WebSocketMessageType type) =>
        await Socket.SendAsync(bytes, type, true, TestContext.Current.CancellationToken);

    /// <summary>Receives one whole message, or null when the server closed.</summary>
    /// <param name="timeout">How long to wait (default <see cref="ReceiveTimeout"/>).</param>
    /// <returns>The frame type and bytes, or null after a close.</returns>
    public async Task<(WebSocketMessageType Type, byte[] Bytes)?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(timeout ?? ReceiveTimeout);
        try
        {
            return await frames.Reader.ReadAsync(cancel.Token);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Receives one JSON message (fails on close or timeout).</summary>
    /// <returns>The message.</returns>
    public async Task<JsonElement> ReceiveJsonAsync()
    {
        var frame = await ReceiveAsync() ?? throw new InvalidOperationException($"the server closed the connection ({Socket.CloseStatus} {Socket.CloseStatusDescription})");
        return JsonDocument.Parse(frame.Bytes).RootElement.Clone();
    }

    /// <summary>Receives messages until the server closes; returns them.</summary>
    /// <returns>The messages before the close.</returns>
    public async Task<List<JsonElement>> ReceiveUntilClosedAsync()
    {
        var messages = new List<JsonElement>();
        while (await ReceiveAsync() is { } frame)
        {
            messages.Add(JsonDocument.Parse(frame.Bytes).RootElement.Clone());
        }

        return messages;
    }

    /// <summary>Asserts nothing arrives for a while.</summary>
    /// <param name="milliseconds">How long.</param>
    /// <returns>A task.</returns>
    public async Task AssertSilentAsync(int milliseconds = 300)
    {
        try
        {
            var frame = await ReceiveAsync(TimeSpan.FromMilliseconds(milliseconds));
            Assert.Fail($"expected no message, got {(frame is null ? "a close" : Encoding.UTF8.GetString(frame.Value.Bytes))}");
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            // Silence, as expected.
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Socket.Abort();
        Socket.Dispose();
    }

    private async Task PumpAsync()
    {
        var chunk = new byte[64 * 1024];
        using var buffer = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(chunk, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (Socket.State == WebSocketState.CloseReceived)
                    {
                        await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, CancellationToken.None);
                    }

                    return;
                }

                buffer.Write(chunk, 0, result.Count);
                if (result.EndOfMessage)
                {
                    frames.Writer.TryWrite((result.MessageType, buffer.ToArray()));
                    buffer.SetLength(0);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Aborted or dropped.
        }
        finally
        {
            frames.Writer.TryComplete();
        }
    }
}
