using SigmaFlow.Core.Data;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Screening;
using SigmaFlow.Platform.Workspace;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Screening;

/// <summary>Screener definitions and results in Azurite's tables: keys, round trips, conflicts, ETags, large results, match sets.</summary>
public sealed class ScreenerStoreTests(AzuriteEmulator azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Definitions_RoundTrip_ConflictOnCreate_ETagOnReplace_AndDeleteTakesTheResults()
    {
        var store = new ScreenerStore(new TableServiceClient(azurite.ConnectionString));
        var id = Unique("oversold");
        var definition = new ScreenerDefinition(id, "Oversold", ["majors", "tech"], Timeframe.Parse("1h"), "rsi(14) < 30", "100 - rsi(14)", ScreenerOrder.Ascending, 7, false);

        var created = await store.CreateAsync(definition, Token);
        var read = await store.GetAsync(id, Token);

        Assert.Equivalent(definition, read!.Definition, strict: true);
        Assert.Equal(created.ETag, read.ETag);
        Assert.Contains(await store.ListAsync(Token), s => s.Definition.Id == id);
        await Assert.ThrowsAsync<WorkspaceConflictException>(() => store.CreateAsync(definition with { Name = "again" }, Token));

        var replaced = await store.ReplaceAsync(definition with { Rank = null }, created.ETag, Token);
        Assert.Null(replaced!.Definition.Rank);
        Assert.Equal(created.CreatedAt, replaced.CreatedAt);
        Assert.Null((await store.GetAsync(id, Token))!.Definition.Rank);
        await Assert.ThrowsAsync<WorkspaceConflictException>(() => store.ReplaceAsync(definition, created.ETag, Token));
        Assert.Null(await store.ReplaceAsync(definition with { Id = Unique("missing") }, null, Token));

        await store.SaveResultAsync(Result(id, 1), ["BTCUSD"], "basis", Token);
        Assert.True(await store.DeleteAsync(id, Token));
        Assert.Null(await store.GetAsync(id, Token));
        Assert.Null(await store.GetResultAsync(id, Token));
        Assert.Empty(await store.GetMatchSetAsync(id, "basis", Token));
        Assert.False(await store.DeleteAsync(id, Token));
        Assert.Null(await store.GetAsync("Not An Id", Token));
    }

    [Fact]
    public async Task Results_RoundTrip_LargeOnesSplitOverProperties_AndTheListHasEveryScreener()
    {
        var tables = new TableServiceClient(azurite.ConnectionString);
        var store = new ScreenerStore(tables);
        var small = Unique("small");
        var large = Unique("large");
        var smallResult = Result(small, 2);
        var largeResult = Result(large, 500) with
        {
            Skipped = Enumerable.Range(0, 900).Select(i => new ScreenerSkip("SYM" + i, "needs 200 final 15m bars (warm-up 199 + 1); 12 stored — a long reason to make the row large")).ToList(),
        };

        await store.SaveResultAsync(smallResult, ["S0", "S1"], "15m|close > 0", Token);
        await store.SaveResultAsync(largeResult, largeResult.Matches.Select(m => m.Symbol).ToList(), "15m|close > 0", Token);

        Assert.Equivalent(smallResult, await store.GetResultAsync(small, Token), strict: true);
        var readLarge = await store.GetResultAsync(large, Token);
        Assert.Equivalent(largeResult, readLarge, strict: true);
        var row = await tables.GetTableClient(ScreenerNames.ResultsTable).GetEntityAsync(large, ScreenerNames.LatestRow, cancellationToken: Token);
        Assert.True(row!.GetInt32("parts") > 1, "the large result is split over several properties");
        Assert.Equal(500, row.GetInt32("matched"));
        var listed = await store.ListResultsAsync(Token);
        Assert.Contains(listed, r => r.Screener == small);
        Assert.Contains(listed, r => r.Screener == large && r.Matches.Count == 500);
    }

    [Fact]
    public async Task MatchSet_IsThePreviousRunsSymbols_UntilTheConditionOrTimeframeChanges()
    {
        var store = new ScreenerStore(new TableServiceClient(azurite.ConnectionString));
        var id = Unique("set");
        var definition = new ScreenerDefinition(id, id, [], Timeframe.Parse("15m"), "close > open", null);
        var basis = ScreenerStore.Basis(definition);

        Assert.Empty(await store.GetMatchSetAsync(id, basis, Token));
        await store.SaveResultAsync(Result(id, 2), ["ETHUSD", "BTCUSD"], basis, Token);

        Assert.Equal(["BTCUSD", "ETHUSD"], (await store.GetMatchSetAsync(id, basis, Token)).Order(StringComparer.Ordinal));
        Assert.Empty(await store.GetMatchSetAsync(id, ScreenerStore.Basis(definition with { Condition = "close < open" }), Token));
        Assert.Empty(await store.GetMatchSetAsync(id, ScreenerStore.Basis(definition with { Timeframe = Timeframe.Parse("1h") }), Token));
        Assert.Equal(basis, ScreenerStore.Basis(definition with { Rank = "rsi(14)", Limit = 3 }));
    }

    [Fact]
    public void Fit_AResultTooLargeForARow_KeepsTheFirstSkipsAndErrorsWithANote()
    {
        var huge = Result("huge", 10) with
        {
            Skipped = Enumerable.Range(0, 5000).Select(i => new ScreenerSkip("SYM" + i, new string('r', 100))).ToList(),
        };

        var fitted = ScreenerStore.Fit(huge);

        Assert.Equal(100, fitted.Skipped.Count);
        Assert.Equal(3, fitted.Errors.Count);
        Assert.Contains("5000 skipped symbols and 2 errors", fitted.Errors[^1].Message, StringComparison.Ordinal);
        Assert.Same(fitted, ScreenerStore.Fit(fitted));
    }

    internal static ScreenerResult Result(string id, int matches) => new(
        id,
        "Name of " + id,
        "15m",
        "close > open",
        "roc(10).roc",
        "desc",
        matches,
        new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero),
        matches + 1,
        matches,
        matches,
        Enumerable.Range(0, matches).Select(i => new ScreenerMatch(i + 1, "S" + i, 1_767_225_600_000 + i, 100.25 + i, i == 1 ? null : 1.5 / (i + 1))).ToList(),
        ["S0"],
        [new ScreenerSkip("NEW", "needs 11 final 15m bars (warm-up 10 + 1); 3 stored")],
        [new ScreenerIssue(null, "watchlist 'gone' does not exist (deleted?); its symbols were not scanned"), new ScreenerIssue("BAD", "its 15m bars could not be read: boom")]);

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];
}
