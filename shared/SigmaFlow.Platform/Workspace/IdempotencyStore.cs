using System.Security.Cryptography;
using System.Text;
using Azure;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Workspace;

/// <summary>What <see cref="IdempotencyStore.BeginAsync"/> decided.</summary>
public enum IdempotencyState
{
    /// <summary>The key is new: run the request, then <see cref="IdempotencyStore.CompleteAsync"/> or <see cref="IdempotencyStore.AbandonAsync"/>.</summary>
    Started,

    /// <summary>The same request finished before: answer with the stored response.</summary>
    Replay,

    /// <summary>The same request is still running elsewhere.</summary>
    InProgress,

    /// <summary>The key was used for a different request (another method, path or body).</summary>
    Mismatch,
}

/// <summary>A stored response.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="ContentType">Content type.</param>
/// <param name="Body">Body text.</param>
/// <param name="Location">Location header, if any.</param>
public sealed record StoredResponse(int Status, string ContentType, string Body, string? Location);

/// <summary>The outcome of beginning a keyed request.</summary>
/// <param name="State">What to do.</param>
/// <param name="Response">The stored response when <see cref="IdempotencyState.Replay"/>.</param>
public sealed record IdempotencyDecision(IdempotencyState State, StoredResponse? Response = null);

/// <summary>
/// Idempotency keys for POSTs that start work (<c>Idempotency-Key</c> header), in Table storage
/// (<see cref="WorkspaceNames.IdempotencyTable"/>): the first request with a key inserts a pending record (an insert
/// either wins or conflicts, so two concurrent requests cannot both start); its response is stored; a repeat with the
/// same method, path and body gets that response again, a repeat while it runs gets "in progress", and a different
/// request with the same key is refused. Records expire after <see cref="Retention"/>; a failed request (exception or
/// 5xx) abandons its record so that a retry runs again. Keys are scoped to the caller (API key id).
/// </summary>
public sealed class IdempotencyStore
{
    /// <summary>How long a key is remembered.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>How long a pending record blocks repeats before it is taken as abandoned (a crashed instance).</summary>
    public static readonly TimeSpan PendingTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Longest response body stored for replay (characters); longer bodies are replayed as a pointer (Location) only.</summary>
    public const int MaxStoredBody = 30_000;

    private readonly TableReady ready;
    private readonly TimeProvider clock;

    /// <summary>Creates the store.</summary>
    /// <param name="tables">The table service.</param>
    /// <param name="clock">The clock; the system clock when null.</param>
    public IdempotencyStore(TableServiceClient tables, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ready = new TableReady(tables.GetTableClient(WorkspaceNames.IdempotencyTable));
        this.clock = clock ?? TimeProvider.System;
    }

    /// <summary>The fingerprint of a request: SHA-256 over method, path with query, and body.</summary>
    /// <param name="method">The method.</param>
    /// <param name="pathAndQuery">The path and query.</param>
    /// <param name="body">The body.</param>
    /// <returns>Hex text.</returns>
    public static string Fingerprint(string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(method.ToUpperInvariant() + " " + pathAndQuery + "\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Begins a keyed request.</summary>
    /// <param name="caller">Whose key space (the API key id).</param>
    /// <param name="key">The <c>Idempotency-Key</c> value.</param>
    /// <param name="fingerprint">The request's <see cref="Fingerprint"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What to do.</returns>
    public async Task<IdempotencyDecision> BeginAsync(string caller, string key, string fingerprint, CancellationToken cancellationToken = default)
    {
        await ready.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var (partition, row) = Keys(caller, key);
        var now = clock.GetUtcNow();
        var pending = new TableEntity(partition, row) { ["fingerprint"] = fingerprint, ["state"] = "pending", ["createdAt"] = now };
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                await ready.Table.InsertEntityAsync(pending, cancellationToken).ConfigureAwait(false);
                return new IdempotencyDecision(IdempotencyState.Started);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
            }

            var existing = await ready.Table.GetEntityAsync(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                continue;
            }

            var created = existing.GetDateTimeOffset("createdAt") ?? DateTimeOffset.MinValue;
            var done = existing.GetString("state") == "done";
            var expired = now - created > Retention || (!done && now - created > PendingTimeout);
            if (expired)
            {
                try
                {
                    await ready.Table.UpdateEntityAsync(pending, existing.ETag, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return new IdempotencyDecision(IdempotencyState.Started);
                }
                catch (RequestFailedException e) when (e.Status is 404 or 412)
                {
                    continue;
                }
            }

            if (existing.GetString("fingerprint") != fingerprint)
            {
                return new IdempotencyDecision(IdempotencyState.Mismatch);
            }

            return done
                ? new IdempotencyDecision(IdempotencyState.Replay, new StoredResponse(existing.GetInt32("status") ?? 200, existing.GetString("contentType") ?? "application/json", existing.GetString("body") ?? string.Empty, existing.GetString("location")))
                : new IdempotencyDecision(IdempotencyState.InProgress);
        }

        return new IdempotencyDecision(IdempotencyState.InProgress);
    }

    /// <summary>Stores the response of a started request.</summary>
    /// <param name="caller">The caller.</param>
    /// <param name="key">The key.</param>
    /// <param name="fingerprint">The fingerprint.</param>
    /// <param name="response">The response.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task CompleteAsync(string caller, string key, string fingerprint, StoredResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        var (partition, row) = Keys(caller, key);
        var body = response.Body.Length <= MaxStoredBody ? response.Body : string.Empty;
        var entity = new TableEntity(partition, row)
        {
            ["fingerprint"] = fingerprint,
            ["state"] = "done",
            ["createdAt"] = clock.GetUtcNow(),
            ["status"] = response.Status,
            ["contentType"] = response.ContentType,
            ["body"] = body,
        };
        if (response.Location is not null)
        {
            entity["location"] = response.Location;
        }

        await ready.Table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets a started request that failed, so a retry with the same key runs again.</summary>
    /// <param name="caller">The caller.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task AbandonAsync(string caller, string key, CancellationToken cancellationToken = default)
    {
        var (partition, row) = Keys(caller, key);
        await ready.Table.DeleteEntityAsync(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"idempotency records in {ready.Table}";

    private static (string Partition, string Row) Keys(string caller, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(caller);
        ArgumentException.ThrowIfNullOrEmpty(key);
        return (Live.LiveKeys.Escape(caller), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))));
    }
}
