using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SigmaFlow.Platform.Alerts.Delivery;
using SigmaFlow.Platform.Alerts.Storage;

namespace SigmaFlow.Platform.Alerts;

/// <summary>
/// The use case behind <c>DeliverAlert</c>: one message of the <c>alerts</c> queue in, alerts out to every channel of
/// every rule it fires, each (alert id, channel) delivered at most once however often the message is delivered.
/// </summary>
/// <remarks>
/// <para>Per message: read the candidate (a bad one is dead-lettered with every problem, and the message completes);
/// match it against the stored rules; per fired rule, read the alert's rows in the delivery log — when there are none,
/// apply the cooldown and create one row per channel (pending, or suppressed, or skipped for a disabled or missing
/// channel); then drive every row that is not final.</para>
/// <para>Per row, with conditional writes (ETags) only: claim it (<c>sending</c>, attempt + 1, a lease of the attempt
/// timeout plus a margin) <b>before</b> the HTTP attempt, record the answer <b>after</b> it (<c>delivered</c>; or
/// <c>waiting</c> with the next attempt's time; or <c>failed</c> with a dead letter). A claim that loses the race means
/// another invocation owns the row. A row found <c>sending</c> after its lease ran out belonged to an invocation that
/// stopped in the middle of an attempt: the service may have taken it, so it is not sent again (at most once) but
/// failed as "outcome unknown" and dead-lettered. A row found <c>waiting</c> after its lease ran out is resumed where it
/// stopped, its attempts counted.</para>
/// <para>Storage failures throw (the invocation fails and the queue delivers the message again, which is safe);
/// what the webhook services answer never does.</para>
/// </remarks>
public sealed partial class AlertDispatcher
{
    private const int MaxMessageStored = 4096;
    private readonly AlertStore store;
    private readonly AlertCooldowns cooldowns;
    private readonly AlertSender sender;
    private readonly AlertDeliveryOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly Func<double> jitter;

    /// <summary>Creates the dispatcher.</summary>
    /// <param name="store">Rules, channels and the delivery log.</param>
    /// <param name="cooldowns">Rule cooldowns.</param>
    /// <param name="sender">HTTP delivery.</param>
    /// <param name="options">Delivery settings (validated here).</param>
    /// <param name="clock">Time of leases, waits and records; the system clock when null.</param>
    /// <param name="logger">Warnings (retries, failures, bad messages); none when null.</param>
    /// <param name="jitter">Uniform random numbers in [0, 1) for back-off jitter; <see cref="Random.Shared"/> when null.</param>
    public AlertDispatcher(AlertStore store, AlertCooldowns cooldowns, AlertSender sender, AlertDeliveryOptions options, TimeProvider? clock = null, ILogger? logger = null, Func<double>? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(cooldowns);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.store = store;
        this.cooldowns = cooldowns;
        this.sender = sender;
        this.options = options;
        this.clock = clock ?? TimeProvider.System;
        this.logger = logger ?? NullLogger.Instance;
        this.jitter = jitter ?? Random.Shared.NextDouble;
    }

    private AlertDeliveryLog Log => store.Deliveries;

    /// <summary>Processes one queue message.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Shutdown: stops between steps and during waits (rows stay resumable).</param>
    /// <returns>What it did.</returns>
    /// <exception cref="global::Azure.RequestFailedException">Storage failed (the message should be delivered again).</exception>
    public async Task<AlertDispatchReport> ProcessAsync(AlertQueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var watch = Stopwatch.StartNew();
        var read = AlertCandidateReader.Read(message.Text);
        if (read.Value is not { } candidate)
        {
            await DeadLetterMessageAsync(message, "bad-message", read.Problems, cancellationToken).ConfigureAwait(false);
            return new AlertDispatchReport { MessageId = message.MessageId, Problems = read.Problems, Elapsed = watch.Elapsed };
        }

        var rules = await store.ListRulesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (id, reason) in rules.Unreadable)
        {
            UnreadableRow(logger, "rule", id, reason);
        }

        var match = AlertMatcher.Match(candidate, rules.Items.Select(r => r.Value));
        if (match.Problems.Count > 0)
        {
            await DeadLetterMessageAsync(message, candidate.Kind == AlertCandidateKind.Alert && match.Problems[0].Field == "ruleId" ? "unknown-rule" : "bad-message", match.Problems, cancellationToken).ConfigureAwait(false);
            return new AlertDispatchReport { MessageId = message.MessageId, CandidateId = candidate.Id, CandidateKind = candidate.Kind, Problems = match.Problems, Elapsed = watch.Elapsed };
        }

        if (match.Matches.Count == 0)
        {
            return new AlertDispatchReport { MessageId = message.MessageId, CandidateId = candidate.Id, CandidateKind = candidate.Kind, Note = match.Note, Elapsed = watch.Elapsed };
        }

        var channelList = await store.ListChannelsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (id, reason) in channelList.Unreadable)
        {
            UnreadableRow(logger, "channel", id, reason);
        }

        var channels = channelList.Items.ToDictionary(c => c.Value.Id, c => c.Value, StringComparer.Ordinal);
        var work = new List<(AlertDeliveryRecord Row, AlertPayload? Payload)>();
        var outcomes = new List<AlertDeliveryOutcome>();
        foreach (var fired in match.Matches)
        {
            await PrepareAsync(fired, candidate, channels, message, work, outcomes, cancellationToken).ConfigureAwait(false);
        }

        using var gate = new SemaphoreSlim(options.MaxConcurrentDeliveries);
        var runs = work.Select(async item =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await DeliverAsync(item.Row, item.Payload, candidate, message, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        outcomes.AddRange(await Task.WhenAll(runs).ConfigureAwait(false));
        return new AlertDispatchReport
        {
            MessageId = message.MessageId,
            CandidateId = candidate.Id,
            CandidateKind = candidate.Kind,
            Matched = match.Matches.Count,
            Deliveries = outcomes,
            Elapsed = watch.Elapsed,
        };
    }

    /// <summary>Reads or creates the rows of one fired rule; final rows go straight to the outcomes, the rest to the work list.</summary>
    private async Task PrepareAsync(AlertMatch fired, AlertCandidate candidate, Dictionary<string, AlertChannel> channels, AlertQueueMessage queued, List<(AlertDeliveryRecord, AlertPayload?)> work, List<AlertDeliveryOutcome> outcomes, CancellationToken cancellationToken)
    {
        var rule = fired.Rule;
        var message = AlertMessage.For(rule, candidate);
        var existing = (await Log.ReadAlertAsync(candidate.Time, fired.AlertId, cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.ChannelId, StringComparer.Ordinal);

        // The decision of the first delivery stands: rows exist only for an alert that was admitted or suppressed before.
        AlertAdmission admission;
        if (existing.Count == 0)
        {
            admission = await cooldowns.AdmitAsync(rule, candidate.Symbol, fired.AlertId, candidate.Time, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var suppressed = existing.Values.FirstOrDefault(r => r.Status == AlertDeliveryStatus.Suppressed);
            admission = suppressed is not null && existing.Values.All(r => r.Status == AlertDeliveryStatus.Suppressed) ? new AlertAdmission(false, suppressed.Reason) : AlertAdmission.Yes;
        }

        foreach (var channelId in rule.ChannelIds)
        {
            var exists = existing.TryGetValue(channelId, out var row);
            channels.TryGetValue(channelId, out var channel);
            AlertPayload? payload = null;
            string? buildError = null;
            if (channel is not null)
            {
                try
                {
                    payload = AlertPayloads.Build(channel, message, options);
                }
                catch (ArgumentException e)
                {
                    buildError = e.Message;
                }
            }

            if (!exists)
            {
                var now = clock.GetUtcNow();
                var (status, reason) = !admission.Admitted ? (AlertDeliveryStatus.Suppressed, admission.Reason)
                    : channel is null ? (AlertDeliveryStatus.Skipped, $"channel '{channelId}' does not exist")
                    : !channel.Enabled ? (AlertDeliveryStatus.Skipped, $"channel '{channelId}' is disabled")
                    : (AlertDeliveryStatus.Pending, null);
                (row, var createdHere) = await Log.CreateAsync(
                    new AlertDeliveryRecord
                    {
                        AlertId = fired.AlertId,
                        ChannelId = channelId,
                        ChannelKind = channel?.Kind,
                        RuleId = rule.Id,
                        RuleName = rule.Name,
                        Symbol = candidate.Symbol,
                        AlertTime = candidate.Time,
                        Status = status,
                        Reason = reason,
                        Target = payload?.TargetDescription,
                        Text = payload?.Text ?? message.Text,
                        MessageId = queued.MessageId,
                        CreatedAt = now,
                        UpdatedAt = now,
                    },
                    cancellationToken).ConfigureAwait(false);
                if (createdHere && row.Status is AlertDeliveryStatus.Suppressed or AlertDeliveryStatus.Skipped)
                {
                    outcomes.Add(Outcome(row, row.Status == AlertDeliveryStatus.Suppressed ? AlertDeliveryAction.Suppressed : AlertDeliveryAction.Skipped));
                    continue;
                }
            }

            if (row!.IsFinal)
            {
                outcomes.Add(Outcome(row, AlertDeliveryAction.AlreadyDone));
            }
            else if (payload is null)
            {
                // The channel vanished or cannot be built any more while the delivery was open: it ends here.
                outcomes.Add(await FailAsync(row, "permanent", buildError ?? $"channel '{channelId}' does not exist any more", null, candidate, queued, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                work.Add((row, payload));
            }
        }
    }

    /// <summary>Drives one row to a final state, or leaves it to the invocation that owns it.</summary>
    private async Task<AlertDeliveryOutcome> DeliverAsync(AlertDeliveryRecord row, AlertPayload? payload, AlertCandidate candidate, AlertQueueMessage queued, CancellationToken cancellationToken)
    {
        var current = row;
        var ours = false;
        while (true)
        {
            var now = clock.GetUtcNow();
            if (current.IsFinal)
            {
                return Outcome(current, AlertDeliveryAction.AlreadyDone);
            }

            if (!ours && current.Status is AlertDeliveryStatus.Sending or AlertDeliveryStatus.Waiting && current.LeaseUntil > now)
            {
                return Outcome(current, AlertDeliveryAction.Elsewhere);
            }

            if (!ours && current.Status == AlertDeliveryStatus.Sending)
            {
                InterruptedAttempt(logger, current.AlertId, current.ChannelId, current.Attempts);
                var reason = string.Create(CultureInfo.InvariantCulture, $"attempt {current.Attempts} was interrupted before its answer was recorded (its invocation stopped); the service may have taken it, so it is not sent again");
                var failed = await FailAsync(current, "unknown-outcome", reason, current.HttpStatus, candidate, queued, cancellationToken).ConfigureAwait(false);
                if (failed.Action == AlertDeliveryAction.Elsewhere)
                {
                    current = await RereadAsync(current, cancellationToken).ConfigureAwait(false) ?? current with { Status = AlertDeliveryStatus.Failed };
                    continue;
                }

                return failed;
            }

            if (current.Attempts >= options.MaxAttempts)
            {
                // Attempts used up but not yet recorded as failed (the owner stopped right after its last attempt).
                return await FailAsync(current, "exhausted", string.Create(CultureInfo.InvariantCulture, $"gave up after {current.Attempts} attempts; the last: {current.Reason}"), current.HttpStatus, candidate, queued, cancellationToken).ConfigureAwait(false);
            }

            if (current.NextAttemptAt is { } due && due > now)
            {
                await Task.Delay(due - now, clock, cancellationToken).ConfigureAwait(false);
                now = clock.GetUtcNow();
            }

            var claimed = await Log.TryUpdateAsync(
                current with
                {
                    Status = AlertDeliveryStatus.Sending,
                    Attempts = current.Attempts + 1,
                    LeaseUntil = now + options.AttemptTimeout + options.LeaseMargin,
                    NextAttemptAt = null,
                    UpdatedAt = now,
                    MessageId = queued.MessageId ?? current.MessageId,
                },
                cancellationToken).ConfigureAwait(false);
            if (claimed is null)
            {
                ours = false;
                current = await RereadAsync(current, cancellationToken).ConfigureAwait(false) ?? current with { Status = AlertDeliveryStatus.Skipped };
                continue;
            }

            ours = true;
            current = claimed;
            var outcome = await sender.SendAsync(payload!, cancellationToken).ConfigureAwait(false);
            now = clock.GetUtcNow();
            if (outcome.Result == AttemptResult.Delivered)
            {
                var delivered = current with { Status = AlertDeliveryStatus.Delivered, HttpStatus = outcome.HttpStatus, Reason = outcome.Reason, DeliveredAt = now, LeaseUntil = null, UpdatedAt = now };
                var stored = await WriteKnownAsync(delivered, cancellationToken).ConfigureAwait(false);
                Delivered(logger, current.AlertId, current.ChannelId, payload!.TargetDescription, current.Attempts);
                return Outcome(stored, AlertDeliveryAction.Delivered);
            }

            var decision = AlertRetryPolicy.Decide(outcome, current.Attempts, options, jitter());
            if (decision.Retry)
            {
                Retrying(logger, current.AlertId, current.ChannelId, current.Attempts, outcome.Reason, decision.Delay.TotalSeconds);
                var waiting = await Log.TryUpdateAsync(
                    current with
                    {
                        Status = AlertDeliveryStatus.Waiting,
                        HttpStatus = outcome.HttpStatus,
                        Reason = outcome.Reason,
                        NextAttemptAt = now + decision.Delay,
                        LeaseUntil = now + decision.Delay + options.LeaseMargin,
                        UpdatedAt = now,
                    },
                    cancellationToken).ConfigureAwait(false);
                if (waiting is null)
                {
                    ours = false;
                    current = await RereadAsync(current, cancellationToken).ConfigureAwait(false) ?? current with { Status = AlertDeliveryStatus.Skipped };
                    continue;
                }

                current = waiting;
                continue;
            }

            var kind = outcome.Result switch
            {
                AttemptResult.Refused => "refused",
                AttemptResult.Permanent => "permanent",
                _ => "exhausted",
            };
            var result = await FailAsync(current with { HttpStatus = outcome.HttpStatus }, kind, decision.GiveUpReason ?? outcome.Reason, outcome.HttpStatus, candidate, queued, cancellationToken, force: true).ConfigureAwait(false);
            return result;
        }
    }

    /// <summary>Writes the dead letter, then marks the row failed (conditionally, or — when the answer is known — whatever happened to it meanwhile).</summary>
    private async Task<AlertDeliveryOutcome> FailAsync(AlertDeliveryRecord row, string kind, string reason, int? httpStatus, AlertCandidate candidate, AlertQueueMessage queued, CancellationToken cancellationToken, bool force = false)
    {
        var now = clock.GetUtcNow();
        await Log.WriteDeadLetterAsync(
            new AlertDeadLetter
            {
                Time = candidate.Time,
                AlertId = row.AlertId,
                ChannelId = row.ChannelId,
                RuleId = row.RuleId,
                Reason = kind,
                Detail = reason,
                HttpStatus = httpStatus,
                Attempts = row.Attempts,
                Target = row.Target,
                Message = Cut(queued.Text),
                MessageId = queued.MessageId,
                RecordedAt = now,
            },
            cancellationToken).ConfigureAwait(false);
        var failed = row with { Status = AlertDeliveryStatus.Failed, Reason = $"{kind}: {reason}", HttpStatus = httpStatus, LeaseUntil = null, NextAttemptAt = null, UpdatedAt = now };
        var stored = force ? await WriteKnownAsync(failed, cancellationToken).ConfigureAwait(false) : await Log.TryUpdateAsync(failed, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return Outcome(row, AlertDeliveryAction.Elsewhere);
        }

        DeliveryFailed(logger, row.AlertId, row.ChannelId, kind, reason);
        return Outcome(stored, AlertDeliveryAction.Failed);
    }

    /// <summary>Records an outcome this invocation knows for certain (it made the attempt), over any change made meanwhile.</summary>
    private async Task<AlertDeliveryRecord> WriteKnownAsync(AlertDeliveryRecord record, CancellationToken cancellationToken)
    {
        var current = record;
        for (var round = 0; round < 5; round++)
        {
            if (await Log.TryUpdateAsync(current, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                return stored;
            }

            // The lease ran out during the attempt and someone else changed the row; the answer received here is the truth.
            var latest = await Log.GetAsync(record.AlertTime, record.AlertId, record.ChannelId, cancellationToken).ConfigureAwait(false);
            if (latest is null)
            {
                return (await Log.CreateAsync(record, cancellationToken).ConfigureAwait(false)).Record;
            }

            current = record with { ETag = latest.ETag, Attempts = Math.Max(record.Attempts, latest.Attempts) };
        }

        throw new InvalidOperationException($"the delivery of alert '{record.AlertId}' to channel '{record.ChannelId}' kept changing while its outcome ({record.Status}) was being recorded.");
    }

    private Task<AlertDeliveryRecord?> RereadAsync(AlertDeliveryRecord row, CancellationToken cancellationToken) =>
        Log.GetAsync(row.AlertTime, row.AlertId, row.ChannelId, cancellationToken);

    private async Task DeadLetterMessageAsync(AlertQueueMessage message, string kind, IReadOnlyList<AlertProblem> problems, CancellationToken cancellationToken)
    {
        var detail = string.Join("; ", problems.Select(p => p.Message));
        BadMessage(logger, message.MessageId ?? "-", detail);
        var time = (message.InsertedOn ?? clock.GetUtcNow()).ToUnixTimeMilliseconds();
        await Log.WriteDeadLetterAsync(
            new AlertDeadLetter
            {
                Time = time,
                Reason = kind,
                Detail = detail,
                Message = Cut(message.Text),
                MessageId = message.MessageId ?? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(message.Text ?? string.Empty)))[..32],
                RecordedAt = clock.GetUtcNow(),
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static AlertDeliveryOutcome Outcome(AlertDeliveryRecord row, AlertDeliveryAction action) =>
        new(row.AlertId, row.RuleId, row.ChannelId, action, row.Status, row.Attempts, row.HttpStatus, row.Reason);

    private static string? Cut(string? text) => text is null ? null : AlertPayloads.Cut(text, MaxMessageStored);

    [LoggerMessage(Level = LogLevel.Information, Message = "DeliverAlert: alert {AlertId} delivered to channel {ChannelId} ({Target}) on attempt {Attempt}")]
    private static partial void Delivered(ILogger logger, string alertId, string channelId, string target, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DeliverAlert: alert {AlertId} to channel {ChannelId}: attempt {Attempt} failed ({Reason}); trying again in {Seconds:0.###} s")]
    private static partial void Retrying(ILogger logger, string alertId, string channelId, int attempt, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DeliverAlert: alert {AlertId} to channel {ChannelId} failed for good ({Kind}): {Reason}; dead-lettered")]
    private static partial void DeliveryFailed(ILogger logger, string alertId, string channelId, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DeliverAlert: alert {AlertId} to channel {ChannelId}: attempt {Attempt} was interrupted; the outcome is unknown and it is not sent again")]
    private static partial void InterruptedAttempt(ILogger logger, string alertId, string channelId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DeliverAlert: message {MessageId} cannot be used and is dead-lettered: {Detail}")]
    private static partial void BadMessage(ILogger logger, string messageId, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DeliverAlert: the stored {What} '{Id}' cannot be read and is ignored: {Reason}")]
    private static partial void UnreadableRow(ILogger logger, string what, string id, string reason);
}
