using System.Globalization;
using System.Text;
using Azure;

namespace SigmaFlow.Platform.Azure.Tables;

/// <summary>
/// The wire format of entity-group transactions (<c>POST /$batch</c>): the multipart/mixed request (one batch part
/// holding one changeset, CRLF line endings) and the multipart response (one HTTP response per action, or one for the
/// action that failed). https://learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions
/// </summary>
internal static class TableBatchFormat
{
    /// <summary>Most actions in one transaction.</summary>
    public const int MaxActions = 100;

    /// <summary>Largest request body of one transaction (4 MiB).</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    private const string Crlf = "\r\n";

    /// <summary>
    /// Checks the service's rules before anything is sent: 1–100 actions, none null, one partition key, each entity
    /// (row key) at most once.
    /// </summary>
    public static IReadOnlyList<TableTransactionAction> Validate(IEnumerable<TableTransactionAction> actions, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(actions, parameterName);
        var list = actions.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A transaction needs at least one action; got none.", parameterName);
        }

        if (list.Count > MaxActions)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"A transaction may hold at most {MaxActions} actions; got {list.Count}. Split it into several transactions."), parameterName);
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var action = list[i] ?? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Transaction action {i} is null."), parameterName);
            var partitionKey = action.Entity.PartitionKey;
            if (i > 0 && !string.Equals(partitionKey, list[0].Entity.PartitionKey, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"All actions of a transaction must share one partition key; action 0 has '{TableGuards.Printable(list[0].Entity.PartitionKey)}' and action {i} has '{TableGuards.Printable(partitionKey)}'."),
                    parameterName);
            }

            if (!seen.TryAdd(action.Entity.RowKey, i))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"An entity may appear only once in a transaction; RowKey '{TableGuards.Printable(action.Entity.RowKey)}' is in actions {seen[action.Entity.RowKey]} and {i}."),
                    parameterName);
            }
        }

        return list;
    }

    /// <summary>The request body (CRLF line endings throughout).</summary>
    /// <param name="actions">Validated actions.</param>
    /// <param name="tableUri">The table's absolute URI (<c>{endpoint}/{table}</c>).</param>
    /// <param name="batchBoundary">Batch boundary (<c>batch_{guid}</c>).</param>
    /// <param name="changesetBoundary">Changeset boundary (<c>changeset_{guid}</c>).</param>
    public static string Write(IReadOnlyList<TableTransactionAction> actions, string tableUri, string batchBoundary, string changesetBoundary)
    {
        var body = new StringBuilder();
        body.Append("--").Append(batchBoundary).Append(Crlf)
            .Append("Content-Type: multipart/mixed; boundary=").Append(changesetBoundary).Append(Crlf)
            .Append(Crlf);
        foreach (var action in actions)
        {
            var entity = action.Entity;
            var (method, uri) = action.ActionType switch
            {
                TableTransactionActionType.Insert => ("POST", tableUri),
                TableTransactionActionType.UpsertReplace or TableTransactionActionType.UpdateReplace => ("PUT", TableClient.EntityUri(tableUri, entity.PartitionKey, entity.RowKey)),
                TableTransactionActionType.UpsertMerge or TableTransactionActionType.UpdateMerge => ("MERGE", TableClient.EntityUri(tableUri, entity.PartitionKey, entity.RowKey)),
                _ => ("DELETE", TableClient.EntityUri(tableUri, entity.PartitionKey, entity.RowKey)),
            };
            body.Append("--").Append(changesetBoundary).Append(Crlf)
                .Append("Content-Type: application/http").Append(Crlf)
                .Append("Content-Transfer-Encoding: binary").Append(Crlf)
                .Append(Crlf)
                .Append(method).Append(' ').Append(uri).Append(" HTTP/1.1").Append(Crlf)
                .Append("Accept: ").Append(TableTransport.NoMetadata).Append(Crlf);
            if (action.ActionType != TableTransactionActionType.Delete)
            {
                body.Append("Content-Type: application/json").Append(Crlf);
            }

            if (action.ActionType == TableTransactionActionType.Insert)
            {
                body.Append("Prefer: return-no-content").Append(Crlf);
            }

            if (action.ActionType is TableTransactionActionType.UpdateReplace or TableTransactionActionType.UpdateMerge or TableTransactionActionType.Delete)
            {
                body.Append("If-Match: ").Append(action.IfMatch.ToString()).Append(Crlf);
            }

            body.Append(Crlf);
            if (action.ActionType != TableTransactionActionType.Delete)
            {
                // The JSON is one line (Utf8JsonWriter escapes control characters), which the emulator's parser needs.
                body.Append(Encoding.UTF8.GetString(TableEntityJson.Serialize(entity))).Append(Crlf);
            }
        }

        body.Append("--").Append(changesetBoundary).Append("--").Append(Crlf)
            .Append("--").Append(batchBoundary).Append("--").Append(Crlf);
        return body.ToString();
    }

    /// <summary>
    /// The HTTP responses inside a batch response, in order: each starts at an <c>HTTP/1.1 NNN</c> line, its headers run
    /// to the first blank line and its body to the next boundary line (<c>--…</c>).
    /// </summary>
    public static IReadOnlyList<BatchPartResponse> Parse(string body)
    {
        var responses = new List<BatchPartResponse>();
        var lines = body.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("HTTP/1.", StringComparison.Ordinal))
            {
                continue;
            }

            var statusText = lines[i].Split(' ', 3);
            if (statusText.Length < 2 || !int.TryParse(statusText[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            {
                throw new FormatException($"The batch response has a malformed status line '{TableGuards.Printable(lines[i])}'.");
            }

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (i++; i < lines.Length && lines[i].Length > 0; i++)
            {
                var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    headers[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
                }
            }

            var content = new StringBuilder();
            for (i++; i < lines.Length && !lines[i].StartsWith("--", StringComparison.Ordinal) && !lines[i].StartsWith("HTTP/1.", StringComparison.Ordinal); i++)
            {
                content.Append(lines[i]).Append('\n');
            }

            i--;
            responses.Add(new BatchPartResponse(
                status,
                headers.TryGetValue("ETag", out var etag) ? new ETag(etag) : default,
                headers.TryGetValue("Content-ID", out var id) && int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var contentId) ? contentId : null,
                content.ToString().Trim()));
        }

        return responses;
    }

    /// <summary>
    /// Which action a failed part refers to: the index the service puts before its message (<c>"1:The specified entity
    /// already exists."</c>), else the part's Content-ID (1-based), else null.
    /// </summary>
    public static int? FailedIndex(string? serviceMessage, int? contentId, int actionCount)
    {
        if (serviceMessage is not null)
        {
            var colon = serviceMessage.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && int.TryParse(serviceMessage.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < actionCount)
            {
                return index;
            }
        }

        return contentId is > 0 && contentId <= actionCount ? contentId - 1 : null;
    }

    /// <summary>The service's message without the <c>"N:"</c> index prefix that names the failed action.</summary>
    public static string? WithoutIndex(string? serviceMessage, int? index)
    {
        var prefix = index?.ToString(CultureInfo.InvariantCulture) + ":";
        return index is not null && serviceMessage is not null && serviceMessage.StartsWith(prefix, StringComparison.Ordinal)
            ? serviceMessage[prefix.Length..]
            : serviceMessage;
    }

    /// <summary>One HTTP response inside a batch response.</summary>
    /// <param name="Status">Status code.</param>
    /// <param name="ETag">ETag header, or default.</param>
    /// <param name="ContentId">Content-ID header, or null.</param>
    /// <param name="Body">Body text (an OData error for a failed action), trimmed.</param>
    internal sealed record BatchPartResponse(int Status, ETag ETag, int? ContentId, string Body);
}
