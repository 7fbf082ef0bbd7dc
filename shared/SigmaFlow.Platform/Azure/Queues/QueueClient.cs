using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace SigmaFlow.Platform.Azure.Queues;

/// <summary>
/// One Storage queue: create and delete it; send, receive, peek, delete and hide messages. Speaks the Queue Storage
/// REST protocol (https://learn.microsoft.com/rest/api/storageservices/queue-service-rest-api). Delivery is
/// at-least-once: a message whose receiver does not delete it within its visibility timeout is delivered again, and
/// a send retried after a lost response can store the message twice, so consumers must be idempotent.
/// Get one from <see cref="QueueServiceClient.GetQueueClient(string)"/>; immutable and thread-safe.
/// </summary>
public sealed class QueueClient
{
    /// <summary>The service's size limit for one message: 64 KiB of encoded (XML-escaped or base64) text.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>The most messages one receive or peek returns.</summary>
    public const int MaxMessagesPerRequest = 32;

    private readonly HttpPipeline pipeline;
    private readonly Uri serviceEndpoint;

    internal QueueClient(HttpPipeline pipeline, Uri serviceEndpoint, string name, QueueMessageEncoding messageEncoding)
    {
        this.pipeline = pipeline;
        this.serviceEndpoint = serviceEndpoint;
        Name = name;
        MessageEncoding = messageEncoding;
        Uri = new Uri(serviceEndpoint.AbsoluteUri.TrimEnd('/') + "/" + name);
    }

    /// <summary>The longest visibility timeout or delay the service accepts: 7 days.</summary>
    public static TimeSpan MaxVisibilityTimeout { get; } = TimeSpan.FromDays(7);

    /// <summary>The time to live of messages sent without one: 7 days.</summary>
    public static TimeSpan DefaultTimeToLive { get; } = TimeSpan.FromDays(7);

    /// <summary>The queue name.</summary>
    public string Name { get; }

    /// <summary>The queue's URL.</summary>
    public Uri Uri { get; }

    /// <summary>How message text is encoded on send and decoded on receive and peek.</summary>
    public QueueMessageEncoding MessageEncoding { get; }

    /// <summary>Creates the queue (<c>PUT /{queue}</c>). Succeeds also when it exists already without metadata, as the service does.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the queue exists.</returns>
    /// <exception cref="RequestFailedException">The service refused (for example 409 QueueAlreadyExists: it exists with other metadata) or could not be reached.</exception>
    public async Task CreateAsync(CancellationToken cancellationToken = default)
    {
        using var message = Request(RequestMethod.Put, null);
        await ExecuteAsync(message, $"Create Queue '{Name}'", [201, 204], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the queue unless it exists.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True when this call created it; false when it existed.</returns>
    /// <exception cref="RequestFailedException">The service refused or could not be reached.</exception>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = Request(RequestMethod.Put, null);
        var response = await ExecuteAsync(message, $"Create Queue '{Name}'", [201, 204, 409], cancellationToken).ConfigureAwait(false);
        if (response.Status == 409 && QueueFailures.Code(response) != "QueueAlreadyExists")
        {
            throw QueueFailures.FromResponse(response, $"Create Queue '{Name}'");
        }

        return response.Status == 201;
    }

    /// <summary>Deletes the queue and its messages (<c>DELETE /{queue}</c>). Azure blocks the name for about 30 s afterwards.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the queue is deleted.</returns>
    /// <exception cref="RequestFailedException">404 QueueNotFound, another refusal, or the service could not be reached.</exception>
    public async Task DeleteQueueAsync(CancellationToken cancellationToken = default)
    {
        using var message = Request(RequestMethod.Delete, null);
        await ExecuteAsync(message, $"Delete Queue '{Name}'", [204], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the queue if it exists.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True when this call deleted it; false when it did not exist.</returns>
    /// <exception cref="RequestFailedException">The service refused or could not be reached.</exception>
    public async Task<bool> DeleteQueueIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = Request(RequestMethod.Delete, null);
        var response = await ExecuteAsync(message, $"Delete Queue '{Name}'", [204, 404], cancellationToken).ConfigureAwait(false);
        if (response.Status == 404 && QueueFailures.Code(response) is { } code && code != "QueueNotFound")
        {
            throw QueueFailures.FromResponse(response, $"Delete Queue '{Name}'");
        }

        return response.Status == 204;
    }

    /// <summary>The approximate number of messages in the queue, visible or not (<c>GET /{queue}?comp=metadata</c>).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The service's count (not lower than the true count).</returns>
    /// <exception cref="RequestFailedException">404 QueueNotFound, another refusal, or the service could not be reached.</exception>
    public async Task<int> GetApproximateMessageCountAsync(CancellationToken cancellationToken = default)
    {
        using var message = Request(RequestMethod.Get, null);
        message.Request.Uri.AppendQuery("comp", "metadata");
        var operation = $"Get Queue Metadata of '{Name}'";
        var response = await ExecuteAsync(message, operation, [200], cancellationToken).ConfigureAwait(false);
        return response.Headers.TryGetValue("x-ms-approximate-messages-count", out var count) && int.TryParse(count, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new RequestFailedException(response.Status, $"{operation}: the response has no valid x-ms-approximate-messages-count header.");
    }

    /// <summary>
    /// Sends a message (<c>POST /{queue}/messages?visibilitytimeout=…&amp;messagettl=…</c>). The text is encoded with
    /// <see cref="MessageEncoding"/> and XML-escaped into <c>&lt;QueueMessage&gt;&lt;MessageText&gt;…</c>; its size is
    /// checked against <see cref="MaxMessageBytes"/> before anything is sent.
    /// </summary>
    /// <param name="text">The message text (JSON, typically).</param>
    /// <param name="visibilityDelay">How long the message stays invisible after it is stored: whole seconds, 0 to 7
    /// days and shorter than the time to live; null for 0.</param>
    /// <param name="timeToLive">How long the message lives unread: whole seconds of at least 1 s; null for the service
    /// default of 7 days; <see cref="Timeout.InfiniteTimeSpan"/> for never (<c>messagettl=-1</c>).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new message's id, pop receipt and times.</returns>
    /// <exception cref="ArgumentException">The text is over the limit once encoded, or cannot be carried by the encoding; a time is out of range.</exception>
    /// <exception cref="RequestFailedException">The service refused (404 QueueNotFound when the queue does not exist) or could not be reached.</exception>
    public async Task<SendMessageResult> SendAsync(string text, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        var encoded = QueueMessageCodec.Encode(text, MessageEncoding, nameof(text));
        int? delaySeconds = visibilityDelay is { } delay ? Seconds(delay, nameof(visibilityDelay), TimeSpan.Zero, MaxVisibilityTimeout) : null;
        int? ttlSeconds = null;
        if (timeToLive is { } ttl)
        {
            ttlSeconds = ttl == Timeout.InfiniteTimeSpan ? -1 : TimeToLiveSeconds(ttl, nameof(timeToLive));
        }

        if (delaySeconds is { } d && ttlSeconds != -1 && d >= (ttlSeconds ?? (int)DefaultTimeToLive.TotalSeconds))
        {
            throw new ArgumentOutOfRangeException(
                nameof(visibilityDelay),
                visibilityDelay,
                string.Create(CultureInfo.InvariantCulture, $"visibilityDelay must be shorter than the time to live ({(ttlSeconds is null ? "7 days when not given" : Show(timeToLive!.Value))}); got {Show(visibilityDelay!.Value)}."));
        }

        using var message = Request(RequestMethod.Post, "/messages");
        if (delaySeconds is { } s)
        {
            message.Request.Uri.AppendQuery("visibilitytimeout", s.ToString(CultureInfo.InvariantCulture));
        }

        if (ttlSeconds is { } t)
        {
            message.Request.Uri.AppendQuery("messagettl", t.ToString(CultureInfo.InvariantCulture));
        }

        SetBody(message, encoded);
        var operation = $"Put Message on queue '{Name}'";
        var response = await ExecuteAsync(message, operation, [201], cancellationToken).ConfigureAwait(false);
        var receipts = Parse(response, operation, fields => new SendMessageResult(
            QueueMessageCodec.Field(fields, "MessageId"),
            QueueMessageCodec.Field(fields, "PopReceipt"),
            QueueMessageCodec.Date(fields, "InsertionTime"),
            QueueMessageCodec.Date(fields, "ExpirationTime"),
            QueueMessageCodec.Date(fields, "TimeNextVisible")));
        return receipts.Count == 1
            ? receipts[0]
            : throw new RequestFailedException(response.Status, string.Create(CultureInfo.InvariantCulture, $"{operation}: the response lists {receipts.Count} messages instead of 1."));
    }

    /// <summary>
    /// Receives up to <paramref name="maxMessages"/> visible messages and hides them for <paramref name="visibilityTimeout"/>
    /// (<c>GET /{queue}/messages?numofmessages=…&amp;visibilitytimeout=…</c>). Delete each one once handled; otherwise it
    /// comes back after the timeout with its dequeue count raised.
    /// </summary>
    /// <param name="maxMessages">1 to 32.</param>
    /// <param name="visibilityTimeout">Whole seconds from 1 s to 7 days.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The messages (none when the queue has no visible message).</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <exception cref="RequestFailedException">The service refused or could not be reached.</exception>
    public async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        CheckCount(maxMessages);
        var seconds = Seconds(visibilityTimeout, nameof(visibilityTimeout), TimeSpan.FromSeconds(1), MaxVisibilityTimeout);
        using var message = Request(RequestMethod.Get, "/messages");
        message.Request.Uri.AppendQuery("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture));
        message.Request.Uri.AppendQuery("visibilitytimeout", seconds.ToString(CultureInfo.InvariantCulture));
        var operation = $"Get Messages from queue '{Name}'";
        var response = await ExecuteAsync(message, operation, [200], cancellationToken).ConfigureAwait(false);
        return Parse(response, operation, fields =>
        {
            var text = QueueMessageCodec.Decode(fields.GetValueOrDefault("MessageText", string.Empty), MessageEncoding, out var error);
            return new QueueMessage(
                QueueMessageCodec.Field(fields, "MessageId"),
                QueueMessageCodec.Field(fields, "PopReceipt"),
                text,
                QueueMessageCodec.Number(fields, "DequeueCount"),
                QueueMessageCodec.Date(fields, "InsertionTime"),
                QueueMessageCodec.Date(fields, "ExpirationTime"),
                QueueMessageCodec.Date(fields, "TimeNextVisible"),
                error);
        });
    }

    /// <summary>Looks at up to <paramref name="maxMessages"/> visible messages without receiving them (<c>GET /{queue}/messages?peekonly=true</c>).</summary>
    /// <param name="maxMessages">1 to 32.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The messages, front of the queue first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessages"/> is out of range.</exception>
    /// <exception cref="RequestFailedException">The service refused or could not be reached.</exception>
    public async Task<IReadOnlyList<PeekedMessage>> PeekAsync(int maxMessages = 1, CancellationToken cancellationToken = default)
    {
        CheckCount(maxMessages);
        using var message = Request(RequestMethod.Get, "/messages");
        message.Request.Uri.AppendQuery("peekonly", "true");
        message.Request.Uri.AppendQuery("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture));
        var operation = $"Peek Messages on queue '{Name}'";
        var response = await ExecuteAsync(message, operation, [200], cancellationToken).ConfigureAwait(false);
        return Parse(response, operation, fields =>
        {
            var text = QueueMessageCodec.Decode(fields.GetValueOrDefault("MessageText", string.Empty), MessageEncoding, out var error);
            return new PeekedMessage(
                QueueMessageCodec.Field(fields, "MessageId"),
                text,
                QueueMessageCodec.Number(fields, "DequeueCount"),
                QueueMessageCodec.Date(fields, "InsertionTime"),
                QueueMessageCodec.Date(fields, "ExpirationTime"),
                error);
        });
    }

    /// <summary>Deletes a received message (<c>DELETE /{queue}/messages/{id}?popreceipt=…</c>, the receipt URL-encoded).</summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="popReceipt">The pop receipt of the latest receive or visibility update.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the message is deleted.</returns>
    /// <exception cref="ArgumentException">An id or receipt is empty.</exception>
    /// <exception cref="RequestFailedException">404 MessageNotFound (already deleted, expired, or a stale pop receipt),
    /// 400 for a malformed receipt, another refusal, or the service could not be reached.</exception>
    public async Task DeleteAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        using var message = MessageRequest(RequestMethod.Delete, messageId, popReceipt);
        await ExecuteAsync(message, $"Delete Message {messageId} from queue '{Name}'", [204], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Hides a received message for another <paramref name="visibilityTimeout"/> from now, and optionally replaces its
    /// text (<c>PUT /{queue}/messages/{id}?popreceipt=…&amp;visibilitytimeout=…</c>). A visibility timeout of zero
    /// releases it to other receivers at once. The old pop receipt stops working.
    /// </summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="popReceipt">The pop receipt of the latest receive or visibility update.</param>
    /// <param name="visibilityTimeout">Whole seconds from 0 to 7 days.</param>
    /// <param name="newText">The new text (encoded and size-checked like <see cref="SendAsync"/>), or null to keep it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new pop receipt and the time the message becomes visible.</returns>
    /// <exception cref="ArgumentException">An argument is empty or out of range, or the new text does not fit.</exception>
    /// <exception cref="RequestFailedException">404 MessageNotFound (deleted, expired, or a stale pop receipt), another refusal, or the service could not be reached.</exception>
    public async Task<UpdateVisibilityResult> UpdateVisibilityAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, string? newText = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        var seconds = Seconds(visibilityTimeout, nameof(visibilityTimeout), TimeSpan.Zero, MaxVisibilityTimeout);
        var encoded = newText is null ? null : QueueMessageCodec.Encode(newText, MessageEncoding, nameof(newText));
        using var message = MessageRequest(RequestMethod.Put, messageId, popReceipt);
        message.Request.Uri.AppendQuery("visibilitytimeout", seconds.ToString(CultureInfo.InvariantCulture));
        if (encoded is not null)
        {
            SetBody(message, encoded);
        }

        var operation = $"Update Message {messageId} on queue '{Name}'";
        var response = await ExecuteAsync(message, operation, [204], cancellationToken).ConfigureAwait(false);
        if (!response.Headers.TryGetValue("x-ms-popreceipt", out var receipt) || string.IsNullOrEmpty(receipt)
            || !response.Headers.TryGetValue("x-ms-time-next-visible", out var visible))
        {
            throw new RequestFailedException(response.Status, $"{operation}: the response lacks the x-ms-popreceipt or x-ms-time-next-visible header.");
        }

        return new UpdateVisibilityResult(receipt, QueueMessageCodec.ParseDate(visible, "x-ms-time-next-visible"));
    }

    /// <summary>Deletes every message of the queue (<c>DELETE /{queue}/messages</c>).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the queue is empty.</returns>
    /// <exception cref="RequestFailedException">The service refused (Azure answers 500 OperationTimedOut on very large queues; call again) or could not be reached.</exception>
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        using var message = Request(RequestMethod.Delete, "/messages");
        await ExecuteAsync(message, $"Clear Messages of queue '{Name}'", [204], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"queue {Name} at {Uri} ({MessageEncoding} encoding)";

    private static void CheckCount(int maxMessages)
    {
        if (maxMessages is < 1 or > MaxMessagesPerRequest)
        {
            throw new ArgumentOutOfRangeException(nameof(maxMessages), maxMessages, string.Create(CultureInfo.InvariantCulture, $"maxMessages must be from 1 to {MaxMessagesPerRequest}; got {maxMessages}."));
        }
    }

    private static int Seconds(TimeSpan value, string parameterName, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max || value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                value,
                string.Create(CultureInfo.InvariantCulture, $"{parameterName} must be a whole number of seconds from {Show(min)} to {Show(max)}; got {Show(value)}."));
        }

        return (int)(value.Ticks / TimeSpan.TicksPerSecond);
    }

    private static int TimeToLiveSeconds(TimeSpan value, string parameterName)
    {
        if (value < TimeSpan.FromSeconds(1) || value.Ticks % TimeSpan.TicksPerSecond != 0 || value.Ticks / TimeSpan.TicksPerSecond > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                value,
                string.Create(CultureInfo.InvariantCulture, $"timeToLive must be a whole number of seconds from 1 s to {int.MaxValue} s, Timeout.InfiniteTimeSpan for never, or null for 7 days; got {Show(value)}."));
        }

        return (int)(value.Ticks / TimeSpan.TicksPerSecond);
    }

    private static string Show(TimeSpan value) =>
        value == TimeSpan.Zero ? "0 s"
        : value.Ticks % TimeSpan.TicksPerDay == 0 ? string.Create(CultureInfo.InvariantCulture, $"{value.Ticks / TimeSpan.TicksPerDay} days")
        : value.Ticks % TimeSpan.TicksPerSecond == 0 ? string.Create(CultureInfo.InvariantCulture, $"{value.Ticks / TimeSpan.TicksPerSecond} s")
        : value.ToString("c", CultureInfo.InvariantCulture);

    private static void SetBody(HttpMessage message, string encodedText)
    {
        message.Request.Headers.SetValue("Content-Type", "application/xml; charset=utf-8");
        message.Request.Content = RequestContent.Create(QueueMessageCodec.Body(encodedText));
    }

    private static List<T> Parse<T>(Response response, string operation, Func<Dictionary<string, string>, T> map)
    {
        try
        {
            return QueueMessageCodec.ParseList(response.Content).ConvertAll(fields => map(fields));
        }
        catch (FormatException e)
        {
            throw new RequestFailedException(response.Status, $"{operation}: {e.Message}", null, e);
        }
    }

    private HttpMessage Request(RequestMethod method, string? path)
    {
        var message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(Uri);
        if (path is not null)
        {
            message.Request.Uri.AppendPath(path, escape: false);
        }

        return message;
    }

    private HttpMessage MessageRequest(RequestMethod method, string messageId, string popReceipt)
    {
        var message = Request(method, "/messages/");
        message.Request.Uri.AppendPath(messageId, escape: true);

        // Pop receipts are base64 ('+', '/', '='): escaped, or the service reads '+' as a space.
        message.Request.Uri.AppendQuery("popreceipt", popReceipt, escapeValue: true);
        return message;
    }

    private async Task<Response> ExecuteAsync(HttpMessage message, string operation, int[] expected, CancellationToken cancellationToken)
    {
        try
        {
            await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && e is AggregateException or RequestFailedException { Status: 0 } or OperationCanceledException)
        {
            throw QueueFailures.Unreachable(e, operation, serviceEndpoint);
        }

        var response = message.Response;
        if (Array.IndexOf(expected, response.Status) < 0)
        {
            throw QueueFailures.FromResponse(response, operation);
        }

        return response;
    }
}
