namespace SigmaFlow.Platform.Azure.Cosmos;

/// <summary>
/// A Cosmos operation failed for a reason that is not an expected outcome (not 404, 409 or 412): the server is unreachable,
/// the request is refused (400, 401, 403), throttling outlasted the retries (429) or the service failed (5xx). The message
/// names the operation, the container, the id and partition key when there is one, the status and what to check; it never
/// holds an account key.
/// </summary>
public sealed class CosmosStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CosmosStoreException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public CosmosStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CosmosStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="statusCode">The HTTP status (0 when no response arrived).</param>
    /// <param name="innerException">The cause, if any.</param>
    public CosmosStoreException(string message, int statusCode, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status of the failed request (0 when no response arrived).</summary>
    public int StatusCode { get; }
}
