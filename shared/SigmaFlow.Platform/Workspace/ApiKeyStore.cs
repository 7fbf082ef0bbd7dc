using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Workspace;

/// <summary>What an API key may do. Scopes nest: <c>admin</c> includes <c>trade</c>, which includes <c>read</c>.</summary>
public enum ApiScope
{
    /// <summary>Read data and start read-only work (backtests, sweeps, scans).</summary>
    Read = 0,

    /// <summary>Change state: strategies, watchlists, alert rules, paper orders.</summary>
    Trade = 1,

    /// <summary>Manage keys and platform settings.</summary>
    Admin = 2,
}

/// <summary>A stored API key (never its secret).</summary>
/// <param name="Id">The key id (the public part of the key).</param>
/// <param name="Name">What it is for.</param>
/// <param name="Scope">What it may do.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
/// <param name="RateLimitPerMinute">Requests per minute allowed (token bucket).</param>
public sealed record ApiKeyRecord(string Id, string Name, ApiScope Scope, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, int RateLimitPerMinute);

/// <summary>A newly made key: the only time its full text exists outside the caller.</summary>
/// <param name="Key">The full key to send as <c>x-api-key</c>: <c>sfk_{id}_{secret}</c>.</param>
/// <param name="Record">What is stored.</param>
public sealed record NewApiKey(string Key, ApiKeyRecord Record);

/// <summary>
/// API keys in Table storage (<see cref="WorkspaceNames.ApiKeysTable"/>). A key is <c>sfk_{id}_{secret}</c>: 12 hex
/// characters of id and 32 random bytes of secret (base64url). Only SHA-256 of the secret is stored: the secret has
/// 256 bits of entropy, so a slow password hash would add nothing but latency. Checks compare hashes in constant
/// time; verified keys are cached for <see cref="CacheDuration"/>, so a revocation takes effect within that time on
/// every instance.
/// </summary>
public sealed class ApiKeyStore
{
    /// <summary>How long a verified key is trusted without reading the table again.</summary>
    public static readonly TimeSpan CacheDuration = TimeSpan.FromSeconds(30);

    /// <summary>Default requests per minute per key.</summary>
    public const int DefaultRateLimitPerMinute = 600;

    private const string Partition = "keys";
    private const string Prefix = "sfk_";
    private readonly TableReady ready;
    private readonly TimeProvider clock;
    private readonly ConcurrentDictionary<string, (ApiKeyRecord Record, byte[] Hash, DateTimeOffset Until)> cache = new(StringComparer.Ordinal);

    /// <summary>Creates the store.</summary>
    /// <param name="tables">The table service.</param>
    /// <param name="clock">The clock; the system clock when null.</param>
    public ApiKeyStore(TableServiceClient tables, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ready = new TableReady(tables.GetTableClient(WorkspaceNames.ApiKeysTable));
        this.clock = clock ?? TimeProvider.System;
    }

    /// <summary>Makes and stores a new key.</summary>
    /// <param name="name">What it is for (1–100 characters).</param>
    /// <param name="scope">What it may do.</param>
    /// <param name="rateLimitPerMinute">Requests per minute (1–100,000).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key; its text is not stored anywhere.</returns>
    public async Task<NewApiKey> CreateAsync(string name, ApiScope scope, int rateLimitPerMinute = DefaultRateLimitPerMinute, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(rateLimitPerMinute, 1);
        await ready.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var record = new ApiKeyRecord(id, name, scope, now, null, rateLimitPerMinute);
        await ready.Table.InsertEntityAsync(
            new TableEntity(Partition, id)
            {
                ["name"] = name,
                ["scope"] = scope.ToString().ToLowerInvariant(),
                ["hash"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))),
                ["createdAt"] = now,
                ["rateLimitPerMinute"] = rateLimitPerMinute,
            },
            cancellationToken).ConfigureAwait(false);
        return new NewApiKey($"{Prefix}{id}_{secret}", record);
    }

    /// <summary>Checks a key sent by a caller.</summary>
    /// <param name="key">The <c>x-api-key</c> value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's record when it is valid and not revoked; otherwise null.</returns>
    public async Task<ApiKeyRecord?> VerifyAsync(string? key, CancellationToken cancellationToken = default)
    {
        if (!TryParse(key, out var id, out var secret))
        {
            return null;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        var now = clock.GetUtcNow();
        if (!cache.TryGetValue(id, out var cached) || cached.Until <= now)
        {
            await ready.EnsureAsync(cancellationToken).ConfigureAwait(false);
            var row = await ready.Table.GetEntityAsync(Partition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (row is null || row.GetString("hash") is not { } stored)
            {
                cache.TryRemove(id, out _);
                return null;
            }

            cached = (From(row), Convert.FromHexString(stored), now + CacheDuration);
            cache[id] = cached;
        }

        return CryptographicOperations.FixedTimeEquals(hash, cached.Hash) && cached.Record.RevokedAt is null ? cached.Record : null;
    }

    /// <summary>Every key (revoked ones too), oldest first.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The keys.</returns>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await ready.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<ApiKeyRecord>();
        await foreach (var row in ready.Table.QueryAsync(TableFilter.Equal("PartitionKey", Partition), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(From(row));
        }

        return result.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>Revokes a key (kept for the record).</summary>
    /// <param name="id">The key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The revoked key, or null when there is none with this id.</returns>
    public async Task<ApiKeyRecord?> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await ready.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var row = await ready.Table.GetEntityAsync(Partition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        if (row.GetDateTimeOffset("revokedAt") is null)
        {
            row["revokedAt"] = clock.GetUtcNow();
            await ready.Table.UpsertEntityAsync(row, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }

        cache.TryRemove(id, out _);
        return From(row);
    }

    /// <summary>
    /// The first local start's development key: when the table holds no key at all, makes an admin key and returns it
    /// (to be printed once); otherwise null.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new key, or null when keys exist.</returns>
    public async Task<NewApiKey?> EnsureDevelopmentKeyAsync(CancellationToken cancellationToken = default)
    {
        await ready.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var _ in ready.Table.QueryAsync(TableFilter.Equal("PartitionKey", Partition), ["RowKey"], 1, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return await CreateAsync("development (made on the first local start)", ApiScope.Admin, DefaultRateLimitPerMinute * 10, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Splits a key into id and secret.</summary>
    /// <param name="key">The key text.</param>
    /// <param name="id">The id.</param>
    /// <param name="secret">The secret.</param>
    /// <returns>True when it has the key's shape.</returns>
    public static bool TryParse(string? key, out string id, out string secret)
    {
        (id, secret) = (string.Empty, string.Empty);
        if (key is null || key.Length != Prefix.Length + 12 + 1 + 43 || !key.StartsWith(Prefix, StringComparison.Ordinal) || key[Prefix.Length + 12] != '_')
        {
            return false;
        }

        id = key.Substring(Prefix.Length, 12);
        secret = key[(Prefix.Length + 13)..];
        return id.All(char.IsAsciiHexDigitLower) && secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
    }

    /// <inheritdoc />
    public override string ToString() => $"API keys in {ready.Table}";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static ApiKeyRecord From(TableEntity row) => new(
        row.RowKey,
        row.GetString("name") ?? string.Empty,
        Enum.TryParse<ApiScope>(row.GetString("scope"), ignoreCase: true, out var scope) ? scope : ApiScope.Read,
        row.GetDateTimeOffset("createdAt") ?? DateTimeOffset.MinValue,
        row.GetDateTimeOffset("revokedAt"),
        row.GetInt32("rateLimitPerMinute") ?? DefaultRateLimitPerMinute);
}
