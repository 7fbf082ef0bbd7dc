using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace SigmaFlow.Platform.Azure.EventHubs;

/// <summary>
/// Publishes events to one event hub over the Event Hubs REST API, on Azure.Core's HTTP pipeline (retries with
/// back-off, logging, SAS or Entra authorization). Every send uses the batch format
/// (<c>POST {endpoint}/{hub}/messages</c>, <c>Content-Type: application/vnd.microsoft.servicebus.json</c>), split into
/// as many requests as the byte limit needs; requests go one after the other, so events keep their order. Safe to
/// share between threads.
/// </summary>
/// <remarks>
/// Sends are at-least-once: a request retried after a timeout may have been stored the first time, so consumers must
/// tolerate duplicates.
/// </remarks>
public sealed class EventHubPublisher
{
    private const string ApiQuery = "?timeout=60&api-version=2014-01";
    private readonly HttpPipeline pipeline;
    private readonly Uri hubUri;
    private readonly int maxRequestBytes;

    /// <summary>Creates a publisher for the connection's event hub.</summary>
    /// <param name="connection">The connection; its <see cref="EventHubsConnection.EventHubName"/> must be set.</param>
    /// <param name="options">Settings, or null for the defaults.</param>
    /// <exception cref="ArgumentException">The connection names no event hub, or the options are out of range.</exception>
    public EventHubPublisher(EventHubsConnection connection, EventHubPublisherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        options ??= new EventHubPublisherOptions();
        options.Validate();
        if (connection.EventHubName is null)
        {
            throw new ArgumentException($"the {connection} names no event hub; add EntityPath to the connection string or pass the hub name.", nameof(connection));
        }

        EventHubsConnection.ValidateHubName(connection.EventHubName, nameof(connection));
        EventHubName = connection.EventHubName;
        Endpoint = connection.Endpoint;
        maxRequestBytes = options.MaxRequestBytes;
        hubUri = new Uri(connection.Endpoint, Uri.EscapeDataString(EventHubName) + "/");

        HttpPipelinePolicy auth;
        if (connection.Credential is not null)
        {
            auth = new BearerTokenAuthenticationPolicy(connection.Credential, EventHubsConnection.Scope);
        }
        else if (connection.SharedAccessKeyName is not null && connection.SharedAccessKey is not null)
        {
            auth = new EventHubsSasPolicy(
                SasResource(connection),
                connection.SharedAccessKeyName,
                connection.SharedAccessKey,
                options.Client.Clock,
                options.SasTokenLifetime,
                options.SasTokenRenewalMargin);
        }
        else
        {
            throw new ArgumentException($"the {connection} has neither a shared access key nor an Entra credential.", nameof(connection));
        }

        pipeline = HttpPipelineBuilder.Build(options.Client, [], [auth], new ResponseClassifier());
    }

    /// <summary>Creates a publisher from a connection string.</summary>
    /// <param name="connectionString">An Event Hubs connection string.</param>
    /// <param name="eventHubName">The event hub, when the connection string has no <c>EntityPath</c>.</param>
    /// <param name="options">Settings, or null for the defaults.</param>
    public EventHubPublisher(string connectionString, string? eventHubName = null, EventHubPublisherOptions? options = null)
        : this(EventHubsConnection.Parse(connectionString, eventHubName), options)
    {
    }

    /// <summary>The event hub events go to.</summary>
    public string EventHubName { get; }

    /// <summary>The namespace's HTTP base address.</summary>
    public Uri Endpoint { get; }

    /// <summary>The largest request body, in bytes.</summary>
    public int MaxRequestBytes => maxRequestBytes;

    /// <summary>
    /// Sends events, letting the service pick partitions, or all to the partition of <paramref name="partitionKey"/>
    /// (sent in the <c>BrokerProperties</c> header and in every item). Events too large to send alone are rejected
    /// and reported in the result; the others are sent in order.
    /// </summary>
    /// <param name="events">The events, in the order they should be stored.</param>
    /// <param name="partitionKey">The partition key (a symbol, say), or null.</param>
    /// <param name="cancellationToken">Cancels the send; events of requests already answered stay sent.</param>
    /// <returns>What was sent and what was rejected.</returns>
    /// <exception cref="ArgumentException">An event is null or the partition key is empty.</exception>
    /// <exception cref="RequestFailedException">The service refused a request (after retries for transient faults); the message names the hub, the service's error and how many events earlier requests had sent.</exception>
    public Task<EventSendResult> SendAsync(IReadOnlyList<EventData> events, string? partitionKey = null, CancellationToken cancellationToken = default)
    {
        CheckEvents(events);
        if (partitionKey is not null && string.IsNullOrWhiteSpace(partitionKey))
        {
            throw new ArgumentException("the partition key must not be empty or blank when given; pass null to let the service choose.", nameof(partitionKey));
        }

        return SendCoreAsync(events, partitionKey, null, cancellationToken);
    }

    /// <summary>Sends events to one partition (<c>POST {endpoint}/{hub}/partitions/{id}/messages</c>), in order.</summary>
    /// <param name="events">The events.</param>
    /// <param name="partitionId">The partition id (<c>"0"</c> to <c>"{count - 1}"</c>).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>What was sent and what was rejected.</returns>
    /// <exception cref="ArgumentException">An event is null or the partition id is empty.</exception>
    /// <exception cref="RequestFailedException">The service refused a request (an unknown partition, for instance).</exception>
    public Task<EventSendResult> SendToPartitionAsync(IReadOnlyList<EventData> events, string partitionId, CancellationToken cancellationToken = default)
    {
        CheckEvents(events);
        ArgumentException.ThrowIfNullOrWhiteSpace(partitionId);
        return SendCoreAsync(events, null, partitionId, cancellationToken);
    }

    private static void CheckEvents(IReadOnlyList<EventData> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is null)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"event {i} is null; every event must be set."), nameof(events));
            }
        }
    }

    private static string SasResource(EventHubsConnection connection) =>
        $"{connection.Endpoint.Scheme}://{connection.FullyQualifiedNamespace}/{connection.EventHubName}".ToLowerInvariant();

    private async Task<EventSendResult> SendCoreAsync(IReadOnlyList<EventData> events, string? partitionKey, string? partitionId, CancellationToken cancellationToken)
    {
        var items = new byte[events.Count][];
        for (var i = 0; i < events.Count; i++)
        {
            items[i] = EventBatchFormat.SerializeItem(events[i], partitionKey);
        }

        var (requests, rejected) = EventBatchFormat.Split(items, maxRequestBytes);
        var target = partitionId is null
            ? new Uri(hubUri, "messages" + ApiQuery)
            : new Uri(hubUri, "partitions/" + Uri.EscapeDataString(partitionId) + "/messages" + ApiQuery);
        var sent = new List<int>(events.Count);
        foreach (var request in requests)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await PostAsync(target, EventBatchFormat.Join(items, request), partitionKey, partitionId, sent.Count, events.Count, cancellationToken).ConfigureAwait(false);
            sent.AddRange(request);
        }

        return new EventSendResult { Sent = sent, Rejected = rejected, Requests = requests.Count };
    }

    private async Task PostAsync(Uri target, byte[] body, string? partitionKey, string? partitionId, int sentBefore, int total, CancellationToken cancellationToken)
    {
        using var message = pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(target);
        request.Headers.SetValue("Content-Type", EventBatchFormat.ContentType);
        if (partitionKey is not null)
        {
            request.Headers.SetValue("BrokerProperties", EventBatchFormat.BrokerPropertiesHeader(partitionKey));
        }

        request.Content = RequestContent.Create(body);
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status is 200 or 201)
        {
            return;
        }

        var (code, detail) = ReadError(response);
        var where = partitionId is null ? $"event hub '{EventHubName}'" : $"partition {partitionId} of event hub '{EventHubName}'";
        throw new RequestFailedException(
            response.Status,
            string.Create(
                CultureInfo.InvariantCulture,
                $"Event Hubs send to {where} at {Endpoint} failed: {response.Status} {response.ReasonPhrase}: {detail} ({sentBefore} of {total} events had been sent by earlier requests of this call.)"),
            code,
            null);
    }

    /// <summary>The service's error code and message: <c>&lt;Error&gt;&lt;Code&gt;401&lt;/Code&gt;&lt;Detail&gt;InvalidSignature: …&lt;/Detail&gt;&lt;/Error&gt;</c>.</summary>
    private static (string? Code, string Detail) ReadError(Response response)
    {
        var text = response.Content.ToString();
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, "(no error body)");
        }

        string? code = null;
        var detail = text;
        try
        {
            var root = XDocument.Parse(text).Root;
            detail = root?.Element("Detail")?.Value ?? text;
            code = root?.Element("Code")?.Value;
        }
        catch (XmlException)
        {
            // Not the service's XML shape (a proxy's page, say): keep the text.
        }

        // The detail starts with a symbolic code ("InvalidSignature: …", "ExpiredToken: …"); prefer it to the numeric one.
        var colon = detail.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && detail[..colon].All(char.IsAsciiLetterOrDigit))
        {
            code = detail[..colon];
        }

        detail = detail.Trim();
        return (code, detail.Length > 600 ? detail[..600] + "…" : detail);
    }
}
