using Azure;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Alerts.Storage;

/// <summary>
/// The delivery log and the dead letters on Table storage (<see cref="AlertNames.DeliveriesTable"/>,
/// <see cref="AlertNames.DeadLettersTable"/>), created on first use. A delivery row is created once per (alert,
/// channel) and then changed only by conditional updates (<c>If-Match</c> with the ETag it was read with), so two
/// invocations holding the same alert — a redelivered queue message — cannot both claim it. Thread-safe.
/// </summary>
public sealed class AlertDeliveryLog
{
    private const int MaxText = 1000;
    private const int MaxMessage = 4096;
    private readonly TableClient deliveries;
    private readonly TableClient deadLetters;
    private readonly TimeProvider clock;
    private readonly Lock gate = new();
    private Task? ready;

    /// <summary>Creates the log.</summary>
    /// <param name="service">The table service.</param>
    /// <param name="clock">Default time ranges of queries; the system clock when null.</param>
    /// <param name="tables">The table names; <see cref="AlertTables.Default"/> when null.</param>
    public AlertDeliveryLog(TableServiceClient service, TimeProvider? clock = null, AlertTables? tables = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        this.clock = clock ?? TimeProvider.System;
        var names = tables ?? AlertTables.Default;
        deliveries = service.GetTableClient(names.Deliveries);
        deadLetters = service.GetTableClient(names.DeadLetters);
    }

    /// <summary>Creates both tables unless they exist (also done on first use).</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when they exist.</returns>
    public Task EnsureTablesAsync(CancellationToken cancellationToken = default)
    {
        Task task;
        lock (gate)
        {
            if (ready is null || ready.IsFaulted || ready.IsCanceled)
            {
                ready = Task.WhenAll(deliveries.CreateIfNotExistsAsync(CancellationToken.None), deadLetters.CreateIfNotExistsAsync(CancellationToken.None));
            }

            task = ready;
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Every delivery row of one alert.</summary>
    /// <param name="time">The alert's time (Unix ms).</param>
    /// <param name="alertId">The alert id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows, by channel id.</returns>
    public async Task<IReadOnlyList<AlertDeliveryRecord>> ReadAlertAsync(long time, string alertId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(alertId);
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var prefix = AlertKeys.AlertPrefix(time, alertId);
        var filter = TableFilter.Create($"PartitionKey eq {AlertKeys.Day(DateTimeOffset.FromUnixTimeMilliseconds(time))} and RowKey ge {prefix} and RowKey lt {AlertKeys.After(prefix)}");
        var rows = new List<AlertDeliveryRecord>();
        await foreach (var entity in deliveries.QueryAsync(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(ToRecord(entity));
        }

        return rows;
    }

    /// <summary>One delivery row, or null.</summary>
    /// <param name="time">The alert's time.</param>
    /// <param name="alertId">The alert id.</param>
    /// <param name="channelId">The channel id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The row, or null.</returns>
    public async Task<AlertDeliveryRecord?> GetAsync(long time, string alertId, string channelId, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var entity = await deliveries.GetEntityAsync(AlertKeys.Day(DateTimeOffset.FromUnixTimeMilliseconds(time)), AlertKeys.Delivery(time, alertId, channelId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return entity is null ? null : ToRecord(entity);
    }

    /// <summary>Records a delivery unless one exists for the same (alert, channel).</summary>
    /// <param name="record">The row.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored row with its ETag — the new one, or the one that was already there — and whether it was created by this call.</returns>
    public async Task<(AlertDeliveryRecord Record, bool Created)> CreateAsync(AlertDeliveryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var etag = await deliveries.InsertEntityAsync(ToEntity(record), cancellationToken).ConfigureAwait(false);
            return (record with { ETag = etag.ToString() }, true);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var existing = await GetAsync(record.AlertTime, record.AlertId, record.ChannelId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"delivery of alert '{record.AlertId}' to channel '{record.ChannelId}' was reported to exist but cannot be read.", e);
            return (existing, false);
        }
    }

    /// <summary>Changes a row only if it is still the version read (<see cref="AlertDeliveryRecord.ETag"/>).</summary>
    /// <param name="record">The new row, carrying the ETag it was read with.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored row with its new ETag, or null when someone else changed (or removed) it first.</returns>
    public async Task<AlertDeliveryRecord?> TryUpdateAsync(AlertDeliveryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(record.ETag, nameof(record));
        try
        {
            var etag = await deliveries.UpdateEntityAsync(ToEntity(record), new ETag(record.ETag), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return record with { ETag = etag.ToString() };
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return null;
        }
    }

    /// <summary>Writes a dead letter (an upsert: writing the same one twice keeps one row).</summary>
    /// <param name="letter">The dead letter.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public async Task WriteDeadLetterAsync(AlertDeadLetter letter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letter);
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var row = letter.AlertId is not null
            ? AlertKeys.Delivery(letter.Time, letter.AlertId, letter.ChannelId ?? "-")
            : AlertKeys.Message(letter.Time, letter.MessageId ?? "-");
        var entity = new TableEntity(AlertKeys.Day(DateTimeOffset.FromUnixTimeMilliseconds(letter.Time)), row)
        {
            ["time"] = letter.Time,
            ["reason"] = letter.Reason,
            ["detail"] = Cut(letter.Detail, MaxText),
            ["attempts"] = letter.Attempts,
            ["recordedAt"] = letter.RecordedAt,
        };
        Set(entity, "alertId", letter.AlertId);
        Set(entity, "channelId", letter.ChannelId);
        Set(entity, "ruleId", letter.RuleId);
        Set(entity, "target", letter.Target);
        Set(entity, "message", letter.Message is null ? null : Cut(letter.Message, MaxMessage));
        Set(entity, "messageId", letter.MessageId);
        if (letter.HttpStatus is { } status)
        {
            entity["httpStatus"] = status;
        }

        await deadLetters.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists deliveries, newest first.</summary>
    /// <param name="query">Which ones.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>At most <see cref="AlertDeliveryQuery.Limit"/> rows.</returns>
    /// <exception cref="ArgumentException">The range is reversed or longer than 366 days, or the limit is out of range.</exception>
    public async Task<IReadOnlyList<AlertDeliveryRecord>> QueryAsync(AlertDeliveryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (from, to) = Range(query.From, query.To, query.Limit);
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var conditions = new List<string>();
        Add(conditions, "ruleId", query.RuleId);
        Add(conditions, "channelId", query.ChannelId);
        Add(conditions, "symbol", query.Symbol);
        Add(conditions, "alertId", query.AlertId);
        if (query.Status is { } status)
        {
            conditions.Add(TableFilter.Equal("status", Name(status)));
        }

        var rows = new List<AlertDeliveryRecord>();
        await foreach (var entity in Scan(deliveries, from, to, conditions, query.Limit, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(ToRecord(entity));
        }

        return rows;
    }

    /// <summary>Lists dead letters, newest first.</summary>
    /// <param name="from">Earliest time (default 7 days before <paramref name="to"/>).</param>
    /// <param name="to">Latest time (default now).</param>
    /// <param name="limit">Most rows (1–1,000).</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The dead letters.</returns>
    public async Task<IReadOnlyList<AlertDeadLetter>> QueryDeadLettersAsync(DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken)
    {
        var (start, end) = Range(from, to, limit);
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<AlertDeadLetter>();
        await foreach (var entity in Scan(deadLetters, start, end, [], limit, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new AlertDeadLetter
            {
                Time = entity.GetInt64("time") ?? 0,
                AlertId = entity.GetString("alertId"),
                ChannelId = entity.GetString("channelId"),
                RuleId = entity.GetString("ruleId"),
                Reason = entity.GetString("reason") ?? string.Empty,
                Detail = entity.GetString("detail") ?? string.Empty,
                HttpStatus = entity.GetInt32("httpStatus"),
                Attempts = entity.GetInt32("attempts") ?? 0,
                Target = entity.GetString("target"),
                Message = entity.GetString("message"),
                MessageId = entity.GetString("messageId"),
                RecordedAt = entity.GetDateTimeOffset("recordedAt") ?? default,
            });
        }

        return rows;
    }

    /// <summary>The JSON name of a status (<c>delivered</c>), as stored and filtered.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The name.</returns>
    public static string Name(AlertDeliveryStatus status) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(status.ToString());

    private (DateTimeOffset From, DateTimeOffset To) Range(DateTimeOffset? from, DateTimeOffset? to, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1000);
        var end = to ?? clock.GetUtcNow();
        var start = from ?? end.AddDays(-7);
        if (start > end)
        {
            throw new ArgumentException($"from ({start:O}) must not be after to ({end:O}).", nameof(from));
        }

        if (end - start > TimeSpan.FromDays(366))
        {
            throw new ArgumentException($"the range from {start:O} to {end:O} is longer than 366 days.", nameof(from));
        }

        return (start, end);
    }

    private static async IAsyncEnumerable<TableEntity> Scan(TableClient table, DateTimeOffset from, DateTimeOffset to, List<string> conditions, int limit, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var count = 0;
        var fromMs = Math.Max(0, from.ToUnixTimeMilliseconds());
        var toMs = Math.Max(0, to.ToUnixTimeMilliseconds());
        for (var day = to.UtcDateTime.Date; day >= from.UtcDateTime.Date && count < limit; day = day.AddDays(-1))
        {
            var parts = new List<string>
            {
                TableFilter.Equal("PartitionKey", AlertKeys.Day(new DateTimeOffset(day, TimeSpan.Zero))),
                TableFilter.GreaterThanOrEqual("RowKey", AlertKeys.Inverted(toMs)),
                TableFilter.LessThan("RowKey", AlertKeys.Inverted(fromMs) + "~"),
            };
            parts.AddRange(conditions);
            await foreach (var entity in table.QueryAsync(TableFilter.And([.. parts]), pageSize: Math.Min(limit, TableClient.MaxPageSize), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                yield return entity;
                if (++count >= limit)
                {
                    yield break;
                }
            }
        }
    }

    private static TableEntity ToEntity(AlertDeliveryRecord r)
    {
        var entity = new TableEntity(AlertKeys.Day(DateTimeOffset.FromUnixTimeMilliseconds(r.AlertTime)), AlertKeys.Delivery(r.AlertTime, r.AlertId, r.ChannelId))
        {
            ["alertId"] = r.AlertId,
            ["channelId"] = r.ChannelId,
            ["ruleId"] = r.RuleId,
            ["ruleName"] = r.RuleName,
            ["symbol"] = r.Symbol,
            ["alertTime"] = r.AlertTime,
            ["status"] = Name(r.Status),
            ["attempts"] = r.Attempts,
            ["createdAt"] = r.CreatedAt,
            ["updatedAt"] = r.UpdatedAt,
        };
        Set(entity, "channelKind", r.ChannelKind is { } kind ? System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(kind.ToString()) : null);
        Set(entity, "reason", r.Reason is null ? null : Cut(r.Reason, MaxText));
        Set(entity, "target", r.Target);
        Set(entity, "text", r.Text is null ? null : Cut(r.Text, MaxText));
        Set(entity, "messageId", r.MessageId);
        if (r.HttpStatus is { } status)
        {
            entity["httpStatus"] = status;
        }

        if (r.DeliveredAt is { } delivered)
        {
            entity["deliveredAt"] = delivered;
        }

        if (r.LeaseUntil is { } lease)
        {
            entity["leaseUntil"] = lease;
        }

        if (r.NextAttemptAt is { } next)
        {
            entity["nextAttemptAt"] = next;
        }

        return entity;
    }

    private static AlertDeliveryRecord ToRecord(TableEntity e) => new()
    {
        AlertId = e.GetString("alertId") ?? string.Empty,
        ChannelId = e.GetString("channelId") ?? string.Empty,
        ChannelKind = Enum.TryParse<AlertChannelKind>(e.GetString("channelKind"), ignoreCase: true, out var kind) ? kind : null,
        RuleId = e.GetString("ruleId") ?? string.Empty,
        RuleName = e.GetString("ruleName") ?? string.Empty,
        Symbol = e.GetString("symbol") ?? string.Empty,
        AlertTime = e.GetInt64("alertTime") ?? 0,
        Status = Enum.TryParse<AlertDeliveryStatus>(e.GetString("status"), ignoreCase: true, out var status) ? status : AlertDeliveryStatus.Pending,
        Attempts = e.GetInt32("attempts") ?? 0,
        HttpStatus = e.GetInt32("httpStatus"),
        Reason = e.GetString("reason"),
        Target = e.GetString("target"),
        Text = e.GetString("text"),
        MessageId = e.GetString("messageId"),
        CreatedAt = e.GetDateTimeOffset("createdAt") ?? default,
        UpdatedAt = e.GetDateTimeOffset("updatedAt") ?? default,
        DeliveredAt = e.GetDateTimeOffset("deliveredAt"),
        LeaseUntil = e.GetDateTimeOffset("leaseUntil"),
        NextAttemptAt = e.GetDateTimeOffset("nextAttemptAt"),
        ETag = e.ETag.ToString(),
    };

    private static void Add(List<string> conditions, string property, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            conditions.Add(TableFilter.Equal(property, value));
        }
    }

    private static void Set(TableEntity entity, string name, string? value)
    {
        if (value is not null)
        {
            entity[name] = value;
        }
    }

    private static string Cut(string value, int max) => Delivery.AlertPayloads.Cut(value, max);
}
