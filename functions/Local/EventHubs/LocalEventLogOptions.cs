using System.Globalization;

namespace SigmaFlow.Functions.Local.EventHubs;

/// <summary>
/// Shape of the local event log: its event hubs with their partition counts, how many events each partition keeps, and
/// where (if anywhere) it is kept across restarts. Defaults: one hub, <c>ticks</c>, with 4 partitions; 100,000 events
/// per partition (the oldest are dropped); in memory only.
/// </summary>
public sealed class LocalEventLogOptions
{
    /// <summary>The hub the local runtime's feeds publish to.</summary>
    public const string DefaultHub = "ticks";

    /// <summary>Partitions of <see cref="DefaultHub"/> unless configured.</summary>
    public const int DefaultPartitionCount = 4;

    /// <summary>Most partitions a hub may have (the Standard tier's limit).</summary>
    public const int MaxPartitionCount = 32;

    /// <summary>Event hubs (names compared case-insensitively, as the service does) and their partition counts, 1 to <see cref="MaxPartitionCount"/>.</summary>
    public IDictionary<string, int> Hubs { get; set; } = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { [DefaultHub] = DefaultPartitionCount };

    /// <summary>Events each partition retains; appending beyond it drops the oldest. Default 100,000.</summary>
    public int MaxEventsPerPartition { get; set; } = 100_000;

    /// <summary>
    /// Folder that keeps the log across restarts (append-only files per hub and partition, reloaded when the log is
    /// created, so sequence numbers, offsets and enqueued times continue), or null to keep it in memory only (the
    /// default). Created when missing; one log at a time may use it.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>Checks the settings; the message names the setting, the rule and the value.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (Hubs is null || Hubs.Count == 0)
        {
            throw new ArgumentException($"{nameof(Hubs)} must name at least one event hub (default '{DefaultHub}' with {DefaultPartitionCount} partitions).", nameof(Hubs));
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, partitions) in Hubs)
        {
            if (!IsValidHubName(name))
            {
                throw new ArgumentException($"{nameof(Hubs)}: the event hub name '{name}' must be 1 to 256 letters, digits, '-', '_' or '.', starting and ending with a letter or digit.", nameof(Hubs));
            }

            if (!seen.Add(name))
            {
                throw new ArgumentException($"{nameof(Hubs)}: the event hub '{name}' is listed twice (names are case-insensitive).", nameof(Hubs));
            }

            if (partitions is < 1 or > MaxPartitionCount)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{nameof(Hubs)}: the event hub '{name}' must have 1 to {MaxPartitionCount} partitions; got {partitions}."), nameof(Hubs));
            }
        }

        if (MaxEventsPerPartition < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{nameof(MaxEventsPerPartition)} must be at least 1; got {MaxEventsPerPartition}."), nameof(MaxEventsPerPartition));
        }

        if (DataDirectory is not null && (DataDirectory.Trim().Length == 0 || DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
        {
            throw new ArgumentException($"{nameof(DataDirectory)} must be a folder path, or null to keep the log in memory; got '{DataDirectory}'.", nameof(DataDirectory));
        }
    }

    internal static bool IsValidHubName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 256 || !char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
