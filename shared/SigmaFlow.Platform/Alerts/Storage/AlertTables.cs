using System.Text.RegularExpressions;

namespace SigmaFlow.Platform.Alerts.Storage;

/// <summary>
/// The table names the alerts stores use: <see cref="Default"/> (<see cref="AlertNames"/>), or the same names behind a
/// prefix (<see cref="WithPrefix"/>) for a second set in one account, as tests use.
/// </summary>
/// <param name="Rules">Alert rules.</param>
/// <param name="Channels">Alert channels.</param>
/// <param name="Deliveries">The delivery log.</param>
/// <param name="DeadLetters">Dead letters.</param>
/// <param name="Cooldowns">Cooldown marks.</param>
public sealed partial record AlertTables(string Rules, string Channels, string Deliveries, string DeadLetters, string Cooldowns)
{
    /// <summary>The names in <see cref="AlertNames"/>.</summary>
    public static AlertTables Default { get; } = new(AlertNames.RulesTable, AlertNames.ChannelsTable, AlertNames.DeliveriesTable, AlertNames.DeadLettersTable, AlertNames.CooldownsTable);

    /// <summary>The default names behind a prefix: <c>{prefix}alertrules</c>, ….</summary>
    /// <param name="prefix">1–40 ASCII letters or digits, starting with a letter.</param>
    /// <returns>The names.</returns>
    /// <exception cref="ArgumentException">The prefix breaks the rule; the message says so.</exception>
    public static AlertTables WithPrefix(string prefix)
    {
        if (prefix is null || !Prefix().IsMatch(prefix))
        {
            throw new ArgumentException($"prefix must be 1 to 40 ASCII letters or digits starting with a letter (table names allow nothing else); got '{prefix}'.", nameof(prefix));
        }

        return new(prefix + AlertNames.RulesTable, prefix + AlertNames.ChannelsTable, prefix + AlertNames.DeliveriesTable, prefix + AlertNames.DeadLettersTable, prefix + AlertNames.CooldownsTable);
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{0,39}$")]
    private static partial Regex Prefix();
}
