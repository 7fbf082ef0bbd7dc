using System.Globalization;
using System.Net.Http;
using System.Text;
using Azure;
using SigmaFlow.Core.Data;
using SigmaFlow.Platform.Azure.EventHubs;

namespace SigmaFlow.Functions.Feeds;

/// <summary>
/// Publishes a <see cref="ITickSource"/> through an <see cref="EventHubPublisher"/>: every batch interval it gathers the
/// ticks that are due, groups them by symbol and sends each symbol's ticks as one batch with the symbol as partition
/// key (batches of at most <see cref="MaxTicksPerBatch"/> ticks, so a batch is one request). Different symbols are
/// sent concurrently; one symbol's batches go one after the other, so its ticks arrive in order.
/// </summary>
/// <remarks>
/// A batch that still fails after the client's retries is reported on stderr with the reason (repeats of the same
/// error within 5 seconds are counted, not printed), its ticks are counted as lost, and the feed goes on. When sends
/// fall behind, due ticks wait and go out in rounds of up to <see cref="FeedOptions.MaxTicksPerRound"/>; the status
/// line shows the lag. A stop (Ctrl+C) ends gathering at once and gives sends under way
/// <see cref="FeedOptions.StopGrace"/> to finish.
/// </remarks>
internal sealed class FeedPump
{
    /// <summary>Most ticks per batch: about 200 bytes each, a batch stays well under the 1 MiB (and 256 KiB Basic) request limit.</summary>
    public const int MaxTicksPerBatch = 1_000;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly TimeSpan RepeatWindow = TimeSpan.FromSeconds(5);

    private readonly EventHubPublisher publisher;
    private readonly FeedOptions options;
    private readonly TimeProvider clock;
    private readonly TextWriter stderr;
    private readonly Dictionary<string, SymbolState> symbols = new(StringComparer.Ordinal);
    private readonly List<SymbolState> symbolOrder = [];
    private long ticksSent;
    private long ticksLost;
    private long batches;
    private long failedBatches;
    private long requests;
    private string? lastErrorKey;
    private long lastErrorPrinted;
    private int suppressedErrors;

    /// <summary>Creates the pump.</summary>
    /// <param name="publisher">Where ticks go.</param>
    /// <param name="options">Settings (validated).</param>
    /// <param name="clock">The clock that paces the feed.</param>
    /// <param name="stderr">Status lines and failures.</param>
    public FeedPump(EventHubPublisher publisher, FeedOptions options, TimeProvider clock, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(stderr);
        options.Validate();
        this.publisher = publisher;
        this.options = options;
        this.clock = clock;
        this.stderr = stderr;
    }

    /// <summary>Publishes until the source ends, a limit is reached or <paramref name="cancellationToken"/> asks to stop.</summary>
    /// <param name="source">The ticks.</param>
    /// <param name="cancellationToken">Stops the feed (Ctrl+C); not an error.</param>
    /// <returns>The totals.</returns>
    public async Task<FeedResult> RunAsync(ITickSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var start = clock.GetTimestamp();
        double Elapsed() => clock.GetElapsedTime(start).TotalMilliseconds;

        using var sendStop = new CancellationTokenSource();
        using var registration = cancellationToken.Register(() => sendStop.CancelAfter(options.StopGrace));

        var maxTicks = options.MaxTicks ?? long.MaxValue;
        var durationMs = options.Duration?.TotalMilliseconds ?? double.PositiveInfinity;
        var statusEvery = options.StatusInterval?.TotalMilliseconds ?? double.PositiveInfinity;
        var nextStatus = statusEvery;
        var sentAtLastStatus = 0L;
        var lastStatusAt = 0.0;
        var lag = 0.0;
        var pending = default(FeedTick);
        var hasPending = false;
        var exhausted = false;
        long taken = 0;
        var round = new Dictionary<string, List<Tick>>(StringComparer.Ordinal);
        FeedStopReason reason;
        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                reason = FeedStopReason.Cancelled;
                break;
            }

            var roundStart = Elapsed();
            var horizon = Math.Min(roundStart, durationMs);
            var gathered = 0;
            while (gathered < options.MaxTicksPerRound && taken < maxTicks)
            {
                if (!hasPending)
                {
                    if (!source.TryNext(out pending))
                    {
                        exhausted = true;
                        break;
                    }

                    hasPending = true;
                }

                if (pending.DueMilliseconds > horizon)
                {
                    break;
                }

                if (gathered == 0)
                {
                    lag = source.IsPaced ? Math.Max(0, roundStart - pending.DueMilliseconds) : 0;
                }

                if (!round.TryGetValue(pending.Tick.Symbol, out var list))
                {
                    round[pending.Tick.Symbol] = list = [];
                }

                list.Add(pending.Tick);
                hasPending = false;
                taken++;
                gathered++;
            }

            if (gathered > 0)
            {
                await SendRoundAsync(round, sendStop.Token).ConfigureAwait(false);
                foreach (var list in round.Values)
                {
                    list.Clear();
                }
            }

            if (exhausted)
            {
                reason = FeedStopReason.EndOfData;
                break;
            }

            if (taken >= maxTicks)
            {
                reason = FeedStopReason.Count;
                break;
            }

            var now = Elapsed();
            if (roundStart >= durationMs && gathered < options.MaxTicksPerRound)
            {
                reason = FeedStopReason.Duration;
                break;
            }

            if (now >= nextStatus)
            {
                var rate = (ticksSent - sentAtLastStatus) / Math.Max(0.001, (now - lastStatusAt) / 1000);
                await stderr.WriteLineAsync(Status(rate, source.IsPaced ? lag : double.NaN)).ConfigureAwait(false);
                sentAtLastStatus = ticksSent;
                lastStatusAt = now;
                nextStatus = now + statusEvery;
            }

            if (gathered >= options.MaxTicksPerRound)
            {
                continue; // a backlog: the next round right away
            }

            var wait = Math.Min(roundStart + options.BatchInterval.TotalMilliseconds, durationMs) - Elapsed();
            if (wait > 0)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), clock, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Seen at the top of the loop.
                }
            }
        }

        if (suppressedErrors > 0)
        {
            await stderr.WriteLineAsync(string.Create(Inv, $"feed: {suppressedErrors} more failed batch(es) with the same error as above")).ConfigureAwait(false);
        }

        return new FeedResult
        {
            TicksSent = ticksSent,
            TicksLost = ticksLost,
            Batches = batches,
            FailedBatches = failedBatches,
            Requests = requests,
            Elapsed = clock.GetElapsedTime(start),
            StopReason = reason,
            Symbols = symbolOrder.Select(s => new FeedSymbolTotals(s.Symbol, s.Sent, s.Lost, s.FirstSequence, s.LastSequence)).ToList(),
        };
    }

    private string Status(double rate, double lagMilliseconds)
    {
        var text = new StringBuilder();
        text.Append(Inv, $"feed: {ticksSent:N0} ticks sent, {rate:N0}/s, {failedBatches:N0} failed batches");
        if (ticksLost > 0)
        {
            text.Append(Inv, $" ({ticksLost:N0} ticks lost)");
        }

        if (!double.IsNaN(lagMilliseconds))
        {
            text.Append(Inv, $", lag {lagMilliseconds / 1000:0.00} s");
        }

        return text.ToString();
    }

    private async Task SendRoundAsync(Dictionary<string, List<Tick>> round, CancellationToken sendToken)
    {
        var work = new List<(SymbolState State, List<Tick> Ticks)>(round.Count);
        foreach (var (symbol, ticks) in round)
        {
            if (ticks.Count == 0)
            {
                continue;
            }

            if (!symbols.TryGetValue(symbol, out var state))
            {
                symbols[symbol] = state = new SymbolState(symbol);
                symbolOrder.Add(state);
            }

            work.Add((state, ticks));
        }

        var outcomes = new List<BatchOutcome>[work.Count];
        if (work.Count == 1)
        {
            outcomes[0] = await SendSymbolAsync(work[0].Ticks, work[0].State.Symbol, sendToken).ConfigureAwait(false);
        }
        else
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrentSends };
            await Parallel.ForAsync(0, work.Count, parallel, async (i, _) =>
                outcomes[i] = await SendSymbolAsync(work[i].Ticks, work[i].State.Symbol, sendToken).ConfigureAwait(false)).ConfigureAwait(false);
        }

        for (var i = 0; i < work.Count; i++)
        {
            var state = work[i].State;
            if (state.FirstSequence < 0)
            {
                state.FirstSequence = work[i].Ticks[0].Sequence;
            }

            state.LastSequence = work[i].Ticks[^1].Sequence;
            foreach (var outcome in outcomes[i])
            {
                batches++;
                requests += outcome.Requests;
                ticksSent += outcome.Sent;
                state.Sent += outcome.Sent;
                var lost = outcome.Count - outcome.Sent;
                ticksLost += lost;
                state.Lost += lost;
                if (outcome.Error is not null)
                {
                    failedBatches++;
                    await ReportAsync(state.Symbol, outcome).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task ReportAsync(string symbol, BatchOutcome outcome)
    {
        var now = clock.GetTimestamp();
        if (outcome.ErrorKey == lastErrorKey && clock.GetElapsedTime(lastErrorPrinted, now) < RepeatWindow)
        {
            suppressedErrors++;
            return;
        }

        var repeats = suppressedErrors > 0 ? string.Create(Inv, $" ({suppressedErrors} similar failure(s) before this one not shown)") : string.Empty;
        await stderr.WriteLineAsync(string.Create(
            Inv,
            $"feed: batch of {outcome.Count} {symbol} ticks (seq {outcome.FirstSequence}–{outcome.LastSequence}) lost{(outcome.Sent > 0 ? $" ({outcome.Sent} sent)" : string.Empty)}: {outcome.Error}{repeats}")).ConfigureAwait(false);
        lastErrorKey = outcome.ErrorKey;
        lastErrorPrinted = now;
        suppressedErrors = 0;
    }

    private async Task<List<BatchOutcome>> SendSymbolAsync(List<Tick> ticks, string symbol, CancellationToken sendToken)
    {
        var outcomes = new List<BatchOutcome>((ticks.Count / MaxTicksPerBatch) + 1);
        for (var from = 0; from < ticks.Count; from += MaxTicksPerBatch)
        {
            var count = Math.Min(MaxTicksPerBatch, ticks.Count - from);
            var events = new EventData[count];
            for (var i = 0; i < count; i++)
            {
                events[i] = new EventData(Encoding.UTF8.GetString(TickCodec.Write(ticks[from + i])));
            }

            var first = ticks[from].Sequence;
            var last = ticks[from + count - 1].Sequence;
            outcomes.Add(await SendBatchAsync(events, symbol, first, last, sendToken).ConfigureAwait(false));
        }

        return outcomes;
    }

    private async Task<BatchOutcome> SendBatchAsync(EventData[] events, string symbol, long first, long last, CancellationToken sendToken)
    {
        BatchOutcome Failed(string error, string key) => new(events.Length, 0, 0, first, last, error, key);
        try
        {
            var result = await publisher.SendAsync(events, symbol, sendToken).ConfigureAwait(false);
            return result.AllSent
                ? new BatchOutcome(events.Length, result.Sent.Count, result.Requests, first, last, null, null)
                : new BatchOutcome(events.Length, result.Sent.Count, result.Requests, first, last, result.Rejected[0].Reason, "rejected");
        }
        catch (RequestFailedException e)
        {
            return Failed(e.Message, string.Create(Inv, $"status {e.Status} {e.ErrorCode}"));
        }
        catch (AggregateException e)
        {
            // Azure.Core's retry policy gives up on transport faults (connection refused, reset, timeouts) this way.
            var lastFault = e.InnerExceptions.Count > 0 ? e.InnerExceptions[^1] : e;
            return Failed(string.Create(Inv, $"{lastFault.Message} (after {e.InnerExceptions.Count} attempts)"), "transport " + lastFault.GetType().Name);
        }
        catch (OperationCanceledException) when (sendToken.IsCancellationRequested)
        {
            return Failed("stopped before the send finished (Ctrl+C); the service may or may not have stored it", "stopped");
        }
        catch (OperationCanceledException e)
        {
            return Failed("the request timed out: " + e.Message, "timeout");
        }
        catch (HttpRequestException e)
        {
            return Failed(e.Message, "transport " + e.GetType().Name);
        }
        catch (IOException e)
        {
            return Failed(e.Message, "transport " + e.GetType().Name);
        }
    }

    /// <summary>What one batch did.</summary>
    private sealed record BatchOutcome(int Count, int Sent, int Requests, long FirstSequence, long LastSequence, string? Error, string? ErrorKey);

    private sealed class SymbolState(string symbol)
    {
        public string Symbol { get; } = symbol;

        public long Sent { get; set; }

        public long Lost { get; set; }

        public long FirstSequence { get; set; } = -1;

        public long LastSequence { get; set; } = -1;
    }
}
