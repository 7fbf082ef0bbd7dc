using Azure.Core;
using SigmaFlow.Platform.Azure.Storage;

namespace SigmaFlow.Platform.Azure.EventHubs;

/// <summary>
/// Where an event hub is and how to authorise against it: a connection string
/// (<c>Endpoint=sb://{ns}.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…[;EntityPath={hub}]</c>), the
/// development form (<c>UseDevelopmentEmulator=true</c>: plain http to the endpoint's host and port, which is how the
/// local stand-in is addressed), or a fully qualified namespace with an Entra <see cref="TokenCredential"/>.
/// <see cref="ToString"/> never shows the key.
/// </summary>
public sealed record EventHubsConnection
{
    /// <summary>Entra scope for Event Hubs data-plane tokens.</summary>
    public const string Scope = "https://eventhubs.azure.net/.default";

    /// <summary>
    /// The HTTP base address requests go to, with a trailing slash: <c>https://{ns}.servicebus.windows.net/</c>, or
    /// <c>http://{host}:{port}/</c> with the development emulator.
    /// </summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The event hub (the connection string's <c>EntityPath</c> or the name given separately), or null when not chosen yet.</summary>
    public string? EventHubName { get; init; }

    /// <summary>Shared access policy name (<c>SharedAccessKeyName</c>), or null with an Entra credential.</summary>
    public string? SharedAccessKeyName { get; init; }

    /// <summary>Shared access policy key (<c>SharedAccessKey</c>), or null with an Entra credential.</summary>
    public string? SharedAccessKey { get; init; }

    /// <summary>Entra credential (token scope <see cref="Scope"/>), or null with a shared access key.</summary>
    public TokenCredential? Credential { get; init; }

    /// <summary>True for <c>UseDevelopmentEmulator=true</c>: plain http, no TLS.</summary>
    public bool UseDevelopmentEmulator { get; init; }

    /// <summary>The namespace's host name (and port when not the default), for example <c>sigmaflow.servicebus.windows.net</c>.</summary>
    public string FullyQualifiedNamespace => Endpoint.IsDefaultPort ? Endpoint.Host : $"{Endpoint.Host}:{Endpoint.Port}";

    /// <summary>Parses an Event Hubs connection string.</summary>
    /// <param name="connectionString">The connection string (Azure portal form, or the development form with <c>UseDevelopmentEmulator=true</c>).</param>
    /// <param name="eventHubName">The event hub, when the connection string has no <c>EntityPath</c>; when both are given they must agree.</param>
    /// <returns>The connection.</returns>
    /// <exception cref="FormatException">A part is missing or malformed; the message names it (never the key's value).</exception>
    /// <exception cref="ArgumentException"><paramref name="eventHubName"/> differs from the connection string's <c>EntityPath</c>.</exception>
    public static EventHubsConnection Parse(string connectionString, string? eventHubName = null)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        const string What = "Event Hubs connection string";
        var parts = ConnectionStrings.Split(connectionString, What);
        if (!parts.TryGetValue("Endpoint", out var endpointText) || endpointText.Length == 0)
        {
            throw new FormatException($"{What}: 'Endpoint' is required (for example Endpoint=sb://my-namespace.servicebus.windows.net/).");
        }

        var emulator = parts.TryGetValue("UseDevelopmentEmulator", out var dev) && string.Equals(dev, "true", StringComparison.OrdinalIgnoreCase);
        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("sb" or "https" or "http" or "amqps" or "amqp"))
        {
            throw new FormatException($"{What}: 'Endpoint' must be an absolute sb:// (or https://) address; got '{endpointText}'.");
        }

        if (endpoint.Scheme == "http" && !emulator)
        {
            throw new FormatException($"{What}: 'Endpoint' uses http, which only the development emulator accepts; add UseDevelopmentEmulator=true or use sb://.");
        }

        // sb:// has no default port, so an endpoint without one reports -1; the REST endpoint then takes the scheme's default.
        var port = endpoint.IsDefaultPort || endpoint.Port < 0 ? -1 : endpoint.Port;
        var http = new UriBuilder(emulator ? "http" : "https", endpoint.Host, port, "/").Uri;

        parts.TryGetValue("SharedAccessKeyName", out var keyName);
        parts.TryGetValue("SharedAccessKey", out var key);
        if (string.IsNullOrEmpty(keyName) || string.IsNullOrEmpty(key))
        {
            throw new FormatException($"{What}: 'SharedAccessKeyName' and 'SharedAccessKey' are required (for an Entra identity use EventHubsConnection.ForIdentity).");
        }

        parts.TryGetValue("EntityPath", out var entityPath);
        entityPath = string.IsNullOrEmpty(entityPath) ? null : entityPath;
        if (entityPath is not null && eventHubName is not null && !string.Equals(entityPath, eventHubName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"the connection string names event hub '{entityPath}' (EntityPath) but '{eventHubName}' was requested; drop one of them.", nameof(eventHubName));
        }

        var hub = entityPath ?? eventHubName;
        if (hub is not null)
        {
            ValidateHubName(hub, nameof(eventHubName));
        }

        return new EventHubsConnection
        {
            Endpoint = http,
            EventHubName = hub,
            SharedAccessKeyName = keyName,
            SharedAccessKey = key,
            UseDevelopmentEmulator = emulator,
        };
    }

    /// <summary>
    /// A namespace reached with an Entra identity (the Functions identity-based form <c>…__fullyQualifiedNamespace</c>);
    /// the identity needs the "Azure Event Hubs Data Sender" role.
    /// </summary>
    /// <param name="fullyQualifiedNamespace">For example <c>sigmaflow.servicebus.windows.net</c>.</param>
    /// <param name="eventHubName">The event hub.</param>
    /// <param name="credential">The credential (DefaultAzureCredential or a managed identity in Azure).</param>
    /// <returns>The connection.</returns>
    public static EventHubsConnection ForIdentity(string fullyQualifiedNamespace, string eventHubName, TokenCredential credential)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fullyQualifiedNamespace);
        ArgumentNullException.ThrowIfNull(credential);
        ValidateHubName(eventHubName, nameof(eventHubName));
        var host = fullyQualifiedNamespace.Contains("://", StringComparison.Ordinal) ? new Uri(fullyQualifiedNamespace).Host : fullyQualifiedNamespace.TrimEnd('/');
        if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            throw new ArgumentException($"the fully qualified namespace must be a host name such as my-namespace.servicebus.windows.net; got '{fullyQualifiedNamespace}'.", nameof(fullyQualifiedNamespace));
        }

        return new EventHubsConnection { Endpoint = new Uri($"https://{host}/"), EventHubName = eventHubName, Credential = credential };
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"event hub {EventHubName ?? "(none)"} at {Endpoint}{(Credential is not null ? " (Entra)" : $" (SAS policy {SharedAccessKeyName})")}{(UseDevelopmentEmulator ? " (development emulator)" : string.Empty)}";

    internal static void ValidateHubName(string? name, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, parameterName);
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                throw new ArgumentException($"an event hub name may hold only letters, digits, '-', '_' and '.'; got '{name}'.", parameterName);
            }
        }
    }
}
