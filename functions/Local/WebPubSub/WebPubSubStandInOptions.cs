using System.Globalization;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Functions.Local.WebPubSub;

/// <summary>
/// Settings of the local Web PubSub stand-in, validated when it is created. Defaults are documented on each property.
/// </summary>
public sealed class WebPubSubStandInOptions
{
    /// <summary>Smallest accepted <see cref="MaxMessageSize"/>.</summary>
    public const int MinMessageSize = 1024;

    /// <summary>
    /// Where Kestrel listens: an absolute <c>http://host:port</c> URL without path (no TLS locally). Port 0 picks a
    /// free port; read the chosen one from <see cref="WebPubSubStandIn.GetConnectionString"/>. Default
    /// <c>http://127.0.0.1:0</c>.
    /// </summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>
    /// The access key that signs REST and client tokens (its UTF-8 bytes are the HMAC key). Default null: a random
    /// key is generated per run and appears only in the connection string.
    /// </summary>
    public string? AccessKey { get; set; }

    /// <summary>Hubs that exist; empty (the default) accepts every name that follows the service's hub rule.</summary>
    public IList<string> AllowedHubs { get; } = [];

    /// <summary>Largest message in bytes, both a client frame and a REST body. Default 1 MiB, at least 1 KiB.</summary>
    public int MaxMessageSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a dropped <c>json.reliable.webpubsub.azure.v1</c> connection keeps its id, groups and unacknowledged
    /// messages for a reconnect. Default 30 s (as the service), 1 s to 10 min.
    /// </summary>
    public TimeSpan ReconnectionWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Bytes a connection may hold in its outgoing queue (and, for reliable connections, unacknowledged). A
    /// connection that exceeds it is closed and forgotten, as the service does. Default 16 MiB, at least twice
    /// <see cref="MaxMessageSize"/> (a binary message grows by a third as base64).
    /// </summary>
    public long SendBufferLimit { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Adds <c>POST /_test/hubs/{hub}/connections/{connectionId}/:drop[?blockRecoveryMs=N]</c>, which cuts a client's
    /// socket without a close handshake (a network drop) and optionally refuses its reconnects for N ms. Default
    /// false; for tests only.
    /// </summary>
    public bool EnableTestHooks { get; set; }

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it, the rule and the value (never the key).</exception>
    public void Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme != "http" || url.AbsolutePath != "/" || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            throw new ArgumentException($"WebPubSubStandInOptions.Url must be an absolute http URL without path or query (e.g. http://127.0.0.1:0); got '{Url}'.", nameof(Url));
        }

        if (AccessKey is { } key && (key.Length < 16 || key.Contains(';', StringComparison.Ordinal) || key.Trim() != key))
        {
            throw new ArgumentException($"WebPubSubStandInOptions.AccessKey must be at least 16 characters without ';' or surrounding spaces; got {key.Length} characters.", nameof(AccessKey));
        }

        foreach (var hub in AllowedHubs)
        {
            if (!WebPubSubNames.IsValidHub(hub))
            {
                throw new ArgumentException($"WebPubSubStandInOptions.AllowedHubs: {WebPubSubNames.HubRule}; got '{hub}'.", nameof(AllowedHubs));
            }
        }

        if (MaxMessageSize is < MinMessageSize or > 64 * 1024 * 1024)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"WebPubSubStandInOptions.MaxMessageSize must be from 1 KiB to 64 MiB; got {MaxMessageSize} bytes."), nameof(MaxMessageSize));
        }

        if (ReconnectionWindow < TimeSpan.FromSeconds(1) || ReconnectionWindow > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"WebPubSubStandInOptions.ReconnectionWindow must be from 1 s to 10 min; got {ReconnectionWindow}."), nameof(ReconnectionWindow));
        }

        if (SendBufferLimit < 2L * MaxMessageSize)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"WebPubSubStandInOptions.SendBufferLimit must be at least twice MaxMessageSize ({2L * MaxMessageSize} bytes); got {SendBufferLimit}."), nameof(SendBufferLimit));
        }
    }
}
