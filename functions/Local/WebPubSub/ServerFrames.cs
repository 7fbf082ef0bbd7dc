using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SigmaFlow.Functions.Local.WebPubSub;

/// <summary>
/// A data message on its way to clients, built once per send and shared by every recipient: the subprotocol form
/// (<c>{"type":"message",…}</c> without <c>sequenceId</c>, which each reliable connection adds) and the plain form
/// (the payload as a text or binary frame, for clients without a subprotocol).
/// </summary>
/// <param name="Json">The subprotocol JSON object, without <c>sequenceId</c>.</param>
/// <param name="Raw">The payload for plain WebSocket clients.</param>
/// <param name="RawType">Text for json and text data, binary for binary data.</param>
internal sealed record OutboundMessage(byte[] Json, ReadOnlyMemory<byte> Raw, WebSocketMessageType RawType);

/// <summary>
/// Writes what the service sends to clients in <c>json.webpubsub.azure.v1</c> and <c>json.reliable.webpubsub.azure.v1</c>
/// (AZURE-REFERENCE.md §2.4): data messages from the server or a group, acks, system messages, pong, and the replies
/// the stand-in gives to features it does not implement (invoke, streams).
/// </summary>
internal static class ServerFrames
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A message from the REST API: <c>{"type":"message","from":"server","dataType":…,"data":…}</c>.</summary>
    /// <param name="dataType">json, text or binary.</param>
    /// <param name="payload">JSON text, UTF-8 text or bytes.</param>
    /// <returns>The message.</returns>
    public static OutboundMessage FromServer(string dataType, ReadOnlyMemory<byte> payload) =>
        Data(dataType, payload, w =>
        {
            w.WriteString("type", "message");
            w.WriteString("from", "server");
        });

    /// <summary>A message a client published: <c>{"type":"message","from":"group","group":…,…,"fromUserId":…}</c>.</summary>
    /// <param name="group">The group.</param>
    /// <param name="dataType">json, text or binary.</param>
    /// <param name="payload">JSON text, UTF-8 text or bytes.</param>
    /// <param name="fromUserId">The sender's user id, or null (then left out).</param>
    /// <returns>The message.</returns>
    public static OutboundMessage FromGroup(string group, string dataType, ReadOnlyMemory<byte> payload, string? fromUserId) =>
        Data(dataType, payload, w =>
        {
            w.WriteString("type", "message");
            w.WriteString("from", "group");
            w.WriteString("group", group);
        }, fromUserId);

    /// <summary>Adds <c>"sequenceId":N</c> as the first property of a data message (reliable protocol).</summary>
    /// <param name="json">The message without sequence id.</param>
    /// <param name="sequenceId">The connection's next sequence id.</param>
    /// <returns>The frame.</returns>
    public static byte[] WithSequenceId(byte[] json, ulong sequenceId)
    {
        var prefix = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"sequenceId\":{sequenceId},"));
        var frame = new byte[prefix.Length + json.Length - 1];
        prefix.CopyTo(frame, 0);
        json.AsSpan(1).CopyTo(frame.AsSpan(prefix.Length));
        return frame;
    }

    /// <summary><c>{"type":"system","event":"connected","userId":…,"connectionId":…,"reconnectionToken":…}</c>.</summary>
    /// <param name="userId">The user id, or null (left out).</param>
    /// <param name="connectionId">The connection id.</param>
    /// <param name="reconnectionToken">The reconnection token (reliable protocol only), or null.</param>
    /// <returns>The frame.</returns>
    public static byte[] Connected(string? userId, string connectionId, string? reconnectionToken) => Write(w =>
    {
        w.WriteString("type", "system");
        w.WriteString("event", "connected");
        if (userId is not null)
        {
            w.WriteString("userId", userId);
        }

        w.WriteString("connectionId", connectionId);
        if (reconnectionToken is not null)
        {
            w.WriteString("reconnectionToken", reconnectionToken);
        }
    });

    /// <summary><c>{"type":"system","event":"disconnected","message":…}</c>: sent before the service closes a connection.</summary>
    /// <param name="reason">Why.</param>
    /// <returns>The frame.</returns>
    public static byte[] Disconnected(string reason) => Write(w =>
    {
        w.WriteString("type", "system");
        w.WriteString("event", "disconnected");
        w.WriteString("message", reason);
    });

    /// <summary><c>{"type":"ack","ackId":N,"success":true}</c>.</summary>
    /// <param name="ackId">The request's ack id.</param>
    /// <returns>The frame.</returns>
    public static byte[] AckSuccess(ulong ackId) => Write(w =>
    {
        w.WriteString("type", "ack");
        w.WriteNumber("ackId", ackId);
        w.WriteBoolean("success", true);
    });

    /// <summary><c>{"type":"ack","ackId":N,"success":false,"error":{"name":…,"message":…}}</c>.</summary>
    /// <param name="ackId">The request's ack id.</param>
    /// <param name="name">Forbidden, Duplicate, InvalidRequest or InternalServerError.</param>
    /// <param name="message">Details.</param>
    /// <returns>The frame.</returns>
    public static byte[] AckError(ulong ackId, string name, string message) => Write(w =>
    {
        w.WriteString("type", "ack");
        w.WriteNumber("ackId", ackId);
        w.WriteBoolean("success", false);
        w.WriteStartObject("error");
        w.WriteString("name", name);
        w.WriteString("message", message);
        w.WriteEndObject();
    });

    /// <summary><c>{"type":"pong"}</c>, the answer to the client's keep-alive <c>{"type":"ping"}</c>.</summary>
    /// <returns>The frame.</returns>
    public static byte[] Pong() => Write(w => w.WriteString("type", "pong"));

    /// <summary>A failed <c>invokeResponse</c> (no upstream handles invocations here).</summary>
    /// <param name="invocationId">The invocation id.</param>
    /// <param name="message">Why.</param>
    /// <returns>The frame.</returns>
    public static byte[] InvokeFailed(string invocationId, string message) => Write(w =>
    {
        w.WriteString("type", "invokeResponse");
        w.WriteString("invocationId", invocationId);
        w.WriteBoolean("success", false);
        w.WriteStartObject("error");
        w.WriteString("name", "NotSupported");
        w.WriteString("message", message);
        w.WriteEndObject();
    });

    /// <summary>A <c>streamClosed</c> with an error (group streams are not implemented here).</summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="message">Why.</param>
    /// <returns>The frame.</returns>
    public static byte[] StreamClosed(string streamId, string message) => Write(w =>
    {
        w.WriteString("type", "streamClosed");
        w.WriteString("streamId", streamId);
        w.WriteStartObject("error");
        w.WriteString("name", "NotSupported");
        w.WriteString("message", message);
        w.WriteEndObject();
    });

    private static OutboundMessage Data(string dataType, ReadOnlyMemory<byte> payload, Action<Utf8JsonWriter> head, string? fromUserId = null)
    {
        var json = Write(w =>
        {
            head(w);
            w.WriteString("dataType", dataType);
            switch (dataType)
            {
                case "json":
                    w.WritePropertyName("data");
                    w.WriteRawValue(payload.Span, skipInputValidation: true); // validated where it entered
                    break;
                case "text":
                    w.WriteString("data", payload.Span);
                    break;
                default:
                    w.WriteBase64String("data", payload.Span);
                    break;
            }

            if (fromUserId is not null)
            {
                w.WriteString("fromUserId", fromUserId);
            }
        });
        return new OutboundMessage(json, payload, dataType == "binary" ? WebSocketMessageType.Binary : WebSocketMessageType.Text);
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
