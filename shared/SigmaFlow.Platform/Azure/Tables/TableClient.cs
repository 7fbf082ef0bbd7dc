using Azure;
using Azure.Core;

namespace SigmaFlow.Platform.Azure.Tables;

/// <summary>
/// One table: insert, upsert (replace or merge), conditional update, delete, point read, paged queries and
/// entity-group transactions, over the Table REST API. Every failure is a <see cref="RequestFailedException"/> carrying
/// the status and the service's error code, with a message naming the operation, the table and the keys. Thread-safe;
/// get it from <see cref="TableServiceClient.GetTableClient"/>.
/// </summary>
public sealed partial class TableClient
{
    private static readonly RequestMethod Merge = RequestMethod.Parse("MERGE");
    private readonly TableTransport transport;

    internal TableClient(TableTransport transport, string name)
    {
        this.transport = transport;
        Name = name;
        TableUri = $"{transport.BaseUri}/{name}";
    }

    /// <summary>The table's name.</summary>
    public string Name { get; }

    /// <summary>The table's URI.</summary>
    public Uri Uri => new(TableUri);

    private string TableUri { get; }

    /// <summary>Creates this table unless it exists.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when this call created it.</returns>
    /// <exception cref="RequestFailedException">Any failure other than "already exists".</exception>
    public Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default) =>
        TableServiceClient.CreateAsync(transport, Name, throwIfExists: false, cancellationToken);

    /// <summary>
    /// Inserts a new entity (<c>POST /{table}</c>).
    /// </summary>
    /// <param name="entity">The entity.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored entity's ETag.</returns>
    /// <exception cref="RequestFailedException">409 <c>EntityAlreadyExists</c> when an entity with these keys exists; 404 <c>TableNotFound</c>; any other failure.</exception>
    /// <remarks>A retried insert whose first attempt reached the service reports 409 although this call stored it.</remarks>
    public async Task<ETag> InsertEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var operation = $"insert {Describe(entity.PartitionKey, entity.RowKey)}";
        using var message = transport.Create(RequestMethod.Post, TableUri);
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        TableTransport.SetJson(message, TableEntityJson.Serialize(entity));
        var response = await transport.SendAsync(message, operation, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            201 or 204 => ETagOf(response),
            409 => throw TableTransport.Failure(response, operation, "an entity with these keys already exists; use UpsertEntityAsync to overwrite it"),
            _ => throw Failure(response, operation),
        };
    }

    /// <summary>
    /// Inserts the entity, or replaces (<c>PUT</c>) or merges into (<c>MERGE</c>) the one stored under its keys,
    /// whatever its version.
    /// </summary>
    /// <param name="entity">The entity.</param>
    /// <param name="mode">Replace (default) or merge.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored entity's new ETag.</returns>
    /// <exception cref="RequestFailedException">404 <c>TableNotFound</c>; any other failure.</exception>
    public async Task<ETag> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var operation = $"upsert ({Mode(mode)}) {Describe(entity.PartitionKey, entity.RowKey)}";
        return await WriteAsync(entity, mode, ifMatch: null, operation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces or merges into the stored entity only if its ETag still matches (<c>If-Match</c>): optimistic
    /// concurrency for read-modify-write.
    /// </summary>
    /// <param name="entity">The entity.</param>
    /// <param name="ifMatch">The ETag the entity was read with, or <see cref="ETag.All"/> to require only that it exists.</param>
    /// <param name="mode">Replace (default) or merge.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored entity's new ETag.</returns>
    /// <exception cref="ArgumentException"><paramref name="ifMatch"/> is empty.</exception>
    /// <exception cref="RequestFailedException">412 <c>UpdateConditionNotSatisfied</c> when the entity changed since it was read; 404 when it does not exist; any other failure.</exception>
    public async Task<ETag> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        TableTransactionAction.RequireETag(ifMatch, nameof(ifMatch));
        var operation = $"update ({Mode(mode)}, If-Match {ifMatch}) {Describe(entity.PartitionKey, entity.RowKey)}";
        return await WriteAsync(entity, mode, ifMatch, operation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes an entity (<c>DELETE</c> with <c>If-Match</c>).</summary>
    /// <param name="partitionKey">Partition key.</param>
    /// <param name="rowKey">Row key.</param>
    /// <param name="ifMatch">The ETag the entity was read with; <c>default</c> or <see cref="ETag.All"/> deletes any version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when it was deleted, false when no such entity exists.</returns>
    /// <exception cref="RequestFailedException">412 when the entity changed since it was read; 404 <c>TableNotFound</c>; any other failure.</exception>
    public async Task<bool> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        TableGuards.Key(partitionKey, nameof(partitionKey), "partition key");
        TableGuards.Key(rowKey, nameof(rowKey), "row key");
        var condition = ifMatch == default ? ETag.All : ifMatch;
        var operation = $"delete (If-Match {condition}) {Describe(partitionKey, rowKey)}";
        using var message = transport.Create(RequestMethod.Delete, EntityUri(TableUri, partitionKey, rowKey));
        message.Request.Headers.SetValue("If-Match", condition.ToString());
        var response = await transport.SendAsync(message, operation, cancellationToken).ConfigureAwait(false);
        if (response.Status == 204)
        {
            return true;
        }

        if (response.Status == 404 && !IsTableNotFound(response))
        {
            return false;
        }

        throw Failure(response, operation);
    }

    /// <summary>Reads one entity by its keys (<c>GET /{table}(PartitionKey='…',RowKey='…')</c>).</summary>
    /// <param name="partitionKey">Partition key.</param>
    /// <param name="rowKey">Row key.</param>
    /// <param name="select">Properties to return (the keys always come back), or null for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entity with its ETag and Timestamp, or null when no such entity exists.</returns>
    /// <exception cref="RequestFailedException">404 <c>TableNotFound</c> when the table does not exist; any other failure.</exception>
    public async Task<TableEntity?> GetEntityAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        TableGuards.Key(partitionKey, nameof(partitionKey), "partition key");
        TableGuards.Key(rowKey, nameof(rowKey), "row key");
        var operation = $"read {Describe(partitionKey, rowKey)}";
        var selectQuery = SelectQuery(select);
        var uri = EntityUri(TableUri, partitionKey, rowKey) + (selectQuery is null ? string.Empty : "?" + selectQuery);
        using var message = transport.Create(RequestMethod.Get, uri, TableTransport.MinimalMetadata);
        var response = await transport.SendAsync(message, operation, cancellationToken).ConfigureAwait(false);
        if (response.Status == 404 && !IsTableNotFound(response))
        {
            return null;
        }

        if (response.Status != 200)
        {
            throw Failure(response, operation);
        }

        using var document = await System.Text.Json.JsonDocument.ParseAsync(response.ContentStream!, cancellationToken: cancellationToken).ConfigureAwait(false);
        var entity = TableEntityJson.Read(document.RootElement);
        if (entity.ETag == default)
        {
            entity.ETag = ETagOf(response);
        }

        return entity;
    }

    /// <inheritdoc />
    public override string ToString() => $"table '{Name}' at {transport.BaseUri}";

    /// <summary>The URI of one entity: keys with single quotes doubled, then percent-encoded.</summary>
    internal static string EntityUri(string tableUri, string partitionKey, string rowKey) =>
        $"{tableUri}(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')";

    private static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    private static string Mode(TableUpdateMode mode) => mode == TableUpdateMode.Merge ? "merge" : "replace";

    private static ETag ETagOf(Response response) => response.Headers.ETag ?? default;

    private static bool IsTableNotFound(Response response) => TableTransport.ReadError(response).Code == "TableNotFound";

    private async Task<ETag> WriteAsync(TableEntity entity, TableUpdateMode mode, ETag? ifMatch, string operation, CancellationToken cancellationToken)
    {
        using var message = transport.Create(mode == TableUpdateMode.Merge ? Merge : RequestMethod.Put, EntityUri(TableUri, entity.PartitionKey, entity.RowKey));
        if (ifMatch is { } condition)
        {
            message.Request.Headers.SetValue("If-Match", condition.ToString());
        }

        TableTransport.SetJson(message, TableEntityJson.Serialize(entity));
        var response = await transport.SendAsync(message, operation, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            204 or 200 or 201 => ETagOf(response),
            412 => throw TableTransport.Failure(response, operation, "the entity changed since it was read: its ETag no longer matches; read it again and retry"),
            _ => throw Failure(response, operation),
        };
    }

    private string Describe(string partitionKey, string rowKey) =>
        $"entity (PartitionKey '{TableGuards.Printable(partitionKey)}', RowKey '{TableGuards.Printable(rowKey)}') in table '{Name}'";

    private RequestFailedException Failure(Response response, string operation)
    {
        var (code, _) = TableTransport.ReadError(response);
        var explanation = (response.Status, code) switch
        {
            (404, "TableNotFound") => $"table '{Name}' does not exist; create it first",
            (404, _) => "no entity with these keys exists",
            (412, _) => "the entity changed since it was read: its ETag no longer matches",
            (403, _) => "authorization failed: check the account key or the identity's role (Storage Table Data Contributor)",
            _ => null,
        };
        return TableTransport.Failure(response, operation, explanation);
    }
}
