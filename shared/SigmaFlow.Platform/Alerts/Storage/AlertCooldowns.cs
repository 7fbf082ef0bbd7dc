using System.Globalization;
using Azure;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Live;

namespace SigmaFlow.Platform.Alerts.Storage;

/// <summary>Whether an alert may go out, and why not.</summary>
/// <param name="Admitted">True when it may.</param>
/// <param name="Reason">Why not (the cooldown and the alert it follows), or null.</param>
public sealed record AlertAdmission(bool Admitted, string? Reason)
{
    /// <summary>Admitted.</summary>
    public static AlertAdmission Yes { get; } = new(true, null);
}

/// <summary>
/// Rule cooldowns on Table storage (<see cref="AlertNames.CooldownsTable"/>): per (rule, symbol) the last admitted
/// alert and its time. An alert is suppressed when another alert of the same rule and symbol was admitted less than
/// the cooldown before or after it (in the alerts' own times, so the decision does not depend on when a message is
/// processed). The mark moves forward with conditional writes, so two alerts processed at once cannot both pass.
/// Thread-safe.
/// </summary>
public sealed class AlertCooldowns
{
    private const int MaxRounds = 8;
    private readonly TableClient table;
    private readonly TimeProvider clock;
    private readonly Lock gate = new();
    private Task? ready;

    /// <summary>Creates the store.</summary>
    /// <param name="service">The table service.</param>
    /// <param name="clock">Timestamps of the marks; the system clock when null.</param>
    /// <param name="tables">The table names; <see cref="AlertTables.Default"/> when null.</param>
    public AlertCooldowns(TableServiceClient service, TimeProvider? clock = null, AlertTables? tables = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        this.clock = clock ?? TimeProvider.System;
        table = service.GetTableClient((tables ?? AlertTables.Default).Cooldowns);
    }

    /// <summary>Decides whether an alert may go out, and if so records it as the rule's last for the symbol.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="symbol">The symbol.</param>
    /// <param name="alertId">The alert id.</param>
    /// <param name="time">The alert's time (Unix ms).</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="InvalidOperationException">Other writers kept changing the mark (the invocation is retried).</exception>
    public async Task<AlertAdmission> AdmitAsync(AlertRule rule, string symbol, string alertId, long time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.CooldownSeconds <= 0)
        {
            return AlertAdmission.Yes;
        }

        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var window = rule.CooldownSeconds * 1000L;
        var key = LiveKeys.Escape(symbol);
        for (var round = 0; round < MaxRounds; round++)
        {
            var mark = await table.GetEntityAsync(rule.Id, key, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (mark is null)
            {
                try
                {
                    await table.InsertEntityAsync(Mark(rule.Id, key, symbol, alertId, time), cancellationToken).ConfigureAwait(false);
                    return AlertAdmission.Yes;
                }
                catch (RequestFailedException e) when (e.Status == 409)
                {
                    continue;
                }
            }

            var lastId = mark.GetString("lastAlertId");
            var lastTime = mark.GetInt64("lastTime") ?? long.MinValue;
            if (lastId == alertId)
            {
                return AlertAdmission.Yes;
            }

            if (Math.Abs(time - lastTime) < window)
            {
                return new AlertAdmission(false, string.Create(CultureInfo.InvariantCulture, $"cooldown: rule '{rule.Id}' alerted for {symbol} at {DateTimeOffset.FromUnixTimeMilliseconds(lastTime):yyyy-MM-dd'T'HH:mm:ss'Z'} (alert {lastId}), within its cooldown of {rule.CooldownSeconds} s"));
            }

            if (time < lastTime)
            {
                // An older alert outside the window: it may go, and the mark stays on the newer one.
                return AlertAdmission.Yes;
            }

            var next = Mark(rule.Id, key, symbol, alertId, time);
            try
            {
                await table.UpdateEntityAsync(next, mark.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return AlertAdmission.Yes;
            }
            catch (RequestFailedException e) when (e.Status is 412 or 404)
            {
            }
        }

        throw new InvalidOperationException($"the cooldown mark of rule '{rule.Id}' for {symbol} kept changing during {MaxRounds} tries; the alert will be processed again.");
    }

    private TableEntity Mark(string ruleId, string key, string symbol, string alertId, long time) => new(ruleId, key)
    {
        ["ruleId"] = ruleId,
        ["symbol"] = symbol,
        ["lastAlertId"] = alertId,
        ["lastTime"] = time,
        ["updatedAt"] = clock.GetUtcNow(),
    };

    private Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        Task task;
        lock (gate)
        {
            if (ready is null || ready.IsFaulted || ready.IsCanceled)
            {
                ready = table.CreateIfNotExistsAsync(CancellationToken.None);
            }

            task = ready;
        }

        return task.WaitAsync(cancellationToken);
    }
}
