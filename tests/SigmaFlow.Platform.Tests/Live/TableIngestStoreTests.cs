using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Live;
using SigmaFlow.Platform.Live.Adapters;
using SigmaFlow.Tests.Emulators;
using static SigmaFlow.Platform.Tests.Live.Ticks;

namespace SigmaFlow.Platform.Tests.Live;

/// <summary>The pipeline's Table storage adapter against Azurite: keys, round trips, windows, and a restart on real tables.</summary>
public sealed class TableIngestStoreTests(AzuriteEmulator azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadFinalBarsAsync_GivesTheLatestBarsBeforeTheBound_AcrossAQuietDay()
    {
        var store = new TableIngestStore(new TableServiceClient(azurite.ConnectionString));
        var symbol = "BRK/B" + Guid.NewGuid().ToString("N")[..6];
        var frame = Timeframe.Parse("1m");
        var first = Enumerable.Range(0, 30).Select(i => T0 + (i * Minute));
        var second = Enumerable.Range(0, 20).Select(i => T0 + (30 * Minute) + (24 * 60 * Minute) + (i * Minute));
        var bars = first.Concat(second).Select(t => new FinalBar(new BarUpdate(symbol, frame, new Ohlcv(t, 1.5, 2, 1, 1.75, 0.1 + 0.2), true), [double.NaN, 3.25])).ToList();
        await store.WriteFinalBarsAsync(bars, ["a", "b"], Token);

        var end = bars[^1].Update.Bar.Time + Minute;
        var latest = await store.ReadFinalBarsAsync(symbol, frame, end, 25, Token);
        Assert.Equal(bars.Skip(25).Select(b => b.Update.Bar), latest);
        Assert.Equal(0.1 + 0.2, latest[0].Volume);
        Assert.Equal(bars.Take(10).Select(b => b.Update.Bar), await store.ReadFinalBarsAsync(symbol, frame, T0 + (10 * Minute), 500, Token));
        Assert.Empty(await store.ReadFinalBarsAsync(symbol, Timeframe.Parse("5m"), end, 25, Token));

        var row = await new TableServiceClient(azurite.ConnectionString).GetTableClient(LiveNames.BarsTable).GetEntityAsync(LiveKeys.Bars(symbol, frame), LiveKeys.Time(T0), cancellationToken: Token);
        Assert.Equal("""{"a":null,"b":3.25}""", row!.GetString("indicators"));
        Assert.StartsWith("BRK%2FB", row.PartitionKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SymbolStates_RoundTripExactly_AndMoveBetweenPartitions()
    {
        var store = new TableIngestStore(new TableServiceClient(azurite.ConnectionString));
        var partition = "p" + Guid.NewGuid().ToString("N")[..6];
        var bars = new BarBuilderState(T0 + Minute, T0 + Minute + 1234, [new FormingBar(T0 + Minute, 0.1 + 0.2, 1e-300, 0.1, 1 / 3.0, 12.345678901234567, T0 + Minute + 5, T0 + Minute + 1234)]);
        var state = new StoredSymbolState("A|1#", partition, new LiveSymbolState(bars, double.NaN), 42, T0 + 99, 7, long.MinValue, At(T0));
        var empty = new StoredSymbolState("B", partition, new LiveSymbolState(new BarBuilderState(long.MinValue, long.MinValue, []), 101.5), -1, long.MinValue, -1, long.MinValue, At(T0));
        await store.WriteSymbolStatesAsync([state, empty], Token);

        var read = (await store.ReadSymbolStatesAsync(partition, Token)).OrderBy(s => s.Symbol, StringComparer.Ordinal).ToList();
        Assert.Equal(2, read.Count);
        Assert.Equal(state with { Live = read[0].Live }, read[0]);
        Assert.Equal(bars.Open, read[0].Live.Bars.Open);
        Assert.Equal((bars.FinalUntil, bars.MaxTime), (read[0].Live.Bars.FinalUntil, read[0].Live.Bars.MaxTime));
        Assert.True(double.IsNaN(read[0].Live.LastPrice));
        Assert.Equal(101.5, read[1].Live.LastPrice);
        Assert.Empty(read[1].Live.Bars.Open);

        var moved = await store.ReadSymbolStateAsync("elsewhere", "A|1#", Token);
        Assert.Equal(partition, moved!.PartitionId);
        await store.DeleteSymbolStateAsync(partition, "A|1#", Token);
        Assert.Null(await store.ReadSymbolStateAsync(partition, "A|1#", Token));
    }

    [Fact]
    public async Task Signals_AreRecordedOnce_AndTheAlertedMarkSurvivesARecording()
    {
        var store = new TableIngestStore(new TableServiceClient(azurite.ConnectionString));
        var symbol = "S" + Guid.NewGuid().ToString("N")[..6];
        var signals = new[] { new SignalEvent(symbol, "x/y", Timeframe.Parse("1m"), SignalKind.LongEntry, T0, 1), new SignalEvent(symbol, "x/y", Timeframe.Parse("1m"), SignalKind.LongExit, T0 + Minute, 2) };

        Assert.Equal(signals, await store.RecordSignalsAsync(signals, Token));
        Assert.Equal(signals, await store.RecordSignalsAsync(signals, Token));
        await store.MarkAlertedAsync([signals[0]], Token);
        Assert.Equal([signals[1]], await store.RecordSignalsAsync(signals, Token));
        var row = await new TableServiceClient(azurite.ConnectionString).GetTableClient(LiveNames.SignalsTable).GetEntityAsync(symbol, LiveKeys.Escape(signals[0].Id), cancellationToken: Token);
        Assert.Equal(true, row!.GetBoolean("alerted"));
        Assert.Equal("longEntry", row.GetString("kind"));
    }

    [Fact]
    public async Task Pipeline_OnTables_RestartInTheMiddleOfAMinute_StoresWhatAnUninterruptedRunStores()
    {
        var tables = new TableServiceClient(azurite.ConnectionString);
        var queues = new QueueServiceClient(azurite.ConnectionString);
        var ports = AzureIngestPorts.Create(tables, queues, push: null);
        var run = Guid.NewGuid().ToString("N")[..6];
        var options = Options(LiveStrategies.Default());
        var ticks = Simulate(4000, ["A", "B"], ticksPerSecond: 1);

        // The same ticks twice under different symbols and partitions: once straight through, once with a restart.
        List<IngestBatch> Feed(string prefix, string partition)
        {
            var renamed = ticks.Select(t => t with { Symbol = prefix + t.Symbol }).ToArray();
            return Batches(Events(renamed), 100, partition);
        }

        using (var straight = new IngestPipeline("s" + run, options, ports))
        {
            foreach (var batch in Feed("S" + run, "s" + run))
            {
                await straight.ProcessAsync(batch, Token);
            }
        }

        var restarted = Feed("R" + run, "r" + run);
        var cut = restarted.Count / 2;
        using (var before = new IngestPipeline("r" + run, options, ports))
        {
            foreach (var batch in restarted.Take(cut))
            {
                await before.ProcessAsync(batch, Token);
            }
        }

        using (var after = new IngestPipeline("r" + run, options, ports))
        {
            var first = await after.ProcessAsync(restarted[cut], Token);
            Assert.Equal(2, first.SymbolsLoaded);
            foreach (var batch in restarted.Skip(cut + 1))
            {
                await after.ProcessAsync(batch, Token);
            }
        }

        foreach (var symbol in new[] { "A", "B" })
        {
            foreach (var frame in new[] { "1m", "5m" })
            {
                var expected = await Bars(tables, LiveKeys.Bars("S" + run + symbol, Timeframe.Parse(frame)));
                var actual = await Bars(tables, LiveKeys.Bars("R" + run + symbol, Timeframe.Parse(frame)));
                Assert.NotEmpty(expected);
                Assert.Equal(expected, actual);
            }
        }
    }

    private static async Task<List<string>> Bars(TableServiceClient tables, string partition)
    {
        var rows = new List<string>();
        await foreach (var row in tables.GetTableClient(LiveNames.BarsTable).QueryAsync(TableFilter.Equal("PartitionKey", partition), cancellationToken: Token))
        {
            rows.Add($"{row.RowKey} {row.GetDouble("open")} {row.GetDouble("high")} {row.GetDouble("low")} {row.GetDouble("close")} {row.GetDouble("volume")} {row.GetString("indicators")}");
        }

        return rows;
    }
}
