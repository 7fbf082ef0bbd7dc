using System.Text.RegularExpressions;

namespace SigmaFlow.Platform.Azure.WebPubSub;

/// <summary>
/// The naming rules of Azure Web PubSub (AZURE-REFERENCE.md §2.1): hub names match
/// <c>^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$</c>, group names are 1 to 1024 characters. Shared by the service client
/// (guards) and the local stand-in (400 responses), so both refuse the same names.
/// </summary>
internal static partial class WebPubSubNames
{
    /// <summary>The longest group name the service accepts.</summary>
    public const int MaxGroupLength = 1024;

    /// <summary>The hub rule in words, for messages.</summary>
    public const string HubRule = "a hub name must start with a letter and hold only letters, digits and _ ` , . [ ] (1 to 128 characters)";

    /// <summary>The group rule in words, for messages.</summary>
    public const string GroupRule = "a group name must be 1 to 1024 characters";

    /// <summary>Whether a hub name follows the service's rule.</summary>
    /// <param name="hub">The name.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidHub(string? hub) => hub is not null && HubPattern().IsMatch(hub);

    /// <summary>Whether a group name follows the service's rule.</summary>
    /// <param name="group">The name.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidGroup(string? group) => group is { Length: > 0 and <= MaxGroupLength };

    /// <summary>Throws when a hub name breaks the rule.</summary>
    /// <param name="hub">The name.</param>
    /// <param name="parameterName">The parameter that carried it.</param>
    /// <exception cref="ArgumentException">The name is invalid; the message names the rule and the value.</exception>
    public static void CheckHub(string hub, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(hub, parameterName);
        if (!IsValidHub(hub))
        {
            throw new ArgumentException($"{HubRule}; got '{Shorten(hub)}'.", parameterName);
        }
    }

    /// <summary>Throws when a group name breaks the rule.</summary>
    /// <param name="group">The name.</param>
    /// <param name="parameterName">The parameter that carried it.</param>
    /// <exception cref="ArgumentException">The name is invalid; the message names the rule and the value.</exception>
    public static void CheckGroup(string group, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(group, parameterName);
        if (!IsValidGroup(group))
        {
            throw new ArgumentException($"{GroupRule}; got {group.Length} characters ('{Shorten(group)}').", parameterName);
        }
    }

    /// <summary>A value cut to a readable length for messages.</summary>
    /// <param name="value">The value.</param>
    /// <returns>At most 64 characters, with an ellipsis when cut.</returns>
    public static string Shorten(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 61), "...");

    // \z rather than $: '$' would also accept a name followed by a newline.
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_`,.\[\]]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex HubPattern();
}
