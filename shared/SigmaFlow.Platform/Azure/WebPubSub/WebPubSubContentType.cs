namespace SigmaFlow.Platform.Azure.WebPubSub;

/// <summary>
/// What a message body is, which decides its <c>Content-Type</c> and what clients receive: subprotocol clients get
/// <c>"dataType":"json"</c> with the JSON value, <c>"text"</c> with the string, or <c>"binary"</c> with base64;
/// plain WebSocket clients get a text frame (JSON, text) or a binary frame.
/// </summary>
public enum WebPubSubContentType
{
    /// <summary><c>application/json</c>: the body must be one JSON value.</summary>
    Json,

    /// <summary><c>text/plain</c>: UTF-8 text.</summary>
    Text,

    /// <summary><c>application/octet-stream</c>: bytes.</summary>
    Binary,
}
