using Azure;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Tests.Azure.Tables;

/// <summary>The multipart body of entity-group transactions, byte for byte, and the parsing of batch responses.</summary>
public sealed class TableBatchFormatTests
{
    private const string Table = "https://acct.table.core.windows.net/candles";

    [Fact]
    public void Write_EveryActionType_IsTheExactCrlfText()
    {
        var etag = new ETag("W/\"datetime'2026-01-01T00%3A00%3A00.0000000Z'\"");
        TableTransactionAction[] actions =
        [
            TableTransactionAction.Insert(new TableEntity("BTC'USD", "r1") { ["c"] = 65000.1 }),
            TableTransactionAction.UpsertReplace(new TableEntity("BTC'USD", "r 2") { ["n"] = 5L }),
            TableTransactionAction.UpsertMerge(new TableEntity("BTC'USD", "r3") { ["ok"] = true }),
            TableTransactionAction.Update(new TableEntity("BTC'USD", "r4") { ["s"] = "x" }, etag),
            TableTransactionAction.Update(new TableEntity("BTC'USD", "r5"), ETag.All, TableUpdateMode.Merge),
            TableTransactionAction.Delete("BTC'USD", "r6", etag),
        ];

        var body = TableBatchFormat.Write(actions, Table, "batch_1", "changeset_1");

        string[] lines =
        [
            "--batch_1",
            "Content-Type: multipart/mixed; boundary=changeset_1",
            "",
            "--changeset_1",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            "",
            "POST https://acct.table.core.windows.net/candles HTTP/1.1",
            "Accept: application/json;odata=nometadata",
            "Content-Type: application/json",
            "Prefer: return-no-content",
            "",
            "{\"PartitionKey\":\"BTC\\u0027USD\",\"RowKey\":\"r1\",\"c@odata.type\":\"Edm.Double\",\"c\":65000.1}",
            "--changeset_1",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            "",
            "PUT https://acct.table.core.windows.net/candles(PartitionKey='BTC%27%27USD',RowKey='r%202') HTTP/1.1",
            "Accept: application/json;odata=nometadata",
            "Content-Type: application/json",
            "",
            "{\"PartitionKey\":\"BTC\\u0027USD\",\"RowKey\":\"r 2\",\"n@odata.type\":\"Edm.Int64\",\"n\":\"5\"}",
            "--changeset_1",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            "",
            "MERGE https://acct.table.core.windows.net/candles(PartitionKey='BTC%27%27USD',RowKey='r3') HTTP/1.1",
            "Accept: application/json;odata=nometadata",
            "Content-Type: application/json",
            "",
            "{\"PartitionKey\":\"BTC\\u0027USD\",\"RowKey\":\"r3\",\"ok\":true}",
            "--changeset_1",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            "",
            "PUT https://acct.table.core.windows.net/candles(PartitionKey='BTC%27%27USD',RowKey='r4') HTTP/1.1",
            "Accept: application/json;odata=nometadata",
            "Content-Type: application/json",
            "If-Match: W/\"datetime'2026-01-01T00%3A00%3A00.0000000Z'\"",
            "",
            "{\"PartitionKey\":\"BTC\\u0027USD\",\"RowKey\":\"r4\",\"s\":\"x\"}",
            "--changeset_1",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            "",
            "MERGE https://acct.table.core.windows.net/candles(PartitionKey='BTC%27%27USD',RowKey='r5') HTTP/1.1",
            "Accept: application/json;odata=nometadata",
            "Content-Type: application/json",
            "If-Match: *",
            "",
            "{\"PartitionKey\":\"BTC\\u0027USD\",\"RowKey\":\"r5\"}",
            "--changeset_1",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            "",
            "DELETE https://acct.table.core.windows.net/candles(PartitionKey='BTC%27%27USD',RowKey='r6') HTTP/1.1",
            "Accept: application/json;odata=nometadata",
            "If-Match: W/\"datetime'2026-01-01T00%3A00%3A00.0000000Z'\"",
            "",
            "--changeset_1--",
            "--batch_1--",
            "",
        ];
        Assert.Equal(string.Join("\r\n", lines), body);
    }

    [Fact]
    public void Write_EveryLineEndsWithCrlf()
    {
        var body = TableBatchFormat.Write([TableTransactionAction.Insert(new TableEntity("p", "r") { ["text"] = "line1\nline2\r\n" })], Table, "batch_1", "changeset_1");

        Assert.EndsWith("\r\n", body, StringComparison.Ordinal);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == '\n')
            {
                Assert.True(i > 0 && body[i - 1] == '\r', $"bare LF at offset {i}");
            }
        }

        Assert.Contains("\"text\":\"line1\\nline2\\r\\n\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SuccessResponse_ReadsOneStatusAndETagPerAction()
    {
        // As Azurite 3.37 answers an insert and a merge.
        var body = string.Join("\r\n",
            "--batchresponse_7",
            "Content-Type: multipart/mixed; boundary=changesetresponse_7",
            "",
            "--changesetresponse_7",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            "",
            "HTTP/1.1 204 No Content",
            "X-Content-Type-Options: nosniff",
            "Cache-Control: no-cache",
            "DataServiceVersion: 3.0;",
            "Location: http://127.0.0.1:10002/devstoreaccount1/t(PartitionKey='p',RowKey='c')",
            "ETag: W/\"datetime'2026-11-21T08%3A17%3A52.6774781Z'\"",
            "",
            "",
            "--changesetresponse_7",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            "",
            "HTTP/1.1 204 No Content",
            "ETag: W/\"datetime'2026-11-21T08%3A17%3A52.6774787Z'\"",
            "",
            "",
            "--changesetresponse_7--",
            "--batchresponse_7--",
            "");

        var parts = TableBatchFormat.Parse(body);

        Assert.Equal([204, 204], parts.Select(p => p.Status));
        Assert.Equal(new ETag("W/\"datetime'2026-11-21T08%3A17%3A52.6774781Z'\""), parts[0].ETag);
        Assert.Equal(new ETag("W/\"datetime'2026-11-21T08%3A17%3A52.6774787Z'\""), parts[1].ETag);
        Assert.All(parts, p => Assert.Empty(p.Body));
    }

    [Fact]
    public void Parse_FailureResponse_GivesTheFailedActionsStatusCodeAndIndex()
    {
        // Azure's shape: one response for the failed action, its index before the message, Content-ID echoing the request's.
        var body = string.Join("\r\n",
            "--batchresponse_e",
            "Content-Type: multipart/mixed; boundary=changesetresponse_f",
            "",
            "--changesetresponse_f",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            "",
            "HTTP/1.1 409 Conflict",
            "Content-ID: 9",
            "X-Content-Type-Options: nosniff",
            "DataServiceVersion: 3.0;",
            "Content-Type: application/json;odata=minimalmetadata;streaming=true;charset=utf-8",
            "",
            "{\"odata.error\":{\"code\":\"EntityAlreadyExists\",\"message\":{\"lang\":\"en-US\",\"value\":\"2:The specified entity already exists.\\nRequestId:abc\\nTime:2026-01-01T00:00:00.0000000Z\"}}}",
            "--changesetresponse_f--",
            "--batchresponse_e--",
            "");

        var part = Assert.Single(TableBatchFormat.Parse(body));
        var (code, message) = TableTransport.ParseErrorBody(part.Body);
        var index = TableBatchFormat.FailedIndex(message, part.ContentId, 5);

        Assert.Equal(409, part.Status);
        Assert.Equal(9, part.ContentId);
        Assert.Equal("EntityAlreadyExists", code);
        Assert.Equal("2:The specified entity already exists.", message);
        Assert.Equal(2, index);
        Assert.Equal("The specified entity already exists.", TableBatchFormat.WithoutIndex(message, index));
    }

    [Theory]
    [InlineData("1:Bad.", null, 3, 1)]
    [InlineData("Bad.", 3, 3, 2)]
    [InlineData("Bad.", null, 3, null)]
    [InlineData("7:Out of range.", null, 3, null)]
    [InlineData("Time:12:00", null, 3, null)]
    public void FailedIndex_PrefersTheMessagePrefixThenContentId(string message, int? contentId, int count, int? expected)
    {
        Assert.Equal(expected, TableBatchFormat.FailedIndex(message, contentId, count));
    }

    [Fact]
    public void Parse_MalformedStatusLine_ThrowsFormatException()
    {
        var e = Assert.Throws<FormatException>(() => TableBatchFormat.Parse("--b\r\nHTTP/1.1 abc Nope\r\n\r\n--b--\r\n"));

        Assert.Contains("HTTP/1.1 abc Nope", e.Message, StringComparison.Ordinal);
    }
}
