using Azure;
using Microsoft.Extensions.Logging.Abstractions;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Live;
using SigmaFlow.Platform.Live.Adapters;
using SigmaFlow.Platform.Screening;
using SigmaFlow.Platform.Workspace;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Screening;

/// <summary>
/// The market scan's failure paths on Azurite's tables with hand-written alert, push and bar-store fakes: alerts that
/// cannot be queued fail the screener without storing its match set (so the retry sends the same alerts), a push
/// failure loses nothing, an unreadable symbol is reported while the others run and keeps its previous match state.
/// Every test disables its screener at the end: the scan runs every enabled screener in the table.
/// </summary>
public sealed class MarketScanTests(AzuriteEmulator azurite)
{
    private const long T0 = 1_767_225_600_000;
    private const long Quarter = 15 * 60_000;
    private static readonly Timeframe Frame = Timeframe.Parse("15m");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_AlertsCannotBeQueued_FailsTheScreenerWithoutStoringIt_AndTheRetrySendsTheSameAlerts()
    {
        var (tables, store, id, symbols) = await SeedAsync(("UP", [10, 11, 12, 13]), ("DOWN", [13, 12, 11, 10]), ("ALSO", [1, 1, 1, 2]));
        var alerts = new RecordingAlerts { Failure = new RequestFailedException(503, "queue unavailable") };
        var scan = Scan(tables, alerts, null);

        var failed = await scan.RunAsync(Token);

        Assert.Contains(failed.Failures, f => f.StartsWith(id + ": ", StringComparison.Ordinal));
        Assert.Null(await store.GetResultAsync(id, Token));
        var attempted = alerts.Attempted.Where(a => a.Screener == id).Select(a => a.Id).ToList();
        Assert.Single(attempted);

        alerts.Failure = null;
        var retried = await scan.RunAsync(Token);
        var sent = alerts.Sent.Where(a => a.Screener == id).ToList();
        Assert.DoesNotContain(retried.Failures, f => f.StartsWith(id + ": ", StringComparison.Ordinal));
        Assert.Equal([symbols[0], symbols[2]], sent.Select(a => a.Symbol));
        Assert.Equal(attempted[0], sent[0].Id);
        Assert.Equal($"screener|{id}|{symbols[0]}|15m|{T0 + (3 * Quarter)}", sent[0].Id);
        Assert.Equal((1, 13.0, 2), (sent[0].Rank, sent[0].Value!.Value, sent[0].Matched));
        var stored = await store.GetResultAsync(id, Token);
        Assert.Equal([symbols[0], symbols[2]], stored!.NewMatches);

        var again = await scan.RunAsync(Token);
        Assert.Equal(2, alerts.Sent.Count(a => a.Screener == id));
        Assert.Empty(again.Results.Single(r => r.Screener == id).NewMatches);
        await DisableAsync(store, id);
    }

    [Fact]
    public async Task RunAsync_PushFails_TheResultIsStoredAnyway()
    {
        var (tables, store, id, _) = await SeedAsync(("UP", [10, 11, 12, 13]));
        var push = new RecordingPush { Failure = new RequestFailedException(0, "push service unreachable") };

        var report = await Scan(tables, new RecordingAlerts(), push).RunAsync(Token);

        Assert.DoesNotContain(report.Failures, f => f.StartsWith(id + ": ", StringComparison.Ordinal));
        Assert.True(report.PushFailures >= 1);
        Assert.Equal(1, (await store.GetResultAsync(id, Token))!.Matched);

        push.Failure = null;
        await Scan(tables, new RecordingAlerts(), push).RunAsync(Token);
        Assert.Contains(push.Sent, m => m.Group == ScreenerNames.Group);
        Assert.Contains(push.Sent, m => m.Group == ScreenerNames.ScreenerGroup(id));
        await DisableAsync(store, id);
    }

    [Fact]
    public async Task RunAsync_UnreadableSymbol_IsReported_TheOthersRun_AndItKeepsItsMatchStateUntilItIsBack()
    {
        var (tables, store, id, symbols) = await SeedAsync(("UP", [10, 11, 12, 13]), ("FLAKY", [10, 11, 12, 14]));
        var alerts = new RecordingAlerts();
        var bars = new FlakyBars(new TableIngestStore(tables));
        var scan = Scan(tables, alerts, null, bars);

        await scan.RunAsync(Token);
        Assert.Equal(2, alerts.Sent.Count(a => a.Screener == id));

        bars.Broken = symbols[1];
        await scan.RunAsync(Token);
        var during = await store.GetResultAsync(id, Token);
        Assert.Equal([symbols[0]], during!.Matches.Select(m => m.Symbol));
        var issue = Assert.Single(during.Errors);
        Assert.Equal(symbols[1], issue.Symbol);
        Assert.Contains("could not be read", issue.Message, StringComparison.Ordinal);

        bars.Broken = null;
        await scan.RunAsync(Token);
        Assert.Equal(2, alerts.Sent.Count(a => a.Screener == id));
        Assert.Equal(2, (await store.GetResultAsync(id, Token))!.Matched);
        await DisableAsync(store, id);
    }

    [Fact]
    public async Task ScanAsync_AdHoc_StoresAndAlertsNothing()
    {
        var (tables, store, id, symbols) = await SeedAsync(("UP", [10, 11, 12, 13]), ("DOWN", [13, 12, 11, 10]));
        await DisableAsync(store, id);
        var alerts = new RecordingAlerts();
        var push = new RecordingPush();
        var screener = ScreenerRules.Check(new ScreenerDraft(null, Timeframe: "15m", Condition: "close > sma(close, 3)"), requireId: false).Screener!;

        var result = await Scan(tables, alerts, push).ScanAsync(screener, [symbols[0], symbols[1], "NEVER" + id.ToUpperInvariant()], Token);

        Assert.Equal("adhoc", result.Screener);
        Assert.Equal([symbols[0]], result.Matches.Select(m => m.Symbol));
        Assert.Equal(3, result.Symbols);
        Assert.Single(result.Skipped);
        Assert.Empty(result.NewMatches);
        Assert.DoesNotContain(alerts.Attempted, a => a.Screener == "adhoc");
        Assert.DoesNotContain(push.Sent, m => m.Group == ScreenerNames.ScreenerGroup("adhoc"));
        Assert.Null(await store.GetResultAsync("adhoc", Token));
    }

    /// <summary>A watchlist of unique symbols with 15-minute bars from closes, and an enabled screener over it: close above its 3-bar mean, ranked by the close.</summary>
    private async Task<(TableServiceClient Tables, ScreenerStore Store, string Id, string[] Symbols)> SeedAsync(params (string Name, double[] Closes)[] series)
    {
        var tables = new TableServiceClient(azurite.ConnectionString);
        var suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var symbols = series.Select(s => s.Name + suffix).ToArray();
        var final = new List<FinalBar>();
        for (var s = 0; s < series.Length; s++)
        {
            var closes = series[s].Closes;
            for (var i = 0; i < closes.Length; i++)
            {
                var open = i == 0 ? closes[0] : closes[i - 1];
                final.Add(new FinalBar(new BarUpdate(symbols[s], Frame, new Ohlcv(T0 + (i * Quarter), open, Math.Max(open, closes[i]), Math.Min(open, closes[i]), closes[i], 100), true), []));
            }
        }

        await new TableIngestStore(tables).WriteFinalBarsAsync(final, [], Token);
        var id = "scan-" + suffix.ToLowerInvariant();
        await new WatchlistStore(tables).CreateAsync(id, id, symbols, Token);
        var store = new ScreenerStore(tables);
        var check = ScreenerRules.Check(new ScreenerDraft(id, Watchlists: [id], Timeframe: "15m", Condition: "close > sma(close, 3)", Rank: "close"));
        await store.CreateAsync(check.Screener!.Definition, Token);
        return (tables, store, id, symbols);
    }

    private static MarketScan Scan(TableServiceClient tables, IScreenerAlerts alerts, ILivePush? push, IBarStore? bars = null) =>
        new(new ScreenerStore(tables), new WatchlistStore(tables), bars ?? new TableIngestStore(tables), alerts, push, new FixedClock(T0 + (4 * Quarter) + 5_000), NullLogger.Instance);

    private static async Task DisableAsync(ScreenerStore store, string id)
    {
        var stored = await store.GetAsync(id, Token);
        await store.ReplaceAsync(stored!.Definition with { Enabled = false }, null, Token);
    }

    private sealed class RecordingAlerts : IScreenerAlerts
    {
        public Exception? Failure { get; set; }

        public List<ScreenerAlert> Attempted { get; } = [];

        public List<ScreenerAlert> Sent { get; } = [];

        public Task EnqueueAsync(ScreenerAlert alert, CancellationToken cancellationToken)
        {
            lock (Attempted)
            {
                Attempted.Add(alert);
                if (Failure is not null)
                {
                    throw Failure;
                }

                Sent.Add(alert);
            }

            return Task.CompletedTask;
        }
    }

    private sealed class RecordingPush : ILivePush
    {
        public Exception? Failure { get; set; }

        public List<(string Group, string Json)> Sent { get; } = [];

        public Task SendAsync(string group, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
        {
            if (Failure is not null)
            {
                throw Failure;
            }

            lock (Sent)
            {
                Sent.Add((group, System.Text.Encoding.UTF8.GetString(json.Span)));
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>The real bar store, except that one symbol's reads fail as an unreachable service would.</summary>
    private sealed class FlakyBars(IBarStore inner) : IBarStore
    {
        public string? Broken { get; set; }

        public Task WriteFinalBarsAsync(IReadOnlyList<FinalBar> bars, IReadOnlyList<string> indicatorFields, CancellationToken cancellationToken) => inner.WriteFinalBarsAsync(bars, indicatorFields, cancellationToken);

        public Task<IReadOnlyList<Ohlcv>> ReadFinalBarsAsync(string symbol, Timeframe timeframe, long before, int count, CancellationToken cancellationToken) =>
            symbol == Broken ? throw new RequestFailedException(0, "the table service could not be reached") : inner.ReadFinalBarsAsync(symbol, timeframe, before, count, cancellationToken);
    }

    private sealed class FixedClock(long unixMilliseconds) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);
    }
}
