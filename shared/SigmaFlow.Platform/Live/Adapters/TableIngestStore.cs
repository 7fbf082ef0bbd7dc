using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Live.Adapters;

/// <summary>
/// The pipeline's stores on Azure Table storage (or Azurite): tables <c>bars</c>, <c>symbolstate</c>, <c>quotes</c>,
/// <c>signals</c>, <c>deadletters</c> and <c>checkpoints</c>, created on first use. Every write is an upsert keyed by
/// what it describes, grouped into entity-group transactions of up to 100 entities per partition key. The client
/// retries each request; a final failure is thrown. Thread-safe.
/// </summary>
public sealed class TableIngestStore : IBarStore, ILiveStateStore, IQuoteStore, ISignalStore, IDeadLetterStore
{
    private const int MaxTransaction = 100;
    private const int WarmRounds = 4;
    private const int WarmGrowth = 4;
    private readonly TableServiceClient service;
    private readonly TimeProvider clock;
    private readonly int concurrency;
    private readonly TableClient bars;
    private readonly TableClient symbolState;
    private readonly TableClient quotes;
    private readonly TableClient signals;
    private readonly TableClient deadLetters;
    private readonly TableClient checkpoints;
    private readonly Lock gate = new();
    private Task? ready;

    /// <summary>Creates the store.</summary>
    /// <param name="service">The table service (one per process).</param>
    /// <param name="clock">Timestamps of the rows; the system clock when null.</param>
    /// <param name="concurrency">Transactions in flight at once (default 8).</param>
    public TableIngestStore(TableServiceClient service, TimeProvider? clock = null, int concurrency = 8)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        this.service = service;
        this.clock = clock ?? TimeProvider.System;
        this.concurrency = concurrency;
        bars = service.GetTableClient(LiveNames.BarsTable);
        symbolState = service.GetTableClient(LiveNames.SymbolStateTable);
        quotes = service.GetTableClient(LiveNames.QuotesTable);
        signals = service.GetTableClient(LiveNames.SignalsTable);
        deadLetters = service.GetTableClient(LiveNames.DeadLettersTable);
        checkpoints = service.GetTableClient(LiveNames.CheckpointsTable);
    }

    /// <summary>Creates the six tables unless they exist (also done on first use).</summary>
    /// <param name="cancellationToken">Cancels waiting (creation itself goes on).</param>
    /// <returns>A task that completes when they exist.</returns>
    public Task EnsureTablesAsync(CancellationToken cancellationToken = default)
    {
        Task task;
        lock (gate)
        {
            if (ready is null || ready.IsFaulted || ready.IsCanceled)
            {
                ready = CreateTablesAsync();
            }

            task = ready;
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task WriteFinalBarsAsync(IReadOnlyList<FinalBar> bars, IReadOnlyList<string> indicatorFields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(indicatorFields);
        var entities = new List<TableEntity>(bars.Count);
        foreach (var final in bars)
        {
            var update = final.Update;
            var bar = update.Bar;
            entities.Add(new TableEntity(LiveKeys.Bars(update.Symbol, update.Timeframe), LiveKeys.Time(bar.Time))
            {
                ["symbol"] = update.Symbol,
                ["timeframe"] = update.Timeframe.ToString(),
                ["time"] = bar.Time,
                ["open"] = bar.Open,
                ["high"] = bar.High,
                ["low"] = bar.Low,
                ["close"] = bar.Close,
                ["volume"] = bar.Volume,
                ["final"] = true,
                ["indicators"] = IndicatorsJson(final.Indicators, indicatorFields),
            });
        }

        await UpsertAsync(this.bars, entities, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Ohlcv>> ReadFinalBarsAsync(string symbol, Timeframe timeframe, long before, int count, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        if (count <= 0 || before <= 0)
        {
            return [];
        }

        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var partition = LiveKeys.Bars(symbol, timeframe);
        var chunks = new List<List<Ohlcv>>();
        var found = 0;
        var high = before;
        var window = checked(count * timeframe.Milliseconds);

        // Newest first, in windows that grow when the symbol was quiet: the keys sort by start time ascending, so the
        // latest bars are found by asking for ranges that end where the previous one began.
        for (var round = 0; round < WarmRounds && found < count && high > 0; round++, window *= WarmGrowth)
        {
            var low = Math.Max(0, high - window);
            var filter = TableFilter.Create($"PartitionKey eq {partition} and RowKey ge {LiveKeys.Time(low)} and RowKey lt {LiveKeys.Time(high)}");
            var chunk = new List<Ohlcv>();
            await foreach (var row in this.bars.QueryAsync(filter, ["time", "open", "high", "low", "close", "volume"], TableClient.MaxPageSize, cancellationToken).ConfigureAwait(false))
            {
                chunk.Add(new Ohlcv(
                    row.GetInt64("time") ?? long.Parse(row.RowKey, NumberStyles.None, CultureInfo.InvariantCulture),
                    row.GetDouble("open") ?? double.NaN,
                    row.GetDouble("high") ?? double.NaN,
                    row.GetDouble("low") ?? double.NaN,
                    row.GetDouble("close") ?? double.NaN,
                    row.GetDouble("volume") ?? 0));
            }

            chunks.Add(chunk);
            found += chunk.Count;
            high = low;
        }

        var all = new List<Ohlcv>(found);
        for (var i = chunks.Count - 1; i >= 0; i--)
        {
            all.AddRange(chunks[i]);
        }

        return all.Count <= count ? all : all.GetRange(all.Count - count, count);
    }

    /// <inheritdoc />
    public async Task<PartitionCheckpoint?> ReadCheckpointAsync(string source, string partitionId, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var row = await checkpoints.GetEntityAsync(LiveKeys.Escape(source), LiveKeys.Escape(partitionId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row is null
            ? null
            : new PartitionCheckpoint(
                source,
                partitionId,
                row.GetInt64("sequenceNumber") ?? -1,
                row.GetDateTimeOffset("enqueuedTime") ?? DateTimeOffset.MinValue,
                row.GetDateTimeOffset("updatedAt") ?? row.Timestamp ?? DateTimeOffset.MinValue);
    }

    /// <inheritdoc />
    public async Task WriteCheckpointAsync(PartitionCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var row = new TableEntity(LiveKeys.Escape(checkpoint.Source), LiveKeys.Escape(checkpoint.PartitionId))
        {
            ["source"] = checkpoint.Source,
            ["partition"] = checkpoint.PartitionId,
            ["sequenceNumber"] = checkpoint.SequenceNumber,
            ["enqueuedTime"] = checkpoint.EnqueuedTime,
            ["updatedAt"] = checkpoint.UpdatedAt,
        };
        await checkpoints.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredSymbolState>> ReadSymbolStatesAsync(string partitionId, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<StoredSymbolState>();
        await foreach (var row in symbolState.QueryAsync(TableFilter.Equal("PartitionKey", LiveKeys.Escape(partitionId)), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(ToState(row));
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<StoredSymbolState?> ReadSymbolStateAsync(string partitionId, string symbol, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var key = LiveKeys.Escape(symbol);
        var row = await symbolState.GetEntityAsync(LiveKeys.Escape(partitionId), key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            // The symbol may have moved here from another partition.
            await foreach (var other in symbolState.QueryAsync(TableFilter.Equal("RowKey", key), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                row = other;
                break;
            }
        }

        return row is null ? null : ToState(row);
    }

    /// <inheritdoc />
    public async Task WriteSymbolStatesAsync(IReadOnlyList<StoredSymbolState> states, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(states);
        var entities = new List<TableEntity>(states.Count);
        foreach (var state in states)
        {
            entities.Add(new TableEntity(LiveKeys.Escape(state.PartitionId), LiveKeys.Escape(state.Symbol))
            {
                ["symbol"] = state.Symbol,
                ["partition"] = state.PartitionId,
                ["finalUntil"] = state.Live.Bars.FinalUntil,
                ["maxTime"] = state.Live.Bars.MaxTime,
                ["lastPrice"] = state.Live.LastPrice,
                ["forming"] = FormingJson(state.Live.Bars.Open),
                ["lastSequence"] = state.LastSequence,
                ["lastTickTime"] = state.LastTickTime,
                ["lastEventSequence"] = state.LastEventSequence,
                ["lastEventEnqueued"] = state.LastEventEnqueued,
                ["updatedAt"] = state.UpdatedAt,
            });
        }

        await UpsertAsync(symbolState, entities, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DeleteSymbolStateAsync(string partitionId, string symbol, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        await symbolState.DeleteEntityAsync(LiveKeys.Escape(partitionId), LiveKeys.Escape(symbol), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task WriteQuotesAsync(IReadOnlyList<Tick> quotes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(quotes);
        var now = clock.GetUtcNow();
        var entities = new List<TableEntity>(quotes.Count);
        foreach (var tick in quotes)
        {
            var row = new TableEntity(LiveNames.QuotesPartition, LiveKeys.Escape(tick.Symbol))
            {
                ["symbol"] = tick.Symbol,
                ["time"] = tick.Time,
                ["price"] = tick.Price,
                ["size"] = tick.Size,
                ["updatedAt"] = now,
            };
            if (double.IsFinite(tick.Bid))
            {
                row["bid"] = tick.Bid;
            }

            if (double.IsFinite(tick.Ask))
            {
                row["ask"] = tick.Ask;
            }

            if (tick.Sequence >= 0)
            {
                row["seq"] = tick.Sequence;
            }

            entities.Add(row);
        }

        await UpsertAsync(this.quotes, entities, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SignalEvent>> RecordSignalsAsync(IReadOnlyList<SignalEvent> signals, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signals);
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var pending = new bool[signals.Count];
        await Parallel.ForAsync(0, signals.Count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, token) =>
        {
            var signal = signals[i];
            var (partition, row) = (LiveKeys.Escape(signal.Symbol), LiveKeys.Escape(signal.Id));
            var existing = await this.signals.GetEntityAsync(partition, row, ["alerted"], token).ConfigureAwait(false);
            if (existing?.GetBoolean("alerted") == true)
            {
                return;
            }

            var entity = new TableEntity(partition, row)
            {
                ["id"] = signal.Id,
                ["symbol"] = signal.Symbol,
                ["strategy"] = signal.Strategy,
                ["timeframe"] = signal.Timeframe.ToString(),
                ["kind"] = LiveMessages.Kind(signal.Kind),
                ["time"] = signal.Time,
                ["price"] = signal.Price,
            };
            if (existing is null)
            {
                entity["recordedAt"] = now;
            }

            // Merge keeps an "alerted" mark a concurrent run may have written.
            await this.signals.UpsertEntityAsync(entity, TableUpdateMode.Merge, token).ConfigureAwait(false);
            pending[i] = true;
        }).ConfigureAwait(false);

        var result = new List<SignalEvent>();
        for (var i = 0; i < pending.Length; i++)
        {
            if (pending[i])
            {
                result.Add(signals[i]);
            }
        }

        return result;
    }

    /// <inheritdoc />
    public async Task MarkAlertedAsync(IReadOnlyList<SignalEvent> signals, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signals);
        var now = clock.GetUtcNow();
        var entities = new List<TableEntity>(signals.Count);
        foreach (var signal in signals)
        {
            entities.Add(new TableEntity(LiveKeys.Escape(signal.Symbol), LiveKeys.Escape(signal.Id)) { ["alerted"] = true, ["alertedAt"] = now });
        }

        await UpsertAsync(this.signals, entities, cancellationToken, TableUpdateMode.Merge).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task WriteDeadLettersAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        var now = clock.GetUtcNow();
        var entities = new List<TableEntity>(deadLetters.Count);
        foreach (var letter in deadLetters)
        {
            var row = new TableEntity(
                letter.EnqueuedTime.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                LiveKeys.DeadLetter(letter.EnqueuedTime, letter.PartitionId, letter.SequenceNumber))
            {
                ["partition"] = letter.PartitionId,
                ["sequenceNumber"] = letter.SequenceNumber,
                ["enqueuedTime"] = letter.EnqueuedTime,
                ["reason"] = letter.Reason.ToString(),
                ["message"] = letter.Message,
                ["body"] = letter.Body,
                ["bodyBytes"] = letter.BodyBytes,
                ["bodyTruncated"] = letter.BodyTruncated,
                ["recordedAt"] = now,
            };
            Optional(row, "partitionKey", letter.PartitionKey);
            Optional(row, "eventId", letter.EventId);
            Optional(row, "symbol", letter.Symbol);
            entities.Add(row);
        }

        await UpsertAsync(this.deadLetters, entities, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"live tables at {service.Endpoint}";

    private static void Optional(TableEntity row, string name, string? value)
    {
        if (value is not null)
        {
            row[name] = value;
        }
    }

    private static string IndicatorsJson(double[] values, IReadOnlyList<string> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            for (var i = 0; i < values.Length && i < fields.Count; i++)
            {
                if (double.IsFinite(values[i]))
                {
                    json.WriteNumber(fields[i], values[i]);
                }
                else
                {
                    json.WriteNull(fields[i]);
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string FormingJson(IReadOnlyList<FormingBar> open)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var bar in open)
            {
                json.WriteStartObject();
                json.WriteNumber("start", bar.Start);
                json.WriteNumber("open", bar.Open);
                json.WriteNumber("high", bar.High);
                json.WriteNumber("low", bar.Low);
                json.WriteNumber("close", bar.Close);
                json.WriteNumber("volume", bar.Volume);
                json.WriteNumber("firstTime", bar.FirstTime);
                json.WriteNumber("lastTime", bar.LastTime);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static FormingBar[] ParseForming(string? text, TableEntity row)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var bars = new List<FormingBar>();
            foreach (var item in document.RootElement.EnumerateArray())
            {
                bars.Add(new FormingBar(
                    item.GetProperty("start").GetInt64(),
                    item.GetProperty("open").GetDouble(),
                    item.GetProperty("high").GetDouble(),
                    item.GetProperty("low").GetDouble(),
                    item.GetProperty("close").GetDouble(),
                    item.GetProperty("volume").GetDouble(),
                    item.GetProperty("firstTime").GetInt64(),
                    item.GetProperty("lastTime").GetInt64()));
            }

            return [.. bars];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new FormatException($"the 'forming' property of {row} in table '{LiveNames.SymbolStateTable}' is not a JSON array of forming bars: {e.Message}", e);
        }
    }

    private static StoredSymbolState ToState(TableEntity row)
    {
        var bars = new BarBuilderState(row.GetInt64("finalUntil") ?? long.MinValue, row.GetInt64("maxTime") ?? long.MinValue, ParseForming(row.GetString("forming"), row));
        return new StoredSymbolState(
            row.GetString("symbol") ?? LiveKeys.Unescape(row.RowKey),
            row.GetString("partition") ?? LiveKeys.Unescape(row.PartitionKey),
            new LiveSymbolState(bars, row.GetDouble("lastPrice") ?? double.NaN),
            row.GetInt64("lastSequence") ?? -1,
            row.GetInt64("lastTickTime") ?? long.MinValue,
            row.GetInt64("lastEventSequence") ?? -1,
            row.GetInt64("lastEventEnqueued") ?? long.MinValue,
            row.GetDateTimeOffset("updatedAt") ?? row.Timestamp ?? DateTimeOffset.MinValue);
    }

    private async Task CreateTablesAsync()
    {
        foreach (var table in new[] { bars, symbolState, quotes, signals, deadLetters, checkpoints })
        {
            await table.CreateIfNotExistsAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Upserts entities: one request for a single entity, otherwise transactions of up to 100 per partition key, in parallel.</summary>
    private async Task UpsertAsync(TableClient table, List<TableEntity> entities, CancellationToken cancellationToken, TableUpdateMode mode = TableUpdateMode.Replace)
    {
        if (entities.Count == 0)
        {
            return;
        }

        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        if (entities.Count == 1)
        {
            await table.UpsertEntityAsync(entities[0], mode, cancellationToken).ConfigureAwait(false);
            return;
        }

        var transactions = new List<List<TableTransactionAction>>();
        foreach (var partition in entities.GroupBy(e => e.PartitionKey, StringComparer.Ordinal))
        {
            // A transaction may name an entity once: the last write of a key wins.
            var latest = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
            foreach (var entity in partition)
            {
                latest[entity.RowKey] = entity;
            }

            foreach (var chunk in latest.Values.Chunk(MaxTransaction))
            {
                transactions.Add([.. chunk.Select(e => mode == TableUpdateMode.Merge ? TableTransactionAction.UpsertMerge(e) : TableTransactionAction.UpsertReplace(e))]);
            }
        }

        if (transactions.Count == 1)
        {
            await table.SubmitTransactionAsync(transactions[0], cancellationToken).ConfigureAwait(false);
            return;
        }

        await Parallel.ForEachAsync(
            transactions,
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (actions, token) => await table.SubmitTransactionAsync(actions, token).ConfigureAwait(false)).ConfigureAwait(false);
    }
}
