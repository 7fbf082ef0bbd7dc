using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Microsoft.Extensions.Logging;
using SigmaFlow.Core.Data;
using SigmaFlow.Platform.Live;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Platform.Screening;

/// <summary>What one timer scan did.</summary>
/// <param name="ScannedAt">When it ran.</param>
/// <param name="Screeners">Enabled screeners run.</param>
/// <param name="Symbols">Distinct symbol and timeframe pairs whose bars were read.</param>
/// <param name="Matched">Matches over every screener.</param>
/// <param name="NewMatches">Matches that are new to their screener.</param>
/// <param name="Alerts">Alert candidates queued.</param>
/// <param name="Broken">Screeners that could not run (their expressions do not compile); their results say why.</param>
/// <param name="PushFailures">Results that could not be pushed (stored all the same).</param>
/// <param name="Failures">Screeners whose alerts or result could not be stored, with the reason: the run must be retried.</param>
/// <param name="Results">The results of the screeners, stored or not.</param>
public sealed record MarketScanReport(
    DateTimeOffset ScannedAt,
    int Screeners,
    int Symbols,
    int Matched,
    int NewMatches,
    int Alerts,
    int Broken,
    int PushFailures,
    IReadOnlyList<string> Failures,
    IReadOnlyList<ScreenerResult> Results)
{
    /// <summary>One line for the invocation log.</summary>
    /// <returns>The line.</returns>
    public string ToLogLine() => string.Create(
        CultureInfo.InvariantCulture,
        $"ScanMarkets at {ScannedAt:O}: {Screeners} screener(s) over {Symbols} symbol series, {Matched} match(es), {NewMatches} new, {Alerts} alert(s) queued, {Broken} broken, {PushFailures} push failure(s), {Failures.Count} failure(s){(Failures.Count > 0 ? ": " + string.Join("; ", Failures) : string.Empty)}");
}

/// <summary>
/// The market scan use case. <see cref="RunAsync"/> (the <c>ScanMarkets</c> timer): every enabled screener over its
/// watchlists' stored final bars; per screener the new matches (matching now, not in the previous run's match set)
/// become alert candidates, then the result and the new match set are stored together, then the result is pushed to
/// <c>screener</c> and <c>screener.{id}</c>. Alerts go out before the match set is stored, so a run that fails in
/// between is retried with the same alerts (same ids: delivery drops the duplicates) instead of losing them; a run
/// retried after it was stored finds nothing new. A screener that does not compile, a missing watchlist, a symbol
/// whose bars cannot be read or evaluated: each is recorded in its result and the rest goes on.
/// <see cref="ScanAsync"/> runs one screener over given symbols and stores nothing (the API's ad-hoc scan).
/// </summary>
public sealed partial class MarketScan
{
    private readonly ScreenerStore screeners;
    private readonly WatchlistStore watchlists;
    private readonly IBarStore bars;
    private readonly IScreenerAlerts? alerts;
    private readonly ILivePush? push;
    private readonly TimeProvider clock;
    private readonly ILogger log;
    private readonly int readConcurrency;

    /// <summary>Creates the use case.</summary>
    /// <param name="screeners">The screener definitions and results.</param>
    /// <param name="watchlists">The watchlists.</param>
    /// <param name="bars">The live pipeline's final bars.</param>
    /// <param name="alerts">Where alert candidates go, or null for none.</param>
    /// <param name="push">Where results are pushed, or null for nowhere.</param>
    /// <param name="clock">The clock (the scan time).</param>
    /// <param name="log">Warnings: broken screeners, screeners that failed, push failures (the run's summary is <see cref="MarketScanReport.ToLogLine"/>).</param>
    /// <param name="readConcurrency">Symbols whose bars are read at once (default 8).</param>
    public MarketScan(ScreenerStore screeners, WatchlistStore watchlists, IBarStore bars, IScreenerAlerts? alerts, ILivePush? push, TimeProvider clock, ILogger log, int readConcurrency = 8)
    {
        ArgumentNullException.ThrowIfNull(screeners);
        ArgumentNullException.ThrowIfNull(watchlists);
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfLessThan(readConcurrency, 1);
        this.screeners = screeners;
        this.watchlists = watchlists;
        this.bars = bars;
        this.alerts = alerts;
        this.push = push;
        this.clock = clock;
        this.log = log;
        this.readConcurrency = readConcurrency;
    }

    /// <summary>Runs every enabled screener once (the timer scan).</summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What was done; <see cref="MarketScanReport.Failures"/> lists screeners that must be run again.</returns>
    public async Task<MarketScanReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var scannedAt = clock.GetUtcNow();
        var enabled = (await screeners.ListAsync(cancellationToken).ConfigureAwait(false)).Where(s => s.Definition.Enabled).Select(s => s.Definition).ToList();
        var lists = enabled.Count == 0
            ? new Dictionary<string, Watchlist>(StringComparer.Ordinal)
            : (await watchlists.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(w => w.Id, StringComparer.Ordinal);

        // Plan every screener, then read each symbol's bars once per timeframe (the largest window any screener needs).
        var plans = enabled.Select(d => new Plan(d, ScreenerRules.Compile(d), Universe(d, lists))).ToList();
        var reads = new Dictionary<(string Symbol, Timeframe Timeframe), int>();
        foreach (var plan in plans.Where(p => p.Check.IsValid))
        {
            foreach (var symbol in plan.Universe.Symbols)
            {
                var key = (symbol, plan.Definition.Timeframe);
                reads[key] = Math.Max(reads.GetValueOrDefault(key), plan.Check.Screener!.Window);
            }
        }

        var series = await ReadAsync(reads, scannedAt, cancellationToken).ConfigureAwait(false);
        var results = new List<ScreenerResult>();
        var failures = new List<string>();
        int matched = 0, fresh = 0, queued = 0, broken = 0, pushFailures = 0;
        foreach (var plan in plans)
        {
            var id = plan.Definition.Id;
            try
            {
                var (result, matchSet, alerted) = await RunOneAsync(plan, series, scannedAt, cancellationToken).ConfigureAwait(false);
                queued += alerted;
                results.Add(result);
                await screeners.SaveResultAsync(result, matchSet, ScreenerStore.Basis(plan.Definition), cancellationToken).ConfigureAwait(false);
                matched += result.Matched;
                fresh += result.NewMatches.Count;
                broken += result.Error is null ? 0 : 1;
                if (!await PushAsync(result, cancellationToken).ConfigureAwait(false))
                {
                    pushFailures++;
                }
            }
            catch (Exception e) when (e is RequestFailedException or InvalidOperationException or ArgumentException or System.Text.Json.JsonException or IOException or HttpRequestException)
            {
                ScreenerFailed(log, id, e.GetType().Name, e.Message);
                failures.Add($"{id}: {e.Message}");
            }
        }

        return new MarketScanReport(scannedAt, plans.Count, reads.Count, matched, fresh, queued, broken, pushFailures, failures, results);
    }

    /// <summary>Runs one screener over the given symbols; stores, pushes and alerts nothing (the ad-hoc scan).</summary>
    /// <param name="screener">The compiled screener.</param>
    /// <param name="symbols">The symbols (upper case, each once; at most <see cref="ScreenerDefinition.MaxSymbols"/>).</param>
    /// <param name="cancellationToken">Cancels the scan.</param>
    /// <returns>The result.</returns>
    public async Task<ScreenerResult> ScanAsync(CompiledScreener screener, IReadOnlyList<string> symbols, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(screener);
        ArgumentNullException.ThrowIfNull(symbols);
        var scannedAt = clock.GetUtcNow();
        var timeframe = screener.Definition.Timeframe;
        var reads = symbols.Distinct(StringComparer.Ordinal).ToDictionary(s => (s, timeframe), _ => screener.Window);
        var series = await ReadAsync(reads, scannedAt, cancellationToken).ConfigureAwait(false);
        var universe = new ScanUniverse(symbols.Distinct(StringComparer.Ordinal).ToList(), []);
        var (result, _, _) = Evaluate(screener, universe, series, scannedAt, new HashSet<string>(StringComparer.Ordinal), newMatchesWanted: false);
        return result;
    }

    private async Task<(ScreenerResult Result, IReadOnlyCollection<string> MatchSet, int Alerts)> RunOneAsync(Plan plan, IReadOnlyDictionary<(string, Timeframe), BarsRead> series, DateTimeOffset scannedAt, CancellationToken cancellationToken)
    {
        var definition = plan.Definition;
        var previous = await screeners.GetMatchSetAsync(definition.Id, ScreenerStore.Basis(definition), cancellationToken).ConfigureAwait(false);
        if (plan.Check.Screener is not { } screener)
        {
            // Reported, not retried: the definition itself is wrong. The match set stays as it was.
            var error = "the screener cannot run: " + string.Join("; ", plan.Check.Errors);
            BrokenScreener(log, definition.Id, error);
            var brokenResult = new ScreenerResult(definition.Id, definition.Name, definition.Timeframe.ToString(), definition.Condition, definition.Rank, definition.OrderText, definition.Limit, scannedAt, plan.Universe.Symbols.Count, 0, 0, [], [], [], plan.Universe.Issues, error);
            return (brokenResult, previous.ToList(), 0);
        }

        var (result, matchSet, newMatches) = Evaluate(screener, plan.Universe, series, scannedAt, previous, newMatchesWanted: true);
        var sent = 0;
        if (alerts is not null)
        {
            foreach (var match in newMatches)
            {
                var alert = new ScreenerAlert(definition.Id, definition.Name, match.Symbol, definition.Timeframe.ToString(), match.Time, match.Close, match.Value, match.Rank, result.Matched, definition.Condition);
                await alerts.EnqueueAsync(alert, cancellationToken).ConfigureAwait(false);
                sent++;
            }
        }

        return (result, matchSet, sent);
    }

    private static (ScreenerResult Result, IReadOnlyCollection<string> MatchSet, IReadOnlyList<ScreenerMatch> NewMatches) Evaluate(
        CompiledScreener screener,
        ScanUniverse universe,
        IReadOnlyDictionary<(string, Timeframe), BarsRead> series,
        DateTimeOffset scannedAt,
        IReadOnlySet<string> previous,
        bool newMatchesWanted)
    {
        var definition = screener.Definition;
        var issues = new List<ScreenerIssue>(universe.Issues);
        var inputs = new List<SymbolBars>(universe.Symbols.Count);
        foreach (var symbol in universe.Symbols)
        {
            var read = series[(symbol, definition.Timeframe)];
            if (read.Series is null)
            {
                issues.Add(new ScreenerIssue(symbol, read.Error ?? "bars could not be read"));
                continue;
            }

            var window = Math.Min(read.Series.Count, screener.Window);
            inputs.Add(new SymbolBars(symbol, window == read.Series.Count ? read.Series : read.Series.Slice(read.Series.Count - window, window)));
        }

        var evaluation = ScreenerEngine.Evaluate(screener, inputs);
        issues.AddRange(evaluation.Errors);

        // A symbol not evaluated this time (too few bars, unreadable) keeps its previous state, so a gap in the data
        // does not make it "new" again when it comes back.
        var matchSet = new HashSet<string>(evaluation.Matches.Select(m => m.Symbol), StringComparer.Ordinal);
        foreach (var symbol in evaluation.Skipped.Select(s => s.Symbol).Concat(issues.Where(i => i.Symbol is not null).Select(i => i.Symbol!)))
        {
            if (previous.Contains(symbol))
            {
                matchSet.Add(symbol);
            }
        }

        var newMatches = newMatchesWanted ? evaluation.Matches.Where(m => !previous.Contains(m.Symbol)).ToList() : [];
        var result = new ScreenerResult(
            definition.Id,
            definition.Name,
            definition.Timeframe.ToString(),
            definition.Condition,
            definition.Rank,
            definition.OrderText,
            definition.Limit,
            scannedAt,
            universe.Symbols.Count,
            evaluation.Evaluated,
            evaluation.Matches.Count,
            evaluation.Matches.Take(definition.Limit).ToList(),
            newMatches.Select(m => m.Symbol).ToList(),
            evaluation.Skipped,
            issues);
        return (result, matchSet, newMatches);
    }

    /// <summary>The symbols of a screener's watchlists (every watchlist when it names none), in watchlist order, each once.</summary>
    private static ScanUniverse Universe(ScreenerDefinition definition, IReadOnlyDictionary<string, Watchlist> lists)
    {
        var issues = new List<ScreenerIssue>();
        var names = definition.AllWatchlists ? lists.Keys.Order(StringComparer.Ordinal).ToList() : definition.Watchlists;
        if (definition.AllWatchlists && names.Count == 0)
        {
            issues.Add(new ScreenerIssue(null, "there are no watchlists; create one with POST /api/watchlists"));
        }

        var symbols = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!lists.TryGetValue(name, out var list))
            {
                issues.Add(new ScreenerIssue(null, $"watchlist '{name}' does not exist (deleted?); its symbols were not scanned"));
                continue;
            }

            foreach (var symbol in list.Symbols)
            {
                var upper = symbol.ToUpperInvariant();
                if (seen.Add(upper))
                {
                    symbols.Add(upper);
                }
            }
        }

        if (symbols.Count > ScreenerDefinition.MaxSymbols)
        {
            issues.Add(new ScreenerIssue(null, string.Create(CultureInfo.InvariantCulture, $"the watchlists hold {symbols.Count} symbols; the first {ScreenerDefinition.MaxSymbols} were scanned")));
            symbols = symbols.Take(ScreenerDefinition.MaxSymbols).ToList();
        }

        return new ScanUniverse(symbols, issues);
    }

    private async Task<IReadOnlyDictionary<(string, Timeframe), BarsRead>> ReadAsync(IReadOnlyDictionary<(string Symbol, Timeframe Timeframe), int> reads, DateTimeOffset scannedAt, CancellationToken cancellationToken)
    {
        var before = scannedAt.ToUnixTimeMilliseconds() + 1;
        var result = new ConcurrentDictionary<(string, Timeframe), BarsRead>();
        await Parallel.ForEachAsync(reads, new ParallelOptions { MaxDegreeOfParallelism = readConcurrency, CancellationToken = cancellationToken }, async (read, token) =>
        {
            var ((symbol, timeframe), count) = read;
            try
            {
                var stored = await bars.ReadFinalBarsAsync(symbol, timeframe, before, count, token).ConfigureAwait(false);
                var builder = new BarSeriesBuilder(Math.Max(1, stored.Count));
                foreach (var bar in stored)
                {
                    builder.Add(bar);
                }

                result[(symbol, timeframe)] = new BarsRead(builder.Build(symbol), null);
            }
            catch (Exception e) when (e is RequestFailedException or FormatException or ArgumentException or InvalidOperationException or IOException or HttpRequestException)
            {
                result[(symbol, timeframe)] = new BarsRead(null, $"its {timeframe} bars could not be read: {e.Message}");
            }
        }).ConfigureAwait(false);
        return result;
    }

    private async Task<bool> PushAsync(ScreenerResult result, CancellationToken cancellationToken)
    {
        if (push is null)
        {
            return true;
        }

        var message = ScreenerMessages.Result(result);
        try
        {
            await push.SendAsync(ScreenerNames.Group, message, cancellationToken).ConfigureAwait(false);
            await push.SendAsync(ScreenerNames.ScreenerGroup(result.Screener), message, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RequestFailedException or InvalidOperationException or IOException or HttpRequestException)
        {
            PushFailed(log, result.Screener, e.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ScanMarkets: screener {Screener} failed ({ErrorType}: {Error}); the run will be retried")]
    private static partial void ScreenerFailed(ILogger logger, string screener, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ScanMarkets: screener {Screener} is broken: {Error}")]
    private static partial void BrokenScreener(ILogger logger, string screener, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ScanMarkets: the result of screener {Screener} was stored but could not be pushed: {Error}")]
    private static partial void PushFailed(ILogger logger, string screener, string error);

    private sealed record ScanUniverse(IReadOnlyList<string> Symbols, IReadOnlyList<ScreenerIssue> Issues);

    private sealed record Plan(ScreenerDefinition Definition, ScreenerCheck Check, ScanUniverse Universe);

    private sealed record BarsRead(BarSeries? Series, string? Error);
}
