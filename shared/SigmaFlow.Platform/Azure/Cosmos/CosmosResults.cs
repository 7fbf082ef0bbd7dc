namespace SigmaFlow.Platform.Azure.Cosmos;

/// <summary>What became of a write whose expected failures are returned as values.</summary>
public enum CosmosOutcome
{
    /// <summary>The write was made.</summary>
    Succeeded,

    /// <summary>A create found a document with the same id and partition key (HTTP 409): the idempotency mark was already set.</summary>
    AlreadyExists,

    /// <summary>The document changed since the ETag given was read (HTTP 412 on <c>If-Match</c>): read it again and retry.</summary>
    ConcurrencyConflict,

    /// <summary>No document has this id in this partition (HTTP 404).</summary>
    NotFound,

    /// <summary>The patch's filter predicate did not match the document (HTTP 412 on a conditional patch): nothing was changed.</summary>
    ConditionNotMet,
}

/// <summary>A document as stored, with the ETag that guards its next replace.</summary>
/// <typeparam name="T">The document type.</typeparam>
/// <param name="Value">The document.</param>
/// <param name="ETag">Its ETag (pass it to <see cref="CosmosStore.ReplaceAsync{T}"/>).</param>
public sealed record CosmosDocument<T>(T Value, string ETag);

/// <summary>The result of a write that has no document to return (delete).</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Description">What was attempted and what happened, naming the operation, container, id and partition key.</param>
public record CosmosResult(CosmosOutcome Outcome, string Description)
{
    /// <summary>True when the write was made.</summary>
    public bool Succeeded => Outcome == CosmosOutcome.Succeeded;

    /// <summary>Throws when the write was not made.</summary>
    /// <exception cref="CosmosStoreException">The outcome is not <see cref="CosmosOutcome.Succeeded"/>; the message is <see cref="Description"/>.</exception>
    public void EnsureSucceeded()
    {
        if (!Succeeded)
        {
            throw new CosmosStoreException(Description, StatusOf(Outcome));
        }
    }

    private static int StatusOf(CosmosOutcome outcome) => outcome switch
    {
        CosmosOutcome.AlreadyExists => 409,
        CosmosOutcome.NotFound => 404,
        CosmosOutcome.ConcurrencyConflict or CosmosOutcome.ConditionNotMet => 412,
        _ => 200,
    };
}

/// <summary>The result of a write that returns the stored document when it succeeds.</summary>
/// <typeparam name="T">The document type.</typeparam>
/// <param name="Outcome">What happened.</param>
/// <param name="Description">What was attempted and what happened, naming the operation, container, id and partition key.</param>
/// <param name="Document">The document as stored, with its new ETag; null unless the write succeeded.</param>
public sealed record CosmosResult<T>(CosmosOutcome Outcome, string Description, CosmosDocument<T>? Document) : CosmosResult(Outcome, Description)
{
    /// <summary>The stored document of a successful write.</summary>
    /// <returns>The document and its ETag.</returns>
    /// <exception cref="CosmosStoreException">The write was not made; the message is <see cref="CosmosResult.Description"/>.</exception>
    public CosmosDocument<T> GetDocument()
    {
        EnsureSucceeded();
        return Document!;
    }
}

/// <summary>One page of a partition-scoped query.</summary>
/// <typeparam name="T">The row type.</typeparam>
/// <param name="Items">The rows of this page (may be empty even when more pages follow).</param>
/// <param name="ContinuationToken">Pass it back to read the next page; null after the last page.</param>
public sealed record CosmosPage<T>(IReadOnlyList<T> Items, string? ContinuationToken);
