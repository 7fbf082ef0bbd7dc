using System.Globalization;
using Azure;
using SigmaFlow.Platform.Alerts.Safety;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Alerts.Storage;

/// <summary>
/// Alert rules and channels on Table storage (<see cref="AlertNames.RulesTable"/>, <see cref="AlertNames.ChannelsTable"/>),
/// and the delivery log for reading: what the HTTP API needs. Every write validates first (every problem, with field,
/// rule and value), rules must name existing channels, a channel that rules send to cannot be deleted, and updates and
/// deletes may carry the ETag they read (optimistic concurrency). Expected failures come back as values
/// (<see cref="AlertStoreResult{T}"/>); storage faults throw <see cref="RequestFailedException"/>. Thread-safe.
/// </summary>
public sealed class AlertStore
{
    private readonly TableClient rules;
    private readonly TableClient channels;
    private readonly AlertTargetPolicy policy;
    private readonly TimeProvider clock;
    private readonly Lock gate = new();
    private Task? ready;

    /// <summary>Creates the store.</summary>
    /// <param name="service">The table service.</param>
    /// <param name="policy">Which channel URLs are accepted (<see cref="AlertTargetPolicy.Strict"/> unless local targets are allowed).</param>
    /// <param name="clock">Creation and update times; the system clock when null.</param>
    /// <param name="tables">The table names; <see cref="AlertTables.Default"/> when null.</param>
    public AlertStore(TableServiceClient service, AlertTargetPolicy? policy = null, TimeProvider? clock = null, AlertTables? tables = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        this.policy = policy ?? AlertTargetPolicy.Strict;
        this.clock = clock ?? TimeProvider.System;
        var names = tables ?? AlertTables.Default;
        rules = service.GetTableClient(names.Rules);
        channels = service.GetTableClient(names.Channels);
        Deliveries = new AlertDeliveryLog(service, this.clock, names);
    }

    /// <summary>The delivery log and dead letters (<see cref="AlertDeliveryLog.QueryAsync"/>, <see cref="AlertDeliveryLog.QueryDeadLettersAsync"/>).</summary>
    public AlertDeliveryLog Deliveries { get; }

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
                ready = Task.WhenAll(rules.CreateIfNotExistsAsync(CancellationToken.None), channels.CreateIfNotExistsAsync(CancellationToken.None));
            }

            task = ready;
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Creates a rule.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>Created, Invalid (problems, unknown channel ids included) or Conflict (the id exists).</returns>
    public async Task<AlertStoreResult<AlertRule>> CreateRuleAsync(AlertRule rule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var problems = await CheckRuleAsync(rule, cancellationToken).ConfigureAwait(false);
        if (problems.Count > 0)
        {
            return Invalid<AlertRule>(problems);
        }

        return await InsertAsync(rules, AlertNames.RulesPartition, rule.Id, rule, Describe(rule), "rule", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a rule.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Ok or NotFound.</returns>
    public Task<AlertStoreResult<AlertRule>> GetRuleAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<AlertRule>(rules, AlertNames.RulesPartition, id, "rule", cancellationToken);

    /// <summary>Every rule.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rules by id, and rows that could not be read.</returns>
    public Task<AlertList<AlertRule>> ListRulesAsync(CancellationToken cancellationToken = default) =>
        ListAsync<AlertRule>(rules, AlertNames.RulesPartition, cancellationToken);

    /// <summary>Replaces a rule.</summary>
    /// <param name="rule">The new rule (its id says which).</param>
    /// <param name="ifMatch">The ETag it was read with, or null to replace any version.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>Ok, Invalid, NotFound or PreconditionFailed.</returns>
    public async Task<AlertStoreResult<AlertRule>> UpdateRuleAsync(AlertRule rule, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var problems = await CheckRuleAsync(rule, cancellationToken).ConfigureAwait(false);
        if (problems.Count > 0)
        {
            return Invalid<AlertRule>(problems);
        }

        return await ReplaceAsync(rules, AlertNames.RulesPartition, rule.Id, rule, Describe(rule), ifMatch, "rule", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a rule.</summary>
    /// <param name="id">The id.</param>
    /// <param name="ifMatch">The ETag it was read with, or null to delete any version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Deleted, NotFound or PreconditionFailed.</returns>
    public Task<AlertStoreResult<AlertRule>> DeleteRuleAsync(string id, string? ifMatch = null, CancellationToken cancellationToken = default) =>
        DeleteAsync<AlertRule>(rules, AlertNames.RulesPartition, id, ifMatch, "rule", cancellationToken);

    /// <summary>Creates a channel.</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>Created, Invalid or Conflict.</returns>
    public async Task<AlertStoreResult<AlertChannel>> CreateChannelAsync(AlertChannel channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var problems = AlertValidator.Validate(channel, policy);
        if (problems.Count > 0)
        {
            return Invalid<AlertChannel>(problems);
        }

        return await InsertAsync(channels, AlertNames.ChannelsPartition, channel.Id, channel, Describe(channel), "channel", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a channel (with its credentials; show <see cref="AlertChannel.Redacted"/>).</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Ok or NotFound.</returns>
    public Task<AlertStoreResult<AlertChannel>> GetChannelAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<AlertChannel>(channels, AlertNames.ChannelsPartition, id, "channel", cancellationToken);

    /// <summary>Every channel (with credentials).</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The channels by id, and rows that could not be read.</returns>
    public Task<AlertList<AlertChannel>> ListChannelsAsync(CancellationToken cancellationToken = default) =>
        ListAsync<AlertChannel>(channels, AlertNames.ChannelsPartition, cancellationToken);

    /// <summary>Replaces a channel.</summary>
    /// <param name="channel">The new channel.</param>
    /// <param name="ifMatch">The ETag it was read with, or null.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>Ok, Invalid, NotFound or PreconditionFailed.</returns>
    public async Task<AlertStoreResult<AlertChannel>> UpdateChannelAsync(AlertChannel channel, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var problems = AlertValidator.Validate(channel, policy);
        if (problems.Count > 0)
        {
            return Invalid<AlertChannel>(problems);
        }

        return await ReplaceAsync(channels, AlertNames.ChannelsPartition, channel.Id, channel, Describe(channel), ifMatch, "channel", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a channel that no rule sends to.</summary>
    /// <param name="id">The id.</param>
    /// <param name="ifMatch">The ETag it was read with, or null.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>Deleted, NotFound, Conflict (rules use it; the message names them) or PreconditionFailed.</returns>
    public async Task<AlertStoreResult<AlertChannel>> DeleteChannelAsync(string id, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        var users = (await ListRulesAsync(cancellationToken).ConfigureAwait(false)).Items.Where(r => r.Value.ChannelIds.Contains(id, StringComparer.Ordinal)).Select(r => r.Value.Id).ToList();
        if (users.Count > 0)
        {
            return new AlertStoreResult<AlertChannel>(AlertStoreStatus.Conflict, null, [], $"channel '{id}' is used by rule{(users.Count == 1 ? string.Empty : "s")} {string.Join(", ", users.Select(u => $"'{u}'"))}; remove it from them first.");
        }

        return await DeleteAsync<AlertChannel>(channels, AlertNames.ChannelsPartition, id, ifMatch, "channel", cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<AlertProblem>> CheckRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        var problems = AlertValidator.Validate(rule).ToList();
        var ids = rule.ChannelIds ?? [];
        if (ids.Count > 0 && ids.All(AlertValidator.IsValidId))
        {
            var known = (await ListChannelsAsync(cancellationToken).ConfigureAwait(false)).Items.Select(c => c.Value.Id).ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < ids.Count; i++)
            {
                if (!known.Contains(ids[i]))
                {
                    problems.Add(new AlertProblem(string.Create(CultureInfo.InvariantCulture, $"channelIds[{i}]"), "must be the id of an existing channel", AlertProblem.Show(ids[i])));
                }
            }
        }

        return problems;
    }

    private async Task<AlertStoreResult<T>> InsertAsync<T>(TableClient table, string partition, string id, T value, IReadOnlyDictionary<string, object> extra, string what, CancellationToken cancellationToken)
        where T : class
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var entity = Entity(partition, id, value, extra, now, now);
        try
        {
            var etag = await table.InsertEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return new AlertStoreResult<T>(AlertStoreStatus.Created, new StoredAlertItem<T>(value, etag.ToString(), now, now), [], null);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return new AlertStoreResult<T>(AlertStoreStatus.Conflict, null, [], $"a {what} with id '{id}' exists already.");
        }
    }

    private async Task<AlertStoreResult<T>> ReplaceAsync<T>(TableClient table, string partition, string id, T value, IReadOnlyDictionary<string, object> extra, string? ifMatch, string what, CancellationToken cancellationToken)
        where T : class
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var current = await table.GetEntityAsync(partition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return NotFound<T>(what, id);
        }

        if (ifMatch is not null && ifMatch != "*" && ifMatch != current.ETag.ToString())
        {
            return Stale<T>(what, id);
        }

        var created = current.GetDateTimeOffset("createdAt") ?? clock.GetUtcNow();
        var now = clock.GetUtcNow();
        try
        {
            var etag = await table.UpdateEntityAsync(Entity(partition, id, value, extra, created, now), current.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return new AlertStoreResult<T>(AlertStoreStatus.Ok, new StoredAlertItem<T>(value, etag.ToString(), created, now), [], null);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return Stale<T>(what, id);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return NotFound<T>(what, id);
        }
    }

    private async Task<AlertStoreResult<T>> GetAsync<T>(TableClient table, string partition, string id, string what, CancellationToken cancellationToken)
        where T : class
    {
        if (!AlertValidator.IsValidId(id))
        {
            return NotFound<T>(what, id);
        }

        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityAsync(partition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (entity is null)
        {
            return NotFound<T>(what, id);
        }

        var item = Read<T>(entity);
        return item.Item is { } stored
            ? new AlertStoreResult<T>(AlertStoreStatus.Ok, stored, [], null)
            : new AlertStoreResult<T>(AlertStoreStatus.Invalid, null, [], $"the stored {what} '{id}' cannot be read: {item.Error}");
    }

    private async Task<AlertList<T>> ListAsync<T>(TableClient table, string partition, CancellationToken cancellationToken)
        where T : class
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<StoredAlertItem<T>>();
        var unreadable = new List<KeyValuePair<string, string>>();
        await foreach (var entity in table.QueryAsync(TableFilter.Equal("PartitionKey", partition), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var item = Read<T>(entity);
            if (item.Item is { } stored)
            {
                items.Add(stored);
            }
            else
            {
                unreadable.Add(new(entity.RowKey, item.Error ?? "unreadable"));
            }
        }

        return new AlertList<T>(items, unreadable);
    }

    private async Task<AlertStoreResult<T>> DeleteAsync<T>(TableClient table, string partition, string id, string? ifMatch, string what, CancellationToken cancellationToken)
        where T : class
    {
        if (!AlertValidator.IsValidId(id))
        {
            return NotFound<T>(what, id);
        }

        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var deleted = await table.DeleteEntityAsync(partition, id, ifMatch is null ? ETag.All : new ETag(ifMatch), cancellationToken).ConfigureAwait(false);
            return deleted ? new AlertStoreResult<T>(AlertStoreStatus.Deleted, null, [], null) : NotFound<T>(what, id);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return Stale<T>(what, id);
        }
    }

    private static TableEntity Entity<T>(string partition, string id, T value, IReadOnlyDictionary<string, object> extra, DateTimeOffset created, DateTimeOffset updated)
    {
        var entity = new TableEntity(partition, id)
        {
            ["definition"] = AlertJson.Write(value),
            ["createdAt"] = created,
            ["updatedAt"] = updated,
        };
        foreach (var (name, v) in extra)
        {
            entity[name] = v;
        }

        return entity;
    }

    private static (StoredAlertItem<T>? Item, string? Error) Read<T>(TableEntity entity)
        where T : class
    {
        var read = AlertJson.Read<T>(entity.GetString("definition"));
        if (read.Value is null)
        {
            return (null, read.Describe());
        }

        return (new StoredAlertItem<T>(read.Value, entity.ETag.ToString(), entity.GetDateTimeOffset("createdAt") ?? default, entity.GetDateTimeOffset("updatedAt") ?? default), null);
    }

    private static Dictionary<string, object> Describe(AlertRule rule) => new(StringComparer.Ordinal)
    {
        ["name"] = rule.Name,
        ["enabled"] = rule.Enabled,
        ["conditionType"] = rule.Condition?.Type ?? string.Empty,
    };

    private static Dictionary<string, object> Describe(AlertChannel channel) => new(StringComparer.Ordinal)
    {
        ["name"] = channel.Name,
        ["enabled"] = channel.Enabled,
        ["kind"] = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(channel.Kind.ToString()),
    };

    private static AlertStoreResult<T> Invalid<T>(IReadOnlyList<AlertProblem> problems) => new(AlertStoreStatus.Invalid, null, problems, string.Join("; ", problems.Select(p => p.Message)));

    private static AlertStoreResult<T> NotFound<T>(string what, string id) => new(AlertStoreStatus.NotFound, null, [], $"no {what} with id {AlertProblem.Show(id)}.");

    private static AlertStoreResult<T> Stale<T>(string what, string id) => new(AlertStoreStatus.PreconditionFailed, null, [], $"the {what} '{id}' changed since it was read (ETag mismatch); read it again and retry.");
}
