using Azure;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Azure.Tables;

/// <summary>Entity operations against a real Azurite: insert, upserts, conditional updates, deletes, point reads, types.</summary>
public sealed class TableClientTests(AzuriteEmulator azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InsertEntityAsync_NewEntity_IsReadBackWithETagAndTimestamp()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "insert");
        var etag = await table.InsertEntityAsync(new TableEntity("BTCUSD", "20260101T0000") { ["close"] = 65000.5, ["volume"] = 12 }, Token);

        var read = await table.GetEntityAsync("BTCUSD", "20260101T0000", cancellationToken: Token);

        Assert.NotNull(read);
        Assert.NotEqual(default, etag);
        Assert.Equal(etag, read.ETag);
        Assert.NotNull(read.Timestamp);
        Assert.Equal(65000.5, read.GetDouble("close"));
        Assert.Equal(12, read.GetInt32("volume"));
        Assert.Equal(2, read.Count);
    }

    [Fact]
    public async Task InsertEntityAsync_ExistingEntity_Throws409NamingTheKeys()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "dup");
        await table.InsertEntityAsync(new TableEntity("p", "r1") { ["v"] = 1 }, Token);

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.InsertEntityAsync(new TableEntity("p", "r1") { ["v"] = 2 }, Token));

        Assert.Equal(409, e.Status);
        Assert.Equal("EntityAlreadyExists", e.ErrorCode);
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Contains("PartitionKey 'p', RowKey 'r1'", e.Message, StringComparison.Ordinal);
        Assert.Contains(table.Name, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(StorageAccountKey, e.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await table.GetEntityAsync("p", "r1", cancellationToken: Token))!.GetInt32("v"));
    }

    [Fact]
    public async Task InsertEntityAsync_MissingTable_Throws404TableNotFound()
    {
        var table = TableTestSupport.Service(azurite).GetTableClient(TableTestSupport.UniqueName("missing"));

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.InsertEntityAsync(new TableEntity("p", "r"), Token));

        Assert.Equal(404, e.Status);
        Assert.Equal("TableNotFound", e.ErrorCode);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsertEntityAsync_Replace_RemovesPropertiesAbsentFromTheNewEntity()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "replace");
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["a"] = "one", ["b"] = "two" }, TableUpdateMode.Replace, Token);
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["a"] = "uno" }, TableUpdateMode.Replace, Token);

        var read = await table.GetEntityAsync("p", "r", cancellationToken: Token);

        Assert.NotNull(read);
        Assert.Equal("uno", read.GetString("a"));
        Assert.False(read.ContainsKey("b"));
    }

    [Fact]
    public async Task UpsertEntityAsync_Merge_KeepsPropertiesAbsentFromTheNewEntity()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "merge");
        var first = await table.UpsertEntityAsync(new TableEntity("p", "r") { ["a"] = "one", ["b"] = "two" }, TableUpdateMode.Merge, Token);
        var second = await table.UpsertEntityAsync(new TableEntity("p", "r") { ["a"] = "uno", ["c"] = 3L }, TableUpdateMode.Merge, Token);

        var read = await table.GetEntityAsync("p", "r", cancellationToken: Token);

        Assert.NotNull(read);
        Assert.NotEqual(first, second);
        Assert.Equal("uno", read.GetString("a"));
        Assert.Equal("two", read.GetString("b"));
        Assert.Equal(3L, read.GetInt64("c"));
    }

    [Theory]
    [InlineData(TableUpdateMode.Replace)]
    [InlineData(TableUpdateMode.Merge)]
    public async Task UpdateEntityAsync_CurrentETag_Succeeds_StaleETag_Throws412(TableUpdateMode mode)
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "etag");
        var original = await table.InsertEntityAsync(new TableEntity("BTC'USD", "r") { ["qty"] = 1 }, Token);
        var read = (await table.GetEntityAsync("BTC'USD", "r", cancellationToken: Token))!;
        read["qty"] = 2;
        var updated = await table.UpdateEntityAsync(read, read.ETag, mode, Token);

        read["qty"] = 3;
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpdateEntityAsync(read, original, mode, Token));

        Assert.NotEqual(original, updated);
        Assert.Equal(412, e.Status);
        Assert.Equal("UpdateConditionNotSatisfied", e.ErrorCode);
        Assert.Contains("ETag no longer matches", e.Message, StringComparison.Ordinal);
        Assert.Contains("PartitionKey 'BTC'USD', RowKey 'r'", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await table.GetEntityAsync("BTC'USD", "r", cancellationToken: Token))!.GetInt32("qty"));
    }

    [Fact]
    public async Task UpdateEntityAsync_AnyETagOnMissingEntity_Throws404()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "updmissing");

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpdateEntityAsync(new TableEntity("p", "nobody"), ETag.All, TableUpdateMode.Replace, Token));

        Assert.Equal(404, e.Status);
        Assert.Null(await table.GetEntityAsync("p", "nobody", cancellationToken: Token));
    }

    [Fact]
    public async Task UpdateEntityAsync_EmptyETag_ThrowsArgumentException()
    {
        var table = TableTestSupport.Service(azurite).GetTableClient("unused");

        var e = await Assert.ThrowsAsync<ArgumentException>(() => table.UpdateEntityAsync(new TableEntity("p", "r"), default, TableUpdateMode.Replace, Token));

        Assert.Equal("ifMatch", e.ParamName);
        Assert.Contains("ETag.All", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteEntityAsync_ReturnsTrueThenFalse_AndHonoursETags()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "delete");
        var stale = await table.InsertEntityAsync(new TableEntity("p", "r") { ["v"] = 1 }, Token);
        var current = await table.UpsertEntityAsync(new TableEntity("p", "r") { ["v"] = 2 }, TableUpdateMode.Replace, Token);

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.DeleteEntityAsync("p", "r", stale, Token));
        var deleted = await table.DeleteEntityAsync("p", "r", current, Token);
        var again = await table.DeleteEntityAsync("p", "r", cancellationToken: Token);

        Assert.Equal(412, e.Status);
        Assert.True(deleted);
        Assert.False(again);
        Assert.Null(await table.GetEntityAsync("p", "r", cancellationToken: Token));
    }

    [Fact]
    public async Task GetEntityAsync_MissingEntity_ReturnsNull_MissingTable_Throws()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "read");
        var missingTable = TableTestSupport.Service(azurite).GetTableClient(TableTestSupport.UniqueName("nothere"));

        var entity = await table.GetEntityAsync("p", "absent", cancellationToken: Token);
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => missingTable.GetEntityAsync("p", "absent", cancellationToken: Token));

        Assert.Null(entity);
        Assert.Equal(404, e.Status);
        Assert.Equal("TableNotFound", e.ErrorCode);
    }

    [Fact]
    public async Task GetEntityAsync_Select_ReturnsKeysAndTheSelectedPropertiesOnly()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "pointselect");
        await table.InsertEntityAsync(new TableEntity("p", "r") { ["o"] = 1.0, ["h"] = 2.0, ["l"] = 0.5, ["c"] = 1.5 }, Token);

        var read = await table.GetEntityAsync("p", "r", ["c", "h"], Token);

        Assert.NotNull(read);
        Assert.Equal(("p", "r"), (read.PartitionKey, read.RowKey));
        Assert.Equal(["c", "h"], read.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1.5, read.GetDouble("c"));
    }

    [Fact]
    public async Task TypedProperties_RoundTripWithTheirTypes()
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "types");
        var when = new DateTime(2026, 3, 14, 15, 9, 26, DateTimeKind.Utc).AddTicks(5358979);
        var id = Guid.Parse("d2b8f0e4-3c1a-4b7e-9f00-123456789abc");
        byte[] bytes = [0, 1, 2, 254, 255, 10, 13];
        var entity = new TableEntity("types", "all")
        {
            ["text"] = "Zürich ₿ 📈 \"quoted\" \\ back\nslash",
            ["empty"] = string.Empty,
            ["yes"] = true,
            ["no"] = false,
            ["int32"] = int.MinValue,
            ["int64max"] = long.MaxValue,
            ["int64min"] = long.MinValue,
            ["int64small"] = 5L,
            ["double5"] = 5.0,
            ["doubleTiny"] = double.Epsilon,
            ["doublePi"] = Math.PI,
            ["doubleBig"] = 1e300,
            ["nan"] = double.NaN,
            ["inf"] = double.PositiveInfinity,
            ["when"] = when,
            ["whenOffset"] = new DateTimeOffset(2026, 1, 1, 9, 30, 0, TimeSpan.FromHours(2)),
            ["earliest"] = TableEntity.MinDateTime,
            ["bytes"] = bytes,
            ["noBytes"] = Array.Empty<byte>(),
            ["id"] = id,
        };
        await table.InsertEntityAsync(entity, Token);

        var read = (await table.GetEntityAsync("types", "all", cancellationToken: Token))!;
        var queried = await table.QueryAsync(TableFilter.Equal("PartitionKey", "types"), cancellationToken: Token).SingleAsync(Token);

        foreach (var copy in new[] { read, queried })
        {
            Assert.Equal(entity.Count, copy.Count);
            foreach (var (name, value) in entity)
            {
                Assert.Equal(value.GetType(), copy[name]?.GetType());
                Assert.Equal(value, copy[name]);
            }

            Assert.IsType<double>(copy["double5"]);
            Assert.Equal(5.0, copy.GetDouble("double5"));
            Assert.Equal(long.MaxValue, copy.GetInt64("int64max"));
            Assert.Equal(when, copy.GetDateTime("when"));
            Assert.Equal(DateTimeKind.Utc, copy.GetDateTime("when")!.Value.Kind);
            Assert.Equal(new DateTimeOffset(2026, 1, 1, 7, 30, 0, TimeSpan.Zero), copy.GetDateTimeOffset("whenOffset"));
            Assert.Equal(bytes, copy.GetBinary("bytes"));
            Assert.Equal(id, copy.GetGuid("id"));
            Assert.Equal(string.Empty, copy.GetString("empty"));
        }
    }

    [Theory]
    [InlineData("BTC'USD", "it's")]
    [InlineData("a b", "c%20d")]
    [InlineData("Zürich", "₿📈")]
    [InlineData("(paren)", "=&+,;")]
    [InlineData("", "")]
    [InlineData("''", "'")]
    public async Task EntityOperations_KeysWithSpecialCharacters_AddressTheRightEntity(string partitionKey, string rowKey)
    {
        var table = await TableTestSupport.NewTableAsync(azurite, "keys");
        await table.InsertEntityAsync(new TableEntity(partitionKey, rowKey) { ["v"] = 1 }, Token);
        await table.InsertEntityAsync(new TableEntity(partitionKey + "x", rowKey) { ["v"] = 2 }, Token);

        await table.UpsertEntityAsync(new TableEntity(partitionKey, rowKey) { ["w"] = 3 }, TableUpdateMode.Merge, Token);
        var read = await table.GetEntityAsync(partitionKey, rowKey, cancellationToken: Token);
        var queried = await table.QueryAsync(TableFilter.And(TableFilter.Equal("PartitionKey", partitionKey), TableFilter.Equal("RowKey", rowKey)), cancellationToken: Token).ToListAsync(Token);
        var deleted = await table.DeleteEntityAsync(partitionKey, rowKey, cancellationToken: Token);

        Assert.NotNull(read);
        Assert.Equal((partitionKey, rowKey, 1, 3), (read.PartitionKey, read.RowKey, read.GetInt32("v"), read.GetInt32("w")));
        Assert.Equal(partitionKey, Assert.Single(queried).PartitionKey);
        Assert.True(deleted);
        Assert.NotNull(await table.GetEntityAsync(partitionKey + "x", rowKey, cancellationToken: Token));
    }

    private const string StorageAccountKey = global::SigmaFlow.Platform.Azure.Storage.StorageAccount.DevelopmentAccountKey;
}
