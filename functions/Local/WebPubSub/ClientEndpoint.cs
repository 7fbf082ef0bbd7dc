using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Functions.Local.WebPubSub;

/// <summary>
/// <c>GET /client/hubs/{hub}</c>: the WebSocket endpoint of clients. Checks the access token (query
/// <c>access_token</c> or <c>Authorization: Bearer</c>; HS256 with the access key; <c>aud</c> =
/// <c>{base URL}/client/hubs/{hub}</c>; <c>exp</c>, <c>nbf</c>), negotiates the subprotocol, takes back reliable
/// connections (<c>awps_connection_id</c> + <c>awps_reconnection_token</c>), and runs the receive loop.
/// </summary>
internal sealed class ClientEndpoint(StandInHubs hubs, ClientRequests requests, ILogger logger)
{
    /// <summary>The JSON subprotocol.</summary>
    public const string JsonProtocol = "json.webpubsub.azure.v1";

    /// <summary>The reliable JSON subprotocol.</summary>
    public const string ReliableJsonProtocol = "json.reliable.webpubsub.azure.v1";

    private WebPubSubStandInOptions Options => hubs.Options;

    /// <summary>Handles one upgrade request.</summary>
    /// <param name="context">The request.</param>
    /// <param name="serverAddresses">The addresses the server listens on (also accepted as token audiences).</param>
    /// <returns>A task that ends with the connection.</returns>
    public async Task HandleAsync(HttpContext context, IReadOnlyCollection<string> serverAddresses)
    {
        var hub = context.Request.RouteValues["hub"] as string ?? string.Empty;
        if (!WebPubSubNames.IsValidHub(hub))
        {
            await RefuseAsync(context, hub, 400, "InvalidHub", $"{WebPubSubNames.HubRule}; got '{WebPubSubNames.Shorten(hub)}'.").ConfigureAwait(false);
            return;
        }

        if (Options.AllowedHubs.Count > 0 && !Options.AllowedHubs.Contains(hub))
        {
            await RefuseAsync(context, hub, 404, "HubNotFound", $"Hub '{hub}' does not exist here (allowed: {string.Join(", ", Options.AllowedHubs)}).").ConfigureAwait(false);
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RefuseAsync(context, hub, 400, "WebSocketExpected", "This endpoint takes WebSocket upgrade requests only.").ConfigureAwait(false);
            return;
        }

        var offered = context.WebSockets.WebSocketRequestedProtocols;
        var chosen = offered.FirstOrDefault(p => p is JsonProtocol or ReliableJsonProtocol);
        if (offered.Count > 0 && chosen is null)
        {
            await RefuseAsync(context, hub, 400, "UnsupportedSubprotocol", $"Supported subprotocols: {JsonProtocol}, {ReliableJsonProtocol} (or none); offered: {string.Join(", ", offered)}.").ConfigureAwait(false);
            return;
        }

        var protocol = chosen switch
        {
            JsonProtocol => ClientProtocol.Json,
            ReliableJsonProtocol => ClientProtocol.ReliableJson,
            _ => ClientProtocol.Plain,
        };
        var query = context.Request.Query;
        if (query.TryGetValue("awps_connection_id", out var recoverId) && !string.IsNullOrEmpty(recoverId))
        {
            await RecoverAsync(context, hub, recoverId.ToString(), query["awps_reconnection_token"].ToString(), protocol, chosen).ConfigureAwait(false);
            return;
        }

        var token = query["access_token"].ToString();
        if (token.Length == 0 && context.Request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header[7..].Trim();
        }

        if (token.Length == 0)
        {
            await RefuseAsync(context, hub, 401, "Unauthorized", "No access token: pass ?access_token=… or Authorization: Bearer ….").ConfigureAwait(false);
            return;
        }

        var result = Hs256Jwt.Validate(token, hubs.AccessKey, Audiences(context, hub, serverAddresses), hubs.Time.GetUtcNow());
        if (!result.IsValid)
        {
            await RefuseAsync(context, hub, 401, "Unauthorized", $"Invalid access token: {result.Error}.").ConfigureAwait(false);
            return;
        }

        var claims = result.Claims!;
        foreach (var group in claims.Groups)
        {
            if (!WebPubSubNames.IsValidGroup(group))
            {
                await RefuseAsync(context, hub, 400, "InvalidGroup", $"The token's webpubsub.group claim holds an invalid group: {WebPubSubNames.GroupRule}.").ConfigureAwait(false);
                return;
            }
        }

        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = chosen, DangerousEnableCompression = false }).ConfigureAwait(false);
        var connection = new ClientConnection(
            hub,
            NewId(16),
            claims.UserId,
            claims.Roles.ToList(),
            protocol,
            protocol == ClientProtocol.ReliableJson ? NewId(32) : null,
            Options.SendBufferLimit);
        var link = new SocketLink(socket, Options.SendBufferLimit);
        connection.TryAttach(link, out _);
        hubs.Add(connection, claims.Groups);
        await RunAsync(connection, link, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The audiences a client token may carry for this request.</summary>
    /// <param name="context">The request.</param>
    /// <param name="hub">The hub.</param>
    /// <param name="serverAddresses">The server's listening addresses.</param>
    /// <returns>The accepted audiences.</returns>
    private static List<string> Audiences(HttpContext context, string hub, IReadOnlyCollection<string> serverAddresses)
    {
        var request = context.Request;
        var requestBase = $"{request.Scheme}://{request.Host.Value}{request.PathBase}";
        var rawPath = (context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.ToString()).Split('?')[0];
        var audiences = new List<string> { $"{requestBase}/client/hubs/{hub}", $"{request.Scheme}://{request.Host.Value}{rawPath}" };
        foreach (var address in serverAddresses)
        {
            audiences.Add($"{address.TrimEnd('/')}/client/hubs/{hub}");
        }

        return audiences;
    }

    private async Task RecoverAsync(HttpContext context, string hub, string connectionId, string reconnectionToken, ClientProtocol protocol, string? chosen)
    {
        if (hubs.IsRecoveryBlocked(hub, connectionId))
        {
            await RefuseAsync(context, hub, 503, "ServiceUnavailable", "Reconnects of this connection are held back by a test hook.").ConfigureAwait(false);
            return;
        }

        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = chosen, DangerousEnableCompression = false }).ConfigureAwait(false);
        var connection = hubs.Find(hub, connectionId);
        var gone = $"Connection '{WebPubSubNames.Shorten(connectionId)}' no longer exists (the {Options.ReconnectionWindow.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s reconnection window passed, or it was closed); connect again with an access token.";
        string? problem = null;
        if (connection is null || connection.IsClosed)
        {
            problem = gone;
        }
        else if (connection.Protocol != ClientProtocol.ReliableJson || protocol != ClientProtocol.ReliableJson)
        {
            problem = $"Only {ReliableJsonProtocol} connections can reconnect, with the same subprotocol.";
        }
        else if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(connection.ReconnectionToken!), Encoding.UTF8.GetBytes(reconnectionToken)))
        {
            problem = "The reconnection token does not match the connection.";
        }

        var newLink = new SocketLink(socket, Options.SendBufferLimit);
        if (problem is null)
        {
            if (connection!.TryAttach(newLink, out var previous))
            {
                previous?.Abort();
                StandInLog.Recovered(logger, hub, connectionId);
                await RunAsync(connection, newLink, context.RequestAborted).ConfigureAwait(false);
                return;
            }

            problem = gone; // it expired between the lookup and the attach
        }

        // Accept, explain and close with 1008: the official client then stops recovering and connects anew.
        StandInLog.Refused(logger, hub, 1008, problem);
        if (protocol != ClientProtocol.Plain)
        {
            newLink.TryEnqueue(ServerFrames.Disconnected(problem));
        }

        newLink.RequestClose(WebSocketCloseStatus.PolicyViolation, problem);
        var sending = newLink.RunSendLoopAsync(context.RequestAborted);
        await DrainUntilClosedAsync(socket, context.RequestAborted).ConfigureAwait(false);
        await sending.ConfigureAwait(false);
    }

    private async Task RunAsync(ClientConnection connection, SocketLink link, CancellationToken aborted)
    {
        var sending = link.RunSendLoopAsync(aborted);
        var clientClosed = false;
        try
        {
            clientClosed = await ReceiveAsync(connection, link, aborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The socket dropped (network, abort, server stop): a reliable connection waits for its client.
        }
#pragma warning disable CA1031 // One faulty connection must never take the server down; it is logged and closed.
        catch (Exception e)
#pragma warning restore CA1031
        {
            StandInLog.ConnectionFailed(logger, e, connection.Hub, connection.ConnectionId);
            hubs.Close(connection, WebSocketCloseStatus.InternalServerError, "The stand-in failed to handle this connection.");
        }
        finally
        {
            link.Complete();
            if (connection.Detach(link, Options.ReconnectionWindow, hubs.Time, Expired) || clientClosed)
            {
                hubs.Remove(connection, clientClosed ? "closed by the client" : "socket closed");
            }

            await sending.ConfigureAwait(false);
        }
    }

    private void Expired(ClientConnection connection)
    {
        if (connection.Expire())
        {
            hubs.Remove(connection, "reconnection window passed");
        }
    }

    /// <summary>Reads frames until the socket closes; returns true when the client ended the connection with a close handshake.</summary>
    private async Task<bool> ReceiveAsync(ClientConnection connection, SocketLink link, CancellationToken aborted)
    {
        var socket = link.Socket;
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var message = new ArrayBufferWriter<byte>(16 * 1024);
        var oversized = false;
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(chunk.AsMemory(), aborted).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    // A close the client started ends the connection (no recovery); otherwise it answers ours.
                    var endedByClient = !link.IsClosing && connection.ClosedByClient(link);
                    link.RequestClose(WebSocketCloseStatus.NormalClosure, string.Empty);
                    return endedByClient;
                }

                if (oversized || link.IsClosing)
                {
                    continue; // the connection is being closed: discard until the client answers the close
                }

                if (message.WrittenCount + received.Count > Options.MaxMessageSize)
                {
                    oversized = true;
                    message.Clear();
                    var problem = string.Create(CultureInfo.InvariantCulture, $"a message exceeded the {Options.MaxMessageSize}-byte limit");
                    StandInLog.BadFrame(logger, connection.Hub, connection.ConnectionId, problem);
                    hubs.Close(connection, WebSocketCloseStatus.MessageTooBig, "Invalid message: " + problem + ".");
                    continue;
                }

                message.Write(chunk.AsSpan(0, received.Count));
                if (!received.EndOfMessage)
                {
                    continue;
                }

                if (connection.Protocol == ClientProtocol.Plain)
                {
                    StandInLog.PlainFrameIgnored(logger, connection.Hub, connection.ConnectionId, message.WrittenCount);
                }
                else
                {
                    requests.Handle(connection, message.WrittenMemory);
                }

                message.Clear();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static async Task DrainUntilClosedAsync(WebSocket socket, CancellationToken aborted)
    {
        var chunk = new byte[1024];
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                if ((await socket.ReceiveAsync(chunk.AsMemory(), aborted).ConfigureAwait(false)).MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Gone.
        }
    }

    private async Task RefuseAsync(HttpContext context, string hub, int status, string code, string message)
    {
        StandInLog.Refused(logger, hub, status, message);
        if (status == 401)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        }

        await RestEndpoint.WriteErrorAsync(context, status, code, message).ConfigureAwait(false);
    }

    /// <summary>A random URL-safe id.</summary>
    /// <param name="bytes">Random bytes in it.</param>
    /// <returns>base64url text.</returns>
    internal static string NewId(int bytes) => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));
}
