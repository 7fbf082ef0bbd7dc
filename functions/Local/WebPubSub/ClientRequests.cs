using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Functions.Local.WebPubSub;

/// <summary>
/// Interprets what subprotocol clients send (AZURE-REFERENCE.md §2.4): <c>joinGroup</c>, <c>leaveGroup</c>,
/// <c>sendToGroup</c>, <c>event</c>, <c>sequenceAck</c>, and from <c>@azure/web-pubsub-client</c> also <c>ping</c>,
/// <c>invoke</c>, <c>cancelInvocation</c> and group streams. A request that is wrong but carries an <c>ackId</c> gets an
/// ack with <c>InvalidRequest</c>; a frame that is not a request at all (not JSON, no type, bad ackId, unknown type
/// without ackId) ends the connection with <c>disconnected</c> and close 1008, as the service declines such clients.
/// </summary>
internal sealed class ClientRequests(StandInHubs hubs, ILogger logger)
{
    /// <summary>Handles one complete frame of a subprotocol client.</summary>
    /// <param name="connection">The sender.</param>
    /// <param name="frame">The frame's bytes (text or binary frames both carry UTF-8 JSON).</param>
    public void Handle(ClientConnection connection, ReadOnlyMemory<byte> frame)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(frame);
        }
        catch (JsonException e)
        {
            Violation(connection, $"the frame is not JSON ({e.Message})");
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Violation(connection, $"the frame is a JSON {root.ValueKind.ToString().ToUpperInvariant()}, not an object");
                return;
            }

            if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                Violation(connection, "the frame has no string 'type'");
                return;
            }

            ulong? ackId = null;
            if (root.TryGetProperty("ackId", out var ackElement) && ackElement.ValueKind != JsonValueKind.Null)
            {
                if (ackElement.ValueKind != JsonValueKind.Number || !ackElement.TryGetUInt64(out var parsed))
                {
                    Violation(connection, "'ackId' must be a non-negative integer");
                    return;
                }

                ackId = parsed;
            }

            var request = new Request(connection, root, ackId);
            var type = typeElement.GetString()!;
            switch (type)
            {
                case "joinGroup":
                case "leaveGroup":
                    JoinOrLeave(request, type == "joinGroup");
                    break;
                case "sendToGroup":
                    SendToGroup(request);
                    break;
                case "event":
                    Event(request);
                    break;
                case "sequenceAck":
                    SequenceAck(request);
                    break;
                case "ping":
                    connection.SendControl(ServerFrames.Pong());
                    break;
                case "invoke":
                    if (String(root, "invocationId") is { Length: > 0 } invocationId)
                    {
                        connection.SendControl(ServerFrames.InvokeFailed(invocationId, "The local Web PubSub stand-in has no upstream event handler to invoke."));
                    }
                    else
                    {
                        Violation(connection, "'invoke' needs a string 'invocationId'");
                    }

                    break;
                case "cancelInvocation":
                case "streamData":
                case "streamEnd":
                    break; // invocations are answered at once and streams refused at their start: nothing to do
                default:
                    Invalid(request, $"the message type '{Shorten(type)}' is not supported by the local Web PubSub stand-in");
                    break;
            }
        }
    }

    private void JoinOrLeave(Request request, bool join)
    {
        if (IsDuplicate(request) || ValidGroup(request) is not { } group)
        {
            return;
        }

        if (!request.Connection.Can("joinLeaveGroup", group))
        {
            Forbidden(request, $"The connection has no permission to {(join ? "join" : "leave")} group '{Shorten(group)}' (needs role webpubsub.joinLeaveGroup or webpubsub.joinLeaveGroup.{Shorten(group)}).");
            return;
        }

        if (join)
        {
            hubs.Join(request.Connection, group);
        }
        else
        {
            hubs.Leave(request.Connection, group);
        }

        Succeed(request);
    }

    private void SendToGroup(Request request)
    {
        if (request.Root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.Object)
        {
            if (String(stream, "streamId") is { } streamId)
            {
                request.Connection.SendControl(ServerFrames.StreamClosed(streamId, "Group streams are not supported by the local Web PubSub stand-in."));
            }

            Invalid(request, "group streams are not supported by the local Web PubSub stand-in", closeWithoutAckId: false);
            return;
        }

        if (IsDuplicate(request) || ValidGroup(request) is not { } group)
        {
            return;
        }

        var noEcho = false;
        if (request.Root.TryGetProperty("noEcho", out var echo) && echo.ValueKind != JsonValueKind.Null)
        {
            if (echo.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Invalid(request, "'noEcho' must be true or false");
                return;
            }

            noEcho = echo.GetBoolean();
        }

        if (Payload(request) is not { } payload)
        {
            return;
        }

        if (!request.Connection.Can("sendToGroup", group))
        {
            Forbidden(request, $"The connection has no permission to send to group '{Shorten(group)}' (needs role webpubsub.sendToGroup or webpubsub.sendToGroup.{Shorten(group)}).");
            return;
        }

        var message = ServerFrames.FromGroup(group, payload.DataType, payload.Bytes, request.Connection.UserId);
        hubs.Deliver(hubs.Targets(request.Connection.Hub, "groups", group), message, sender: noEcho ? request.Connection : null);
        Succeed(request);
    }

    private void Event(Request request)
    {
        if (IsDuplicate(request))
        {
            return;
        }

        if (String(request.Root, "event") is not { Length: > 0 } name)
        {
            Invalid(request, "'event' needs a non-empty string 'event'");
            return;
        }

        if (Payload(request) is not { } payload)
        {
            return;
        }

        StandInLog.Event(logger, request.Connection.Hub, request.Connection.ConnectionId, name, payload.DataType, payload.Bytes.Length);
        Succeed(request);
    }

    private void SequenceAck(Request request)
    {
        if (!request.Root.TryGetProperty("sequenceId", out var element) || element.ValueKind != JsonValueKind.Number || !element.TryGetUInt64(out var sequenceId))
        {
            Invalid(request, "'sequenceAck' needs a non-negative integer 'sequenceId'");
            return;
        }

        if (request.Connection.Protocol == ClientProtocol.ReliableJson)
        {
            request.Connection.Acknowledge(sequenceId);
        }
    }

    private static bool IsDuplicate(Request request)
    {
        if (request.AckId is not { } ackId || !request.Connection.WasProcessed(ackId))
        {
            return false;
        }

        request.Connection.SendControl(ServerFrames.AckError(ackId, "Duplicate", $"Message with ack-id: {ackId} has been processed"));
        return true;
    }

    private string? ValidGroup(Request request)
    {
        var group = String(request.Root, "group");
        if (!WebPubSubNames.IsValidGroup(group))
        {
            Invalid(request, $"'group' must be a string: {WebPubSubNames.GroupRule}");
            return null;
        }

        return group;
    }

    private Payload? Payload(Request request)
    {
        var dataType = "json";
        if (request.Root.TryGetProperty("dataType", out var typeElement) && typeElement.ValueKind != JsonValueKind.Null)
        {
            dataType = typeElement.ValueKind == JsonValueKind.String ? typeElement.GetString()! : "?";
        }

        if (!request.Root.TryGetProperty("data", out var data))
        {
            Invalid(request, "the request has no 'data'");
            return null;
        }

        switch (dataType)
        {
            case "json":
                return new Payload("json", Encoding.UTF8.GetBytes(data.GetRawText()));
            case "text" when data.ValueKind == JsonValueKind.String:
                return new Payload("text", Encoding.UTF8.GetBytes(data.GetString()!));
            case "binary" when data.ValueKind == JsonValueKind.String && data.TryGetBytesFromBase64(out var bytes):
                return new Payload("binary", bytes);
            case "text":
                Invalid(request, "'data' must be a string when 'dataType' is text");
                return null;
            case "binary":
                Invalid(request, "'data' must be a base64 string when 'dataType' is binary");
                return null;
            default:
                Invalid(request, $"'dataType' must be json, text or binary; got '{Shorten(dataType)}'");
                return null;
        }
    }

    private static void Succeed(Request request)
    {
        if (request.AckId is { } ackId)
        {
            request.Connection.MarkProcessed(ackId);
            request.Connection.SendControl(ServerFrames.AckSuccess(ackId));
        }
    }

    private void Forbidden(Request request, string message)
    {
        StandInLog.BadFrame(logger, request.Connection.Hub, request.Connection.ConnectionId, message);
        if (request.AckId is { } ackId)
        {
            request.Connection.SendControl(ServerFrames.AckError(ackId, "Forbidden", message));
        }
    }

    private void Invalid(Request request, string problem, bool closeWithoutAckId = true)
    {
        if (request.AckId is { } ackId)
        {
            StandInLog.BadFrame(logger, request.Connection.Hub, request.Connection.ConnectionId, problem);
            request.Connection.SendControl(ServerFrames.AckError(ackId, "InvalidRequest", char.ToUpperInvariant(problem[0]) + problem[1..] + "."));
        }
        else if (closeWithoutAckId)
        {
            Violation(request.Connection, problem);
        }
    }

    private void Violation(ClientConnection connection, string problem)
    {
        StandInLog.BadFrame(logger, connection.Hub, connection.ConnectionId, problem);
        hubs.Close(connection, WebSocketCloseStatus.PolicyViolation, "Invalid message: " + problem + ".");
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Shorten(string value) => WebPubSubNames.Shorten(value);

    private readonly record struct Request(ClientConnection Connection, JsonElement Root, ulong? AckId);
}

/// <summary>A validated payload of a client request.</summary>
/// <param name="DataType">json, text or binary.</param>
/// <param name="Bytes">JSON text, UTF-8 text or the decoded bytes.</param>
internal sealed record Payload(string DataType, byte[] Bytes);
