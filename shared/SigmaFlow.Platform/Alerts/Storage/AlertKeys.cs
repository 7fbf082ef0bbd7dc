using System.Globalization;
using SigmaFlow.Platform.Live;

namespace SigmaFlow.Platform.Alerts.Storage;

/// <summary>
/// Table keys of the alerts tables. The delivery log and the dead letters are partitioned by the UTC day of the
/// alert's time and sorted newest first inside a day (the time is inverted: <c>999999999999999 − ms</c>, 15 digits).
/// Ids are escaped as in the live tables (<see cref="LiveKeys.Escape"/>: <c>|</c>, <c>/</c>, <c>%</c>, … percent-encoded),
/// so <c>|</c> separates key parts unambiguously.
/// </summary>
public static class AlertKeys
{
    private const long Inversion = 999_999_999_999_999;

    /// <summary>The PartitionKey of a time: its UTC day, <c>yyyy-MM-dd</c>.</summary>
    /// <param name="time">The time.</param>
    /// <returns>The key.</returns>
    public static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A time as a key part that sorts newest first.</summary>
    /// <param name="unixMilliseconds">The time.</param>
    /// <returns>15 digits.</returns>
    public static string Inverted(long unixMilliseconds) => (Inversion - Math.Clamp(unixMilliseconds, 0, Inversion)).ToString("D15", CultureInfo.InvariantCulture);

    /// <summary>The RowKey of a delivery (and of its dead letter): <c>{inverted time}|{alert id}|{channel id}</c>.</summary>
    /// <param name="time">The alert's time (Unix ms).</param>
    /// <param name="alertId">The alert id.</param>
    /// <param name="channelId">The channel id.</param>
    /// <returns>The key.</returns>
    public static string Delivery(long time, string alertId, string channelId) => $"{AlertPrefix(time, alertId)}{LiveKeys.Escape(channelId)}";

    /// <summary>The start of every RowKey of one alert's deliveries: <c>{inverted time}|{alert id}|</c>.</summary>
    /// <param name="time">The alert's time.</param>
    /// <param name="alertId">The alert id.</param>
    /// <returns>The prefix.</returns>
    public static string AlertPrefix(long time, string alertId) => $"{Inverted(time)}|{LiveKeys.Escape(alertId)}|";

    /// <summary>The RowKey of a dead letter for a queue message that could not be used: <c>{inverted time}|message|{message id}</c>.</summary>
    /// <param name="time">When the message was inserted (Unix ms).</param>
    /// <param name="messageId">The queue message's id (or a hash of its text).</param>
    /// <returns>The key.</returns>
    public static string Message(long time, string messageId) => $"{Inverted(time)}|message|{LiveKeys.Escape(messageId)}";

    /// <summary>The first key after every key starting with <paramref name="prefix"/>, for range queries.</summary>
    /// <param name="prefix">The prefix.</param>
    /// <returns>The bound.</returns>
    public static string After(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return string.Concat(prefix.AsSpan(0, prefix.Length - 1), ((char)(prefix[^1] + 1)).ToString());
    }
}
