namespace SigmaFlow.Platform.Azure.Queues;

/// <summary>A message received with <see cref="QueueClient.ReceiveAsync"/>: invisible to other receivers until <see cref="NextVisibleOn"/>.</summary>
/// <param name="MessageId">The message id (stable across deliveries).</param>
/// <param name="PopReceipt">Proof of this delivery, needed to delete the message or change its visibility; a later
/// receive or visibility update replaces it, and the old one stops working.</param>
/// <param name="Text">The text as it was sent (decoded with the client's encoding), or the text as stored when
/// <see cref="DecodingError"/> is set.</param>
/// <param name="DequeueCount">How many times the message has been received, this time included (the Functions host
/// moves a message to <c>&lt;queue&gt;-poison</c> once this passes <c>maxDequeueCount</c>).</param>
/// <param name="InsertedOn">When the message was sent.</param>
/// <param name="ExpiresOn">When the service deletes it unread (9999-12-31 for messages that never expire).</param>
/// <param name="NextVisibleOn">When it becomes visible again unless deleted or updated.</param>
/// <param name="DecodingError">Null when <see cref="Text"/> was decoded; otherwise why the stored text is not valid
/// for the client's encoding (for example not base64), and <see cref="Text"/> holds it undecoded.</param>
public sealed record QueueMessage(
    string MessageId,
    string PopReceipt,
    string Text,
    long DequeueCount,
    DateTimeOffset InsertedOn,
    DateTimeOffset ExpiresOn,
    DateTimeOffset NextVisibleOn,
    string? DecodingError = null);

/// <summary>A message seen with <see cref="QueueClient.PeekAsync"/>: its visibility and dequeue count are unchanged, and there is no pop receipt.</summary>
/// <param name="MessageId">The message id.</param>
/// <param name="Text">The text as it was sent (decoded), or the text as stored when <see cref="DecodingError"/> is set.</param>
/// <param name="DequeueCount">How many times the message has been received so far.</param>
/// <param name="InsertedOn">When the message was sent.</param>
/// <param name="ExpiresOn">When the service deletes it unread.</param>
/// <param name="DecodingError">Null when <see cref="Text"/> was decoded; otherwise why it could not be.</param>
public sealed record PeekedMessage(
    string MessageId,
    string Text,
    long DequeueCount,
    DateTimeOffset InsertedOn,
    DateTimeOffset ExpiresOn,
    string? DecodingError = null);

/// <summary>The receipt of <see cref="QueueClient.SendAsync"/>.</summary>
/// <param name="MessageId">The new message's id.</param>
/// <param name="PopReceipt">A pop receipt for deleting or updating the message before anyone receives it.</param>
/// <param name="InsertedOn">When the service stored it.</param>
/// <param name="ExpiresOn">When the service deletes it unread.</param>
/// <param name="NextVisibleOn">When receivers first see it (the send time plus the visibility delay).</param>
public sealed record SendMessageResult(
    string MessageId,
    string PopReceipt,
    DateTimeOffset InsertedOn,
    DateTimeOffset ExpiresOn,
    DateTimeOffset NextVisibleOn);

/// <summary>The outcome of <see cref="QueueClient.UpdateVisibilityAsync"/>.</summary>
/// <param name="PopReceipt">The new pop receipt; the one passed in no longer works.</param>
/// <param name="NextVisibleOn">When the message becomes visible again.</param>
public sealed record UpdateVisibilityResult(string PopReceipt, DateTimeOffset NextVisibleOn);
