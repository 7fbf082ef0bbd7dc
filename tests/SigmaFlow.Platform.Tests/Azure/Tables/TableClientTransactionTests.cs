using Azure;
using SigmaFlow.Platform.Azure.Storage;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Azure.Tables;

/// <summary>Entity-group transactions against a real Azurite, and the client-side guards.</summary>
public sealed class TableClientTransactionTests(AzuriteEmulator azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SubmitTransactionAsync_EveryActionType_AppliesAllAndReturnsETags()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "batchok");
        var toReplace = await table.InsertEntityAsync(new TableEntity("p", "replace") { ["v"] = 1, ["gone"] = "x" }, Token);
        var toMerge = await table.InsertEntityAsync(new TableEntity("p", "merge") { ["v"] = 1, ["kept"] = "y" }, Token);
        var toDelete = await table.InsertEntityAsync(new TableEntity("p", "delete"), Token);
        await table.InsertEntityAsync(new TableEntity("p", "upsertmerge") { ["kept"] = "z" }, Token);
        await table.InsertEntityAsync(new TableEntity("p", "deleteany"), Token);

        var result = await table.SubmitTransactionAsync(
            [
                TableTransactionAction.Insert(new TableEntity("p", "insert") { ["v"] = 1L }),
                TableTransactionAction.UpsertReplace(new TableEntity("p", "upsert") { ["v"] = 2.0 }),
                TableTransactionAction.UpsertMerge(new TableEntity("p", "upsertmerge") { ["v"] = 3 }),
                TableTransactionAction.Update(new TableEntity("p", "replace") { ["v"] = 4 }, toReplace),
                TableTransactionAction.Update(new TableEntity("p", "merge") { ["v"] = 5 }, toMerge, TableUpdateMode.Merge),
                TableTransactionAction.Delete("p", "delete", toDelete),
                TableTransactionAction.Delete("p", "deleteany"),
            ],
            Token);

        var rows = (await table.QueryAsync(cancellationToken: Token).ToListAsync(Token)).ToDictionary(e => e.RowKey);
        Assert.Equal(7, result.Actions.Count);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], result.Actions.Select(a => a.Index));
        Assert.All(result.Actions, a => Assert.Equal(204, a.Status));
        Assert.All(result.Actions.Take(5), a => Assert.NotEqual(default, a.ETag));
        Assert.Equal(["insert", "merge", "replace", "upsert", "upsertmerge"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1L, rows["insert"].GetInt64("v"));
        Assert.Equal(result.Actions[0].ETag, rows["insert"].ETag);
        Assert.IsType<double>(rows["upsert"]["v"]);
        Assert.Equal("z", rows["upsertmerge"].GetString("kept"));
        Assert.False(rows["replace"].ContainsKey("gone"));
        Assert.Equal("y", rows["merge"].GetString("kept"));
        Assert.Equal(5, rows["merge"].GetInt32("v"));
    }

    [Fact]
    public async Task SubmitTransactionAsync_InsertOfExistingEntity_ReportsTheFailedActionAndAppliesNothing()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "batchfail");
        await table.InsertEntityAsync(new TableEntity("p", "b") { ["v"] = "original" }, Token);

        var e = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
            [
                TableTransactionAction.Insert(new TableEntity("p", "a")),
                TableTransactionAction.UpsertReplace(new TableEntity("p", "c")),
                TableTransactionAction.Insert(new TableEntity("p", "b") { ["v"] = "overwritten" }),
                TableTransactionAction.Insert(new TableEntity("p", "d")),
            ],
            Token));

        Assert.Equal(409, e.Status);
        Assert.Equal("EntityAlreadyExists", e.ErrorCode);
        Assert.Equal(2, e.FailedIndex);
        Assert.Equal("b", e.FailedAction?.Entity.RowKey);
        Assert.Contains("action 2 (Insert of RowKey 'b')", e.Message, StringComparison.Ordinal);
        Assert.Contains(table.Name, e.Message, StringComparison.Ordinal);

        // Azurite 3.37 rolls the transaction back like Azure: the actions before the failed one are undone.
        var rows = await table.QueryAsync(cancellationToken: Token).ToListAsync(Token);
        Assert.Equal("original", Assert.Single(rows).GetString("v"));
    }

    [Fact]
    public async Task SubmitTransactionAsync_StaleETag_Reports412ForThatAction()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "batchetag");
        var stale = await table.InsertEntityAsync(new TableEntity("p", "r") { ["v"] = 1 }, Token);
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["v"] = 2 }, TableUpdateMode.Replace, Token);

        var e = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
            [TableTransactionAction.Insert(new TableEntity("p", "new")), TableTransactionAction.Update(new TableEntity("p", "r") { ["v"] = 3 }, stale)],
            Token));

        Assert.Equal(412, e.Status);
        Assert.Equal(1, e.FailedIndex);
        Assert.Null(await table.GetEntityAsync("p", "new", cancellationToken: Token));
        Assert.Equal(2, (await table.GetEntityAsync("p", "r", cancellationToken: Token))!.GetInt32("v"));
    }

    [Fact]
    public async Task SubmitTransactionAsync_HundredActionsWithQuotedKeys_AreAllApplied()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "batch100");

        var result = await table.SubmitTransactionAsync(Enumerable.Range(0, 100).Select(i => TableTransactionAction.UpsertReplace(new TableEntity("BTC'USD", $"it's {i:D3}") { ["i"] = i })), Token);

        Assert.Equal(100, result.Actions.Count);
        var rows = await table.QueryAsync(TableFilter.Equal("PartitionKey", "BTC'USD"), cancellationToken: Token).ToListAsync(Token);
        Assert.Equal(Enumerable.Range(0, 100), rows.Select(r => r.GetInt32("i")!.Value));
        Assert.Equal("it's 099", rows[^1].RowKey);
    }

    [Fact]
    public async Task SubmitTransactionAsync_MissingTable_ThrowsNamingTheTable()
    {
        var table = TableTestSupport.Service(azurite).GetTableClient(TableTestSupport.UniqueName("batchmissing"));

        var e = await Assert.ThrowsAnyAsync<RequestFailedException>(() => table.SubmitTransactionAsync([TableTransactionAction.Insert(new TableEntity("p", "r"))], Token));

        Assert.Equal(404, e.Status);
        Assert.Contains(table.Name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitTransactionAsync_MoreThan100Actions_ThrowsBeforeSending()
    {
        var table = Offline();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(Enumerable.Range(0, 101).Select(i => TableTransactionAction.Insert(new TableEntity("p", i.ToString(System.Globalization.CultureInfo.InvariantCulture)))), Token));

        Assert.Equal("actions", e.ParamName);
        Assert.Contains("at most 100 actions; got 101", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitTransactionAsync_TwoPartitionKeys_ThrowsNamingBoth()
    {
        var table = Offline();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync([TableTransactionAction.Insert(new TableEntity("BTCUSD", "1")), TableTransactionAction.Insert(new TableEntity("ETHUSD", "1"))], Token));

        Assert.Contains("one partition key", e.Message, StringComparison.Ordinal);
        Assert.Contains("'BTCUSD'", e.Message, StringComparison.Ordinal);
        Assert.Contains("action 1 has 'ETHUSD'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitTransactionAsync_SameEntityTwice_ThrowsNamingBothActions()
    {
        var table = Offline();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
            [TableTransactionAction.Insert(new TableEntity("p", "a")), TableTransactionAction.Insert(new TableEntity("p", "b")), TableTransactionAction.Delete("p", "a")],
            Token));

        Assert.Contains("only once", e.Message, StringComparison.Ordinal);
        Assert.Contains("RowKey 'a' is in actions 0 and 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitTransactionAsync_NoActions_Throws()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Offline().SubmitTransactionAsync([], Token));

        Assert.Contains("at least one action", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitTransactionAsync_OverFourMebibytes_ThrowsBeforeSending()
    {
        var big = new string('x', 30_000);
        var actions = Enumerable.Range(0, 100).Select(i => TableTransactionAction.UpsertReplace(new TableEntity("p", i.ToString(System.Globalization.CultureInfo.InvariantCulture)) { ["a"] = big, ["b"] = big })).ToList();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => Offline().SubmitTransactionAsync(actions, Token));

        Assert.Contains("at most 4 MiB", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A client whose endpoint is a closed port: the guards must throw before any request.</summary>
    private static TableClient Offline() =>
        new TableServiceClient(StorageAccount.AzuriteConnectionString(1, 1, 1), TableTestSupport.FastRetries(0)).GetTableClient("offline");
}
