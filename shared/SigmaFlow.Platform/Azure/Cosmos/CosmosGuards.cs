using System.Globalization;
using System.Net;

namespace SigmaFlow.Platform.Azure.Cosmos;

/// <summary>Argument checks whose messages name the parameter, the rule and the value.</summary>
internal static class CosmosGuards
{
    private static readonly char[] Forbidden = ['/', '\\', '?', '#'];

    /// <summary>A database or container name: 1–255 characters, none of / \ ? #.</summary>
    public static void Name(string value, string parameter)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        if (value.Length is 0 or > 255 || value.Trim().Length != value.Length || value.IndexOfAny(Forbidden) >= 0)
        {
            throw new ArgumentException($"{parameter} must be 1 to 255 characters without surrounding spaces and without '/', '\\', '?' or '#'; got '{value}'.", parameter);
        }
    }

    /// <summary>A document id: 1–255 characters, none of / \ ? # (Cosmos refuses them in ids; use ':' or '-' to join parts).</summary>
    public static void Id(string value, string parameter)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        if (value.Length is 0 or > 255 || value.IndexOfAny(Forbidden) >= 0)
        {
            throw new ArgumentException($"{parameter} must be 1 to 255 characters without '/', '\\', '?' or '#' (join parts with ':' or '-'); got '{value}'.", parameter);
        }
    }

    /// <summary>A partition key value: a non-empty string (every platform container is keyed by a string).</summary>
    public static void PartitionKey(string value, string parameter)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        if (value.Length is 0 or > 2048)
        {
            throw new ArgumentException($"{parameter} must be a non-empty string of at most 2048 characters; got '{value}'.", parameter);
        }
    }

    /// <summary>A partition key path: <c>/name</c> or <c>/a/b</c>, one path (no hierarchical keys), not a system property.</summary>
    public static void PartitionKeyPath(string value, string parameter)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        if (!IsJsonPointer(value) || value.StartsWith("/_", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{parameter} must be one path like '/runId' (a '/' before each non-empty property name, not a '_' system property); got '{value}'.", parameter);
        }
    }

    /// <summary>A patch path: a JSON pointer that is not a system property, the id or the partition key.</summary>
    public static void PatchPath(string value, string partitionKeyPath, string parameter)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        if (!IsJsonPointer(value) || value.StartsWith("/_", StringComparison.Ordinal) || value == "/id" || value == partitionKeyPath)
        {
            throw new ArgumentException($"{parameter} must be a path like '/done' that is not a '_' system property, '/id' or the partition key path {partitionKeyPath}; got '{value}'.", parameter);
        }
    }

    /// <summary>A page size for queries: 1 to 1000.</summary>
    public static void MaxItemCount(int value, string parameter)
    {
        if (value is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(parameter, value, string.Create(CultureInfo.InvariantCulture, $"{parameter} must be between 1 and 1000; got {value}."));
        }
    }

    private static bool IsJsonPointer(string value)
    {
        if (value.Length < 2 || value[0] != '/')
        {
            return false;
        }

        foreach (var segment in value[1..].Split('/'))
        {
            if (segment.Length == 0 || segment.Trim().Length != segment.Length)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Builds the exceptions for unexpected failures, with what to check.</summary>
internal static class CosmosFailures
{
    /// <summary>An exception naming the operation, the target, the status and a hint.</summary>
    /// <param name="operation">What was attempted (read, upsert, …).</param>
    /// <param name="what">The target: container, id, partition key.</param>
    /// <param name="connection">The connection (for the endpoint and mode).</param>
    /// <param name="status">HTTP status, 0 when no response arrived.</param>
    /// <param name="subStatus">Cosmos sub-status.</param>
    /// <param name="serverMessage">The server's message (shortened).</param>
    /// <param name="inner">The cause.</param>
    /// <returns>The exception.</returns>
    public static CosmosStoreException From(string operation, string what, CosmosConnection connection, int status, int subStatus, string? serverMessage, Exception? inner)
    {
        var hint = status switch
        {
            0 or (int)HttpStatusCode.ServiceUnavailable or (int)HttpStatusCode.RequestTimeout => connection.IsEmulator
                ? $"the Cosmos endpoint {connection.Endpoint} did not answer in time or refused the connection: is the local server running on that port (infra/local/node_modules/.bin/cosmosdb-server -p PORT, or the README's run command)?"
                : $"the Cosmos endpoint {connection.Endpoint} did not answer in time or is unavailable: check the endpoint, the network path (firewall, private endpoint) and the service health; the SDK already retried.",
            (int)HttpStatusCode.Unauthorized => "the credentials were refused: check AccountKey, or that the identity has a Cosmos DB data-plane role (Built-in Data Contributor) on the account.",
            (int)HttpStatusCode.Forbidden => "the request is forbidden: check the identity's data-plane role, the account firewall and whether key authentication is disabled.",
            (int)HttpStatusCode.NotFound => "the database or container does not exist: call EnsureDatabaseAndContainerAsync on start.",
            (int)HttpStatusCode.RequestEntityTooLarge => "the document is larger than Cosmos's 2 MB limit: store large data elsewhere and keep a reference.",
            429 => "throttled beyond the retries: raise the container's throughput or CosmosStoreOptions.MaxRetryAttemptsOnRateLimitedRequests.",
            (int)HttpStatusCode.BadRequest when serverMessage?.Contains("missing partition keys", StringComparison.Ordinal) == true =>
                "the local server runs a query only when its WHERE clause has the partition key as an equality with the property on the left (c.runId = @runId) that is a top-level AND term; rewrite the condition so.",
            (int)HttpStatusCode.BadRequest => "the server refused the request as malformed: see its message.",
            _ => "see the server's message and the inner exception's diagnostics.",
        };
        var statusText = status == 0 ? "no response" : string.Create(CultureInfo.InvariantCulture, $"HTTP {status}{(subStatus != 0 ? $".{subStatus}" : string.Empty)}");
        var message = string.IsNullOrWhiteSpace(serverMessage) ? string.Empty : $" Detail: {Shorten(serverMessage)}";
        return new CosmosStoreException($"Cosmos {operation} on {what} at {connection.Endpoint} failed ({statusText}): {hint}{message}", status, inner);
    }

    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 300 ? line : string.Concat(line.AsSpan(0, 300), "…");
    }
}
