using Azure;

namespace SigmaFlow.Platform.Azure.Tables;

/// <summary>What one action of an entity-group transaction does.</summary>
public enum TableTransactionActionType
{
    /// <summary>Insert; fails (409) when the entity exists.</summary>
    Insert,

    /// <summary>Insert or replace (<c>PUT</c> without If-Match).</summary>
    UpsertReplace,

    /// <summary>Insert or merge (<c>MERGE</c> without If-Match).</summary>
    UpsertMerge,

    /// <summary>Replace an existing entity whose ETag matches (<c>PUT</c> with If-Match; <c>*</c> matches any).</summary>
    UpdateReplace,

    /// <summary>Merge into an existing entity whose ETag matches (<c>MERGE</c> with If-Match).</summary>
    UpdateMerge,

    /// <summary>Delete an existing entity whose ETag matches (<c>DELETE</c> with If-Match).</summary>
    Delete,
}

/// <summary>
/// One action of an entity-group transaction (<see cref="TableClient.SubmitTransactionAsync"/>). The entity is
/// serialised when the transaction is submitted, not when the action is created.
/// </summary>
public sealed class TableTransactionAction
{
    private TableTransactionAction(TableTransactionActionType actionType, TableEntity entity, ETag ifMatch)
    {
        ActionType = actionType;
        Entity = entity;
        IfMatch = ifMatch;
    }

    /// <summary>What the action does.</summary>
    public TableTransactionActionType ActionType { get; }

    /// <summary>The entity written, or (for a delete) an entity carrying only the keys.</summary>
    public TableEntity Entity { get; }

    /// <summary>The ETag condition of an update or delete (<see cref="ETag.All"/> matches any); <c>default</c> for the others.</summary>
    public ETag IfMatch { get; }

    /// <summary>Insert the entity; the transaction fails when it exists.</summary>
    /// <param name="entity">The entity.</param>
    /// <returns>The action.</returns>
    public static TableTransactionAction Insert(TableEntity entity) => new(TableTransactionActionType.Insert, NotNull(entity), default);

    /// <summary>Insert or replace the entity.</summary>
    /// <param name="entity">The entity.</param>
    /// <returns>The action.</returns>
    public static TableTransactionAction UpsertReplace(TableEntity entity) => new(TableTransactionActionType.UpsertReplace, NotNull(entity), default);

    /// <summary>Insert or merge the entity.</summary>
    /// <param name="entity">The entity.</param>
    /// <returns>The action.</returns>
    public static TableTransactionAction UpsertMerge(TableEntity entity) => new(TableTransactionActionType.UpsertMerge, NotNull(entity), default);

    /// <summary>Replace or merge into an existing entity whose ETag matches.</summary>
    /// <param name="entity">The entity.</param>
    /// <param name="ifMatch">The ETag read with the entity, or <see cref="ETag.All"/> for any version.</param>
    /// <param name="mode">Replace or merge.</param>
    /// <returns>The action.</returns>
    /// <exception cref="ArgumentException"><paramref name="ifMatch"/> is empty.</exception>
    public static TableTransactionAction Update(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Replace) => new(
        mode == TableUpdateMode.Merge ? TableTransactionActionType.UpdateMerge : TableTransactionActionType.UpdateReplace,
        NotNull(entity),
        RequireETag(ifMatch, nameof(ifMatch)));

    /// <summary>Delete an existing entity whose ETag matches.</summary>
    /// <param name="partitionKey">Partition key.</param>
    /// <param name="rowKey">Row key.</param>
    /// <param name="ifMatch">The ETag read with the entity; <c>default</c> or <see cref="ETag.All"/> for any version.</param>
    /// <returns>The action.</returns>
    public static TableTransactionAction Delete(string partitionKey, string rowKey, ETag ifMatch = default) =>
        new(TableTransactionActionType.Delete, new TableEntity(partitionKey, rowKey), ifMatch == default ? ETag.All : ifMatch);

    /// <inheritdoc />
    public override string ToString() => $"{ActionType} of RowKey '{TableGuards.Printable(Entity.RowKey)}'";

    /// <summary>An ETag given for a condition must not be empty.</summary>
    internal static ETag RequireETag(ETag ifMatch, string parameterName) => ifMatch == default || string.IsNullOrEmpty(ifMatch.ToString())
        ? throw new ArgumentException("An update needs the ETag the entity was read with, or ETag.All to update any version; got an empty ETag.", parameterName)
        : ifMatch;

    private static TableEntity NotNull(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return entity;
    }
}
