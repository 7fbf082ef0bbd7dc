using System.Net.WebSockets;

namespace SigmaFlow.Functions.Local.WebPubSub;

/// <summary>Which subprotocol a client speaks.</summary>
internal enum ClientProtocol
{
    /// <summary>No subprotocol: receives payloads as plain frames; what it sends is ignored (there is no upstream).</summary>
    Plain,

    /// <summary><c>json.webpubsub.azure.v1</c>.</summary>
    Json,

    /// <summary><c>json.reliable.webpubsub.azure.v1</c>: sequence ids, sequence acks, recovery.</summary>
    ReliableJson,
}

/// <summary>
/// One client connection id: identity and roles from its token, its groups (kept by <see cref="StandInHubs"/>), the
/// current socket link, and for the reliable protocol the sequence counter, the unacknowledged messages (bounded in
/// bytes) and the reconnection token. A reliable connection outlives a dropped socket for the reconnection window.
/// </summary>
internal sealed class ClientConnection
{
    private const int RememberedAckIds = 4096;
    private readonly object gate = new();
    private readonly long bufferLimit;
    private readonly Queue<(ulong SequenceId, byte[] Frame)> unacknowledged = new();
    private readonly HashSet<ulong> processedAckIds = [];
    private readonly Queue<ulong> ackIdOrder = new();
    private SocketLink? link;
    private ulong lastSequenceId;
    private long unacknowledgedBytes;
    private ITimer? expiry;
    private bool closed;

    /// <summary>Creates a connection.</summary>
    /// <param name="hub">The hub.</param>
    /// <param name="connectionId">The id.</param>
    /// <param name="userId">The token's <c>sub</c>, or null.</param>
    /// <param name="roles">The token's roles.</param>
    /// <param name="protocol">The negotiated subprotocol.</param>
    /// <param name="reconnectionToken">The reconnection token (reliable only), or null.</param>
    /// <param name="bufferLimit">Most bytes queued or unacknowledged.</param>
    public ClientConnection(string hub, string connectionId, string? userId, IReadOnlyCollection<string> roles, ClientProtocol protocol, string? reconnectionToken, long bufferLimit)
    {
        Hub = hub;
        ConnectionId = connectionId;
        UserId = userId;
        Roles = new HashSet<string>(roles, StringComparer.Ordinal);
        Protocol = protocol;
        ReconnectionToken = reconnectionToken;
        this.bufferLimit = bufferLimit;
    }

    /// <summary>The hub.</summary>
    public string Hub { get; }

    /// <summary>The connection id.</summary>
    public string ConnectionId { get; }

    /// <summary>The user id, or null.</summary>
    public string? UserId { get; }

    /// <summary>The roles from the token.</summary>
    public IReadOnlySet<string> Roles { get; }

    /// <summary>The subprotocol.</summary>
    public ClientProtocol Protocol { get; }

    /// <summary>The reconnection token, or null when the protocol has no recovery.</summary>
    public string? ReconnectionToken { get; }

    /// <summary>Groups this connection is in; read and written only under <see cref="StandInHubs"/>' lock.</summary>
    public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether the connection is gone for good.</summary>
    public bool IsClosed
    {
        get
        {
            lock (gate)
            {
                return closed;
            }
        }
    }

    /// <summary>Whether the token grants a permission for a group (<c>webpubsub.X</c> or <c>webpubsub.X.{group}</c>).</summary>
    /// <param name="permission">joinLeaveGroup or sendToGroup.</param>
    /// <param name="group">The group.</param>
    /// <returns>True when granted.</returns>
    public bool Can(string permission, string group) =>
        Roles.Contains("webpubsub." + permission) || Roles.Contains("webpubsub." + permission + "." + group);

    /// <summary>
    /// Puts a socket behind this connection id (first connect or recovery): sends <c>connected</c>, then every
    /// unacknowledged message again in order. The caller aborts the link it replaced.
    /// </summary>
    /// <param name="newLink">The new link.</param>
    /// <param name="previous">The link it replaced, or null.</param>
    /// <returns>False when the connection is closed already (expired or closed while the reconnect came in).</returns>
    public bool TryAttach(SocketLink newLink, out SocketLink? previous)
    {
        lock (gate)
        {
            previous = link;
            if (closed)
            {
                return false;
            }

            link = newLink;
            expiry?.Dispose();
            expiry = null;
            if (Protocol != ClientProtocol.Plain)
            {
                newLink.TryEnqueue(ServerFrames.Connected(UserId, ConnectionId, ReconnectionToken));
            }

            foreach (var (_, frame) in unacknowledged)
            {
                newLink.TryEnqueue(frame);
            }

            return true;
        }
    }

    /// <summary>
    /// Takes a finished socket away. A reliable connection then waits <paramref name="window"/> for its client
    /// (<paramref name="expired"/> runs if nobody comes back); other connections end at once.
    /// </summary>
    /// <param name="finished">The link whose receive loop ended.</param>
    /// <param name="window">The reconnection window.</param>
    /// <param name="time">The clock for the window's timer.</param>
    /// <param name="expired">Called once when the window passes without a reconnect.</param>
    /// <returns>True when the connection is over (the caller forgets it now).</returns>
    public bool Detach(SocketLink finished, TimeSpan window, TimeProvider time, Action<ClientConnection> expired)
    {
        lock (gate)
        {
            if (!ReferenceEquals(link, finished))
            {
                return false; // a newer socket took over already
            }

            link = null;
            if (closed || Protocol != ClientProtocol.ReliableJson)
            {
                closed = true;
                return true;
            }

            expiry = time.CreateTimer(_ => expired(this), null, window, Timeout.InfiniteTimeSpan);
            return false;
        }
    }

    /// <summary>Ends the window of a detached reliable connection if no socket came back.</summary>
    /// <returns>True when it expired now (the caller forgets it).</returns>
    public bool Expire()
    {
        lock (gate)
        {
            if (closed || link is not null)
            {
                return false;
            }

            closed = true;
            expiry?.Dispose();
            expiry = null;
            unacknowledged.Clear();
            return true;
        }
    }

    /// <summary>
    /// Delivers a data message: plain clients get the payload frame, JSON clients the message, reliable clients the
    /// message with the next sequence id (kept until acknowledged, also while no socket is attached).
    /// </summary>
    /// <param name="message">The message.</param>
    /// <returns>False when the connection's buffer limit was exceeded (the caller closes it).</returns>
    public bool Deliver(OutboundMessage message)
    {
        lock (gate)
        {
            if (closed)
            {
                return true;
            }

            switch (Protocol)
            {
                case ClientProtocol.Plain:
                    return link?.TryEnqueue(message.Raw, message.RawType) ?? true;
                case ClientProtocol.Json:
                    return link?.TryEnqueue(message.Json) ?? true;
                default:
                    var frame = ServerFrames.WithSequenceId(message.Json, ++lastSequenceId);
                    unacknowledged.Enqueue((lastSequenceId, frame));
                    unacknowledgedBytes += frame.Length;
                    return unacknowledgedBytes <= bufferLimit && (link?.TryEnqueue(frame) ?? true);
            }
        }
    }

    /// <summary>Sends a control frame (ack, system, pong) on the current socket; it is not kept for recovery.</summary>
    /// <param name="frame">The frame.</param>
    public void SendControl(byte[] frame)
    {
        lock (gate)
        {
            link?.TryEnqueue(frame);
        }
    }

    /// <summary>Drops the unacknowledged messages up to and including a sequence id (<c>sequenceAck</c>).</summary>
    /// <param name="sequenceId">The largest sequence id the client received.</param>
    /// <returns>How many messages were released.</returns>
    public int Acknowledge(ulong sequenceId)
    {
        lock (gate)
        {
            var released = 0;
            while (unacknowledged.Count > 0 && unacknowledged.Peek().SequenceId <= sequenceId)
            {
                unacknowledgedBytes -= unacknowledged.Dequeue().Frame.Length;
                released++;
            }

            return released;
        }
    }

    /// <summary>Whether an ack id was already processed successfully on this connection.</summary>
    /// <param name="ackId">The ack id.</param>
    /// <returns>True for a repeat.</returns>
    public bool WasProcessed(ulong ackId)
    {
        lock (gate)
        {
            return processedAckIds.Contains(ackId);
        }
    }

    /// <summary>Remembers a successfully processed ack id (the last 4096 per connection).</summary>
    /// <param name="ackId">The ack id.</param>
    public void MarkProcessed(ulong ackId)
    {
        lock (gate)
        {
            if (!processedAckIds.Add(ackId))
            {
                return;
            }

            ackIdOrder.Enqueue(ackId);
            if (ackIdOrder.Count > RememberedAckIds)
            {
                processedAckIds.Remove(ackIdOrder.Dequeue());
            }
        }
    }

    /// <summary>
    /// Ends the connection for good: tells a subprotocol client why (<c>disconnected</c>) and closes its socket with
    /// the status (1008 tells the official client not to try recovery).
    /// </summary>
    /// <param name="status">Close status.</param>
    /// <param name="reason">Why.</param>
    /// <returns>False when it was closed already.</returns>
    public bool Close(WebSocketCloseStatus status, string reason)
    {
        lock (gate)
        {
            if (closed)
            {
                return false;
            }

            closed = true;
            expiry?.Dispose();
            expiry = null;
            unacknowledged.Clear();
            if (link is { } current)
            {
                if (Protocol != ClientProtocol.Plain)
                {
                    current.TryEnqueue(ServerFrames.Disconnected(reason));
                }

                current.RequestClose(status, reason);
            }

            return true;
        }
    }

    /// <summary>
    /// Ends the connection because its client closed the current socket with a handshake. Marked closed before the
    /// close frame is answered, so a reconnect attempt that follows the answer finds the connection gone.
    /// </summary>
    /// <param name="closing">The socket the client closed.</param>
    /// <returns>False when that socket is no longer the connection's (a newer one took over) or it was closed already.</returns>
    public bool ClosedByClient(SocketLink closing)
    {
        lock (gate)
        {
            if (closed || !ReferenceEquals(link, closing))
            {
                return false;
            }

            closed = true;
            expiry?.Dispose();
            expiry = null;
            unacknowledged.Clear();
            closing.RequestClose(WebSocketCloseStatus.NormalClosure, string.Empty);
            return true;
        }
    }

    /// <summary>Cuts the current socket without a close handshake (test hook: a network drop).</summary>
    /// <returns>False when no socket is attached.</returns>
    public bool DropSocket()
    {
        SocketLink? current;
        lock (gate)
        {
            current = link;
        }

        current?.Abort();
        return current is not null;
    }
}
