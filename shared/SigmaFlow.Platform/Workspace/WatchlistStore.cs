using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Workspace;

/// <summary>A watchlist.</summary>
/// <param name="Id">The id.</param>
/// <param name="Name">A display name.</param>
/// <param name="Symbols">Its symbols (1–<see cref="WatchlistStore.MaxSymbols"/>, upper case, no duplicates), in the order given.</param>
/// <param name="UpdatedAt">When it was last written.</param>
/// <param name="ETag">The stored version, for conditional updates.</param>
public sealed record Watchlist(string Id, string Name, IReadOnlyList<string> Symbols, DateTimeOffset UpdatedAt, string ETag);

/// <summary>
/// Watchlists in Table storage (<see cref="WorkspaceNames.WatchlistsTable"/>, one partition, one row each). The scanner
/// (<c>ScanMarkets</c>) reads every watchlist's symbols.
/// </summary>
public sealed partial class WatchlistStore
{
    /// <summary>Most symbols in one watchlist.</summary>
    public const int MaxSymbols = 50;

    private const string Partition = "watchlists";
    private readonly TableReady ready;
    private readonly TimeProvider clock;

    /// <summary>Creates the store.</summary>
    /// <param name="tables">The table service.</param>
    /// <param name="clock">The clock; the system clock when null.</param>
    public WatchlistStore(TableServiceClient tables, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ready = new TableReady(tables.GetTableClient(WorkspaceNames.WatchlistsTable));
        this.clock = clock ?? TimeProvider.System;
    }

    /// <summary>Whether a text is a valid watchlist id (same rule as strategy ids).</summary>
    /// <param name="id">The text.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidId(string? id) => StrategyStore.IsValidId(id);

    /// <summary>Whether a text is a valid symbol: 1–32 characters of letters, digits and <c>. _ - : /</c>.</summary>
    /// <param name="symbol">The text.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidSymbol(string? symbol) => symbol is not null && SymbolPattern().IsMatch(symbol);

    /// <summary>Creates a watchlist.</summary>
    /// <param name="id">The id.</param>
    /// <param name="name">The name.</param>
    /// <param name="symbols">Validated, normalised symbols.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored watchlist.</returns>
    /// <exception cref="WorkspaceConflictException">One with this id exists.</exception>
    public async Task<Watchlist> CreateAsync(string id, string name, IReadOnlyList<string> symbols, CancellationToken cancellationToken = default)
    {
        await ready.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        try
        {
            var etag = await ready.Table.InsertEntityAsync(Row(id, name, symbols, now), cancellationToken).ConfigureAwait(false);
            return new Watchlist(id, name, symbols, now, etag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            throw new WorkspaceConflictException($"a watchlist with id '{id}' already exists; replace it with PUT /api/watchlists/{id}.", e);
        }
    }

    /// <summary>Replaces a watchlist's name and symbols.</summary>
    /// <param name="id">The id.</param>
    /// <param name="name">The name.</param>
    /// <param name="symbols">Validated, normalised symbols.</param>
    /// <param name="ifMatch">The ETag the caller read, or null to replace unconditionally.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored watchlist, or null when there is none with this id.</returns>
    /// <exception cref="WorkspaceConflictException">It changed since the caller read it.</exception>
    public async Task<Watchlist?> ReplaceAsync(string id, string name, IReadOnlyList<string> symbols, string? ifMatch, CancellationToken cancellationToken = default)
    {
        await ready.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        try
        {
            var etag = await ready.Table.UpdateEntityAsync(Row(id, name, symbols, now), ifMatch is null ? ETag.All : new ETag(ifMatch), cancellationToken: cancellationToken).ConfigureAwait(false);
            return new Watchlist(id, name, symbols, now, etag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            throw new WorkspaceConflictException($"watchlist '{id}' changed since it was read (ETag {ifMatch}); read it again and retry.", e);
        }
    }

    /// <summary>One watchlist.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The watchlist, or null.</returns>
    public async Task<Watchlist?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!IsValidId(id))
        {
            return null;
        }

        await ready.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var row = await ready.Table.GetEntityAsync(Partition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row is null ? null : From(row);
    }

    /// <summary>Every watchlist, by id.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The watchlists.</returns>
    public async Task<IReadOnlyList<Watchlist>> ListAsync(CancellationToken cancellationToken = default)
    {
        await ready.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<Watchlist>();
        await foreach (var row in ready.Table.QueryAsync(TableFilter.Equal("PartitionKey", Partition), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(From(row));
        }

        return result;
    }

    /// <summary>Deletes a watchlist.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when there was none.</returns>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!IsValidId(id))
        {
            return false;
        }

        await ready.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return await ready.Table.DeleteEntityAsync(Partition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"watchlists in {ready.Table}";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:/-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex SymbolPattern();

    private static TableEntity Row(string id, string name, IReadOnlyList<string> symbols, DateTimeOffset now) => new(Partition, id)
    {
        ["name"] = name,
        ["symbols"] = JsonSerializer.Serialize(symbols),
        ["count"] = symbols.Count,
        ["updatedAt"] = now,
    };

    private static Watchlist From(TableEntity row)
    {
        var symbols = row.GetString("symbols") is { } json ? JsonSerializer.Deserialize<string[]>(json) ?? [] : [];
        return new Watchlist(row.RowKey, row.GetString("name") ?? row.RowKey, symbols, row.GetDateTimeOffset("updatedAt") ?? DateTimeOffset.MinValue, row.ETag.ToString());
    }
}
