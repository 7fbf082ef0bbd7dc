using System.Security.Cryptography;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Workspace;

/// <summary>An inbound webhook.</summary>
/// <param name="Id">The id (12 hex characters): the hook's URL is <c>/api/hooks/{id}</c>.</param>
/// <param name="Name">What sends to it.</param>
/// <param name="Strategy">The strategy name its signals carry.</param>
/// <param name="Secret">The shared secret (needed in clear to check HMAC signatures).</param>
/// <param name="CreatedAt">When it was made.</param>
public sealed record Hook(string Id, string Name, string Strategy, string Secret, DateTimeOffset CreatedAt);

/// <summary>
/// Inbound webhooks (<see cref="WorkspaceNames.HooksTable"/>): TradingView-style alerts turned into signals. Each hook has
/// a random 256-bit secret, stored as is because verifying an HMAC signature needs it (as webhook providers store
/// theirs); it is shown in full only when the hook is made.
/// </summary>
public sealed class HookStore
{
    private const string Partition = "hooks";
    private readonly TableReady ready;
    private readonly TimeProvider clock;

    /// <summary>Creates the store.</summary>
    /// <param name="tables">The table service.</param>
    /// <param name="clock">The clock; the system clock when null.</param>
    public HookStore(TableServiceClient tables, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ready = new TableReady(tables.GetTableClient(WorkspaceNames.HooksTable));
        this.clock = clock ?? TimeProvider.System;
    }

    /// <summary>Makes a hook.</summary>
    /// <param name="name">What sends to it.</param>
    /// <param name="strategy">The strategy name of its signals.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hook, with its secret.</returns>
    public async Task<Hook> CreateAsync(string name, string strategy, CancellationToken cancellationToken = default)
    {
        await ready.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var hook = new Hook(
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
            name,
            strategy,
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            clock.GetUtcNow());
        await ready.Table.InsertEntityAsync(
            new TableEntity(Partition, hook.Id) { ["name"] = name, ["strategy"] = strategy, ["secret"] = hook.Secret, ["createdAt"] = hook.CreatedAt },
            cancellationToken).ConfigureAwait(false);
        return hook;
    }

    /// <summary>One hook.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hook, or null.</returns>
    public async Task<Hook?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (id.Length != 12 || !id.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }

        await ready.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var row = await ready.Table.GetEntityAsync(Partition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row is null ? null : From(row);
    }

    /// <summary>Every hook, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hooks.</returns>
    public async Task<IReadOnlyList<Hook>> ListAsync(CancellationToken cancellationToken = default)
    {
        await ready.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<Hook>();
        await foreach (var row in ready.Table.QueryAsync(TableFilter.Equal("PartitionKey", Partition), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(From(row));
        }

        return result.OrderBy(h => h.CreatedAt).ToList();
    }

    /// <summary>Deletes a hook.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when there was none.</returns>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        if (await GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return false;
        }

        return await ready.Table.DeleteEntityAsync(Partition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"hooks in {ready.Table}";

    private static Hook From(TableEntity row) => new(
        row.RowKey,
        row.GetString("name") ?? string.Empty,
        row.GetString("strategy") ?? "hook",
        row.GetString("secret") ?? string.Empty,
        row.GetDateTimeOffset("createdAt") ?? DateTimeOffset.MinValue);
}
