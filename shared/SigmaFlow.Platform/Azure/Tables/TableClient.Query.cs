using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Core;

namespace SigmaFlow.Platform.Azure.Tables;

/// <summary>Queries: one page at a time, or every page streamed as entities.</summary>
public sealed partial class TableClient
{
    /// <summary>Largest page the service returns.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>
    /// The entities matching a filter, in PartitionKey then RowKey order, fetched page by page as the enumeration
    /// advances (following <c>x-ms-continuation-NextPartitionKey</c>/<c>NextRowKey</c>; empty pages are skipped).
    /// Stopping the enumeration stops the requests.
    /// </summary>
    /// <param name="filter">An OData filter (build it with <see cref="TableFilter"/>), or null for the whole table.</param>
    /// <param name="select">Properties to return (PartitionKey and RowKey always come back), or null for all.</param>
    /// <param name="pageSize">Entities per request (<c>$top</c>), 1–1000, or null for the service's 1,000. It does not limit the total.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The entities.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageSize"/> is outside 1–1000.</exception>
    /// <exception cref="RequestFailedException">A page request failed (400 for a malformed filter, 404 <c>TableNotFound</c>, …).</exception>
    public async IAsyncEnumerable<TableEntity> QueryAsync(string? filter = null, IEnumerable<string>? select = null, int? pageSize = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in QueryPagesAsync(filter, select, pageSize, null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var entity in page.Entities)
            {
                yield return entity;
            }
        }
    }

    /// <summary>The pages of a query, each as the service returned it (pages may be empty and still continue).</summary>
    /// <param name="filter">An OData filter, or null for the whole table.</param>
    /// <param name="select">Properties to return (the keys always come back), or null for all.</param>
    /// <param name="pageSize">Entities per page, 1–1000, or null for 1,000.</param>
    /// <param name="continuation">Where to resume (from an earlier page), or null to start at the beginning.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The pages.</returns>
    public async IAsyncEnumerable<TablePage> QueryPagesAsync(string? filter = null, IEnumerable<string>? select = null, int? pageSize = null, TableContinuation? continuation = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var selected = select?.ToList();
        CheckPageSize(pageSize);
        do
        {
            var page = await QueryPageAsync(filter, selected, pageSize, continuation, cancellationToken).ConfigureAwait(false);
            yield return page;
            continuation = page.Continuation;
        }
        while (continuation is not null);
    }

    /// <summary>One page of a query (<c>GET /{table}()?$filter=…&amp;$select=…&amp;$top=…</c>).</summary>
    /// <param name="filter">An OData filter, or null for the whole table.</param>
    /// <param name="select">Properties to return (the keys always come back), or null for all.</param>
    /// <param name="pageSize">Entities per page, 1–1000, or null for 1,000.</param>
    /// <param name="continuation">Where to resume, or null to start at the beginning.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page and where the next one starts.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageSize"/> is outside 1–1000.</exception>
    /// <exception cref="RequestFailedException">The request failed.</exception>
    public async Task<TablePage> QueryPageAsync(string? filter = null, IEnumerable<string>? select = null, int? pageSize = null, TableContinuation? continuation = null, CancellationToken cancellationToken = default)
    {
        CheckPageSize(pageSize);
        var query = new List<string>();
        if (!string.IsNullOrWhiteSpace(filter))
        {
            query.Add("$filter=" + Uri.EscapeDataString(filter));
        }

        var selectQuery = SelectQuery(select);
        if (selectQuery is not null)
        {
            query.Add(selectQuery);
        }

        if (pageSize is { } top)
        {
            query.Add("$top=" + top.ToString(CultureInfo.InvariantCulture));
        }

        if (continuation is not null)
        {
            query.Add("NextPartitionKey=" + Uri.EscapeDataString(continuation.NextPartitionKey));
            if (continuation.NextRowKey is not null)
            {
                query.Add("NextRowKey=" + Uri.EscapeDataString(continuation.NextRowKey));
            }
        }

        var operation = $"query table '{Name}'{(string.IsNullOrWhiteSpace(filter) ? string.Empty : $" with filter \"{TableGuards.Printable(filter)}\"")}";
        var uri = TableUri + "()" + (query.Count == 0 ? string.Empty : "?" + string.Join('&', query));
        using var message = transport.Create(RequestMethod.Get, uri, TableTransport.MinimalMetadata);
        var response = await transport.SendAsync(message, operation, cancellationToken).ConfigureAwait(false);
        if (response.Status != 200)
        {
            throw Failure(response, operation);
        }

        var entities = new List<TableEntity>();
        using (var document = await JsonDocument.ParseAsync(response.ContentStream!, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            foreach (var element in document.RootElement.GetProperty("value").EnumerateArray())
            {
                entities.Add(TableEntityJson.Read(element));
            }
        }

        TableContinuation? next = null;
        if (response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var nextPartition) && !string.IsNullOrEmpty(nextPartition))
        {
            response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nextRow);
            next = new TableContinuation(nextPartition, string.IsNullOrEmpty(nextRow) ? null : nextRow);
        }

        return new TablePage(entities, next);
    }

    /// <summary><c>$select=PartitionKey,RowKey,…</c> with the names checked, or null when nothing is selected.</summary>
    private static string? SelectQuery(IEnumerable<string>? select)
    {
        if (select is null)
        {
            return null;
        }

        var names = new List<string> { "PartitionKey", "RowKey" };
        foreach (var name in select)
        {
            TableGuards.PropertyName(name, nameof(select));
            if (!names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }
        }

        return "$select=" + Uri.EscapeDataString(string.Join(',', names));
    }

    private static void CheckPageSize(int? pageSize)
    {
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, $"The page size must be 1-{MaxPageSize} entities (the service's limit per response).");
        }
    }
}
