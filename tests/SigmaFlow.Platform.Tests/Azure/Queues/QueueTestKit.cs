using System.Net;
using System.Text;
using Azure.Core.Pipeline;
using SigmaFlow.Platform.Azure;
using SigmaFlow.Platform.Azure.Queues;

namespace SigmaFlow.Platform.Tests.Azure.Queues;

/// <summary>Helpers shared by the queue tests: unique queue names, fault-injecting and recording transports, polling.</summary>
internal static class QueueTestKit
{
    /// <summary>A queue name no other test (or parallel run) uses: the prefix plus 32 hex digits.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Options with fast retries and the given handler as the transport.</summary>
    public static AzureClientOptions Options(HttpMessageHandler? handler = null, int maxRetries = 3)
    {
        var options = new AzureClientOptions();
        options.Retry.MaxRetries = maxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(20);
        if (handler is not null)
        {
            options.Transport = new HttpClientTransport(new HttpClient(handler));
        }

        return options;
    }

    /// <summary>Receives until at least one message arrives or the time is up.</summary>
    public static async Task<IReadOnlyList<QueueMessage>> ReceiveWithinAsync(QueueClient queue, TimeSpan limit, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + limit;
        while (true)
        {
            var messages = await queue.ReceiveAsync(1, visibilityTimeout, cancellationToken);
            if (messages.Count > 0 || DateTimeOffset.UtcNow > deadline)
            {
                return messages;
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}

/// <summary>Answers the first <c>failures</c> requests with an error status, then forwards to the real server.</summary>
internal sealed class FaultInjectingHandler(int failures, HttpStatusCode status) : DelegatingHandler(new HttpClientHandler())
{
    private int calls;

    /// <summary>Requests seen so far (failed and forwarded).</summary>
    public int Calls => Volatile.Read(ref calls);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref calls) <= failures)
        {
            var code = status == HttpStatusCode.ServiceUnavailable ? "ServerBusy" : "InternalError";
            return new HttpResponseMessage(status)
            {
                Content = new StringContent($"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>Injected fault.\nRequestId:00000000-0000-0000-0000-000000000000\nTime:2026-01-01T00:00:00.0000000Z</Message></Error>", Encoding.UTF8, "application/xml"),
            };
        }

        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Records each request (method, URL, headers, body) and answers with a canned response; never touches the network.</summary>
internal sealed class RecordingHandler(HttpStatusCode status, string body, params (string Name, string Value)[] headers) : HttpMessageHandler
{
    /// <summary>The recorded requests.</summary>
    public List<(HttpMethod Method, Uri Uri, string? ContentType, string? Body)> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var content = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add((request.Method, request.RequestUri!, request.Content?.Headers.ContentType?.ToString(), content));
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/xml") };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }
}
