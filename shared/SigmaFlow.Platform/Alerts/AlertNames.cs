using SigmaFlow.Platform.Live;

namespace SigmaFlow.Platform.Alerts;

/// <summary>
/// Every name the alerts feature uses outside the process: its tables, the queue it reads and the headers it sends.
/// The HTTP API and the dashboard read the same names from here.
/// </summary>
public static class AlertNames
{
    /// <summary>Alert rules: PartitionKey <see cref="RulesPartition"/>, RowKey the rule id.</summary>
    public const string RulesTable = "alertrules";

    /// <summary>Alert channels: PartitionKey <see cref="ChannelsPartition"/>, RowKey the channel id.</summary>
    public const string ChannelsTable = "alertchannels";

    /// <summary>
    /// The delivery log, one row per (alert id, channel): PartitionKey the UTC day of the alert's time
    /// (<c>yyyy-MM-dd</c>), RowKey <c>{inverted time ms:D15}|{alert id}|{channel id}</c> (newest first in a day).
    /// </summary>
    public const string DeliveriesTable = "alertdeliveries";

    /// <summary>Deliveries that failed for good and queue messages that could not be used: keys as in <see cref="DeliveriesTable"/>.</summary>
    public const string DeadLettersTable = "alertdeadletters";

    /// <summary>Last admitted alert per (rule, symbol), for cooldowns: PartitionKey the rule id, RowKey the symbol.</summary>
    public const string CooldownsTable = "alertcooldowns";

    /// <summary>The one partition of <see cref="RulesTable"/>.</summary>
    public const string RulesPartition = "rule";

    /// <summary>The one partition of <see cref="ChannelsTable"/>.</summary>
    public const string ChannelsPartition = "channel";

    /// <summary>The Storage queue of alert candidates (the live pipeline's signals and candidates from scans).</summary>
    public const string Queue = LiveNames.AlertsQueue;

    /// <summary>Header of a generic webhook: <c>sha256=</c> and the lowercase hex HMAC-SHA256 of <c>{timestamp}.{body}</c>.</summary>
    public const string SignatureHeader = "X-SigmaFlow-Signature";

    /// <summary>Header of a generic webhook: the Unix time in seconds when the request was signed.</summary>
    public const string TimestampHeader = "X-SigmaFlow-Timestamp";

    /// <summary>Header of a generic webhook: the alert id, the same on every attempt (receivers can deduplicate by it).</summary>
    public const string AlertIdHeader = "X-SigmaFlow-Alert-Id";

    /// <summary>The User-Agent of every delivery.</summary>
    public const string UserAgent = "SigmaFlow-Alerts/1.0";
}
