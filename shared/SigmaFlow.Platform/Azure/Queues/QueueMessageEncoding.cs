namespace SigmaFlow.Platform.Azure.Queues;

/// <summary>
/// How a message's text travels inside <c>&lt;MessageText&gt;</c>. It must match the Functions queue trigger's
/// <c>extensions.queues.messageEncoding</c> in <c>host.json</c>, or triggered functions receive the wrong text.
/// SigmaFlow's <c>host.json</c> says <c>"none"</c>, so <see cref="None"/> is the default
/// (<see cref="QueueServiceClient.DefaultMessageEncoding"/>).
/// </summary>
public enum QueueMessageEncoding
{
    /// <summary>
    /// The text itself, XML-escaped (host.json <c>"none"</c>). Text holding characters that XML 1.0 cannot carry
    /// (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+FFFE, U+FFFF) is refused; use <see cref="Base64"/> for it.
    /// </summary>
    None = 0,

    /// <summary>
    /// Base64 of the text's UTF-8 bytes (host.json <c>"base64"</c>, the queue extension's own default). Carries any
    /// text; costs a third more of the 64 KiB limit (at most 49,152 UTF-8 bytes of text fit).
    /// </summary>
    Base64 = 1,
}
