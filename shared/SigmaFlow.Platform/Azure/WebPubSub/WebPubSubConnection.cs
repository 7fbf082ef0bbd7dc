using System.Globalization;
using Azure.Core;
using SigmaFlow.Platform.Azure.Storage;

namespace SigmaFlow.Platform.Azure.WebPubSub;

/// <summary>
/// Where a Web PubSub service is and how to authorise against it: an endpoint with the access key of a connection
/// string (<c>Endpoint=https://x.webpubsub.azure.com;AccessKey=…;Version=1.0;</c>, optionally <c>Port=…</c>; the local
/// stand-in's <c>Endpoint=http://127.0.0.1:PORT;…</c> works the same way), or an endpoint with an Entra
/// <see cref="TokenCredential"/> (scope <c>https://webpubsub.azure.com/.default</c>, role "Web PubSub Service Owner").
/// </summary>
public sealed class WebPubSubConnection
{
    /// <summary>Creates a connection authorised with an Entra identity (Azure only: bearer tokens need https).</summary>
    /// <param name="endpoint">The service endpoint, e.g. <c>https://sigmaflow.webpubsub.azure.com</c>.</param>
    /// <param name="credential">The identity, e.g. <c>DefaultAzureCredential</c>.</param>
    /// <exception cref="ArgumentException">The endpoint is not an absolute http(s) URL without query.</exception>
    public WebPubSubConnection(Uri endpoint, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        Endpoint = CheckEndpoint(endpoint, nameof(endpoint));
        Credential = credential;
    }

    private WebPubSubConnection(Uri endpoint, string accessKey)
    {
        Endpoint = endpoint;
        AccessKey = accessKey;
    }

    /// <summary>The service endpoint (scheme, host, port and any path prefix), without a trailing slash.</summary>
    public Uri Endpoint { get; }

    /// <summary>The Entra identity, or null when requests are signed with the access key.</summary>
    public TokenCredential? Credential { get; }

    /// <summary>Whether requests are signed with an access key (rather than an Entra identity).</summary>
    public bool UsesAccessKey => AccessKey is not null;

    /// <summary>The access key string (HMAC key of every token), or null for an Entra connection.</summary>
    internal string? AccessKey { get; }

    /// <summary>The endpoint as text without a trailing slash: the prefix of every REST and client URL.</summary>
    internal string BaseAddress => Endpoint.AbsoluteUri.TrimEnd('/');

    /// <summary>Parses a Web PubSub connection string.</summary>
    /// <param name="connectionString"><c>Endpoint=…;AccessKey=…;Version=1.0;</c> with an optional <c>Port=…</c>.</param>
    /// <returns>The connection.</returns>
    /// <exception cref="FormatException">A part is missing or malformed; the message names it, never the key's value.</exception>
    public static WebPubSubConnection Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        const string What = "Web PubSub connection string";
        var parts = ConnectionStrings.Split(connectionString, What);
        if (!parts.TryGetValue("Endpoint", out var endpointText) || endpointText.Length == 0)
        {
            throw new FormatException($"{What}: 'Endpoint' is required (e.g. Endpoint=https://name.webpubsub.azure.com).");
        }

        if (!Uri.TryCreate(endpointText.TrimEnd('/'), UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https")
            || endpoint.Query.Length > 0 || endpoint.Fragment.Length > 0)
        {
            throw new FormatException($"{What}: 'Endpoint' must be an absolute http(s) URL without query; got '{endpointText}'.");
        }

        if (!parts.TryGetValue("AccessKey", out var accessKey) || accessKey.Length == 0)
        {
            throw new FormatException($"{What}: 'AccessKey' is required; for an Entra identity use new WebPubSubConnection(endpoint, credential) instead.");
        }

        if (parts.TryGetValue("Version", out var version) && version != "1.0")
        {
            throw new FormatException($"{What}: 'Version' must be 1.0; got '{version}'.");
        }

        if (parts.TryGetValue("Port", out var portText))
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new FormatException($"{What}: 'Port' must be a number from 1 to 65535; got '{portText}'.");
            }

            endpoint = new UriBuilder(endpoint) { Port = port }.Uri;
        }

        return new WebPubSubConnection(endpoint, accessKey);
    }

    /// <inheritdoc />
    public override string ToString() => $"Web PubSub {BaseAddress} ({(UsesAccessKey ? "access key" : "Entra")})";

    private static Uri CheckEndpoint(Uri endpoint, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(endpoint, parameterName);
        if (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https") || endpoint.Query.Length > 0 || endpoint.Fragment.Length > 0)
        {
            throw new ArgumentException($"the endpoint must be an absolute http(s) URL without query; got '{endpoint}'.", parameterName);
        }

        return new Uri(endpoint.AbsoluteUri.TrimEnd('/'));
    }
}
