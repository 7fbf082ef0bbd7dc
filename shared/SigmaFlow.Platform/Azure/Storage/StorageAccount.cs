using System.Globalization;

namespace SigmaFlow.Platform.Azure.Storage;

/// <summary>Which storage service a client talks to.</summary>
public enum StorageService
{
    /// <summary>Table storage.</summary>
    Table,

    /// <summary>Queue storage.</summary>
    Queue,

    /// <summary>Blob storage.</summary>
    Blob,
}

/// <summary>
/// A storage account as a connection string describes it: name, key (absent for identity-based connections) and the
/// endpoint of each service. Handles the Azure form (<c>DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net</c>),
/// explicit endpoints (Azurite: <c>TableEndpoint=http://127.0.0.1:10002/devstoreaccount1</c>) and <c>UseDevelopmentStorage=true</c>.
/// </summary>
public sealed record StorageAccount
{
    /// <summary>Azurite's well-known account name.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known account key (public, documented; not a secret).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>Account name.</summary>
    public required string Name { get; init; }

    /// <summary>Account key (base64), or null when requests are authorised with Entra tokens.</summary>
    public string? Key { get; init; }

    /// <summary>Table endpoint (for Azurite, with the account name as the first path segment).</summary>
    public required Uri TableEndpoint { get; init; }

    /// <summary>Queue endpoint.</summary>
    public required Uri QueueEndpoint { get; init; }

    /// <summary>Blob endpoint.</summary>
    public required Uri BlobEndpoint { get; init; }

    /// <summary>The endpoint of a service.</summary>
    /// <param name="service">The service.</param>
    /// <returns>Its base URI, without a trailing slash.</returns>
    public Uri Endpoint(StorageService service) => service switch
    {
        StorageService.Table => TableEndpoint,
        StorageService.Queue => QueueEndpoint,
        _ => BlobEndpoint,
    };

    /// <summary>
    /// An account reached with an Entra identity: <c>https://{name}.{service}.core.windows.net</c>, no key (the
    /// Functions identity-based connection form <c>…__accountName</c>).
    /// </summary>
    /// <param name="name">Account name.</param>
    /// <param name="endpointSuffix">DNS suffix.</param>
    /// <returns>The account.</returns>
    public static StorageAccount ForIdentity(string name, string endpointSuffix = "core.windows.net")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new StorageAccount
        {
            Name = name,
            TableEndpoint = new Uri($"https://{name}.table.{endpointSuffix}"),
            QueueEndpoint = new Uri($"https://{name}.queue.{endpointSuffix}"),
            BlobEndpoint = new Uri($"https://{name}.blob.{endpointSuffix}"),
        };
    }

    /// <summary>Parses a storage connection string.</summary>
    /// <param name="connectionString">The connection string.</param>
    /// <returns>The account.</returns>
    /// <exception cref="FormatException">A required part is missing or malformed; the message names it (never the key's value).</exception>
    public static StorageAccount Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var parts = ConnectionStrings.Split(connectionString, "storage connection string");
        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && string.Equals(dev, "true", StringComparison.OrdinalIgnoreCase))
        {
            var host = parts.TryGetValue("DevelopmentStorageProxyUri", out var proxy) ? proxy.TrimEnd('/') : "http://127.0.0.1";
            return new StorageAccount
            {
                Name = DevelopmentAccountName,
                Key = DevelopmentAccountKey,
                BlobEndpoint = new Uri($"{host}:10000/{DevelopmentAccountName}"),
                QueueEndpoint = new Uri($"{host}:10001/{DevelopmentAccountName}"),
                TableEndpoint = new Uri($"{host}:10002/{DevelopmentAccountName}"),
            };
        }

        if (!parts.TryGetValue("AccountName", out var name) || name.Length == 0)
        {
            throw new FormatException("storage connection string: 'AccountName' is required (or UseDevelopmentStorage=true).");
        }

        string? key = null;
        if (parts.TryGetValue("AccountKey", out var k))
        {
            var buffer = new byte[k.Length];
            if (!Convert.TryFromBase64String(k, buffer, out _))
            {
                throw new FormatException("storage connection string: 'AccountKey' must be base64.");
            }

            key = k;
        }

        var protocol = parts.TryGetValue("DefaultEndpointsProtocol", out var p) ? p : "https";
        if (protocol is not ("http" or "https"))
        {
            throw new FormatException($"storage connection string: 'DefaultEndpointsProtocol' must be http or https; got '{protocol}'.");
        }

        var suffix = parts.TryGetValue("EndpointSuffix", out var s) ? s : "core.windows.net";
        Uri Service(string setting, string dns)
        {
            if (!parts.TryGetValue(setting, out var explicitEndpoint))
            {
                return new Uri($"{protocol}://{name}.{dns}.{suffix}");
            }

            if (!Uri.TryCreate(explicitEndpoint.TrimEnd('/'), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new FormatException($"storage connection string: '{setting}' must be an absolute http(s) URL; got '{explicitEndpoint}'.");
            }

            return uri;
        }

        return new StorageAccount
        {
            Name = name,
            Key = key,
            TableEndpoint = Service("TableEndpoint", "table"),
            QueueEndpoint = Service("QueueEndpoint", "queue"),
            BlobEndpoint = Service("BlobEndpoint", "blob"),
        };
    }

    /// <summary>The connection string for Azurite on the given ports (127.0.0.1).</summary>
    /// <param name="tablePort">Table port.</param>
    /// <param name="queuePort">Queue port.</param>
    /// <param name="blobPort">Blob port.</param>
    /// <returns>The connection string.</returns>
    public static string AzuriteConnectionString(int tablePort, int queuePort, int blobPort) => string.Create(
        CultureInfo.InvariantCulture,
        $"DefaultEndpointsProtocol=http;AccountName={DevelopmentAccountName};AccountKey={DevelopmentAccountKey};BlobEndpoint=http://127.0.0.1:{blobPort}/{DevelopmentAccountName};QueueEndpoint=http://127.0.0.1:{queuePort}/{DevelopmentAccountName};TableEndpoint=http://127.0.0.1:{tablePort}/{DevelopmentAccountName};");

    /// <inheritdoc />
    public override string ToString() => $"storage account {Name} (table {TableEndpoint}, queue {QueueEndpoint}{(Key is null ? ", Entra" : ", shared key")})";
}

/// <summary>Splits <c>key=value;key=value</c> connection strings (values may contain '=').</summary>
internal static class ConnectionStrings
{
    public static Dictionary<string, string> Split(string connectionString, string what)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = segment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"{what}: every part must be name=value; found a part without '=' (parts: {string.Join(", ", parts.Keys)}).");
            }

            parts[segment[..eq].Trim()] = segment[(eq + 1)..].Trim();
        }

        return parts;
    }
}
