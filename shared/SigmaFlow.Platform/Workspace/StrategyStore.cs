using System.Globalization;
using System.Text.RegularExpressions;
using Azure;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Workspace;

/// <summary>A stored strategy: its latest version.</summary>
/// <param name="Id">The id (lower-case letters, digits, <c>-</c>, <c>_</c>, <c>.</c>; 1–64 characters).</param>
/// <param name="Name">The document's name.</param>
/// <param name="Version">The latest version, from 1.</param>
/// <param name="Document">The latest version's document text (YAML or JSON).</param>
/// <param name="CreatedAt">When version 1 was stored.</param>
/// <param name="UpdatedAt">When the latest version was stored.</param>
public sealed record StrategyRecord(string Id, string Name, int Version, string Document, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One stored version of a strategy.</summary>
/// <param name="Id">The strategy id.</param>
/// <param name="Version">The version.</param>
/// <param name="Name">The document's name at that version.</param>
/// <param name="Document">The document text.</param>
/// <param name="CreatedAt">When it was stored.</param>
public sealed record StrategyVersionRecord(string Id, int Version, string Name, string Document, DateTimeOffset CreatedAt);

/// <summary>
/// Strategies with their version history in Table storage (<see cref="WorkspaceNames.StrategiesTable"/>). One partition
/// per strategy: a <c>head</c> row (name, latest version and its document) and one immutable row per version
/// (<c>v0000000001</c>…). Every write is one entity-group transaction, so the head and the versions never disagree;
/// updates are conditional on the version the caller read (optimistic concurrency through the head's ETag).
/// </summary>
public sealed partial class StrategyStore
{
    /// <summary>Longest document stored (characters): Table storage keeps a string property up to 64 KiB of UTF-16.</summary>
    public const int MaxDocumentLength = 30_000;

    private const string Head = "head";
    private readonly TableClient table;
    private readonly TableReady ready;
    private readonly TimeProvider clock;

    /// <summary>Creates the store.</summary>
    /// <param name="tables">The table service.</param>
    /// <param name="clock">The clock; the system clock when null.</param>
    public StrategyStore(TableServiceClient tables, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        table = tables.GetTableClient(WorkspaceNames.StrategiesTable);
        ready = new TableReady(table);
        this.clock = clock ?? TimeProvider.System;
    }

    /// <summary>Whether a text is a valid strategy id.</summary>
    /// <param name="id">The text.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>Stores version 1 of a new strategy.</summary>
    /// <param name="id">The id (<see cref="IsValidId"/>).</param>
    /// <param name="name">The document's name.</param>
    /// <param name="document">The document text, already validated by the caller.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored strategy.</returns>
    /// <exception cref="WorkspaceConflictException">A strategy with this id exists.</exception>
    public async Task<StrategyRecord> CreateAsync(string id, string name, string document, CancellationToken cancellationToken = default)
    {
        Check(id, document);
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        try
        {
            await table.SubmitTransactionAsync(
                [
                    TableTransactionAction.Insert(HeadRow(id, name, 1, document, now, now)),
                    TableTransactionAction.Insert(VersionRow(id, 1, name, document, now)),
                ],
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            throw new WorkspaceConflictException($"a strategy with id '{id}' already exists; update it with PUT /api/strategies/{id}, or choose another id.", e);
        }

        return new StrategyRecord(id, name, 1, document, now, now);
    }

    /// <summary>Stores a new version, if the latest is still the one the caller read.</summary>
    /// <param name="id">The id.</param>
    /// <param name="name">The document's name.</param>
    /// <param name="document">The new document text.</param>
    /// <param name="expectedVersion">The latest version the caller knows; null to skip the check.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored strategy, or null when there is no strategy with this id.</returns>
    /// <exception cref="WorkspaceConflictException">The latest version is not <paramref name="expectedVersion"/>, or another update won the race.</exception>
    public async Task<StrategyRecord?> UpdateAsync(string id, string name, string document, int? expectedVersion, CancellationToken cancellationToken = default)
    {
        Check(id, document);
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var head = await table.GetEntityAsync(id, Head, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (head is null)
        {
            return null;
        }

        var current = head.GetInt32("version") ?? 0;
        if (expectedVersion is { } expected && expected != current)
        {
            throw new WorkspaceConflictException(string.Create(CultureInfo.InvariantCulture, $"strategy '{id}' is at version {current}, not {expected}; read it again and apply the change to version {current}."));
        }

        var now = clock.GetUtcNow();
        var created = head.GetDateTimeOffset("createdAt") ?? now;
        var next = current + 1;
        try
        {
            await table.SubmitTransactionAsync(
                [
                    TableTransactionAction.Update(HeadRow(id, name, next, document, created, now), head.ETag),
                    TableTransactionAction.Insert(VersionRow(id, next, name, document, now)),
                ],
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            throw new WorkspaceConflictException(string.Create(CultureInfo.InvariantCulture, $"strategy '{id}' changed while version {next} was being stored; read it again and retry."), e);
        }

        return new StrategyRecord(id, name, next, document, created, now);
    }

    /// <summary>The latest version of a strategy.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The strategy, or null.</returns>
    public async Task<StrategyRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!IsValidId(id))
        {
            return null;
        }

        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var head = await table.GetEntityAsync(id, Head, cancellationToken: cancellationToken).ConfigureAwait(false);
        return head is null ? null : FromHead(head);
    }

    /// <summary>Every strategy's latest version, by id.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The strategies.</returns>
    public async Task<IReadOnlyList<StrategyRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<StrategyRecord>();
        await foreach (var row in table.QueryAsync(TableFilter.Equal("RowKey", Head), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(FromHead(row));
        }

        return result.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>One version of a strategy.</summary>
    /// <param name="id">The id.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version, or null.</returns>
    public async Task<StrategyVersionRecord?> GetVersionAsync(string id, int version, CancellationToken cancellationToken = default)
    {
        if (!IsValidId(id) || version < 1)
        {
            return null;
        }

        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityAsync(id, VersionKey(version), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row is null ? null : FromVersion(row);
    }

    /// <summary>Every version of a strategy, oldest first (without documents when <paramref name="withDocuments"/> is false).</summary>
    /// <param name="id">The id.</param>
    /// <param name="withDocuments">Whether to read the documents too.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The versions; empty when the strategy does not exist.</returns>
    public async Task<IReadOnlyList<StrategyVersionRecord>> ListVersionsAsync(string id, bool withDocuments = false, CancellationToken cancellationToken = default)
    {
        if (!IsValidId(id))
        {
            return [];
        }

        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<StrategyVersionRecord>();
        var filter = TableFilter.And(TableFilter.Equal("PartitionKey", id), TableFilter.GreaterThanOrEqual("RowKey", "v"), TableFilter.LessThan("RowKey", "w"));
        var select = withDocuments ? null : new[] { "version", "name", "createdAt" };
        await foreach (var row in table.QueryAsync(filter, select, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(FromVersion(row));
        }

        return result;
    }

    /// <summary>Deletes a strategy with every version.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when there was no such strategy.</returns>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!IsValidId(id))
        {
            return false;
        }

        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<string>();
        await foreach (var row in table.QueryAsync(TableFilter.Equal("PartitionKey", id), ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add(row.RowKey);
        }

        if (!keys.Contains(Head))
        {
            return false;
        }

        // The head goes last: a delete interrupted half-way leaves a strategy that still lists and can be deleted again.
        var versions = keys.Where(k => k != Head).ToList();
        foreach (var chunk in versions.Chunk(100))
        {
            await table.SubmitTransactionAsync(chunk.Select(k => TableTransactionAction.Delete(id, k)), cancellationToken).ConfigureAwait(false);
        }

        return await table.DeleteEntityAsync(id, Head, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"strategies in {table}";

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    private static void Check(string id, string document)
    {
        if (!IsValidId(id))
        {
            throw new ArgumentException($"strategy id '{id}' is not valid: use 1–64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.", nameof(id));
        }

        ArgumentNullException.ThrowIfNull(document);
        if (document.Length > MaxDocumentLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"a strategy document may have at most {MaxDocumentLength} characters; this one has {document.Length}."), nameof(document));
        }
    }

    private static string VersionKey(int version) => "v" + version.ToString("D10", CultureInfo.InvariantCulture);

    private static TableEntity HeadRow(string id, string name, int version, string document, DateTimeOffset created, DateTimeOffset updated) => new(id, Head)
    {
        ["name"] = name,
        ["version"] = version,
        ["document"] = document,
        ["createdAt"] = created,
        ["updatedAt"] = updated,
    };

    private static TableEntity VersionRow(string id, int version, string name, string document, DateTimeOffset created) => new(id, VersionKey(version))
    {
        ["name"] = name,
        ["version"] = version,
        ["document"] = document,
        ["createdAt"] = created,
    };

    private static StrategyRecord FromHead(TableEntity row) => new(
        row.PartitionKey,
        row.GetString("name") ?? row.PartitionKey,
        row.GetInt32("version") ?? 0,
        row.GetString("document") ?? string.Empty,
        row.GetDateTimeOffset("createdAt") ?? DateTimeOffset.MinValue,
        row.GetDateTimeOffset("updatedAt") ?? DateTimeOffset.MinValue);

    private static StrategyVersionRecord FromVersion(TableEntity row) => new(
        row.PartitionKey,
        row.GetInt32("version") ?? 0,
        row.GetString("name") ?? row.PartitionKey,
        row.GetString("document") ?? string.Empty,
        row.GetDateTimeOffset("createdAt") ?? DateTimeOffset.MinValue);

    private Task EnsureAsync(CancellationToken cancellationToken) => ready.EnsureAsync(cancellationToken);
}
