using System.Text.Json.Serialization;

namespace SigmaFlow.Platform.Alerts.Storage;

/// <summary>Where one (alert, channel) delivery stands.</summary>
[JsonConverter(typeof(AlertEnumConverter<AlertDeliveryStatus>))]
public enum AlertDeliveryStatus
{
    /// <summary>Recorded; no attempt yet.</summary>
    Pending,

    /// <summary>An attempt is in flight (until <see cref="AlertDeliveryRecord.LeaseUntil"/>); if its owner is gone after that, the outcome is unknown.</summary>
    Sending,

    /// <summary>An attempt failed transiently; the next comes at <see cref="AlertDeliveryRecord.NextAttemptAt"/>.</summary>
    Waiting,

    /// <summary>The service took it. Final.</summary>
    Delivered,

    /// <summary>Failed for good (permanent answer, attempts used up, refused target, or an interrupted attempt whose outcome is unknown); dead-lettered. Final.</summary>
    Failed,

    /// <summary>Not sent: the rule fired for the symbol within its cooldown. Final.</summary>
    Suppressed,

    /// <summary>Not sent: the channel is disabled or does not exist. Final.</summary>
    Skipped,
}

/// <summary>One row of the delivery log (<see cref="AlertNames.DeliveriesTable"/>): one alert to one channel.</summary>
public sealed record AlertDeliveryRecord
{
    /// <summary>The alert id.</summary>
    public required string AlertId { get; init; }

    /// <summary>The channel id.</summary>
    public required string ChannelId { get; init; }

    /// <summary>The channel's kind, or null when the channel does not exist.</summary>
    public AlertChannelKind? ChannelKind { get; init; }

    /// <summary>The rule id.</summary>
    public required string RuleId { get; init; }

    /// <summary>The rule's name at the time.</summary>
    public string RuleName { get; init; } = string.Empty;

    /// <summary>The symbol.</summary>
    public required string Symbol { get; init; }

    /// <summary>The alert's time (Unix ms): the partition and order of the log.</summary>
    public required long AlertTime { get; init; }

    /// <summary>Where it stands.</summary>
    public AlertDeliveryStatus Status { get; init; }

    /// <summary>HTTP attempts started.</summary>
    public int Attempts { get; init; }

    /// <summary>The last HTTP status, or null.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>Why it stands where it stands (the last failure, the cooldown, the skip).</summary>
    public string? Reason { get; init; }

    /// <summary>Where it goes, credentials hidden.</summary>
    public string? Target { get; init; }

    /// <summary>The message's main text as rendered (at most 1,000 characters).</summary>
    public string? Text { get; init; }

    /// <summary>The queue message that created it.</summary>
    public string? MessageId { get; init; }

    /// <summary>When it was recorded.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the service took it.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }

    /// <summary>Until when the invocation that set <see cref="AlertDeliveryStatus.Sending"/> or <see cref="AlertDeliveryStatus.Waiting"/> owns it.</summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>When the next attempt is due (while waiting).</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>The row's version, for conditional updates (not serialized).</summary>
    [JsonIgnore]
    public string ETag { get; init; } = string.Empty;

    /// <summary>Whether the status is final.</summary>
    [JsonIgnore]
    public bool IsFinal => Status is AlertDeliveryStatus.Delivered or AlertDeliveryStatus.Failed or AlertDeliveryStatus.Suppressed or AlertDeliveryStatus.Skipped;
}

/// <summary>What failed for good, with its reason (<see cref="AlertNames.DeadLettersTable"/>).</summary>
public sealed record AlertDeadLetter
{
    /// <summary>The alert's time, or the queue message's insertion time for a message that could not be read (Unix ms).</summary>
    public required long Time { get; init; }

    /// <summary>The alert id, or null for a message that could not be read.</summary>
    public string? AlertId { get; init; }

    /// <summary>The channel id, or null.</summary>
    public string? ChannelId { get; init; }

    /// <summary>The rule id, or null.</summary>
    public string? RuleId { get; init; }

    /// <summary>
    /// The kind of failure: <c>permanent</c> (the service refused), <c>exhausted</c> (attempts or patience used up),
    /// <c>refused</c> (target not allowed), <c>unknown-outcome</c> (an attempt was interrupted), <c>bad-message</c>,
    /// <c>unknown-rule</c>.
    /// </summary>
    public required string Reason { get; init; }

    /// <summary>What happened: the field, rule and value, or the service's answer.</summary>
    public required string Detail { get; init; }

    /// <summary>The last HTTP status, or null.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>HTTP attempts made.</summary>
    public int Attempts { get; init; }

    /// <summary>Where it was going, credentials hidden.</summary>
    public string? Target { get; init; }

    /// <summary>The queue message's text (at most 4 KB).</summary>
    public string? Message { get; init; }

    /// <summary>The queue message's id.</summary>
    public string? MessageId { get; init; }

    /// <summary>When it was recorded.</summary>
    public DateTimeOffset RecordedAt { get; init; }
}

/// <summary>Which deliveries to list (newest first).</summary>
public sealed record AlertDeliveryQuery
{
    /// <summary>Earliest alert time (default: 7 days before <see cref="To"/>).</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Latest alert time (default: now).</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only this rule.</summary>
    public string? RuleId { get; init; }

    /// <summary>Only this channel.</summary>
    public string? ChannelId { get; init; }

    /// <summary>Only this symbol.</summary>
    public string? Symbol { get; init; }

    /// <summary>Only this status.</summary>
    public AlertDeliveryStatus? Status { get; init; }

    /// <summary>Only this alert.</summary>
    public string? AlertId { get; init; }

    /// <summary>Most rows returned (default 100, 1–1,000).</summary>
    public int Limit { get; init; } = 100;
}
