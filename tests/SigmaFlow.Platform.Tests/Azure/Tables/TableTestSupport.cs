using System.Net;
using Azure.Core.Pipeline;
using SigmaFlow.Platform.Azure;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Azure.Tables;

/// <summary>Shared helpers of the table tests: unique table names, clients on Azurite, and a fault-injecting handler.</summary>
internal static class TableTestSupport
{
    /// <summary>A table name no other test uses (tests run in parallel against one Azurite).</summary>
    public static string UniqueName(string prefix) => prefix + Guid.NewGuid().ToString("N");

    /// <summary>Options with short retry delays so failing tests finish quickly.</summary>
    public static AzureClientOptions FastRetries(int maxRetries = 3)
    {
        var options = new AzureClientOptions();
        options.Retry.MaxRetries = maxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return options;
    }

    /// <summary>Options with short retry delays whose transport is the given client (wrapping a fault-injecting handler).</summary>
    public static AzureClientOptions Through(HttpClient client, int maxRetries = 3)
    {
        var options = FastRetries(maxRetries);
        options.Transport = new HttpClientTransport(client);
        return options;
    }

    /// <summary>A service client on the test Azurite.</summary>
    public static TableServiceClient Service(AzuriteEmulator azurite, AzureClientOptions? options = null) =>
        new(azurite.ConnectionString, options ?? FastRetries());

    /// <summary>A new, empty table on the test Azurite.</summary>
    public static async Task<TableClient> NewTableAsync(AzuriteEmulator azurite, string prefix)
    {
        var table = await Service(azurite).CreateTableAsync(UniqueName(prefix), TestContext.Current.CancellationToken);
        return table;
    }
}

/// <summary>
/// Answers the first <see cref="FailFirst"/> requests itself with <see cref="Status"/> (and a Retry-After when set),
/// then forwards to the real server; counts every request it sees.
/// </summary>
internal sealed class FaultInjectingHandler : DelegatingHandler
{
    private int calls;

    public FaultInjectingHandler()
        : base(new HttpClientHandler())
    {
    }

    /// <summary>How many requests fail before forwarding starts (int.MaxValue: all of them).</summary>
    public int FailFirst { get; init; }

    /// <summary>The status of the injected failures.</summary>
    public HttpStatusCode Status { get; init; } = HttpStatusCode.ServiceUnavailable;

    /// <summary>Retry-After seconds on injected failures, or null for none.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Requests seen so far.</summary>
    public int Calls => Volatile.Read(ref calls);

    /// <summary>When each request arrived.</summary>
    public List<DateTimeOffset> Arrivals { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref calls);
        lock (Arrivals)
        {
            Arrivals.Add(DateTimeOffset.UtcNow);
        }

        if (call > FailFirst)
        {
            return base.SendAsync(request, cancellationToken);
        }

        var response = new HttpResponseMessage(Status)
        {
            RequestMessage = request,
            Content = new StringContent("{\"odata.error\":{\"code\":\"ServerBusy\",\"message\":{\"lang\":\"en-US\",\"value\":\"Injected failure.\\nRequestId:test\"}}}", System.Text.Encoding.UTF8, "application/json"),
        };
        if (RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        return Task.FromResult(response);
    }
}
