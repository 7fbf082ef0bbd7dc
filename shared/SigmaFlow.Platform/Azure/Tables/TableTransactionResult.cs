using Azure;

namespace SigmaFlow.Platform.Azure.Tables;

/// <summary>The outcome of one action of a committed transaction.</summary>
/// <param name="Index">Position of the action in the submitted list (0-based).</param>
/// <param name="Status">HTTP status of the action (204 for writes and deletes; 201 when the service returns content).</param>
/// <param name="ETag">The entity's new ETag, or <c>default</c> for a delete.</param>
public sealed record TableActionResult(int Index, int Status, ETag ETag);

/// <summary>A committed entity-group transaction: one result per action, in submission order.</summary>
/// <param name="Actions">The per-action results.</param>
public sealed record TableTransactionResult(IReadOnlyList<TableActionResult> Actions);

/// <summary>
/// An entity-group transaction the service refused: which action failed (index, action), with the failed action's
/// status, error code and message. Azure applies none of the actions of a refused transaction.
/// </summary>
public sealed class TableTransactionFailedException : RequestFailedException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="status">Status of the failed action.</param>
    /// <param name="message">The message.</param>
    /// <param name="errorCode">The service's error code.</param>
    /// <param name="failedIndex">Index of the failed action, or null when the service did not say.</param>
    /// <param name="failedAction">The failed action, or null when unknown.</param>
    public TableTransactionFailedException(int status, string message, string? errorCode, int? failedIndex, TableTransactionAction? failedAction)
        : base(status, message, errorCode, null)
    {
        FailedIndex = failedIndex;
        FailedAction = failedAction;
    }

    /// <summary>Index (0-based) of the action that failed, or null when the service did not say.</summary>
    public int? FailedIndex { get; }

    /// <summary>The action that failed, or null when unknown.</summary>
    public TableTransactionAction? FailedAction { get; }
}
