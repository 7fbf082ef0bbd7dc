using System.Globalization;
using System.Text;
using SigmaFlow.Platform.Alerts.Storage;

namespace SigmaFlow.Platform.Alerts;

/// <summary>One queue message of the <c>alerts</c> queue, with what the trigger knows about it.</summary>
/// <param name="Text">The message text.</param>
/// <param name="MessageId">The queue's message id (stable across redeliveries), or null.</param>
/// <param name="InsertedOn">When it was put on the queue, or null.</param>
/// <param name="DequeueCount">How many times it has been delivered, this time included.</param>
public sealed record AlertQueueMessage(string Text, string? MessageId = null, DateTimeOffset? InsertedOn = null, long DequeueCount = 1);

/// <summary>What happened to one (alert, channel) delivery in this invocation.</summary>
public enum AlertDeliveryAction
{
    /// <summary>Sent now; the service took it.</summary>
    Delivered,

    /// <summary>Failed for good now; dead-lettered.</summary>
    Failed,

    /// <summary>Recorded as suppressed by the rule's cooldown.</summary>
    Suppressed,

    /// <summary>Recorded as skipped (channel disabled or missing).</summary>
    Skipped,

    /// <summary>Already final before (a redelivered message): nothing sent.</summary>
    AlreadyDone,

    /// <summary>Another invocation holds it (sending, or waiting to retry): nothing sent here.</summary>
    Elsewhere,
}

/// <summary>One delivery's outcome in a report.</summary>
/// <param name="AlertId">The alert id.</param>
/// <param name="RuleId">The rule.</param>
/// <param name="ChannelId">The channel.</param>
/// <param name="Action">What happened here.</param>
/// <param name="Status">Where the delivery stands now.</param>
/// <param name="Attempts">HTTP attempts so far.</param>
/// <param name="HttpStatus">The last HTTP status, or null.</param>
/// <param name="Reason">The last reason, or null.</param>
public sealed record AlertDeliveryOutcome(string AlertId, string RuleId, string ChannelId, AlertDeliveryAction Action, AlertDeliveryStatus Status, int Attempts, int? HttpStatus, string? Reason);

/// <summary>What one queue message did.</summary>
public sealed record AlertDispatchReport
{
    /// <summary>The queue message id, or null.</summary>
    public string? MessageId { get; init; }

    /// <summary>The candidate's id, or null when the message could not be read.</summary>
    public string? CandidateId { get; init; }

    /// <summary>The candidate's kind, or null.</summary>
    public AlertCandidateKind? CandidateKind { get; init; }

    /// <summary>Rules the candidate fired.</summary>
    public int Matched { get; init; }

    /// <summary>Every delivery touched.</summary>
    public IReadOnlyList<AlertDeliveryOutcome> Deliveries { get; init; } = [];

    /// <summary>Why the message was dead-lettered (each with field, rule and value); empty when it was usable.</summary>
    public IReadOnlyList<AlertProblem> Problems { get; init; } = [];

    /// <summary>Why nothing fired when that is normal (no rule takes the signal, the rule is disabled), or null.</summary>
    public string? Note { get; init; }

    /// <summary>Time spent.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Deliveries the service took in this invocation.</summary>
    public int Delivered => Deliveries.Count(d => d.Action == AlertDeliveryAction.Delivered);

    /// <summary>Deliveries that failed for good in this invocation.</summary>
    public int Failed => Deliveries.Count(d => d.Action == AlertDeliveryAction.Failed);

    /// <summary>One line for the log: the message, the candidate, the counts per action, and the failures' reasons (no credentials, no bodies).</summary>
    /// <returns>The line.</returns>
    public string ToLogLine()
    {
        var builder = new StringBuilder("DeliverAlert");
        builder.Append(CultureInfo.InvariantCulture, $" message {MessageId ?? "-"}");
        if (Problems.Count > 0)
        {
            builder.Append(": dead-lettered: ").Append(string.Join("; ", Problems.Take(5).Select(p => p.Message)));
            return builder.Append(CultureInfo.InvariantCulture, $"; {Elapsed.TotalSeconds:0.###} s").ToString();
        }

        builder.Append(CultureInfo.InvariantCulture, $": {(CandidateKind == AlertCandidateKind.Signal ? "signal" : "alert")} {CandidateId}");
        if (Matched == 0)
        {
            builder.Append(": no alert (").Append(Note ?? "no rule fired").Append(')');
            return builder.Append(CultureInfo.InvariantCulture, $"; {Elapsed.TotalSeconds:0.###} s").ToString();
        }

        builder.Append(CultureInfo.InvariantCulture, $" → {Matched} rule{(Matched == 1 ? string.Empty : "s")}, {Deliveries.Count} deliver{(Deliveries.Count == 1 ? "y" : "ies")}:");
        var counts = Deliveries.GroupBy(d => d.Action).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $" {g.Count()} {Word(g.Key)}"));
        builder.Append(string.Join(",", counts));
        var failures = Deliveries.Where(d => d.Action == AlertDeliveryAction.Failed).Take(3).Select(d => $"{d.ChannelId}: {d.Reason}").ToList();
        if (failures.Count > 0)
        {
            builder.Append(" (").Append(string.Join("; ", failures)).Append(')');
        }

        return builder.Append(CultureInfo.InvariantCulture, $"; {Elapsed.TotalSeconds:0.###} s").ToString();
    }

    private static string Word(AlertDeliveryAction action) => action switch
    {
        AlertDeliveryAction.AlreadyDone => "already done",
        AlertDeliveryAction.Elsewhere => "in progress elsewhere",
        _ => action.ToString().ToLowerInvariant(),
    };
}
