using System.Globalization;

namespace SigmaFlow.Platform.Azure.EventHubs;

/// <summary>
/// Settings of an <see cref="EventHubPublisher"/>. Defaults: requests of at most 1 MiB (the Standard tier's
/// publication limit), SAS tokens valid for one hour and renewed five minutes before they expire, and the retry,
/// logging and clock defaults of <see cref="AzureClientOptions"/>.
/// </summary>
public sealed class EventHubPublisherOptions
{
    /// <summary>Largest publication of the Standard tier and above: 1 MiB.</summary>
    public const int StandardMaxRequestBytes = 1024 * 1024;

    /// <summary>Largest publication of the Basic tier: 256 KiB.</summary>
    public const int BasicMaxRequestBytes = 256 * 1024;

    /// <summary>Smallest accepted <see cref="MaxRequestBytes"/>: room for a small event and its JSON framing.</summary>
    public const int MinimumMaxRequestBytes = 64;

    /// <summary>
    /// Largest request body, in bytes of the serialized JSON batch (brackets, commas and base64 included). Batches are
    /// split to stay at or under it; a single event that does not fit alone is rejected. Default <see cref="StandardMaxRequestBytes"/>.
    /// </summary>
    public int MaxRequestBytes { get; set; } = StandardMaxRequestBytes;

    /// <summary>How long a SAS token the publisher mints stays valid. Default one hour.</summary>
    public TimeSpan SasTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long before its expiry a cached SAS token is replaced. Default five minutes; must be less than the lifetime.</summary>
    public TimeSpan SasTokenRenewalMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Pipeline settings: retries, logging, transport, and the clock token lifetimes are measured with.</summary>
    public AzureClientOptions Client { get; set; } = new();

    /// <summary>Checks the settings; the message names the setting, the rule and the value.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (MaxRequestBytes < MinimumMaxRequestBytes)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{nameof(MaxRequestBytes)} must be at least {MinimumMaxRequestBytes}; got {MaxRequestBytes}."), nameof(MaxRequestBytes));
        }

        if (SasTokenLifetime < TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{nameof(SasTokenLifetime)} must be at least one minute; got {SasTokenLifetime}."), nameof(SasTokenLifetime));
        }

        if (SasTokenRenewalMargin < TimeSpan.Zero || SasTokenRenewalMargin >= SasTokenLifetime)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{nameof(SasTokenRenewalMargin)} must be zero or more and less than {nameof(SasTokenLifetime)} ({SasTokenLifetime}); got {SasTokenRenewalMargin}."), nameof(SasTokenRenewalMargin));
        }

        if (Client is null)
        {
            throw new ArgumentException($"{nameof(Client)} must not be null.", nameof(Client));
        }
    }
}
