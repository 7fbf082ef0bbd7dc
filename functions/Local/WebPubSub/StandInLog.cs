using Microsoft.Extensions.Logging;

namespace SigmaFlow.Functions.Local.WebPubSub;

/// <summary>The stand-in's log messages (never tokens or keys).</summary>
internal static partial class StandInLog
{
    [LoggerMessage(1, LogLevel.Information, "Web PubSub stand-in listening on {BaseAddress} (hubs: {Hubs})")]
    public static partial void Started(ILogger logger, string baseAddress, string hubs);

    [LoggerMessage(2, LogLevel.Debug, "Connection {ConnectionId} of hub {Hub} connected (user {UserId}, {Protocol})")]
    public static partial void Connected(ILogger logger, string hub, string connectionId, string? userId, ClientProtocol protocol);

    [LoggerMessage(3, LogLevel.Debug, "Connection {ConnectionId} of hub {Hub} removed: {Why}")]
    public static partial void Removed(ILogger logger, string hub, string connectionId, string why);

    [LoggerMessage(4, LogLevel.Warning, "Connection {ConnectionId} of hub {Hub} exceeded its send buffer limit of {Limit} bytes; closed")]
    public static partial void BufferFull(ILogger logger, string hub, string connectionId, long limit);

    [LoggerMessage(5, LogLevel.Information, "Client connect to hub {Hub} refused ({Status}): {Reason}")]
    public static partial void Refused(ILogger logger, string hub, int status, string reason);

    [LoggerMessage(6, LogLevel.Information, "Connection {ConnectionId} of hub {Hub} sent event '{EventName}' ({DataType}, {Bytes} bytes); there is no upstream event handler, acknowledged only")]
    public static partial void Event(ILogger logger, string hub, string connectionId, string eventName, string dataType, int bytes);

    [LoggerMessage(7, LogLevel.Information, "Connection {ConnectionId} of hub {Hub} sent a bad frame: {Problem}")]
    public static partial void BadFrame(ILogger logger, string hub, string connectionId, string problem);

    [LoggerMessage(8, LogLevel.Debug, "Connection {ConnectionId} of hub {Hub} recovered")]
    public static partial void Recovered(ILogger logger, string hub, string connectionId);

    [LoggerMessage(9, LogLevel.Information, "REST {Method} {Path} refused ({Status} {Code}): {Message}")]
    public static partial void RestRefused(ILogger logger, string method, string path, int status, string code, string message);

    [LoggerMessage(10, LogLevel.Debug, "Plain WebSocket connection {ConnectionId} of hub {Hub} sent a {Bytes}-byte frame; ignored (no upstream)")]
    public static partial void PlainFrameIgnored(ILogger logger, string hub, string connectionId, int bytes);

    [LoggerMessage(11, LogLevel.Warning, "Connection {ConnectionId} of hub {Hub} failed")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception, string hub, string connectionId);
}
