using System.Globalization;
using System.Text.Json;
using Microsoft.Azure.Cosmos;

namespace SigmaFlow.Platform.Azure.Cosmos;

/// <summary>How <see cref="CosmosStore.PatchIncrementAsync{T}"/> makes its change.</summary>
public enum CosmosIncrementMode
{
    /// <summary>
    /// The default: a server-side patch <c>incr</c>, except on the local emulator when a filter predicate is given, where
    /// <see cref="ReadReplace"/> is used because the local server lower-cases the predicate before evaluating it.
    /// </summary>
    Auto,

    /// <summary>Always a server-side patch <c>incr</c> (atomic on the server, one round trip).</summary>
    Patch,

    /// <summary>Read, change the number, replace with <c>If-Match</c> on the ETag read, retry on a concurrency conflict.</summary>
    ReadReplace,
}

/// <summary>
/// Settings of a <see cref="CosmosConnection"/>. Defaults: Direct mode on Azure (the SDK's default), Gateway mode on the
/// emulator; 10 s per request; up to 9 retries and 30 s of waiting on throttling (429, the SDK's defaults); 50
/// attempts for an ETag retry loop; camelCase JSON through System.Text.Json (<see cref="CosmosJsonSerializer.DefaultOptions"/>).
/// </summary>
public sealed class CosmosStoreOptions
{
    /// <summary>
    /// True when the endpoint is a local emulator (the Cosmos DB emulator or <c>@vercel/cosmosdb-server</c>): Gateway mode,
    /// and a self-signed certificate is accepted for the emulator's host and port only. A connection string whose endpoint
    /// host is <c>127.0.0.1</c>, <c>localhost</c> or <c>::1</c> turns this on by itself. Default false.
    /// </summary>
    public bool Emulator { get; set; }

    /// <summary>Direct (TCP, the SDK's default) or Gateway (HTTPS) on Azure. Ignored for the emulator, which is always Gateway.</summary>
    public ConnectionMode ConnectionMode { get; set; } = ConnectionMode.Direct;

    /// <summary>Time allowed for one request attempt. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of a throttled (429) request before it fails. Default 9 (the SDK's default).</summary>
    public int MaxRetryAttemptsOnRateLimitedRequests { get; set; } = 9;

    /// <summary>Total wait across the retries of a throttled request. Default 30 s (the SDK's default).</summary>
    public TimeSpan MaxRetryWaitTimeOnRateLimitedRequests { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts of a read-and-replace loop (the increment fallback) before it reports a conflict. Default 50.</summary>
    public int MaxConcurrencyAttempts { get; set; } = 50;

    /// <summary>How increments are made. Default <see cref="CosmosIncrementMode.Auto"/>.</summary>
    public CosmosIncrementMode IncrementMode { get; set; } = CosmosIncrementMode.Auto;

    /// <summary>Name sent in the user agent. Default <c>sigmaflow</c>.</summary>
    public string ApplicationName { get; set; } = "sigmaflow";

    /// <summary>JSON settings for documents. Default <see cref="CosmosJsonSerializer.DefaultOptions"/> (camelCase, enums as strings).</summary>
    public JsonSerializerOptions JsonOptions { get; set; } = CosmosJsonSerializer.DefaultOptions;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it, the rule and the value.</exception>
    public void Validate()
    {
        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, string.Create(CultureInfo.InvariantCulture, $"{nameof(RequestTimeout)} must be more than 0 and at most 5 minutes; got {RequestTimeout}."));
        }

        if (MaxRetryAttemptsOnRateLimitedRequests is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryAttemptsOnRateLimitedRequests), MaxRetryAttemptsOnRateLimitedRequests, string.Create(CultureInfo.InvariantCulture, $"{nameof(MaxRetryAttemptsOnRateLimitedRequests)} must be between 0 and 100; got {MaxRetryAttemptsOnRateLimitedRequests}."));
        }

        if (MaxRetryWaitTimeOnRateLimitedRequests < TimeSpan.Zero || MaxRetryWaitTimeOnRateLimitedRequests > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryWaitTimeOnRateLimitedRequests), MaxRetryWaitTimeOnRateLimitedRequests, string.Create(CultureInfo.InvariantCulture, $"{nameof(MaxRetryWaitTimeOnRateLimitedRequests)} must be between 0 and 10 minutes; got {MaxRetryWaitTimeOnRateLimitedRequests}."));
        }

        if (MaxConcurrencyAttempts is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrencyAttempts), MaxConcurrencyAttempts, string.Create(CultureInfo.InvariantCulture, $"{nameof(MaxConcurrencyAttempts)} must be between 1 and 1000; got {MaxConcurrencyAttempts}."));
        }

        if (!Enum.IsDefined(IncrementMode))
        {
            throw new ArgumentOutOfRangeException(nameof(IncrementMode), IncrementMode, string.Create(CultureInfo.InvariantCulture, $"{nameof(IncrementMode)} must be Auto, Patch or ReadReplace; got {IncrementMode}."));
        }

        if (!Enum.IsDefined(ConnectionMode))
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectionMode), ConnectionMode, string.Create(CultureInfo.InvariantCulture, $"{nameof(ConnectionMode)} must be Direct or Gateway; got {ConnectionMode}."));
        }

        if (string.IsNullOrWhiteSpace(ApplicationName))
        {
            throw new ArgumentOutOfRangeException(nameof(ApplicationName), ApplicationName, $"{nameof(ApplicationName)} must not be empty; got '{ApplicationName}'.");
        }

        if (JsonOptions is null)
        {
            throw new ArgumentOutOfRangeException(nameof(JsonOptions), null, $"{nameof(JsonOptions)} must be set; got null.");
        }
    }
}
