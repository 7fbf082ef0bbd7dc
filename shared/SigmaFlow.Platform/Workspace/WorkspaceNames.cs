namespace SigmaFlow.Platform.Workspace;

/// <summary>
/// Tables of the user's workspace, the state the HTTP API owns: strategies with their versions, watchlists, API keys
/// and idempotency records. (The live pipeline's tables are in <see cref="Live.LiveNames"/>.)
/// </summary>
public static class WorkspaceNames
{
    /// <summary>Strategies: one partition per strategy id, a <c>head</c> row and one row per version.</summary>
    public const string StrategiesTable = "strategies";

    /// <summary>Watchlists: one partition, one row per watchlist.</summary>
    public const string WatchlistsTable = "watchlists";

    /// <summary>API keys: one partition, one row per key id; only a hash of each secret is stored.</summary>
    public const string ApiKeysTable = "apikeys";

    /// <summary>Idempotency records: one partition per caller, one row per idempotency key (hashed).</summary>
    public const string IdempotencyTable = "idempotency";

    /// <summary>Inbound webhooks: one partition, one row per hook with its secret.</summary>
    public const string HooksTable = "hooks";

    /// <summary>Every table above.</summary>
    public static IReadOnlyList<string> Tables { get; } = [StrategiesTable, WatchlistsTable, ApiKeysTable, IdempotencyTable, HooksTable];
}

/// <summary>A write refused because the stored state is not what the caller expected (exists already, or changed since read).</summary>
public sealed class WorkspaceConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WorkspaceConflictException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What conflicted, with the current state.</param>
    public WorkspaceConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What conflicted.</param>
    /// <param name="innerException">The storage failure.</param>
    public WorkspaceConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
