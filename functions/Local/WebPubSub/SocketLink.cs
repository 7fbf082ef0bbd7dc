using System.Net.WebSockets;
using System.Threading.Channels;

namespace SigmaFlow.Functions.Local.WebPubSub;

/// <summary>
/// One accepted WebSocket and the only task that writes to it: frames are queued (bounded in bytes) and sent in
/// order; a close request is sent after the frames queued before it, and the socket is aborted if the peer does not
/// answer the close within two seconds. A connection id outlives its links when the reliable protocol reconnects.
/// </summary>
internal sealed class SocketLink
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);
    private readonly Channel<Item> queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly long limit;
    private long pendingBytes;
    private int closeRequested;

    /// <summary>Wraps an accepted socket.</summary>
    /// <param name="socket">The socket.</param>
    /// <param name="limit">Most bytes that may wait to be sent.</param>
    public SocketLink(WebSocket socket, long limit)
    {
        Socket = socket;
        this.limit = limit;
    }

    /// <summary>The socket (read by the receive loop only).</summary>
    public WebSocket Socket { get; }

    /// <summary>Whether a close was requested or the link was aborted.</summary>
    public bool IsClosing => Volatile.Read(ref closeRequested) != 0;

    /// <summary>Queues a frame.</summary>
    /// <param name="frame">The bytes.</param>
    /// <param name="type">Text or binary.</param>
    /// <returns>False when the queue would exceed its byte limit (the caller closes the connection).</returns>
    public bool TryEnqueue(ReadOnlyMemory<byte> frame, WebSocketMessageType type = WebSocketMessageType.Text)
    {
        if (IsClosing)
        {
            return true; // dropped quietly: the socket is going away
        }

        if (Interlocked.Add(ref pendingBytes, frame.Length) > limit)
        {
            Interlocked.Add(ref pendingBytes, -frame.Length);
            return false;
        }

        return queue.Writer.TryWrite(new Item(frame, type, null, null));
    }

    /// <summary>Sends the frames queued so far, then a close frame, then stops.</summary>
    /// <param name="status">Close status.</param>
    /// <param name="reason">Close reason (at most 123 bytes on the wire; longer reasons are cut).</param>
    public void RequestClose(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref closeRequested, 1) != 0)
        {
            return;
        }

        queue.Writer.TryWrite(new Item(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Close, status, CloseReason(reason)));
        queue.Writer.TryComplete();
    }

    /// <summary>Cuts the socket at once, without a close handshake (what a network drop looks like).</summary>
    public void Abort()
    {
        Interlocked.Exchange(ref closeRequested, 1);
        queue.Writer.TryComplete();
        Socket.Abort();
    }

    /// <summary>Stops accepting frames once the receive side has ended.</summary>
    public void Complete()
    {
        Interlocked.Exchange(ref closeRequested, 1);
        queue.Writer.TryComplete();
    }

    /// <summary>Writes queued frames until the queue completes, the socket fails or the server stops.</summary>
    /// <param name="stopping">Signalled when the server shuts down.</param>
    /// <returns>A task that ends with the link.</returns>
    public async Task RunSendLoopAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var item in queue.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                if (item.Type == WebSocketMessageType.Close)
                {
                    if (Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await Socket.CloseOutputAsync(item.Status!.Value, item.Reason, stopping).ConfigureAwait(false);
                        _ = AbortIfNotClosedAsync();
                    }

                    return;
                }

                Interlocked.Add(ref pendingBytes, -item.Frame.Length);
                if (Socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
                {
                    return;
                }

                await Socket.SendAsync(item.Frame, item.Type, endOfMessage: true, stopping).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The peer went away or the server is stopping; the receive loop notices and detaches.
            Socket.Abort();
        }
    }

    /// <summary>A close reason cut to the protocol's 123 UTF-8 bytes.</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>The reason, shortened when needed.</returns>
    internal static string CloseReason(string reason)
    {
        while (System.Text.Encoding.UTF8.GetByteCount(reason) > 123)
        {
            reason = reason[..^1];
        }

        return reason;
    }

    private async Task AbortIfNotClosedAsync()
    {
        await Task.Delay(CloseGrace).ConfigureAwait(false);
        if (Socket.State != WebSocketState.Closed)
        {
            Socket.Abort();
        }
    }

    private readonly record struct Item(ReadOnlyMemory<byte> Frame, WebSocketMessageType Type, WebSocketCloseStatus? Status, string? Reason);
}
