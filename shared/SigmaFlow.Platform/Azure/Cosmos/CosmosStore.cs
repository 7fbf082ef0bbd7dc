using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Azure.Cosmos;

namespace SigmaFlow.Platform.Azure.Cosmos;

/// <summary>
/// The platform's documents in one Cosmos container: point reads, idempotent upserts, creates that report "already
/// exists" (idempotency marks), replaces guarded by an ETag, deletes, the fan-in counter (<see cref="PatchIncrementAsync{T}"/>)
/// and partition-scoped queries. Expected failures (404, 409, 412) come back as values; anything else throws a
/// <see cref="CosmosStoreException"/> naming the operation, container, id and partition key. Every document carries a
/// string <c>id</c> and its string partition key at <see cref="PartitionKeyPath"/>; both are read from the document itself.
/// </summary>
public sealed partial class CosmosStore
{
    private readonly CosmosConnection connection;
    private readonly Container container;
    private readonly string[] partitionKeySegments;

    internal CosmosStore(CosmosConnection connection, Container container, string databaseName, string containerName, string partitionKeyPath)
    {
        this.connection = connection;
        this.container = container;
        DatabaseName = databaseName;
        ContainerName = containerName;
        PartitionKeyPath = partitionKeyPath;
        partitionKeySegments = partitionKeyPath[1..].Split('/');
    }

    /// <summary>The database name.</summary>
    public string DatabaseName { get; }

    /// <summary>The container name.</summary>
    public string ContainerName { get; }

    /// <summary>The container's partition key path, e.g. <c>/runId</c>.</summary>
    public string PartitionKeyPath { get; }

    private JsonSerializerOptions Json => connection.Options.JsonOptions;

    /// <summary>Reads one document by id and partition key.</summary>
    /// <typeparam name="T">The document type.</typeparam>
    /// <param name="id">The document id.</param>
    /// <param name="partitionKey">Its partition key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The document and its ETag, or null when there is none (404).</returns>
    public async Task<CosmosDocument<T>?> ReadAsync<T>(string id, string partitionKey, CancellationToken cancellationToken = default)
    {
        CosmosGuards.Id(id, nameof(id));
        CosmosGuards.PartitionKey(partitionKey, nameof(partitionKey));
        var what = Describe(id, partitionKey);
        using var response = await ReadItemAsync("read", id, partitionKey, what, cancellationToken).ConfigureAwait(false);
        return response is null ? null : new CosmosDocument<T>(await DeserializeAsync<T>(response, "read", what, cancellationToken).ConfigureAwait(false), response.Headers.ETag);
    }

    /// <summary>
    /// Writes a document whether or not it exists: the same id and partition key always leave exactly one document, so a
    /// retried write (at-least-once triggers) is harmless.
    /// </summary>
    /// <typeparam name="T">The document type.</typeparam>
    /// <param name="document">The document, with its <c>id</c> and partition key.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The document and its new ETag.</returns>
    public async Task<CosmosDocument<T>> UpsertAsync<T>(T document, CancellationToken cancellationToken = default)
    {
        var (body, id, partitionKey) = Prepare(document, nameof(document));
        var what = Describe(id, partitionKey);
        using var stream = new MemoryStream(body, writable: false);
        using var response = await SendAsync("upsert", what, () => container.UpsertItemStreamAsync(stream, new PartitionKey(partitionKey), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken), cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, "upsert", what);
        return new CosmosDocument<T>(document, response.Headers.ETag);
    }

    /// <summary>
    /// Creates a document only when none has its id and partition key — the "record before side effects" idempotency
    /// mark: the caller that gets <see cref="CosmosOutcome.Succeeded"/> does the work; a duplicate gets
    /// <see cref="CosmosOutcome.AlreadyExists"/> and skips it.
    /// </summary>
    /// <typeparam name="T">The document type.</typeparam>
    /// <param name="document">The document, with its <c>id</c> and partition key.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Succeeded with the document and its ETag, or AlreadyExists.</returns>
    public async Task<CosmosResult<T>> CreateAsync<T>(T document, CancellationToken cancellationToken = default)
    {
        var (body, id, partitionKey) = Prepare(document, nameof(document));
        var what = Describe(id, partitionKey);
        using var stream = new MemoryStream(body, writable: false);
        using var response = await SendAsync("create", what, () => container.CreateItemStreamAsync(stream, new PartitionKey(partitionKey), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return new CosmosResult<T>(CosmosOutcome.AlreadyExists, $"create of {what}: already exists (409); nothing was written.", null);
        }

        EnsureSuccess(response, "create", what);
        return new CosmosResult<T>(CosmosOutcome.Succeeded, $"create of {what}: created.", new CosmosDocument<T>(document, response.Headers.ETag));
    }

    /// <summary>Replaces a document only if it has not changed since it was read (optimistic concurrency on its ETag).</summary>
    /// <typeparam name="T">The document type.</typeparam>
    /// <param name="document">The new document, with the same <c>id</c> and partition key.</param>
    /// <param name="ifMatchETag">The ETag of the version read (<see cref="CosmosDocument{T}.ETag"/>).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Succeeded with the new ETag, ConcurrencyConflict when the document changed meanwhile (412), or NotFound.</returns>
    public async Task<CosmosResult<T>> ReplaceAsync<T>(T document, string ifMatchETag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ifMatchETag);
        var (body, id, partitionKey) = Prepare(document, nameof(document));
        var what = Describe(id, partitionKey);
        using var stream = new MemoryStream(body, writable: false);
        var options = new ItemRequestOptions { IfMatchEtag = ifMatchETag, EnableContentResponseOnWrite = false };
        using var response = await SendAsync("replace", what, () => container.ReplaceItemStreamAsync(stream, id, new PartitionKey(partitionKey), options, cancellationToken), cancellationToken).ConfigureAwait(false);
        var expected = Expected<T>(response, "replace", what);
        if (expected is not null)
        {
            return expected;
        }

        EnsureSuccess(response, "replace", what);
        return new CosmosResult<T>(CosmosOutcome.Succeeded, $"replace of {what}: replaced.", new CosmosDocument<T>(document, response.Headers.ETag));
    }

    /// <summary>Deletes a document, optionally only if it has not changed since it was read.</summary>
    /// <param name="id">The document id.</param>
    /// <param name="partitionKey">Its partition key.</param>
    /// <param name="ifMatchETag">The ETag of the version read, or null to delete whatever version is stored.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns>Succeeded, NotFound, or ConcurrencyConflict when an ETag was given and the document changed.</returns>
    public async Task<CosmosResult> DeleteAsync(string id, string partitionKey, string? ifMatchETag = null, CancellationToken cancellationToken = default)
    {
        CosmosGuards.Id(id, nameof(id));
        CosmosGuards.PartitionKey(partitionKey, nameof(partitionKey));
        var what = Describe(id, partitionKey);
        var options = ifMatchETag is null ? null : new ItemRequestOptions { IfMatchEtag = ifMatchETag };
        using var response = await SendAsync("delete", what, () => container.DeleteItemStreamAsync(id, new PartitionKey(partitionKey), options, cancellationToken), cancellationToken).ConfigureAwait(false);
        var expected = Expected<object>(response, "delete", what);
        if (expected is not null)
        {
            return new CosmosResult(expected.Outcome, expected.Description);
        }

        EnsureSuccess(response, "delete", what);
        return new CosmosResult(CosmosOutcome.Succeeded, $"delete of {what}: deleted.");
    }

    /// <summary>
    /// Adds <paramref name="delta"/> to the number at <paramref name="path"/> (created with the delta when absent) and
    /// returns the document after the change — the fan-in counter: concurrent increments all count. With
    /// <see cref="CosmosIncrementMode.Patch"/> this is one server-side patch <c>incr</c>; with
    /// <see cref="CosmosIncrementMode.ReadReplace"/> a read and an ETag-guarded replace, retried on conflict up to
    /// <see cref="CosmosStoreOptions.MaxConcurrencyAttempts"/> times.
    /// </summary>
    /// <typeparam name="T">The document type.</typeparam>
    /// <param name="id">The document id.</param>
    /// <param name="partitionKey">Its partition key.</param>
    /// <param name="path">The number's path, e.g. <c>/done</c>.</param>
    /// <param name="delta">The amount to add (may be negative).</param>
    /// <param name="filterPredicate">
    /// An optional condition in Cosmos's form <c>FROM c WHERE c.status = 'running'</c>; when the document does not match,
    /// nothing changes and the outcome is <see cref="CosmosOutcome.ConditionNotMet"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Succeeded with the changed document, NotFound, ConditionNotMet, or ConcurrencyConflict when the fallback ran out of attempts.</returns>
    public async Task<CosmosResult<T>> PatchIncrementAsync<T>(string id, string partitionKey, string path, long delta, string? filterPredicate = null, CancellationToken cancellationToken = default)
    {
        CosmosGuards.Id(id, nameof(id));
        CosmosGuards.PartitionKey(partitionKey, nameof(partitionKey));
        CosmosGuards.PatchPath(path, PartitionKeyPath, nameof(path));
        Match? predicate = null;
        if (filterPredicate is not null)
        {
            predicate = FilterPredicate().Match(filterPredicate);
            if (!predicate.Success)
            {
                throw new ArgumentException($"{nameof(filterPredicate)} must have Cosmos's form 'FROM c WHERE <condition>'; got '{filterPredicate}'.", nameof(filterPredicate));
            }
        }

        var what = Describe(id, partitionKey);
        var mode = connection.Options.IncrementMode;
        if (mode == CosmosIncrementMode.Auto)
        {
            mode = connection.IsEmulator && filterPredicate is not null ? CosmosIncrementMode.ReadReplace : CosmosIncrementMode.Patch;
        }

        return mode == CosmosIncrementMode.Patch
            ? await PatchAsync<T>(id, partitionKey, path, delta, filterPredicate, what, cancellationToken).ConfigureAwait(false)
            : await ReadReplaceIncrementAsync<T>(id, partitionKey, path, delta, predicate, what, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams the rows of a query inside one partition, page by page. A partition key is required: cross-partition
    /// queries are refused (the local server cannot run them, and on Azure they fan out to every partition at extra RU
    /// cost; the platform's documents are keyed so that each query knows its partition).
    /// </summary>
    /// <typeparam name="T">The row type (a document record, or a projection).</typeparam>
    /// <param name="partitionKey">The partition to query.</param>
    /// <param name="sql">The query, e.g. <c>SELECT * FROM c WHERE c.runId = @runId AND c.score &gt; @min</c>.</param>
    /// <param name="parameters">Values for the query's <c>@name</c> parameters, or null.</param>
    /// <param name="maxItemCount">Rows per page (1–1000). Default 100.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="ArgumentException">No partition key, SQL that does not filter on the partition key, or a malformed parameter — thrown at once, before enumeration.</exception>
    public IAsyncEnumerable<T> QueryAsync<T>(string partitionKey, string sql, IReadOnlyDictionary<string, object?>? parameters = null, int maxItemCount = 100, CancellationToken cancellationToken = default)
    {
        var (definition, options, what) = PrepareQuery(partitionKey, sql, parameters, maxItemCount);
        return QueryCoreAsync<T>(definition, options, partitionKey, what, cancellationToken);
    }

    /// <summary>
    /// Reads one page of a query inside one partition, for callers that hand the continuation token to their own client
    /// (an HTTP API's "next page"). Same rules as <see cref="QueryAsync{T}"/>.
    /// </summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="partitionKey">The partition to query.</param>
    /// <param name="sql">The query.</param>
    /// <param name="parameters">Values for the query's <c>@name</c> parameters, or null.</param>
    /// <param name="maxItemCount">Rows per page (1–1000). Default 100.</param>
    /// <param name="continuationToken">The token of the previous page, or null for the first.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The page and the token of the next one (null after the last).</returns>
    public async Task<CosmosPage<T>> QueryPageAsync<T>(string partitionKey, string sql, IReadOnlyDictionary<string, object?>? parameters = null, int maxItemCount = 100, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        var (definition, options, what) = PrepareQuery(partitionKey, sql, parameters, maxItemCount);
        using var iterator = container.GetItemQueryStreamIterator(definition, continuationToken, options);
        using var response = await SendAsync("query", what, () => iterator.ReadNextAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, "query", what);
        var items = await ReadPageAsync<T>(response, partitionKey, what, cancellationToken).ConfigureAwait(false);
        return new CosmosPage<T>(items, response.ContinuationToken);
    }

    /// <inheritdoc />
    public override string ToString() => $"Cosmos container {DatabaseName}/{ContainerName} (partition key {PartitionKeyPath}) on {connection}";

    [GeneratedRegex(@"^\s*FROM\s+(?<alias>[A-Za-z_][A-Za-z0-9_]*)\s+WHERE\s+(?<condition>\S.*)$", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex FilterPredicate();

    private async IAsyncEnumerable<T> QueryCoreAsync<T>(QueryDefinition definition, QueryRequestOptions options, string partitionKey, string what, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var iterator = container.GetItemQueryStreamIterator(definition, null, options);
        while (iterator.HasMoreResults)
        {
            using var response = await SendAsync("query", what, () => iterator.ReadNextAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            EnsureSuccess(response, "query", what);
            foreach (var item in await ReadPageAsync<T>(response, partitionKey, what, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
    }

    private async Task<CosmosResult<T>> PatchAsync<T>(string id, string partitionKey, string path, long delta, string? filterPredicate, string what, CancellationToken cancellationToken)
    {
        var options = new PatchItemRequestOptions { FilterPredicate = filterPredicate };
        IReadOnlyList<PatchOperation> operations = [PatchOperation.Increment(path, delta)];
        using var response = await SendAsync("patch", what, () => container.PatchItemStreamAsync(id, new PartitionKey(partitionKey), operations, options, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return new CosmosResult<T>(CosmosOutcome.ConditionNotMet, $"increment of {path} on {what}: the document does not match '{filterPredicate}' (412); nothing was changed.", null);
        }

        var expected = Expected<T>(response, "patch", what);
        if (expected is not null)
        {
            return expected;
        }

        EnsureSuccess(response, "patch", what);
        var value = await DeserializeAsync<T>(response, "patch", what, cancellationToken).ConfigureAwait(false);
        return new CosmosResult<T>(CosmosOutcome.Succeeded, $"increment of {path} by {delta.ToString(CultureInfo.InvariantCulture)} on {what}: done (patch).", new CosmosDocument<T>(value, response.Headers.ETag));
    }

    private async Task<CosmosResult<T>> ReadReplaceIncrementAsync<T>(string id, string partitionKey, string path, long delta, Match? predicate, string what, CancellationToken cancellationToken)
    {
        var attempts = connection.Options.MaxConcurrencyAttempts;
        var segments = path[1..].Split('/');
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            JsonObject document;
            string etag;
            using (var read = await ReadItemAsync("increment (read)", id, partitionKey, what, cancellationToken).ConfigureAwait(false))
            {
                if (read is null)
                {
                    return new CosmosResult<T>(CosmosOutcome.NotFound, $"increment of {path} on {what}: no such document (404).", null);
                }

                etag = read.Headers.ETag;
                document = await JsonNode.ParseAsync(read.Content, cancellationToken: cancellationToken).ConfigureAwait(false) as JsonObject
                    ?? throw new CosmosStoreException($"Cosmos increment (read) on {what}: the stored document is not a JSON object.", (int)HttpStatusCode.OK);
            }

            // The condition is checked between the read and the replace; the replace's If-Match on the ETag read makes
            // sure the condition held for exactly the version that is changed.
            if (predicate is not null && !await ExistsAsync(id, partitionKey, predicate.Groups["alias"].Value, predicate.Groups["condition"].Value, what, cancellationToken).ConfigureAwait(false))
            {
                return new CosmosResult<T>(CosmosOutcome.ConditionNotMet, $"increment of {path} on {what}: the document does not match '{predicate.Value}'; nothing was changed.", null);
            }

            Increment(document, segments, delta, path, what);
            using var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(document, Json), writable: false);
            var options = new ItemRequestOptions { IfMatchEtag = etag };
            using var replaced = await SendAsync("increment (replace)", what, () => container.ReplaceItemStreamAsync(body, id, new PartitionKey(partitionKey), options, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (replaced.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // Someone else changed it first: back off a little (jittered, growing) and start again from a fresh read.
                var ceiling = Math.Min(5 * attempt, 100);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, ceiling + 1)), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (replaced.StatusCode == HttpStatusCode.NotFound && SubStatus(replaced) != 1003)
            {
                return new CosmosResult<T>(CosmosOutcome.NotFound, $"increment of {path} on {what}: the document was deleted meanwhile (404).", null);
            }

            EnsureSuccess(replaced, "increment (replace)", what);
            var value = await DeserializeAsync<T>(replaced, "increment (replace)", what, cancellationToken).ConfigureAwait(false);
            return new CosmosResult<T>(CosmosOutcome.Succeeded, $"increment of {path} by {delta.ToString(CultureInfo.InvariantCulture)} on {what}: done (read and replace, attempt {attempt.ToString(CultureInfo.InvariantCulture)}).", new CosmosDocument<T>(value, replaced.Headers.ETag));
        }

        return new CosmosResult<T>(CosmosOutcome.ConcurrencyConflict, $"increment of {path} on {what}: the document kept changing; gave up after {attempts.ToString(CultureInfo.InvariantCulture)} attempts (raise CosmosStoreOptions.MaxConcurrencyAttempts or use patch).", null);
    }

    /// <summary>
    /// A point read that returns null for a missing document. The local server answers a point read of a missing
    /// document with HTTP 500 (its read handler dereferences the absent document) instead of 404; on the emulator only,
    /// a 500 is checked with a partition-scoped query and becomes "not found" when the document is indeed absent.
    /// </summary>
    private async Task<ResponseMessage?> ReadItemAsync(string operation, string id, string partitionKey, string what, CancellationToken cancellationToken)
    {
        var response = await SendAsync(operation, what, () => container.ReadItemStreamAsync(id, new PartitionKey(partitionKey), null, cancellationToken), cancellationToken).ConfigureAwait(false);
        try
        {
            if ((response.StatusCode == HttpStatusCode.NotFound && SubStatus(response) != 1003)
                || (response.StatusCode == HttpStatusCode.InternalServerError && connection.IsEmulator && !await ExistsAsync(id, partitionKey, "c", null, what, cancellationToken).ConfigureAwait(false)))
            {
                response.Dispose();
                return null;
            }

            EnsureSuccess(response, operation, what);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Whether the document exists in its partition (and matches the condition, when one is given).</summary>
    private async Task<bool> ExistsAsync(string id, string partitionKey, string alias, string? condition, string what, CancellationToken cancellationToken)
    {
        var sql = $"SELECT VALUE {alias}.id FROM {alias} WHERE {Accessor(alias)} = @sigmaflowPartitionKey AND {alias}.id = @sigmaflowId{(condition is null ? string.Empty : $" AND ({condition})")}";
        var definition = new QueryDefinition(sql).WithParameter("@sigmaflowId", id).WithParameter("@sigmaflowPartitionKey", partitionKey);
        using var iterator = container.GetItemQueryStreamIterator(definition, null, new QueryRequestOptions { PartitionKey = new PartitionKey(partitionKey), MaxItemCount = 1, EnableOptimisticDirectExecution = true });
        while (iterator.HasMoreResults)
        {
            using var response = await SendAsync("existence check", what, () => iterator.ReadNextAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            EnsureSuccess(response, "existence check", what);
            using var page = await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (page.RootElement.TryGetProperty("Documents", out var rows) && rows.GetArrayLength() > 0)
            {
                return true;
            }
        }

        return false;
    }

    private static void Increment(JsonObject document, string[] segments, long delta, string path, string what)
    {
        JsonObject parent = document;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            parent = parent[segments[i]] as JsonObject
                ?? throw new CosmosStoreException($"Cosmos increment on {what}: {path} needs an object at '/{string.Join('/', segments[..(i + 1)])}', and there is none (a patch cannot create parents either).", (int)HttpStatusCode.BadRequest);
        }

        var leaf = segments[^1];
        var current = parent[leaf];
        if (current is null)
        {
            parent[leaf] = delta;
        }
        else if (current is JsonValue number && number.GetValueKind() == JsonValueKind.Number)
        {
            parent[leaf] = number.TryGetValue<long>(out var whole) ? JsonValue.Create(whole + delta) : JsonValue.Create(number.GetValue<double>() + delta);
        }
        else
        {
            throw new CosmosStoreException($"Cosmos increment on {what}: {path} holds {current.GetValueKind().ToString().ToLowerInvariant()}, not a number.", (int)HttpStatusCode.BadRequest);
        }
    }

    private (QueryDefinition Definition, QueryRequestOptions Options, string What) PrepareQuery(string partitionKey, string sql, IReadOnlyDictionary<string, object?>? parameters, int maxItemCount)
    {
        if (partitionKey is null || partitionKey.Length == 0)
        {
            throw new ArgumentException($"{nameof(partitionKey)} is required: cross-partition queries are refused (the local server cannot run them, and on Azure they fan out to every partition at extra RU cost). Key the documents so the query knows its partition ({PartitionKeyPath} of {DatabaseName}/{ContainerName}); got {(partitionKey is null ? "null" : "an empty string")}.", nameof(partitionKey));
        }

        CosmosGuards.PartitionKey(partitionKey, nameof(partitionKey));
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        if (!ReferencesPartitionKey(sql))
        {
            throw new ArgumentException($"{nameof(sql)} must filter on the partition key as well, e.g. 'WHERE {Accessor("c")} = @key AND …': the local server ignores the request's partition key and evaluates the SQL over the whole container, so only the SQL keeps the query inside its partition there (container {DatabaseName}/{ContainerName}, key {PartitionKeyPath}); got '{sql}'.", nameof(sql));
        }

        CosmosGuards.MaxItemCount(maxItemCount, nameof(maxItemCount));
        var definition = new QueryDefinition(sql);
        if (parameters is not null)
        {
            foreach (var (name, value) in parameters)
            {
                if (string.IsNullOrEmpty(name) || name[0] != '@' || name.Length < 2)
                {
                    throw new ArgumentException($"{nameof(parameters)}: every name must start with '@' followed by the name, as in the query; got '{name}'.", nameof(parameters));
                }

                definition = definition.WithParameter(name, value);
            }
        }

        // Optimistic direct execution sends a single-partition query straight to its partition without asking the
        // gateway for a query plan: faster on Azure, and the only way ORDER BY and aggregates run on the local server,
        // which does not implement query plans.
        var options = new QueryRequestOptions { PartitionKey = new PartitionKey(partitionKey), MaxItemCount = maxItemCount, EnableOptimisticDirectExecution = true };
        return (definition, options, $"{DatabaseName}/{ContainerName} partition key '{partitionKey}' ({sql})");
    }

    private async Task<List<T>> ReadPageAsync<T>(ResponseMessage response, string partitionKey, string what, CancellationToken cancellationToken)
    {
        using var page = await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!page.RootElement.TryGetProperty("Documents", out var rows) || rows.ValueKind != JsonValueKind.Array)
        {
            throw new CosmosStoreException($"Cosmos query on {what}: the response has no 'Documents' array.", (int)response.StatusCode);
        }

        var items = new List<T>(rows.GetArrayLength());
        foreach (var row in rows.EnumerateArray())
        {
            if (connection.IsEmulator && !InPartition(row, partitionKey))
            {
                // The local server ignores the request's partition key and evaluates the query over every partition;
                // Azure never returns such rows. Drop them so both behave alike.
                continue;
            }

            items.Add(row.Deserialize<T>(Json)!);
        }

        return items;
    }

    private bool ReferencesPartitionKey(string sql)
    {
        var name = Regex.Escape(partitionKeySegments[^1]);
        return Regex.IsMatch(sql, $@"\.\s*{name}\b|\[\s*[""']{name}[""']\s*\]", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    private string Accessor(string alias) => alias + string.Concat(partitionKeySegments.Select(segment => IdentifierLike().IsMatch(segment) ? "." + segment : $"[{JsonSerializer.Serialize(segment)}]"));

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierLike();

    private bool InPartition(JsonElement row, string partitionKey)
    {
        if (row.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        var value = row;
        foreach (var segment in partitionKeySegments)
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(segment, out value))
            {
                return true;
            }
        }

        return value.ValueKind != JsonValueKind.String || value.ValueEquals(partitionKey);
    }

    private (byte[] Body, string Id, string PartitionKey) Prepare<T>(T document, string parameter)
    {
        ArgumentNullException.ThrowIfNull(document, parameter);
        var body = JsonSerializer.SerializeToUtf8Bytes(document, Json);
        using var parsed = JsonDocument.Parse(body);
        var root = parsed.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"{parameter} must serialize to a JSON object; {typeof(T).Name} serializes to a {root.ValueKind}.", parameter);
        }

        if (!root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String)
        {
            throw new ArgumentException($"{parameter} must carry a string 'id' (a record's Id property in camelCase); {typeof(T).Name} has {(idElement.ValueKind == JsonValueKind.Undefined ? "none" : idElement.ValueKind.ToString())}.", parameter);
        }

        var id = idElement.GetString()!;
        CosmosGuards.Id(id, $"{parameter}.id");
        var key = root;
        foreach (var segment in partitionKeySegments)
        {
            if (key.ValueKind != JsonValueKind.Object || !key.TryGetProperty(segment, out key))
            {
                key = default;
                break;
            }
        }

        if (key.ValueKind != JsonValueKind.String || key.GetString() is not { Length: > 0 } partitionKey)
        {
            throw new ArgumentException($"{parameter} must carry its partition key as a non-empty string at {PartitionKeyPath} (container {DatabaseName}/{ContainerName}); {typeof(T).Name} with id '{id}' has {(key.ValueKind == JsonValueKind.Undefined ? "none" : key.ToString())}.", parameter);
        }

        return (body, id, partitionKey);
    }

    private async Task<T> DeserializeAsync<T>(ResponseMessage response, string operation, string what, CancellationToken cancellationToken)
    {
        if (response.Content is null)
        {
            throw new CosmosStoreException($"Cosmos {operation} on {what}: the response has no document.", (int)response.StatusCode);
        }

        return await JsonSerializer.DeserializeAsync<T>(response.Content, Json, cancellationToken).ConfigureAwait(false)
            ?? throw new CosmosStoreException($"Cosmos {operation} on {what}: the response's document is null.", (int)response.StatusCode);
    }

    private static CosmosResult<T>? Expected<T>(ResponseMessage response, string operation, string what) => response.StatusCode switch
    {
        HttpStatusCode.NotFound when SubStatus(response) != 1003 => new CosmosResult<T>(CosmosOutcome.NotFound, $"{operation} of {what}: no such document (404).", null),
        HttpStatusCode.PreconditionFailed => new CosmosResult<T>(CosmosOutcome.ConcurrencyConflict, $"{operation} of {what}: the document changed since the ETag given was read (412); read it again and retry.", null),
        _ => null,
    };

    private void EnsureSuccess(ResponseMessage response, string operation, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw CosmosFailures.From(operation, what, connection, (int)response.StatusCode, SubStatus(response), response.ErrorMessage, null);
        }
    }

    private async Task<ResponseMessage> SendAsync(string operation, string what, Func<Task<ResponseMessage>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (CosmosException exception)
        {
            throw CosmosFailures.From(operation, what, connection, (int)exception.StatusCode, exception.SubStatusCode, exception.ResponseBody, exception);
        }
        catch (HttpRequestException exception)
        {
            throw CosmosFailures.From(operation, what, connection, 0, 0, exception.Message, exception);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw CosmosFailures.From(operation, what, connection, (int)HttpStatusCode.RequestTimeout, 0, "the request timed out (CosmosStoreOptions.RequestTimeout).", exception);
        }
    }

    private static int SubStatus(ResponseMessage response) =>
        response.Headers.TryGetValue("x-ms-substatus", out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private string Describe(string id, string partitionKey) => $"{DatabaseName}/{ContainerName} id '{id}' partition key '{partitionKey}'";
}
