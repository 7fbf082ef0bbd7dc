using System.Net;
using Azure.Core;
using Microsoft.Azure.Cosmos;

namespace SigmaFlow.Platform.Azure.Cosmos;

/// <summary>
/// One Cosmos DB account client for the life of the app (the SDK's client is thread-safe and meant to be a singleton),
/// from a connection string (<c>AccountEndpoint=…;AccountKey=…;</c>) or an endpoint and an Entra <see cref="TokenCredential"/>.
/// On Azure it runs in the configured mode (Direct by default); on the local emulator — <see cref="CosmosStoreOptions.Emulator"/>
/// or a loopback endpoint — it runs in Gateway mode and accepts the emulator's self-signed certificate for that host and
/// port only. Hands out a <see cref="CosmosStore"/> per container.
/// </summary>
public sealed class CosmosConnection : IDisposable
{
    private CosmosConnection(Uri endpoint, bool emulator, CosmosStoreOptions options, Func<CosmosClientOptions, CosmosClient> create)
    {
        Endpoint = endpoint;
        IsEmulator = emulator;
        Options = options;
        var clientOptions = new CosmosClientOptions
        {
            ApplicationName = options.ApplicationName,
            ConnectionMode = emulator ? ConnectionMode.Gateway : options.ConnectionMode,
            RequestTimeout = options.RequestTimeout,
            MaxRetryAttemptsOnRateLimitedRequests = options.MaxRetryAttemptsOnRateLimitedRequests,
            MaxRetryWaitTimeOnRateLimitedRequests = options.MaxRetryWaitTimeOnRateLimitedRequests,
            Serializer = new CosmosJsonSerializer(options.JsonOptions),
        };
        if (emulator)
        {
            // Validation is relaxed for the emulator's own host and port only, and the SDK must not wander off to the
            // endpoints the account advertises (the local server reports its own, but an emulator may report others).
            clientOptions.HttpClientFactory = () => new HttpClient(EmulatorCertificatePolicy.CreateHandler(endpoint), disposeHandler: true);
            clientOptions.LimitToEndpoint = true;
            clientOptions.CustomHandlers.Add(new EmulatorQueryHandler());
        }

        Client = create(clientOptions);
    }

    /// <summary>The account endpoint.</summary>
    public Uri Endpoint { get; }

    /// <summary>True when talking to a local emulator (Gateway mode, self-signed certificate accepted for <see cref="Endpoint"/> only).</summary>
    public bool IsEmulator { get; }

    /// <summary>The settings in use (validated).</summary>
    public CosmosStoreOptions Options { get; }

    /// <summary>The SDK client (for the store; not part of the platform's surface).</summary>
    internal CosmosClient Client { get; }

    /// <summary>Connects with a connection string.</summary>
    /// <param name="connectionString"><c>AccountEndpoint=https://…/;AccountKey=…;</c> (the Azure portal's and the emulator's form).</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <returns>The connection (no request is made until the first operation).</returns>
    /// <exception cref="FormatException">A part is missing or malformed; the message names it, never the key's value.</exception>
    public static CosmosConnection FromConnectionString(string connectionString, CosmosStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        options ??= new CosmosStoreOptions();
        options.Validate();
        var parsed = CosmosConnectionString.Parse(connectionString);
        var emulator = options.Emulator || parsed.Endpoint.IsLoopback;
        if (parsed.DisableServerCertificateValidation && !emulator)
        {
            throw new FormatException($"Cosmos connection string: 'DisableServerCertificateValidation' is accepted only for a local emulator (a loopback endpoint or CosmosStoreOptions.Emulator = true); the endpoint is {parsed.Endpoint}. Remove it: certificates of other hosts are always validated.");
        }

        return new CosmosConnection(parsed.Endpoint, emulator, options, clientOptions => new CosmosClient(parsed.Endpoint.AbsoluteUri, parsed.Key, clientOptions));
    }

    /// <summary>Connects with an Entra identity (managed identity in Azure, developer credentials locally).</summary>
    /// <param name="endpoint">The account endpoint, <c>https://{account}.documents.azure.com:443/</c>.</param>
    /// <param name="credential">The identity; it needs a Cosmos DB data-plane role (Built-in Data Contributor) on the account.</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <returns>The connection (no request is made until the first operation).</returns>
    public static CosmosConnection FromCredential(Uri endpoint, TokenCredential credential, CosmosStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        if (!endpoint.IsAbsoluteUri || endpoint.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"The Cosmos endpoint must be an absolute https URL; got '{endpoint}'.", nameof(endpoint));
        }

        options ??= new CosmosStoreOptions();
        options.Validate();
        return new CosmosConnection(endpoint, options.Emulator, options, clientOptions => new CosmosClient(endpoint.AbsoluteUri, credential, clientOptions));
    }

    /// <summary>
    /// Creates the database and the container when they do not exist (a container gets the given partition key path),
    /// and returns the store for the container. Safe to call on every start.
    /// </summary>
    /// <param name="database">Database name.</param>
    /// <param name="container">Container name.</param>
    /// <param name="partitionKeyPath">Partition key path, e.g. <c>/runId</c> (camelCase, as documents are stored).</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The store.</returns>
    /// <exception cref="CosmosStoreException">The account could not be reached or refused, or the container exists with another partition key path.</exception>
    public async Task<CosmosStore> EnsureDatabaseAndContainerAsync(string database, string container, string partitionKeyPath, CancellationToken cancellationToken = default)
    {
        CosmosGuards.Name(database, nameof(database));
        CosmosGuards.Name(container, nameof(container));
        CosmosGuards.PartitionKeyPath(partitionKeyPath, nameof(partitionKeyPath));
        var what = $"database '{database}', container '{container}' (partition key path {partitionKeyPath})";
        try
        {
            var databaseResponse = await Client.CreateDatabaseIfNotExistsAsync(database, cancellationToken: cancellationToken).ConfigureAwait(false);
            var containerResponse = await databaseResponse.Database.CreateContainerIfNotExistsAsync(new ContainerProperties(container, partitionKeyPath), cancellationToken: cancellationToken).ConfigureAwait(false);
            var existing = containerResponse.Resource?.PartitionKeyPath;
            if (existing is not null && !string.Equals(existing, partitionKeyPath, StringComparison.Ordinal))
            {
                throw new CosmosStoreException($"ensure {what}: the container already exists with partition key path {existing}; a partition key path cannot change — use another container or migrate the documents.", (int)HttpStatusCode.Conflict);
            }
        }
        catch (ArgumentException exception)
        {
            // The SDK compares the partition key path of an existing container with the one asked for.
            throw new CosmosStoreException($"ensure {what}: {exception.Message}. A partition key path cannot change — use another container or migrate the documents.", (int)HttpStatusCode.Conflict, exception);
        }
        catch (CosmosException exception)
        {
            throw CosmosFailures.From("ensure", what, this, (int)exception.StatusCode, exception.SubStatusCode, exception.ResponseBody ?? exception.Message, exception);
        }
        catch (HttpRequestException exception)
        {
            throw CosmosFailures.From("ensure", what, this, 0, 0, exception.Message, exception);
        }

        return GetStore(database, container, partitionKeyPath);
    }

    /// <summary>The store for a container that already exists (no request is made).</summary>
    /// <param name="database">Database name.</param>
    /// <param name="container">Container name.</param>
    /// <param name="partitionKeyPath">The container's partition key path, e.g. <c>/runId</c>.</param>
    /// <returns>The store.</returns>
    public CosmosStore GetStore(string database, string container, string partitionKeyPath)
    {
        CosmosGuards.Name(database, nameof(database));
        CosmosGuards.Name(container, nameof(container));
        CosmosGuards.PartitionKeyPath(partitionKeyPath, nameof(partitionKeyPath));
        return new CosmosStore(this, Client.GetContainer(database, container), database, container, partitionKeyPath);
    }

    /// <inheritdoc />
    public void Dispose() => Client.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"Cosmos account {Endpoint} ({(IsEmulator ? "emulator, Gateway" : Options.ConnectionMode.ToString())})";
}

/// <summary>A parsed <c>AccountEndpoint=…;AccountKey=…;</c> connection string.</summary>
/// <param name="Endpoint">The account endpoint.</param>
/// <param name="Key">The account key (base64).</param>
/// <param name="DisableServerCertificateValidation">Whether the string asks for validation off (honoured for emulators only).</param>
internal sealed record CosmosConnectionString(Uri Endpoint, string Key, bool DisableServerCertificateValidation)
{
    /// <summary>Parses a connection string.</summary>
    /// <param name="connectionString">The text.</param>
    /// <returns>The parts.</returns>
    /// <exception cref="FormatException">A part is missing or malformed; the message names it, never the key's value.</exception>
    public static CosmosConnectionString Parse(string connectionString)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = segment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"Cosmos connection string: every part must be name=value; found a part without a name or '=' after the parts {string.Join(", ", parts.Keys)}.");
            }

            parts[segment[..eq].Trim()] = segment[(eq + 1)..].Trim();
        }

        if (!parts.TryGetValue("AccountEndpoint", out var endpointText) || endpointText.Length == 0)
        {
            throw new FormatException($"Cosmos connection string: 'AccountEndpoint' is required (AccountEndpoint=https://<account>.documents.azure.com:443/;AccountKey=…); found the parts {string.Join(", ", parts.Keys)}.");
        }

        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || endpoint.Scheme != Uri.UriSchemeHttps)
        {
            throw new FormatException($"Cosmos connection string: 'AccountEndpoint' must be an absolute https URL; got '{endpointText}'.");
        }

        if (!parts.TryGetValue("AccountKey", out var key) || key.Length == 0)
        {
            throw new FormatException("Cosmos connection string: 'AccountKey' is required (for an Entra identity use CosmosConnection.FromCredential).");
        }

        if (!Convert.TryFromBase64String(key, new byte[key.Length], out _))
        {
            throw new FormatException("Cosmos connection string: 'AccountKey' must be base64.");
        }

        var disable = parts.TryGetValue("DisableServerCertificateValidation", out var flag) && string.Equals(flag, "true", StringComparison.OrdinalIgnoreCase);
        return new CosmosConnectionString(endpoint, key, disable);
    }

    /// <inheritdoc />
    public override string ToString() => $"Cosmos connection string for {Endpoint}";
}
