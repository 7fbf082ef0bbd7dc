using System.Globalization;
using System.Text;
using Azure;
using Azure.Core;

namespace SigmaFlow.Platform.Azure.Tables;

/// <summary>Entity-group transactions (<c>POST /$batch</c>).</summary>
public sealed partial class TableClient
{
    /// <summary>
    /// Submits up to 100 actions on entities of one partition as one entity-group transaction: Azure applies all of
    /// them or none. (Azurite runs them in order and rolls back on failure; see the folder's README.)
    /// </summary>
    /// <param name="actions">1–100 actions sharing one partition key, each entity (row key) at most once, 4 MiB at most in all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per action, in order, with the new ETags.</returns>
    /// <exception cref="ArgumentException">The actions break a rule above; the message names the rule and the actions.</exception>
    /// <exception cref="TableTransactionFailedException">The service refused the transaction; the exception names the failed action (index, type, row key), its status, error code and message.</exception>
    /// <exception cref="RequestFailedException">The request as a whole failed (for example 404 <c>TableNotFound</c>, 413).</exception>
    public async Task<TableTransactionResult> SubmitTransactionAsync(IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        var list = TableBatchFormat.Validate(actions, nameof(actions));
        var partitionKey = list[0].Entity.PartitionKey;
        var id = Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture);
        var batchBoundary = "batch_" + id;
        var body = Encoding.UTF8.GetBytes(TableBatchFormat.Write(list, TableUri, batchBoundary, "changeset_" + id));
        if (body.Length > TableBatchFormat.MaxBodyBytes)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"A transaction's request may be at most 4 MiB; these {list.Count} actions make {body.Length:N0} bytes. Split it into several transactions."), nameof(actions));
        }

        var operation = string.Create(CultureInfo.InvariantCulture, $"transaction of {list.Count} action{(list.Count == 1 ? string.Empty : "s")} on PartitionKey '{TableGuards.Printable(partitionKey)}' in table '{Name}'");
        using var message = transport.Create(RequestMethod.Post, $"{transport.BaseUri}/$batch");
        message.Request.Headers.SetValue("Content-Type", "multipart/mixed; boundary=" + batchBoundary);
        message.Request.Content = RequestContent.Create(body);
        var response = await transport.SendAsync(message, operation, cancellationToken).ConfigureAwait(false);
        if (response.Status != 202)
        {
            throw Failure(response, operation);
        }

        var parts = TableBatchFormat.Parse(response.Content.ToString());
        var failed = parts.FirstOrDefault(p => p.Status >= 400);
        if (failed is not null)
        {
            var (code, text) = TableTransport.ParseErrorBody(failed.Body);
            var index = TableBatchFormat.FailedIndex(text, failed.ContentId, list.Count);
            var action = index is { } i ? list[i] : null;
            var which = action is null ? "an action the service did not name" : string.Create(CultureInfo.InvariantCulture, $"action {index} ({action})");
            var exception = TableTransport.Failure(failed.Status, code, TableBatchFormat.WithoutIndex(text, index), response.Headers.RequestId, operation, $"{which} failed; no action was applied");
            throw new TableTransactionFailedException(failed.Status, exception.Message, code, index, action);
        }

        if (parts.Count != list.Count)
        {
            throw new RequestFailedException(response.Status, string.Create(CultureInfo.InvariantCulture, $"{TableTransport.Capitalize(operation)}: the service answered 202 with {parts.Count} responses for {list.Count} actions; the outcome is unknown [request id {response.Headers.RequestId}]."));
        }

        return new TableTransactionResult([.. parts.Select((p, i) => new TableActionResult(i, p.Status, p.ETag))]);
    }
}
