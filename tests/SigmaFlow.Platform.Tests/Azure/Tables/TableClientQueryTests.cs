using System.Globalization;
using Azure;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Azure.Tables;

/// <summary>Queries against a real Azurite: continuation across pages, order, $select, filters with every literal type.</summary>
public sealed class TableClientQueryTests(AzuriteEmulator azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task QueryAsync_ManyPages_FollowsContinuationsInKeyOrder()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "pages");
        string[] partitions = ["ETHUSD", "BTCUSD", "SOLUSD"];
        const int perPartition = 420;
        foreach (var partition in partitions)
        {
            var rows = Enumerable.Range(0, perPartition).Select(i => new TableEntity(partition, i.ToString("D5", CultureInfo.InvariantCulture)) { ["i"] = i }).ToList();
            foreach (var chunk in rows.Chunk(100))
            {
                await table.SubmitTransactionAsync(chunk.Select(TableTransactionAction.Insert), Token);
            }
        }

        var pages = await table.QueryPagesAsync(pageSize: 97, cancellationToken: Token).ToListAsync(Token);
        var entities = await table.QueryAsync(pageSize: 97, cancellationToken: Token).ToListAsync(Token);

        Assert.Equal(partitions.Length * perPartition, entities.Count);
        Assert.True(pages.Count >= 13, $"expected at least 13 pages of at most 97; got {pages.Count}");
        Assert.All(pages, p => Assert.True(p.Entities.Count <= 97));
        Assert.All(pages[..^1], p => Assert.NotNull(p.Continuation));
        Assert.Null(pages[^1].Continuation);
        var expected = partitions.Order(StringComparer.Ordinal).SelectMany(p => Enumerable.Range(0, perPartition).Select(i => (p, i.ToString("D5", CultureInfo.InvariantCulture)))).ToList();
        Assert.Equal(expected, entities.Select(e => (e.PartitionKey, e.RowKey)));
        Assert.Equal(expected, pages.SelectMany(p => p.Entities).Select(e => (e.PartitionKey, e.RowKey)));
    }

    [Fact]
    public async Task QueryPageAsync_ResumesFromAContinuation()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "resume");
        await table.SubmitTransactionAsync(Enumerable.Range(0, 25).Select(i => TableTransactionAction.Insert(new TableEntity("p", i.ToString("D2", CultureInfo.InvariantCulture)))), Token);

        var first = await table.QueryPageAsync(pageSize: 10, cancellationToken: Token);
        var second = await table.QueryPageAsync(pageSize: 10, continuation: first.Continuation, cancellationToken: Token);

        Assert.NotNull(first.Continuation);
        Assert.Equal("09", first.Entities[^1].RowKey);
        Assert.Equal(Enumerable.Range(10, 10).Select(i => i.ToString("D2", CultureInfo.InvariantCulture)), second.Entities.Select(e => e.RowKey));
    }

    [Fact]
    public async Task QueryAsync_EarlyStop_StopsRequestingPages()
    {
        var seed = await TableTestSupport.NewTableAsync(azurite, "early");
        await seed.SubmitTransactionAsync(Enumerable.Range(0, 50).Select(i => TableTransactionAction.Insert(new TableEntity("p", i.ToString("D2", CultureInfo.InvariantCulture)))), Token);
        using var counter = new FaultInjectingHandler { FailFirst = 0 };
        using var http = new HttpClient(counter);
        var table = TableTestSupport.Service(azurite, TableTestSupport.Through(http)).GetTableClient(seed.Name);

        var firstSeven = await table.QueryAsync(pageSize: 5, cancellationToken: Token).Take(7).ToListAsync(Token);

        Assert.Equal(["00", "01", "02", "03", "04", "05", "06"], firstSeven.Select(e => e.RowKey));
        Assert.Equal(2, counter.Calls);
    }

    [Fact]
    public async Task QueryAsync_Select_ReturnsKeysAndSelectedPropertiesOnly()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "select");
        await table.SubmitTransactionAsync(
            Enumerable.Range(0, 3).Select(i => TableTransactionAction.Insert(new TableEntity("BTCUSD", i.ToString(CultureInfo.InvariantCulture)) { ["o"] = 1.0 + i, ["h"] = 2.0, ["l"] = 0.5, ["c"] = 1.5, ["v"] = 10L })),
            Token);

        var rows = await table.QueryAsync(TableFilter.Equal("PartitionKey", "BTCUSD"), ["c", "v"], cancellationToken: Token).ToListAsync(Token);

        Assert.Equal(3, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal("BTCUSD", r.PartitionKey);
            Assert.Equal(["c", "v"], r.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(1.5, r.GetDouble("c"));
            Assert.Equal(10L, r.GetInt64("v"));
        });
    }

    [Fact]
    public async Task QueryAsync_ValueWithSingleQuote_MatchesExactlyAndCannotInject()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "quote");
        await table.InsertEntityAsync(new TableEntity("BTC'USD", "1") { ["name"] = "O'Brien" }, Token);
        await table.InsertEntityAsync(new TableEntity("BTCUSD", "1") { ["name"] = "plain" }, Token);

        var quoted = await table.QueryAsync(TableFilter.Equal("PartitionKey", "BTC'USD"), cancellationToken: Token).ToListAsync(Token);
        var byName = await table.QueryAsync(TableFilter.Create($"name eq {"O'Brien"}"), cancellationToken: Token).ToListAsync(Token);
        var injection = await table.QueryAsync(TableFilter.Equal("PartitionKey", "x' or PartitionKey ne 'x"), cancellationToken: Token).ToListAsync(Token);

        Assert.Equal("BTC'USD", Assert.Single(quoted).PartitionKey);
        Assert.Equal("O'Brien", Assert.Single(byName).GetString("name"));
        Assert.Empty(injection);
    }

    [Fact]
    public async Task QueryAsync_TypedLiterals_MatchTheStoredTypes()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "literals");
        var id = Guid.NewGuid();
        var when = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
        await table.InsertEntityAsync(new TableEntity("p", "hit") { ["big"] = 9_000_000_000L, ["price"] = 5.0, ["at"] = when, ["id"] = id, ["blob"] = new byte[] { 0xde, 0xad }, ["n"] = 7, ["ok"] = true }, Token);
        await table.InsertEntityAsync(new TableEntity("p", "miss") { ["big"] = 1L, ["price"] = 4.5, ["at"] = when.AddDays(-1), ["id"] = Guid.NewGuid(), ["blob"] = new byte[] { 0xbe, 0xef }, ["n"] = 8, ["ok"] = false }, Token);

        async Task<string> Only(string filter) => Assert.Single(await table.QueryAsync(filter, cancellationToken: Token).ToListAsync(Token)).RowKey;

        Assert.Equal("hit", await Only(TableFilter.GreaterThan("big", 8_000_000_000L)));
        Assert.Equal("hit", await Only(TableFilter.Equal("price", 5.0)));
        Assert.Equal("hit", await Only(TableFilter.GreaterThanOrEqual("at", when)));
        Assert.Equal("hit", await Only(TableFilter.Equal("id", id)));
        Assert.Equal("hit", await Only(TableFilter.Equal("blob", new byte[] { 0xde, 0xad })));
        Assert.Equal("hit", await Only(TableFilter.LessThan("n", 8)));
        Assert.Equal("hit", await Only(TableFilter.Equal("ok", true)));
        Assert.Equal("hit", await Only(TableFilter.And(TableFilter.Equal("PartitionKey", "p"), TableFilter.Not(TableFilter.Equal("RowKey", "miss")))));
        Assert.Equal("miss", await Only(TableFilter.Or(TableFilter.Equal("n", 8), TableFilter.Equal("n", 99))));
    }

    [Fact]
    public async Task QueryAsync_MalformedFilter_ThrowsWithTheFilterInTheMessage()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "badfilter");

        var e = await Assert.ThrowsAsync<RequestFailedException>(async () => await table.QueryAsync("PartitionKey eq", cancellationToken: Token).ToListAsync(Token));

        Assert.Equal(400, e.Status);
        Assert.Contains("PartitionKey eq", e.Message, StringComparison.Ordinal);
        Assert.Contains(table.Name, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task QueryPageAsync_PageSizeOutOfRange_Throws(int pageSize)
    {
        var table = TableTestSupport.Service(azurite).GetTableClient("unused");

        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => table.QueryPageAsync(pageSize: pageSize, cancellationToken: Token));

        Assert.Equal("pageSize", e.ParamName);
    }
}
