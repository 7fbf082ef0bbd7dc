using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using SigmaFlow.Core.Data;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Platform.Screening;

/// <summary>
/// Screeners in Table storage. Definitions in <see cref="ScreenerNames.ScreenersTable"/> (PartitionKey
/// <c>screeners</c>, RowKey the id; conditional replace by ETag). Results in <see cref="ScreenerNames.ResultsTable"/>
/// (PartitionKey the screener id; RowKey <c>latest</c>: the latest result as JSON; RowKey <c>matches</c>: the symbols
/// that matched, which the next run compares with to find new matches). A result and its match set are written in one
/// entity-group transaction. JSON longer than one string property holds is split over <c>json0</c>, <c>json1</c>, …
/// (<c>parts</c> says how many). Tables are created on first use. Thread-safe.
/// </summary>
public sealed class ScreenerStore
{
    private const int PartLength = 30_000;
    private const int MaxParts = 14;
    private readonly TableReady definitions;
    private readonly TableReady results;
    private readonly TimeProvider clock;

    /// <summary>Creates the store.</summary>
    /// <param name="tables">The table service.</param>
    /// <param name="clock">The clock; the system clock when null.</param>
    public ScreenerStore(TableServiceClient tables, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        definitions = new TableReady(tables.GetTableClient(ScreenerNames.ScreenersTable));
        results = new TableReady(tables.GetTableClient(ScreenerNames.ResultsTable));
        this.clock = clock ?? TimeProvider.System;
    }

    /// <summary>Stores a new screener.</summary>
    /// <param name="definition">A checked definition.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored screener.</returns>
    /// <exception cref="WorkspaceConflictException">A screener with this id exists.</exception>
    public async Task<StoredScreener> CreateAsync(ScreenerDefinition definition, CancellationToken cancellationToken = default)
    {
        Check(definition);
        await definitions.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        try
        {
            var etag = await definitions.Table.InsertEntityAsync(Row(definition, now, now), cancellationToken).ConfigureAwait(false);
            return new StoredScreener(definition, now, now, etag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            throw new WorkspaceConflictException($"a screener with id '{definition.Id}' already exists; replace it with PUT /api/screeners/{definition.Id}, or choose another id.", e);
        }
    }

    /// <summary>Replaces a screener's definition (its results stay until the next scan).</summary>
    /// <param name="definition">A checked definition with the id of the screener to replace.</param>
    /// <param name="ifMatch">The ETag the caller read, or null to replace unconditionally.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored screener, or null when there is none with this id.</returns>
    /// <exception cref="WorkspaceConflictException">It changed since the caller read it.</exception>
    public async Task<StoredScreener?> ReplaceAsync(ScreenerDefinition definition, string? ifMatch, CancellationToken cancellationToken = default)
    {
        Check(definition);
        await definitions.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var current = await definitions.Table.GetEntityAsync(ScreenerNames.DefinitionsPartition, definition.Id, ["createdAt"], cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var created = current.GetDateTimeOffset("createdAt") ?? now;
        try
        {
            var etag = await definitions.Table.UpdateEntityAsync(Row(definition, created, now), ifMatch is null ? ETag.All : new ETag(ifMatch), cancellationToken: cancellationToken).ConfigureAwait(false);
            return new StoredScreener(definition, created, now, etag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            throw new WorkspaceConflictException($"screener '{definition.Id}' changed since it was read (ETag {ifMatch}); read it again and retry.", e);
        }
    }

    /// <summary>One screener.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The screener, or null.</returns>
    public async Task<StoredScreener?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!ScreenerRules.IsValidId(id))
        {
            return null;
        }

        await definitions.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var row = await definitions.Table.GetEntityAsync(ScreenerNames.DefinitionsPartition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row is null ? null : From(row);
    }

    /// <summary>Every screener, by id.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The screeners.</returns>
    public async Task<IReadOnlyList<StoredScreener>> ListAsync(CancellationToken cancellationToken = default)
    {
        await definitions.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<StoredScreener>();
        await foreach (var row in definitions.Table.QueryAsync(TableFilter.Equal("PartitionKey", ScreenerNames.DefinitionsPartition), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(From(row));
        }

        return result;
    }

    /// <summary>Deletes a screener with its results.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when there was none.</returns>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!ScreenerRules.IsValidId(id))
        {
            return false;
        }

        await definitions.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await results.EnsureAsync(cancellationToken).ConfigureAwait(false);

        // Results first: a delete interrupted half-way leaves a screener that still lists and can be deleted again.
        await results.Table.DeleteEntityAsync(id, ScreenerNames.LatestRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        await results.Table.DeleteEntityAsync(id, ScreenerNames.MatchesRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await definitions.Table.DeleteEntityAsync(ScreenerNames.DefinitionsPartition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores a screener's latest result and its match set together (one transaction), replacing the previous ones.</summary>
    /// <param name="result">The result.</param>
    /// <param name="matchSet">The symbols that match after this run (the next run's "previous" set).</param>
    /// <param name="basis">What the match set was computed with (<see cref="Basis"/>); a later run with another basis starts from an empty set.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when both are stored.</returns>
    public async Task SaveResultAsync(ScreenerResult result, IReadOnlyCollection<string> matchSet, string basis, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(matchSet);
        ArgumentNullException.ThrowIfNull(basis);
        if (!ScreenerRules.IsValidId(result.Screener))
        {
            throw new ArgumentException($"screener id '{result.Screener}' is not valid: use 1–64 lower-case letters, digits, '.', '_' or '-'.", nameof(result));
        }

        await results.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var latest = new TableEntity(result.Screener, ScreenerNames.LatestRow)
        {
            ["scannedAt"] = result.ScannedAt,
            ["matched"] = result.Matched,
        };
        Split(latest, ScreenerMessages.Serialize(Fit(result)));
        var matches = new TableEntity(result.Screener, ScreenerNames.MatchesRow)
        {
            ["scannedAt"] = result.ScannedAt,
            ["count"] = matchSet.Count,
            ["basis"] = basis,
        };
        Split(matches, JsonSerializer.Serialize(matchSet.Order(StringComparer.Ordinal).ToArray(), ScreenerMessages.Options));
        await results.Table.SubmitTransactionAsync([TableTransactionAction.UpsertReplace(latest), TableTransactionAction.UpsertReplace(matches)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A screener's latest result.</summary>
    /// <param name="id">The screener id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result, or null when it has not run yet.</returns>
    public async Task<ScreenerResult?> GetResultAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!ScreenerRules.IsValidId(id))
        {
            return null;
        }

        await results.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var row = await results.Table.GetEntityAsync(id, ScreenerNames.LatestRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row is null ? null : ScreenerMessages.Deserialize(Join(row));
    }

    /// <summary>Every screener's latest result, by screener id.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The results.</returns>
    public async Task<IReadOnlyList<ScreenerResult>> ListResultsAsync(CancellationToken cancellationToken = default)
    {
        await results.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<ScreenerResult>();
        await foreach (var row in results.Table.QueryAsync(TableFilter.Equal("RowKey", ScreenerNames.LatestRow), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(ScreenerMessages.Deserialize(Join(row)));
        }

        return list;
    }

    /// <summary>What a match set depends on: the timeframe and the condition. Editing either starts the matches afresh, so the symbols that match the edited screener are new to it.</summary>
    /// <param name="definition">The definition.</param>
    /// <returns>The basis text.</returns>
    public static string Basis(ScreenerDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return $"{definition.Timeframe}|{definition.Condition}";
    }

    /// <summary>The symbols that matched in a screener's last stored run, if that run had the same basis.</summary>
    /// <param name="id">The screener id.</param>
    /// <param name="basis">The current basis (<see cref="Basis"/>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The symbols; empty before the first run and after the condition or timeframe changed.</returns>
    public async Task<IReadOnlySet<string>> GetMatchSetAsync(string id, string basis, CancellationToken cancellationToken = default)
    {
        if (!ScreenerRules.IsValidId(id))
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        await results.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var row = await results.Table.GetEntityAsync(id, ScreenerNames.MatchesRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        var symbols = row is null || row.GetString("basis") != basis ? [] : JsonSerializer.Deserialize<string[]>(Join(row), ScreenerMessages.Options) ?? [];
        return new HashSet<string>(symbols, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public override string ToString() => $"screeners in {definitions.Table} and {results.Table}";

    /// <summary>A result small enough to store: at most <see cref="MaxParts"/> parts; longer lists of skips and errors are cut with a note.</summary>
    internal static ScreenerResult Fit(ScreenerResult result)
    {
        if (ScreenerMessages.Serialize(result).Length <= PartLength * MaxParts)
        {
            return result;
        }

        const int Keep = 100;
        var errors = result.Errors.Take(Keep).ToList();
        errors.Add(new ScreenerIssue(null, string.Create(CultureInfo.InvariantCulture, $"the result was too large to store in full: {result.Skipped.Count} skipped symbols and {result.Errors.Count} errors, of which the first {Keep} of each are kept")));
        return result with { Skipped = result.Skipped.Take(Keep).ToList(), Errors = errors };
    }

    private static void Split(TableEntity row, string json)
    {
        var parts = Math.Max(1, (json.Length + PartLength - 1) / PartLength);
        if (parts > MaxParts)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"a screener row may hold at most {PartLength * MaxParts} characters of JSON; this one has {json.Length}."), nameof(json));
        }

        row["parts"] = parts;
        for (var i = 0; i < parts; i++)
        {
            var start = i * PartLength;
            row["json" + i.ToString(CultureInfo.InvariantCulture)] = json.Substring(start, Math.Min(PartLength, json.Length - start));
        }
    }

    private static string Join(TableEntity row)
    {
        var parts = row.GetInt32("parts") ?? 1;
        var text = new StringBuilder();
        for (var i = 0; i < parts; i++)
        {
            text.Append(row.GetString("json" + i.ToString(CultureInfo.InvariantCulture)));
        }

        return text.ToString();
    }

    private static void Check(ScreenerDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!ScreenerRules.IsValidId(definition.Id))
        {
            throw new ArgumentException($"screener id '{definition.Id}' is not valid: use 1–64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.", nameof(definition));
        }
    }

    private static TableEntity Row(ScreenerDefinition d, DateTimeOffset created, DateTimeOffset updated)
    {
        var row = new TableEntity(ScreenerNames.DefinitionsPartition, d.Id)
        {
            ["name"] = d.Name,
            ["watchlists"] = JsonSerializer.Serialize(d.Watchlists, ScreenerMessages.Options),
            ["timeframe"] = d.Timeframe.ToString(),
            ["condition"] = d.Condition,
            ["order"] = d.OrderText,
            ["limit"] = d.Limit,
            ["enabled"] = d.Enabled,
            ["createdAt"] = created,
            ["updatedAt"] = updated,
        };
        if (d.Rank is not null)
        {
            row["rank"] = d.Rank;
        }

        return row;
    }

    private static StoredScreener From(TableEntity row)
    {
        var watchlists = row.GetString("watchlists") is { } json ? JsonSerializer.Deserialize<string[]>(json, ScreenerMessages.Options) ?? [] : [];
        var timeframe = Timeframe.TryParse(row.GetString("timeframe"), out var t) ? t : ScreenerDefinition.DefaultTimeframe;
        var order = ScreenerRules.TryParseOrder(row.GetString("order"), out var parsed) ? parsed : ScreenerOrder.Descending;
        var definition = new ScreenerDefinition(
            row.RowKey,
            row.GetString("name") ?? row.RowKey,
            watchlists,
            timeframe,
            row.GetString("condition") ?? string.Empty,
            row.GetString("rank"),
            order,
            row.GetInt32("limit") ?? ScreenerDefinition.DefaultLimit,
            row.GetBoolean("enabled") ?? true);
        return new StoredScreener(definition, row.GetDateTimeOffset("createdAt") ?? DateTimeOffset.MinValue, row.GetDateTimeOffset("updatedAt") ?? DateTimeOffset.MinValue, row.ETag.ToString());
    }
}
