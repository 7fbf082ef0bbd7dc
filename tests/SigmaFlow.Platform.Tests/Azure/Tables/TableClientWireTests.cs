using System.Net;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using SigmaFlow.Platform.Azure;
using SigmaFlow.Platform.Azure.Storage;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Tests.Azure.Tables;

/// <summary>
/// Wire behaviour Azurite cannot be made to show, checked against a hand-written fake server: empty pages that still
/// continue (Azure stops a page after 5 s or at a partition boundary) and Entra bearer tokens.
/// </summary>
public sealed class TableClientWireTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task QueryAsync_EmptyPageWithContinuation_FollowsItWithTheTokens()
    {
        using var server = new FakeServer(request =>
        {
            var query = request.RequestUri!.Query;
            if (!query.Contains("NextPartitionKey", StringComparison.Ordinal))
            {
                var empty = FakeServer.Json("{\"odata.metadata\":\"x\",\"value\":[]}");
                empty.Headers.Add("x-ms-continuation-NextPartitionKey", "1!8!QlRDVVNE");
                empty.Headers.Add("x-ms-continuation-NextRowKey", "1!12!MjAyNi0wMQ--");
                return empty;
            }

            return FakeServer.Json("{\"value\":[{\"odata.etag\":\"W/\\\"1\\\"\",\"PartitionKey\":\"BTCUSD\",\"RowKey\":\"2026-01\",\"c@odata.type\":\"Edm.Double\",\"c\":1}]}");
        });
        var table = new TableServiceClient(StorageAccount.AzuriteConnectionString(10002, 10001, 10000), server.Options()).GetTableClient("candles");

        var pages = await table.QueryPagesAsync(TableFilter.Equal("PartitionKey", "BTCUSD"), cancellationToken: Token).ToListAsync(Token);
        var rows = await table.QueryAsync(TableFilter.Equal("PartitionKey", "BTCUSD"), cancellationToken: Token).ToListAsync(Token);

        Assert.Equal(2, pages.Count);
        Assert.Empty(pages[0].Entities);
        Assert.Equal(new TableContinuation("1!8!QlRDVVNE", "1!12!MjAyNi0wMQ--"), pages[0].Continuation);
        var row = Assert.Single(rows);
        Assert.Equal(1.0, row["c"]);
        Assert.Equal("W/\"1\"", row.ETag.ToString());
        Assert.Contains("NextPartitionKey=1%218%21QlRDVVNE&NextRowKey=1%2112%21MjAyNi0wMQ--", server.Requests[1].RequestUri!.Query, StringComparison.Ordinal);
        Assert.Contains("$filter=PartitionKey%20eq%20%27BTCUSD%27", server.Requests[0].RequestUri!.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_WithEntraCredential_CarryABearerTokenAndTheODataHeaders()
    {
        using var server = new FakeServer(_ => new HttpResponseMessage(HttpStatusCode.NoContent));
        var service = new TableServiceClient(StorageAccount.ForIdentity("sigmaflowdata"), new FixedCredential(), server.Options());

        var created = await service.CreateTableIfNotExistsAsync("candles", Token);
        await service.GetTableClient("candles").UpsertEntityAsync(new TableEntity("p", "r"), TableUpdateMode.Merge, Token);

        Assert.True(created);
        var create = server.Requests[0];
        Assert.Equal(new Uri("https://sigmaflowdata.table.core.windows.net/Tables"), create.RequestUri);
        Assert.Equal("Bearer fixed-token", create.Headers.Authorization?.ToString());
        Assert.Equal("2019-02-02", create.Headers.GetValues("x-ms-version").Single());
        Assert.Equal("3.0;NetFx", create.Headers.GetValues("DataServiceVersion").Single());
        Assert.Equal("{\"TableName\":\"candles\"}", server.Bodies[0]);
        var merge = server.Requests[1];
        Assert.Equal("MERGE", merge.Method.Method);
        Assert.Equal("https://sigmaflowdata.table.core.windows.net/candles(PartitionKey='p',RowKey='r')", merge.RequestUri!.OriginalString);
        Assert.False(merge.Headers.Contains("If-Match"));
    }

    /// <summary>Answers every request with a canned response and records what it received.</summary>
    private sealed class FakeServer(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        private HttpClient? client;

        public List<HttpRequestMessage> Requests { get; } = [];

        public List<string> Bodies { get; } = [];

        public static HttpResponseMessage Json(string body) => new(HttpStatusCode.OK)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

        public AzureClientOptions Options()
        {
            client = new HttpClient(this, disposeHandler: false);
            var options = TableTestSupport.FastRetries(0);
            options.Transport = new HttpClientTransport(client);
            return options;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            Bodies.Add(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken));
            return answer(request);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                client?.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class FixedCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("fixed-token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
