using System.Globalization;
using System.Text.Json;
using SigmaFlow.Platform.Azure.Cosmos;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Azure.Cosmos;

/// <summary>A run record as the fan-out/fan-in pattern keeps it (pk /runId).</summary>
internal sealed record RunRecord(string Id, string RunId, int Total, long Done, RunStatus Status);

/// <summary>Run states, stored as camelCase strings.</summary>
internal enum RunStatus
{
    Running,
    Completed,
}

/// <summary>A shard result (pk /runId).</summary>
internal sealed record ShardResult(string Id, string RunId, int Index, double Score);

/// <summary>The store against the real local Cosmos DB server (<c>@vercel/cosmosdb-server</c>): no mocks.</summary>
public sealed class CosmosStoreTests(CosmosEmulator cosmos) : IDisposable
{
    private readonly string database = "db" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<CosmosConnection> connections = [];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var connection in connections)
        {
            connection.Dispose();
        }
    }

    [Fact]
    public async Task EnsureDatabaseAndContainerAsync_CalledTwice_KeepsTheContainerAndItsDocuments()
    {
        var store = await StoreAsync("runs");
        await store.UpsertAsync(Run("r1"), Token);

        var again = await Connect().EnsureDatabaseAndContainerAsync(database, "runs", "/runId", Token);

        Assert.NotNull(await again.ReadAsync<RunRecord>("r1", "r1", Token));
    }

    [Fact]
    public async Task EnsureDatabaseAndContainerAsync_OtherPartitionKeyPath_ThrowsNamingBothPaths()
    {
        await StoreAsync("keyed");

        var error = await Assert.ThrowsAsync<CosmosStoreException>(() => Connect().EnsureDatabaseAndContainerAsync(database, "keyed", "/symbol", Token));

        Assert.Contains("/runId", error.Message, StringComparison.Ordinal);
        Assert.Contains("/symbol", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsertAsync_SameIdAndKeyTwice_LeavesOneDocumentWithTheLastValue()
    {
        var store = await StoreAsync("upserts");

        var first = await store.UpsertAsync(Run("r1", total: 5), Token);
        var second = await store.UpsertAsync(Run("r1", total: 7), Token);

        var rows = await ToListAsync(store.QueryAsync<RunRecord>("r1", "SELECT * FROM c WHERE c.runId = @runId", Parameters(("@runId", "r1")), cancellationToken: Token));
        Assert.Single(rows);
        Assert.Equal(7, rows[0].Total);
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(second.ETag, (await store.ReadAsync<RunRecord>("r1", "r1", Token))!.ETag);
    }

    [Fact]
    public async Task UpsertAsync_Record_IsStoredInCamelCaseWithEnumsAsStrings()
    {
        var store = await StoreAsync("shape");
        await store.UpsertAsync(Run("r1"), Token);

        var raw = await store.ReadAsync<JsonElement>("r1", "r1", Token);

        Assert.Equal("r1", raw!.Value.GetProperty("runId").GetString());
        Assert.Equal("running", raw.Value.GetProperty("status").GetString());
        Assert.Equal(0, raw.Value.GetProperty("done").GetInt64());
        Assert.False(raw.Value.TryGetProperty("RunId", out _));
    }

    [Fact]
    public async Task UpsertAsync_DocumentWithoutItsPartitionKey_ThrowsNamingThePath()
    {
        var store = await StoreAsync("nokey");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync(new { id = "x", symbol = "BTCUSD" }, Token));

        Assert.Equal("document", error.ParamName);
        Assert.Contains("/runId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsertAsync_IdWithSlash_ThrowsNamingTheRule()
    {
        var store = await StoreAsync("slash");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync(new ShardResult("r1/3", "r1", 3, 1.0), Token));

        Assert.Contains("'r1/3'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'/'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_SameIdTwice_SecondReportsAlreadyExistsAndKeepsTheFirst()
    {
        var store = await StoreAsync("marks");

        var first = await store.CreateAsync(Run("r1", total: 1), Token);
        var second = await store.CreateAsync(Run("r1", total: 2), Token);

        Assert.Equal(CosmosOutcome.Succeeded, first.Outcome);
        Assert.NotNull(first.Document);
        Assert.Equal(CosmosOutcome.AlreadyExists, second.Outcome);
        Assert.Null(second.Document);
        Assert.Contains("id 'r1'", second.Description, StringComparison.Ordinal);
        Assert.Contains("partition key 'r1'", second.Description, StringComparison.Ordinal);
        Assert.Equal(1, (await store.ReadAsync<RunRecord>("r1", "r1", Token))!.Value.Total);
        Assert.Throws<CosmosStoreException>(second.EnsureSucceeded);
    }

    [Fact]
    public async Task CreateAsync_SameIdInAnotherPartition_Succeeds()
    {
        var store = await StoreAsync("perpartition");

        var first = await store.CreateAsync(new ShardResult("shard-0", "run-a", 0, 1.5), Token);
        var second = await store.CreateAsync(new ShardResult("shard-0", "run-b", 0, 2.5), Token);

        Assert.True(first.Succeeded);
        Assert.True(second.Succeeded);
        Assert.Equal(2.5, (await store.ReadAsync<ShardResult>("shard-0", "run-b", Token))!.Value.Score);
    }

    [Fact]
    public async Task ReplaceAsync_StaleETag_ReportsConcurrencyConflictAndKeepsTheNewerVersion()
    {
        var store = await StoreAsync("replace");
        await store.UpsertAsync(Run("r1", total: 1), Token);
        var read = (await store.ReadAsync<RunRecord>("r1", "r1", Token))!;

        var fresh = await store.ReplaceAsync(read.Value with { Total = 2 }, read.ETag, Token);
        var stale = await store.ReplaceAsync(read.Value with { Total = 3 }, read.ETag, Token);

        Assert.Equal(CosmosOutcome.Succeeded, fresh.Outcome);
        Assert.Equal(CosmosOutcome.ConcurrencyConflict, stale.Outcome);
        Assert.Contains("412", stale.Description, StringComparison.Ordinal);
        var now = (await store.ReadAsync<RunRecord>("r1", "r1", Token))!;
        Assert.Equal(2, now.Value.Total);
        Assert.Equal(fresh.Document!.ETag, now.ETag);
    }

    [Fact]
    public async Task ReplaceAsync_MissingDocument_ReportsNotFound()
    {
        var store = await StoreAsync("replacemissing");

        var result = await store.ReplaceAsync(Run("ghost"), "\"00000000-0000-0000-0000-000000000000\"", Token);

        Assert.Equal(CosmosOutcome.NotFound, result.Outcome);
    }

    [Fact]
    public async Task ReadAsync_MissingDocument_ReturnsNull()
    {
        var store = await StoreAsync("reads");

        Assert.Null(await store.ReadAsync<RunRecord>("nothing", "nothing", Token));
    }

    [Fact]
    public async Task DeleteAsync_Existing_RemovesItAndASecondDeleteReportsNotFound()
    {
        var store = await StoreAsync("deletes");
        await store.UpsertAsync(Run("r1"), Token);

        var deleted = await store.DeleteAsync("r1", "r1", cancellationToken: Token);
        var again = await store.DeleteAsync("r1", "r1", cancellationToken: Token);

        Assert.Equal(CosmosOutcome.Succeeded, deleted.Outcome);
        Assert.Equal(CosmosOutcome.NotFound, again.Outcome);
        Assert.Null(await store.ReadAsync<RunRecord>("r1", "r1", Token));
    }

    [Fact]
    public async Task DeleteAsync_StaleETag_ReportsConcurrencyConflictAndKeepsTheDocument()
    {
        var store = await StoreAsync("deletestale");
        var old = await store.UpsertAsync(Run("r1", total: 1), Token);
        await store.UpsertAsync(Run("r1", total: 2), Token);

        var result = await store.DeleteAsync("r1", "r1", old.ETag, Token);

        Assert.Equal(CosmosOutcome.ConcurrencyConflict, result.Outcome);
        Assert.NotNull(await store.ReadAsync<RunRecord>("r1", "r1", Token));
    }

    [Theory]
    [InlineData(CosmosIncrementMode.Patch)]
    [InlineData(CosmosIncrementMode.ReadReplace)]
    public async Task PatchIncrementAsync_Single_ReturnsTheChangedDocument(CosmosIncrementMode mode)
    {
        var store = await StoreAsync("incr" + mode.ToString().ToLowerInvariant(), mode);
        await store.UpsertAsync(Run("r1", total: 3), Token);

        var once = await store.PatchIncrementAsync<RunRecord>("r1", "r1", "/done", 1, cancellationToken: Token);
        var twice = await store.PatchIncrementAsync<RunRecord>("r1", "r1", "/done", 5, cancellationToken: Token);

        Assert.Equal(1, once.GetDocument().Value.Done);
        Assert.Equal(6, twice.GetDocument().Value.Done);
        Assert.Equal(3, twice.GetDocument().Value.Total);
        Assert.Equal(twice.Document!.ETag, (await store.ReadAsync<RunRecord>("r1", "r1", Token))!.ETag);
    }

    [Theory]
    [InlineData(CosmosIncrementMode.Patch)]
    [InlineData(CosmosIncrementMode.ReadReplace)]
    public async Task PatchIncrementAsync_AbsentProperty_IsCreatedWithTheDelta(CosmosIncrementMode mode)
    {
        var store = await StoreAsync("incrabsent" + mode.ToString().ToLowerInvariant(), mode);
        await store.UpsertAsync(Run("r1"), Token);

        var result = await store.PatchIncrementAsync<JsonElement>("r1", "r1", "/failed", 2, cancellationToken: Token);

        Assert.Equal(2, result.GetDocument().Value.GetProperty("failed").GetInt64());
    }

    [Theory]
    [InlineData(CosmosIncrementMode.Patch)]
    [InlineData(CosmosIncrementMode.ReadReplace)]
    public async Task PatchIncrementAsync_TwentyConcurrent_CountsEveryOne(CosmosIncrementMode mode)
    {
        var store = await StoreAsync("fanin" + mode.ToString().ToLowerInvariant(), mode);
        await store.UpsertAsync(Run("r1", total: 20), Token);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => store.PatchIncrementAsync<RunRecord>("r1", "r1", "/done", 1, cancellationToken: Token), Token)));

        Assert.All(results, result => Assert.Equal(CosmosOutcome.Succeeded, result.Outcome));
        Assert.Equal(20, (await store.ReadAsync<RunRecord>("r1", "r1", Token))!.Value.Done);

        // Each caller sees a distinct new value, so exactly one sees done == total and completes the run.
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), results.Select(result => result.Document!.Value.Done).Order());
    }

    [Theory]
    [InlineData(CosmosIncrementMode.Auto)]
    [InlineData(CosmosIncrementMode.Patch)]
    [InlineData(CosmosIncrementMode.ReadReplace)]
    public async Task PatchIncrementAsync_FilterPredicate_IncrementsOnlyWhenItMatches(CosmosIncrementMode mode)
    {
        var store = await StoreAsync("filter" + mode.ToString().ToLowerInvariant(), mode);
        await store.UpsertAsync(Run("r1"), Token);
        await store.UpsertAsync(Run("r2") with { Status = RunStatus.Completed }, Token);

        var matching = await store.PatchIncrementAsync<RunRecord>("r1", "r1", "/done", 1, "FROM c WHERE c.status = 'running'", Token);
        var notMatching = await store.PatchIncrementAsync<RunRecord>("r2", "r2", "/done", 1, "FROM c WHERE c.status = 'running'", Token);

        Assert.Equal(CosmosOutcome.Succeeded, matching.Outcome);
        Assert.Equal(1, matching.Document!.Value.Done);
        Assert.Equal(CosmosOutcome.ConditionNotMet, notMatching.Outcome);
        Assert.Equal(0, (await store.ReadAsync<RunRecord>("r2", "r2", Token))!.Value.Done);
    }

    [Fact]
    public async Task PatchIncrementAsync_FilterWithCamelCaseName_MatchesThroughTheDefaultMode()
    {
        var store = await StoreAsync("filtercamel");
        await store.UpsertAsync(Run("RunA"), Token);

        var result = await store.PatchIncrementAsync<RunRecord>("RunA", "RunA", "/done", 1, "FROM c WHERE c.runId = 'RunA'", Token);

        Assert.Equal(CosmosOutcome.Succeeded, result.Outcome);
    }

    [Fact]
    public async Task PatchIncrementAsync_ServerPatchWithCamelCaseFilter_LocalServerLowerCasesThePredicate()
    {
        // Characterises @vercel/cosmosdb-server 1.0.1: it lower-cases the whole predicate before evaluating it, so a
        // camelCase property name or an upper-case literal never matches (Azure would match). This is why Auto uses
        // read-and-replace for filtered increments on the emulator. If this test starts failing, the server was fixed.
        var store = await StoreAsync("filterserver", CosmosIncrementMode.Patch);
        await store.UpsertAsync(Run("RunA"), Token);

        var result = await store.PatchIncrementAsync<RunRecord>("RunA", "RunA", "/done", 1, "FROM c WHERE c.runId = 'RunA'", Token);

        Assert.Equal(CosmosOutcome.ConditionNotMet, result.Outcome);
    }

    [Theory]
    [InlineData(CosmosIncrementMode.Patch)]
    [InlineData(CosmosIncrementMode.ReadReplace)]
    public async Task PatchIncrementAsync_MissingDocument_ReportsNotFound(CosmosIncrementMode mode)
    {
        var store = await StoreAsync("incrmissing" + mode.ToString().ToLowerInvariant(), mode);

        var result = await store.PatchIncrementAsync<RunRecord>("ghost", "ghost", "/done", 1, cancellationToken: Token);

        Assert.Equal(CosmosOutcome.NotFound, result.Outcome);
    }

    [Fact]
    public async Task PatchIncrementAsync_PathIsThePartitionKey_ThrowsNamingTheRule()
    {
        var store = await StoreAsync("incrguard");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.PatchIncrementAsync<RunRecord>("r1", "r1", "/runId", 1, cancellationToken: Token));

        Assert.Equal("path", error.ParamName);
        Assert.Contains("/runId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_150DocumentsInPagesOfSeven_ReadsEachOnce()
    {
        var store = await StoreAsync("pages");
        await InsertShardsAsync(store, "run-a", 150);
        await InsertShardsAsync(store, "run-b", 10);

        var rows = await ToListAsync(store.QueryAsync<ShardResult>("run-a", "SELECT * FROM c WHERE c.runId = @runId", Parameters(("@runId", "run-a")), maxItemCount: 7, Token));

        Assert.Equal(150, rows.Count);
        Assert.Equal(150, rows.Select(row => row.Id).Distinct().Count());
        Assert.All(rows, row => Assert.Equal("run-a", row.RunId));
    }

    [Fact]
    public async Task QueryPageAsync_FollowingContinuationTokens_ReadsEveryDocumentOnceInSeveralPages()
    {
        var store = await StoreAsync("continuation");
        await InsertShardsAsync(store, "run-a", 150);

        var seen = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await store.QueryPageAsync<ShardResult>("run-a", "SELECT * FROM c WHERE c.runId = @runId", Parameters(("@runId", "run-a")), maxItemCount: 20, continuationToken: token, cancellationToken: Token);
            Assert.True(page.Items.Count <= 20);
            seen.AddRange(page.Items.Select(item => item.Id));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null && pages < 100);

        Assert.Equal(150, seen.Count);
        Assert.Equal(150, seen.Distinct().Count());
        Assert.InRange(pages, 8, 9);
    }

    [Fact]
    public async Task QueryAsync_ParametersAndOrderByAcrossPages_ReturnsTheMatchingRowsInOrder()
    {
        var store = await StoreAsync("params");
        await InsertShardsAsync(store, "run-a", 30);

        var rows = await ToListAsync(store.QueryAsync<ShardResult>("run-a", "SELECT * FROM c WHERE c.runId = @runId AND c.score >= @min ORDER BY c.score DESC", Parameters(("@runId", "run-a"), ("@min", 25.0)), maxItemCount: 2, Token));

        Assert.Equal([29.0, 28.0, 27.0, 26.0, 25.0], rows.Select(row => row.Score));
    }

    [Fact]
    public async Task QueryAsync_ProjectionOfValues_ReturnsScalars()
    {
        var store = await StoreAsync("projection");
        await InsertShardsAsync(store, "run-a", 5);

        var indexes = await ToListAsync(store.QueryAsync<int>("run-a", "SELECT VALUE c.index FROM c WHERE c.runId = @runId", Parameters(("@runId", "run-a")), cancellationToken: Token));

        Assert.Equal([0, 1, 2, 3, 4], indexes.Order());
    }

    [Theory]
    [InlineData("SELECT * FROM c")]
    [InlineData("SELECT * FROM c WHERE c.score > 2")]
    [InlineData("SELECT * FROM c WHERE c.runIdentifier = 'x'")]
    public async Task QueryAsync_SqlWithoutThePartitionKeyFilter_IsRefusedNamingTheRule(string sql)
    {
        var store = await StoreAsync("nokeyfilter");

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await ToListAsync(store.QueryAsync<ShardResult>("run-a", sql, cancellationToken: Token)));

        Assert.Equal("sql", error.ParamName);
        Assert.Contains("c.runId = @key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_SqlKeyDiffersFromTheRequestKey_ReturnsNothingAsOnAzure()
    {
        var store = await StoreAsync("scoped");
        await InsertShardsAsync(store, "run-a", 4);
        await InsertShardsAsync(store, "run-b", 6);

        var other = await ToListAsync(store.QueryAsync<ShardResult>("run-b", "SELECT * FROM c WHERE c.runId = 'run-a'", cancellationToken: Token));
        var own = await ToListAsync(store.QueryAsync<ShardResult>("run-b", "SELECT * FROM c WHERE c[\"runId\"] = 'run-b'", cancellationToken: Token));

        Assert.Empty(other);
        Assert.Equal(6, own.Count);
    }

    [Fact]
    public async Task QueryAsync_CountAggregate_ReturnsThePartitionsCount()
    {
        var store = await StoreAsync("count");
        await InsertShardsAsync(store, "run-a", 12);
        await InsertShardsAsync(store, "run-b", 3);

        var counts = await ToListAsync(store.QueryAsync<int>("run-a", "SELECT VALUE COUNT(1) FROM c WHERE c.runId = @runId", Parameters(("@runId", "run-a")), cancellationToken: Token));

        Assert.Equal([12], counts);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task QueryAsync_NoPartitionKey_IsRefusedAsCrossPartition(string? partitionKey)
    {
        var store = await StoreAsync("crosspartition");

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await ToListAsync(store.QueryAsync<ShardResult>(partitionKey!, "SELECT * FROM c", cancellationToken: Token)));

        Assert.Equal("partitionKey", error.ParamName);
        Assert.Contains("cross-partition", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_ParameterWithoutAt_ThrowsNamingIt()
    {
        var store = await StoreAsync("badparam");

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await ToListAsync(store.QueryAsync<ShardResult>("run-a", "SELECT * FROM c WHERE c.runId = @runId", Parameters(("runId", "run-a")), cancellationToken: Token)));

        Assert.Contains("'runId'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_SyntaxError_ThrowsNamingTheQueryAndStatus()
    {
        var store = await StoreAsync("badsql");

        var error = await Assert.ThrowsAsync<CosmosStoreException>(async () => await ToListAsync(store.QueryAsync<ShardResult>("run-a", "SELEKT * FROM c WHERE c.runId = 'run-a'", cancellationToken: Token)));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains("SELEKT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ContainerNeverCreated_ThrowsSayingToEnsureIt()
    {
        var store = Connect().GetStore(database, "never-created", "/runId");

        var error = await Assert.ThrowsAsync<CosmosStoreException>(() => store.ReadAsync<RunRecord>("r1", "r1", Token));

        Assert.Contains("never-created", error.Message, StringComparison.Ordinal);
    }

    private static RunRecord Run(string runId, int total = 10) => new(runId, runId, total, 0, RunStatus.Running);

    private static Dictionary<string, object?> Parameters(params (string Name, object? Value)[] values) => values.ToDictionary(value => value.Name, value => value.Value);

    private static async Task InsertShardsAsync(CosmosStore store, string runId, int count)
    {
        for (var start = 0; start < count; start += 10)
        {
            await Task.WhenAll(Enumerable.Range(start, Math.Min(10, count - start)).Select(i => store.UpsertAsync(new ShardResult(string.Create(CultureInfo.InvariantCulture, $"{runId}:{i:D3}"), runId, i, i), Token)));
        }
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> rows)
    {
        var list = new List<T>();
        await foreach (var row in rows)
        {
            list.Add(row);
        }

        return list;
    }

    private CosmosConnection Connect(CosmosIncrementMode mode = CosmosIncrementMode.Auto)
    {
        var connection = CosmosConnection.FromConnectionString(cosmos.ConnectionString, new CosmosStoreOptions { IncrementMode = mode });
        connections.Add(connection);
        return connection;
    }

    private Task<CosmosStore> StoreAsync(string container, CosmosIncrementMode mode = CosmosIncrementMode.Auto) =>
        Connect(mode).EnsureDatabaseAndContainerAsync(database, container, "/runId", Token);
}
