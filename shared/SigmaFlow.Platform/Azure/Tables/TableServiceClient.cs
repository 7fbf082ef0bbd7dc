using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Core;
using SigmaFlow.Platform.Azure.Storage;

namespace SigmaFlow.Platform.Azure.Tables;

/// <summary>
/// The table service of one storage account (Azure or Azurite): creates, lists and deletes tables and hands out a
/// <see cref="TableClient"/> per table. Speaks the Table REST API (version 2019-02-02, JSON) on Azure.Core's pipeline,
/// authorised with the account key (Shared Key) or an Entra token; transient failures are retried as
/// <see cref="AzureClientOptions"/> says. Thread-safe; create one per account and share it.
/// </summary>
public sealed class TableServiceClient
{
    private readonly TableTransport transport;

    /// <summary>Creates the client from a storage connection string (<c>UseDevelopmentStorage=true</c> for Azurite).</summary>
    /// <param name="connectionString">The connection string; it must carry an account key.</param>
    /// <param name="options">Retries, transport and clock; SigmaFlow's defaults when null.</param>
    /// <exception cref="FormatException">The connection string is malformed.</exception>
    /// <exception cref="ArgumentException">The connection string has no account key.</exception>
    public TableServiceClient(string connectionString, AzureClientOptions? options = null)
        : this(StorageAccount.Parse(connectionString), null, options)
    {
    }

    /// <summary>
    /// Creates the client for an account, authorised with an Entra token credential (for example
    /// <c>DefaultAzureCredential</c>; the identity needs "Storage Table Data Contributor") or, when
    /// <paramref name="credential"/> is null, with the account's key.
    /// </summary>
    /// <param name="account">The account (<see cref="StorageAccount.ForIdentity"/> or <see cref="StorageAccount.Parse"/>).</param>
    /// <param name="credential">Token credential, or null to sign with the account key.</param>
    /// <param name="options">Retries, transport and clock; SigmaFlow's defaults when null.</param>
    /// <exception cref="ArgumentException">Neither a credential nor an account key is available.</exception>
    public TableServiceClient(StorageAccount account, TokenCredential? credential, AzureClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        Account = account;
        transport = new TableTransport(StoragePipeline.Create(account, StorageService.Table, credential, options), account.TableEndpoint);
    }

    /// <summary>The account this client talks to.</summary>
    public StorageAccount Account { get; }

    /// <summary>The table service endpoint.</summary>
    public Uri Endpoint => Account.TableEndpoint;

    /// <summary>A client for one table (no request is made; the table need not exist yet).</summary>
    /// <param name="tableName">Table name: 3–63 ASCII letters or digits, starting with a letter.</param>
    /// <returns>The table client.</returns>
    /// <exception cref="ArgumentException">The name breaks the rule; the message shows it.</exception>
    public TableClient GetTableClient(string tableName) =>
        new(transport, TableGuards.TableName(tableName, nameof(tableName)));

    /// <summary>Creates a table (<c>POST /Tables</c>).</summary>
    /// <param name="tableName">Table name: 3–63 ASCII letters or digits, starting with a letter.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A client for the new table.</returns>
    /// <exception cref="RequestFailedException">409 <c>TableAlreadyExists</c> when it exists; any other failure.</exception>
    public async Task<TableClient> CreateTableAsync(string tableName, CancellationToken cancellationToken = default)
    {
        var table = GetTableClient(tableName);
        await CreateAsync(table.Name, throwIfExists: true, cancellationToken).ConfigureAwait(false);
        return table;
    }

    /// <summary>Creates a table unless it exists.</summary>
    /// <param name="tableName">Table name: 3–63 ASCII letters or digits, starting with a letter.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when this call created it, false when it already existed.</returns>
    /// <exception cref="RequestFailedException">Any failure other than "already exists" (for example 409 <c>TableBeingDeleted</c> shortly after a delete).</exception>
    public Task<bool> CreateTableIfNotExistsAsync(string tableName, CancellationToken cancellationToken = default) =>
        CreateAsync(TableGuards.TableName(tableName, nameof(tableName)), throwIfExists: false, cancellationToken);

    /// <summary>Deletes a table and all its entities (<c>DELETE /Tables('name')</c>).</summary>
    /// <param name="tableName">Table name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when it was deleted, false when it did not exist.</returns>
    /// <exception cref="RequestFailedException">Any other failure.</exception>
    public async Task<bool> DeleteTableAsync(string tableName, CancellationToken cancellationToken = default)
    {
        TableGuards.TableName(tableName, nameof(tableName));
        var operation = $"delete table '{tableName}'";
        using var message = transport.Create(RequestMethod.Delete, $"{transport.BaseUri}/Tables('{tableName}')");
        var response = await transport.SendAsync(message, operation, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            204 => true,
            404 => false,
            _ => throw TableTransport.Failure(response, operation),
        };
    }

    /// <summary>The names of the account's tables, in name order, following continuations page by page.</summary>
    /// <param name="prefix">Only names starting with this prefix (case-sensitive), or null for all.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The table names.</returns>
    public async IAsyncEnumerable<string> GetTableNamesAsync(string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? next = null;
        var filter = string.IsNullOrEmpty(prefix)
            ? null
            : TableFilter.And(TableFilter.GreaterThanOrEqual("TableName", prefix), TableFilter.LessThan("TableName", prefix[..^1] + (char)(prefix[^1] + 1)));
        do
        {
            var query = new List<string>();
            if (filter is not null)
            {
                query.Add("$filter=" + Uri.EscapeDataString(filter));
            }

            if (next is not null)
            {
                query.Add("NextTableName=" + Uri.EscapeDataString(next));
            }

            var uri = $"{transport.BaseUri}/Tables" + (query.Count == 0 ? string.Empty : "?" + string.Join('&', query));
            const string operation = "list tables";
            using var message = transport.Create(RequestMethod.Get, uri);
            var response = await transport.SendAsync(message, operation, cancellationToken).ConfigureAwait(false);
            if (response.Status != 200)
            {
                throw TableTransport.Failure(response, operation);
            }

            using var document = JsonDocument.Parse(response.Content.ToMemory());
            foreach (var table in document.RootElement.GetProperty("value").EnumerateArray())
            {
                yield return table.GetProperty("TableName").GetString()!;
            }

            next = response.Headers.TryGetValue("x-ms-continuation-NextTableName", out var token) && !string.IsNullOrEmpty(token) ? token : null;
        }
        while (next is not null);
    }

    /// <inheritdoc />
    public override string ToString() => $"table service at {Endpoint}";

    /// <summary>Creates a table; an existing one throws or returns false.</summary>
    internal static async Task<bool> CreateAsync(TableTransport transport, string tableName, bool throwIfExists, CancellationToken cancellationToken)
    {
        var operation = $"create table '{tableName}'";
        using var message = transport.Create(RequestMethod.Post, $"{transport.BaseUri}/Tables");
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        TableTransport.SetJson(message, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["TableName"] = tableName }));
        var response = await transport.SendAsync(message, operation, cancellationToken).ConfigureAwait(false);
        if (response.Status is 201 or 204)
        {
            return true;
        }

        if (response.Status == 409)
        {
            var (code, _) = TableTransport.ReadError(response);
            if (code is null or "TableAlreadyExists" && !throwIfExists)
            {
                return false;
            }

            throw TableTransport.Failure(response, operation, code == "TableBeingDeleted" ? "the table is still being deleted; retry in a minute" : "the table already exists");
        }

        throw TableTransport.Failure(response, operation);
    }

    private Task<bool> CreateAsync(string tableName, bool throwIfExists, CancellationToken cancellationToken) =>
        CreateAsync(transport, tableName, throwIfExists, cancellationToken);
}
