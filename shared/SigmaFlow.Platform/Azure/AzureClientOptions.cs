using Azure.Core;

namespace SigmaFlow.Platform.Azure;

/// <summary>
/// Settings shared by SigmaFlow's Azure REST clients (Tables, Queues, Event Hubs, Web PubSub), on Azure.Core's HTTP
/// pipeline. Defaults: up to 5 retries with exponential back-off from 0.5 s to 30 s for throttling (408, 429, 500,
/// 502, 503, 504) and transient network faults, 100 s per attempt; request logging through Azure.Core's event source,
/// which writes only an allow-list of headers and query parameters (never <c>Authorization</c>, keys or signatures)
/// and no bodies.
/// </summary>
public sealed class AzureClientOptions : ClientOptions
{
    /// <summary>Creates the options with SigmaFlow's defaults.</summary>
    public AzureClientOptions()
    {
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 5;
        Retry.Delay = TimeSpan.FromMilliseconds(500);
        Retry.MaxDelay = TimeSpan.FromSeconds(30);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        Diagnostics.ApplicationId = "sigmaflow";
        Diagnostics.IsLoggingContentEnabled = false;
    }

    /// <summary>Clock for request dates and token lifetimes (tests pass a fixed one).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;
}
