using System.Diagnostics;
using System.Net;
using Azure;
using SigmaFlow.Platform.Azure.Storage;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Azure.Tables;

/// <summary>Retries and unreachable services: faults injected in front of a real Azurite, and a closed port.</summary>
public sealed class TableClientRetryTests(AzuriteEmulator azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InsertEntityAsync_Two503sThenSuccess_SucceedsOnTheThirdCall()
    {
        var name = (await TableTestSupport.NewTableAsync(azurite, "retry503")).Name;
        using var handler = new FaultInjectingHandler { FailFirst = 2, Status = HttpStatusCode.ServiceUnavailable };
        using var http = new HttpClient(handler);
        var table = TableTestSupport.Service(azurite, TableTestSupport.Through(http)).GetTableClient(name);

        var etag = await table.InsertEntityAsync(new TableEntity("p", "r") { ["v"] = 1 }, Token);

        Assert.Equal(3, handler.Calls);
        Assert.NotEqual(default, etag);
        Assert.Equal(1, (await table.GetEntityAsync("p", "r", cancellationToken: Token))!.GetInt32("v"));
    }

    [Fact]
    public async Task QueryAsync_429WithRetryAfter_WaitsThenSucceeds()
    {
        var seed = await TableTestSupport.NewTableAsync(azurite, "retry429");
        await seed.InsertEntityAsync(new TableEntity("p", "r"), Token);
        using var handler = new FaultInjectingHandler { FailFirst = 1, Status = HttpStatusCode.TooManyRequests, RetryAfterSeconds = 1 };
        using var http = new HttpClient(handler);
        var table = TableTestSupport.Service(azurite, TableTestSupport.Through(http)).GetTableClient(seed.Name);

        var rows = await table.QueryAsync(cancellationToken: Token).ToListAsync(Token);

        Assert.Single(rows);
        Assert.Equal(2, handler.Calls);
        Assert.True(handler.Arrivals[1] - handler.Arrivals[0] >= TimeSpan.FromMilliseconds(900), $"the retry came {(handler.Arrivals[1] - handler.Arrivals[0]).TotalMilliseconds} ms after the 429; Retry-After asked for 1 s");
    }

    [Fact]
    public async Task SubmitTransactionAsync_Transient503_IsRetriedWithTheSameBody()
    {
        var name = (await TableTestSupport.NewTableAsync(azurite, "retrybatch")).Name;
        using var handler = new FaultInjectingHandler { FailFirst = 1 };
        using var http = new HttpClient(handler);
        var table = TableTestSupport.Service(azurite, TableTestSupport.Through(http)).GetTableClient(name);

        var result = await table.SubmitTransactionAsync([TableTransactionAction.Insert(new TableEntity("p", "a")), TableTransactionAction.Insert(new TableEntity("p", "b"))], Token);

        Assert.Equal(2, handler.Calls);
        Assert.Equal(2, result.Actions.Count);
    }

    [Fact]
    public async Task GetEntityAsync_AlwaysFailing_ThrowsAfterTheRetryLimit()
    {
        using var handler = new FaultInjectingHandler { FailFirst = int.MaxValue };
        using var http = new HttpClient(handler);
        var table = TableTestSupport.Service(azurite, TableTestSupport.Through(http, maxRetries: 2)).GetTableClient("alwaysfails");

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.GetEntityAsync("p", "r", cancellationToken: Token));

        Assert.Equal(3, handler.Calls);
        Assert.Equal(503, e.Status);
        Assert.Equal("ServerBusy", e.ErrorCode);
        Assert.Contains("Injected failure.", e.Message, StringComparison.Ordinal);
        Assert.Contains("PartitionKey 'p', RowKey 'r'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCall_ClosedPort_FailsQuicklyWithAClearMessage()
    {
        var options = TableTestSupport.FastRetries(maxRetries: 1);
        var service = new TableServiceClient(StorageAccount.AzuriteConnectionString(1, 1, 1), options);
        var clock = Stopwatch.StartNew();

        var create = await Assert.ThrowsAsync<RequestFailedException>(() => service.CreateTableIfNotExistsAsync("closedport", Token));
        var query = await Assert.ThrowsAsync<RequestFailedException>(async () => await service.GetTableClient("closedport").QueryAsync(cancellationToken: Token).ToListAsync(Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(0, create.Status);
        Assert.Equal("ServiceUnreachable", create.ErrorCode);
        Assert.Contains("Create table 'closedport' failed: the table service at http://127.0.0.1:1/devstoreaccount1 could not be reached (2 attempts", create.Message, StringComparison.Ordinal);
        Assert.Contains("query table 'closedport'", query.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(StorageAccount.DevelopmentAccountKey, create.Message, StringComparison.Ordinal);
    }
}
