using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace SigmaFlow.Platform.Azure.WebPubSub;

/// <summary>
/// Server-side client of one Web PubSub hub, speaking the data-plane REST API (api-version
/// <see cref="ApiVersion"/>, AZURE-REFERENCE.md §2.1): send JSON, text or bytes to everyone, a group, a user or a
/// connection; manage group membership of connections and users; close connections; mint client access URLs.
/// Requests are signed per request with the access key (HS256, <c>aud</c> = request URL without query) or carry an
/// Entra bearer token. Works the same against Azure and against the local stand-in. Immutable and thread-safe.
/// </summary>
public sealed class WebPubSubServiceClient
{
    /// <summary>The REST API version sent with every request.</summary>
    public const string ApiVersion = "2024-12-01";

    /// <summary>The Entra scope of data-plane tokens.</summary>
    public const string EntraScope = "https://webpubsub.azure.com/.default";

    private readonly WebPubSubConnection connection;
    private readonly HttpPipeline pipeline;
    private readonly TimeProvider clock;
    private readonly string hubPath;

    /// <summary>Creates a client for one hub.</summary>
    /// <param name="connection">Endpoint and credentials.</param>
    /// <param name="hub">The hub name (a letter, then letters, digits or _ ` , . [ ]; at most 128 characters).</param>
    /// <param name="options">Retries, logging and clock; SigmaFlow's defaults when null.</param>
    /// <exception cref="ArgumentException">The hub name breaks the service's rule.</exception>
    public WebPubSubServiceClient(WebPubSubConnection connection, string hub, AzureClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        WebPubSubNames.CheckHub(hub, nameof(hub));
        options ??= new AzureClientOptions();
        this.connection = connection;
        clock = options.Clock;
        Hub = hub;
        hubPath = connection.BaseAddress + "/api/hubs/" + Uri.EscapeDataString(hub);
        HttpPipelinePolicy auth = connection.AccessKey is { } key
            ? new WebPubSubAccessKeyPolicy(key, clock)
            : new BearerTokenAuthenticationPolicy(connection.Credential!, EntraScope);
        pipeline = HttpPipelineBuilder.Build(options, [], [auth], new ResponseClassifier());
    }

    /// <summary>The hub this client talks to.</summary>
    public string Hub { get; }

    /// <summary>The service endpoint.</summary>
    public Uri Endpoint => connection.Endpoint;

    /// <summary>Sends a message to every connection of the hub (<c>POST /api/hubs/{hub}/:send</c>; 202 Accepted).</summary>
    /// <param name="content">The body.</param>
    /// <param name="contentType">What the body is.</param>
    /// <param name="excluded">Connection ids that must not receive it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service accepted the message.</returns>
    /// <exception cref="ArgumentException">JSON content is not one JSON value, or an excluded id is empty.</exception>
    /// <exception cref="RequestFailedException">The service refused or could not be reached.</exception>
    public Task SendToAllAsync(BinaryData content, WebPubSubContentType contentType, IEnumerable<string>? excluded = null, CancellationToken cancellationToken = default) =>
        SendAsync("/:send", content, contentType, excluded, $"Send to all of hub '{Hub}'", cancellationToken);

    /// <summary>Sends a message to the connections in a group (<c>POST /api/hubs/{hub}/groups/{group}/:send</c>).</summary>
    /// <param name="group">The group (1 to 1024 characters).</param>
    /// <param name="content">The body.</param>
    /// <param name="contentType">What the body is.</param>
    /// <param name="excluded">Connection ids that must not receive it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service accepted the message.</returns>
    /// <exception cref="ArgumentException">The group name is invalid, JSON content is not JSON, or an excluded id is empty.</exception>
    /// <exception cref="RequestFailedException">The service refused or could not be reached.</exception>
    public Task SendToGroupAsync(string group, BinaryData content, WebPubSubContentType contentType, IEnumerable<string>? excluded = null, CancellationToken cancellationToken = default)
    {
        WebPubSubNames.CheckGroup(group, nameof(group));
        return SendAsync("/groups/" + Uri.EscapeDataString(group) + "/:send", content, contentType, excluded, $"Send to group '{WebPubSubNames.Shorten(group)}' of hub '{Hub}'", cancellationToken);
    }

    /// <summary>
    /// Sends a message to every connection of a user (<c>POST /api/hubs/{hub}/users/{userId}/:send</c>). The REST API
    /// has no <c>excluded</c> parameter for this operation.
    /// </summary>
    /// <param name="userId">The user id (the token's <c>sub</c>).</param>
    /// <param name="content">The body.</param>
    /// <param name="contentType">What the body is.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service accepted the message.</returns>
    /// <exception cref="ArgumentException">The user id is empty, or JSON content is not JSON.</exception>
    /// <exception cref="RequestFailedException">The service refused or could not be reached.</exception>
    public Task SendToUserAsync(string userId, BinaryData content, WebPubSubContentType contentType, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return SendAsync("/users/" + Uri.EscapeDataString(userId) + "/:send", content, contentType, null, $"Send to user '{WebPubSubNames.Shorten(userId)}' of hub '{Hub}'", cancellationToken);
    }

    /// <summary>Sends a message to one connection (<c>POST /api/hubs/{hub}/connections/{connectionId}/:send</c>).</summary>
    /// <param name="connectionId">The connection id (from the client's <c>connected</c> message).</param>
    /// <param name="content">The body.</param>
    /// <param name="contentType">What the body is.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service accepted the message.</returns>
    /// <exception cref="ArgumentException">The connection id is empty, or JSON content is not JSON.</exception>
    /// <exception cref="RequestFailedException">The service refused or could not be reached.</exception>
    public Task SendToConnectionAsync(string connectionId, BinaryData content, WebPubSubContentType contentType, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        return SendAsync("/connections/" + Uri.EscapeDataString(connectionId) + "/:send", content, contentType, null, $"Send to connection '{connectionId}' of hub '{Hub}'", cancellationToken);
    }

    /// <summary>Adds a connection to a group (<c>PUT /api/hubs/{hub}/groups/{group}/connections/{connectionId}</c>; 200).</summary>
    /// <param name="group">The group.</param>
    /// <param name="connectionId">The connection id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the connection is in the group.</returns>
    /// <exception cref="ArgumentException">The group name is invalid or the connection id empty.</exception>
    /// <exception cref="RequestFailedException">The service refused (404 when the connection does not exist) or could not be reached.</exception>
    public Task AddConnectionToGroupAsync(string group, string connectionId, CancellationToken cancellationToken = default) =>
        MembershipAsync(RequestMethod.Put, group, "connections", connectionId, "Add connection", "to", cancellationToken);

    /// <summary>Removes a connection from a group (<c>DELETE /api/hubs/{hub}/groups/{group}/connections/{connectionId}</c>; 204).</summary>
    /// <param name="group">The group.</param>
    /// <param name="connectionId">The connection id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the connection is out of the group.</returns>
    /// <exception cref="ArgumentException">The group name is invalid or the connection id empty.</exception>
    /// <exception cref="RequestFailedException">The service refused or could not be reached.</exception>
    public Task RemoveConnectionFromGroupAsync(string group, string connectionId, CancellationToken cancellationToken = default) =>
        MembershipAsync(RequestMethod.Delete, group, "connections", connectionId, "Remove connection", "from", cancellationToken);

    /// <summary>
    /// Adds a user to a group (<c>PUT /api/hubs/{hub}/users/{userId}/groups/{group}</c>; 200): the user's current
    /// connections join it, and so do connections the user opens later.
    /// </summary>
    /// <param name="group">The group.</param>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the user is in the group.</returns>
    /// <exception cref="ArgumentException">The group name is invalid or the user id empty.</exception>
    /// <exception cref="RequestFailedException">The service refused or could not be reached.</exception>
    public Task AddUserToGroupAsync(string group, string userId, CancellationToken cancellationToken = default) =>
        MembershipAsync(RequestMethod.Put, group, "users", userId, "Add user", "to", cancellationToken);

    /// <summary>Removes a user from a group (<c>DELETE /api/hubs/{hub}/users/{userId}/groups/{group}</c>; 204).</summary>
    /// <param name="group">The group.</param>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the user is out of the group.</returns>
    /// <exception cref="ArgumentException">The group name is invalid or the user id empty.</exception>
    /// <exception cref="RequestFailedException">The service refused or could not be reached.</exception>
    public Task RemoveUserFromGroupAsync(string group, string userId, CancellationToken cancellationToken = default) =>
        MembershipAsync(RequestMethod.Delete, group, "users", userId, "Remove user", "from", cancellationToken);

    /// <summary>Closes a client connection (<c>DELETE /api/hubs/{hub}/connections/{connectionId}?reason=…</c>; 204).</summary>
    /// <param name="connectionId">The connection id.</param>
    /// <param name="reason">Why, passed to the client's <c>disconnected</c> message; null for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service closed it.</returns>
    /// <exception cref="ArgumentException">The connection id is empty.</exception>
    /// <exception cref="RequestFailedException">The service refused or could not be reached.</exception>
    public async Task CloseConnectionAsync(string connectionId, string? reason = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        using var message = Request(RequestMethod.Delete, "/connections/" + Uri.EscapeDataString(connectionId));
        if (!string.IsNullOrEmpty(reason))
        {
            message.Request.Uri.AppendQuery("reason", reason);
        }

        await SendAsync(message, $"Close connection '{connectionId}' of hub '{Hub}'", [200, 204], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The URL a client connects to: <c>wss://…/client/hubs/{hub}?access_token=…</c> (<c>ws://</c> for an http
    /// endpoint). With an access key the token is minted here (HS256, <c>aud</c> = <c>{endpoint}/client/hubs/{hub}</c>,
    /// <c>sub</c>, <c>role</c>, <c>webpubsub.group</c>); with Entra the service mints it
    /// (<c>POST /api/hubs/{hub}/:generateToken</c>, whole minutes, at least one).
    /// </summary>
    /// <param name="userId">The user id (<c>sub</c>), or null for an anonymous connection.</param>
    /// <param name="roles">Roles such as <c>webpubsub.joinLeaveGroup</c> or <c>webpubsub.sendToGroup.signals</c>; none lets the client only send events.</param>
    /// <param name="groups">Groups the connection joins when it connects.</param>
    /// <param name="expiresAfter">Token lifetime; one hour when null.</param>
    /// <param name="cancellationToken">Cancels the Entra call.</param>
    /// <returns>The client access URL.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The lifetime is not positive.</exception>
    /// <exception cref="ArgumentException">The user id or a role is empty, or a group name is invalid.</exception>
    /// <exception cref="RequestFailedException">With Entra: the service refused or could not be reached.</exception>
    public async Task<Uri> GetClientAccessUriAsync(string? userId = null, IEnumerable<string>? roles = null, IEnumerable<string>? groups = null, TimeSpan? expiresAfter = null, CancellationToken cancellationToken = default)
    {
        var lifetime = expiresAfter ?? TimeSpan.FromHours(1);
        if (lifetime <= TimeSpan.Zero || lifetime > TimeSpan.FromDays(365))
        {
            throw new ArgumentOutOfRangeException(nameof(expiresAfter), lifetime, "the token lifetime must be positive and at most 365 days.");
        }

        if (userId is { Length: 0 })
        {
            throw new ArgumentException("the user id must be null (anonymous) or non-empty; got an empty string.", nameof(userId));
        }

        var roleList = roles?.ToList() ?? [];
        foreach (var role in roleList)
        {
            if (string.IsNullOrEmpty(role))
            {
                throw new ArgumentException($"roles must be non-empty strings; got an empty one among {roleList.Count}.", nameof(roles));
            }
        }

        var groupList = groups?.ToList() ?? [];
        foreach (var group in groupList)
        {
            WebPubSubNames.CheckGroup(group, nameof(groups));
        }

        string token;
        if (connection.AccessKey is { } key)
        {
            var now = clock.GetUtcNow();
            token = Hs256Jwt.Create(
                new WebPubSubTokenClaims
                {
                    Audience = connection.BaseAddress + "/client/hubs/" + Hub,
                    IssuedAt = now,
                    ExpiresAt = now + lifetime,
                    UserId = userId,
                    Roles = roleList,
                    Groups = groupList,
                },
                key);
        }
        else
        {
            token = await GenerateTokenAsync(userId, roleList, groupList, lifetime, cancellationToken).ConfigureAwait(false);
        }

        var scheme = connection.Endpoint.Scheme == "http" ? "ws" : "wss";
        var clientBase = scheme + "://" + connection.BaseAddress[(connection.Endpoint.Scheme.Length + 3)..];
        return new Uri(clientBase + "/client/hubs/" + Hub + "?access_token=" + Uri.EscapeDataString(token));
    }

    /// <inheritdoc />
    public override string ToString() => $"{connection}, hub {Hub}";

    private async Task<string> GenerateTokenAsync(string? userId, List<string> roles, List<string> groups, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        using var message = Request(RequestMethod.Post, "/:generateToken");
        var uri = message.Request.Uri;
        if (userId is not null)
        {
            uri.AppendQuery("userId", userId);
        }

        foreach (var role in roles)
        {
            uri.AppendQuery("role", role);
        }

        foreach (var group in groups)
        {
            uri.AppendQuery("group", group);
        }

        var minutes = (int)Math.Max(1, Math.Ceiling(lifetime.TotalMinutes));
        uri.AppendQuery("minutesToExpire", minutes.ToString(CultureInfo.InvariantCulture));
        var operation = $"Generate client token for hub '{Hub}'";
        var response = await SendAsync(message, operation, [200], cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(response.Content.ToMemory());
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("token", out var token)
                && token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } value)
            {
                return value;
            }
        }
        catch (JsonException)
        {
            // Reported below.
        }

        throw new RequestFailedException(response.Status, $"{operation}: the response is not {{\"token\":\"…\"}}.");
    }

    private async Task SendAsync(string path, BinaryData content, WebPubSubContentType contentType, IEnumerable<string>? excluded, string operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var mediaType = contentType switch
        {
            WebPubSubContentType.Json => "application/json",
            WebPubSubContentType.Text => "text/plain",
            WebPubSubContentType.Binary => "application/octet-stream",
            _ => throw new ArgumentOutOfRangeException(nameof(contentType), contentType, "the content type must be Json, Text or Binary."),
        };
        if (contentType == WebPubSubContentType.Json)
        {
            CheckJson(content);
        }

        using var message = Request(RequestMethod.Post, path);
        foreach (var id in excluded ?? [])
        {
            if (string.IsNullOrEmpty(id))
            {
                throw new ArgumentException("excluded connection ids must be non-empty; got an empty one.", nameof(excluded));
            }

            message.Request.Uri.AppendQuery("excluded", id);
        }

        message.Request.Headers.SetValue(HttpHeader.Names.ContentType, mediaType);
        message.Request.Content = RequestContent.Create(content);
        await SendAsync(message, operation, [202], cancellationToken).ConfigureAwait(false);
    }

    private async Task MembershipAsync(RequestMethod method, string group, string kind, string id, string verb, string preposition, CancellationToken cancellationToken)
    {
        WebPubSubNames.CheckGroup(group, nameof(group));
        ArgumentException.ThrowIfNullOrEmpty(id, kind == "users" ? "userId" : "connectionId");
        var path = kind == "users"
            ? "/users/" + Uri.EscapeDataString(id) + "/groups/" + Uri.EscapeDataString(group)
            : "/groups/" + Uri.EscapeDataString(group) + "/connections/" + Uri.EscapeDataString(id);
        using var message = Request(method, path);
        int[] expected = method == RequestMethod.Put ? [200] : [200, 204];
        await SendAsync(message, $"{verb} '{WebPubSubNames.Shorten(id)}' {preposition} group '{WebPubSubNames.Shorten(group)}' of hub '{Hub}'", expected, cancellationToken).ConfigureAwait(false);
    }

    private HttpMessage Request(RequestMethod method, string path)
    {
        var message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(new Uri(hubPath + path));
        message.Request.Uri.AppendQuery("api-version", ApiVersion);
        return message;
    }

    private async Task<Response> SendAsync(HttpMessage message, string operation, int[] expected, CancellationToken cancellationToken)
    {
        try
        {
            await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && e is AggregateException or RequestFailedException { Status: 0 } or OperationCanceledException or HttpRequestException)
        {
            throw WebPubSubFailures.Unreachable(e, operation, connection.Endpoint);
        }

        var response = message.Response;
        return Array.IndexOf(expected, response.Status) >= 0 ? response : throw WebPubSubFailures.FromResponse(response, operation);
    }

    private static void CheckJson(BinaryData content)
    {
        var reader = new Utf8JsonReader(content.ToMemory().Span, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read())
            {
                throw new ArgumentException("JSON content must be one JSON value; got an empty body.", nameof(content));
            }

            if (reader.TrySkip() && !reader.Read())
            {
                return;
            }

            throw new ArgumentException("JSON content must be exactly one JSON value; found more after the first.", nameof(content));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"JSON content must be one valid JSON value: {e.Message}", nameof(content), e);
        }
    }
}
