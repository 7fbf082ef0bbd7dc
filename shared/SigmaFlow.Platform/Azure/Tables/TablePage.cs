namespace SigmaFlow.Platform.Azure.Tables;

/// <summary>
/// Where a query resumes: the service's <c>x-ms-continuation-NextPartitionKey</c> / <c>NextRowKey</c> values (opaque
/// tokens, not keys).
/// </summary>
/// <param name="NextPartitionKey">The NextPartitionKey token.</param>
/// <param name="NextRowKey">The NextRowKey token, or null when the service sent none.</param>
public sealed record TableContinuation(string NextPartitionKey, string? NextRowKey);

/// <summary>
/// One response of a query: up to the page size (at most 1,000) entities in PartitionKey, RowKey order, and where the
/// query goes on. A page may be empty and still have a continuation (the service stops at 5 s or a partition boundary).
/// </summary>
/// <param name="Entities">The entities of this page.</param>
/// <param name="Continuation">Where the next page starts, or null when this was the last page.</param>
public sealed record TablePage(IReadOnlyList<TableEntity> Entities, TableContinuation? Continuation);
