using System.Globalization;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Functions.Local.WebPubSub;

/// <summary>
/// The data-plane REST API under <c>/api/hubs/{hub}/…</c> (AZURE-REFERENCE.md §2.1, the operations and statuses of
/// api-version 2024-12-01): sends (202), group membership of connections (PUT 200, DELETE 204) and users, closing
/// connections (204), existence checks (HEAD 200/404) and <c>:generateToken</c> (200). Every call needs
/// <c>Authorization: Bearer</c> with an HS256 token whose <c>aud</c> is the request URL without query (the URL with its
/// query, as the .NET SDK signs it, is accepted too); otherwise 401. Errors are <c>{"code":…,"message":…}</c> with
/// <c>x-ms-error-code</c>.
/// </summary>
internal sealed class RestEndpoint(StandInHubs hubs, ILogger logger)
{
    private WebPubSubStandInOptions Options => hubs.Options;

    /// <summary>Writes an error response.</summary>
    /// <param name="context">The request.</param>
    /// <param name="status">HTTP status.</param>
    /// <param name="code">Error code (also in <c>x-ms-error-code</c>).</param>
    /// <param name="message">Message.</param>
    /// <returns>A task that completes when written.</returns>
    public static async Task WriteErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-ms-error-code"] = code;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        context.Response.ContentType = "application/json";
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["code"] = code, ["message"] = message });
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Handles one REST request.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes with the response.</returns>
    public async Task HandleAsync(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.ToString();
        var rawPath = rawTarget.Split('?')[0];
        var segments = rawPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        var method = context.Request.Method;

        // /api/hubs/{hub}/… → segments[0..1] = api, hubs.
        var route = Route(segments.AsSpan(2), method);
        if (route.Operation is null)
        {
            await FailAsync(context, route.Status, route.Status == 405 ? "MethodNotAllowed" : "NotFound", route.Status == 405 ? $"{method} is not supported on {rawPath}." : $"No Web PubSub operation at {rawPath}.").ConfigureAwait(false);
            return;
        }

        var requestBase = $"{context.Request.Scheme}://{context.Request.Host.Value}";
        var audiences = new[] { requestBase + rawPath.TrimEnd('/'), requestBase + rawTarget };
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            await FailAsync(context, 401, "Unauthorized", "The request has no Authorization: Bearer token.").ConfigureAwait(false);
            return;
        }

        var token = Hs256Jwt.Validate(authorization[7..].Trim(), hubs.AccessKey, audiences, hubs.Time.GetUtcNow());
        if (!token.IsValid)
        {
            await FailAsync(context, 401, "Unauthorized", $"Invalid bearer token: {token.Error}.").ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(context.Request.Query["api-version"]))
        {
            await FailAsync(context, 400, "MissingApiVersion", "The api-version query parameter is required (e.g. 2024-12-01).").ConfigureAwait(false);
            return;
        }

        var hub = segments[2];
        if (!WebPubSubNames.IsValidHub(hub))
        {
            await FailAsync(context, 400, "InvalidHub", $"{WebPubSubNames.HubRule}; got '{WebPubSubNames.Shorten(hub)}'.").ConfigureAwait(false);
            return;
        }

        if (Options.AllowedHubs.Count > 0 && !Options.AllowedHubs.Contains(hub))
        {
            await FailAsync(context, 404, "HubNotFound", $"Hub '{hub}' does not exist here.").ConfigureAwait(false);
            return;
        }

        if (route.Group is { } group && !WebPubSubNames.IsValidGroup(group))
        {
            await FailAsync(context, 400, "InvalidGroup", $"{WebPubSubNames.GroupRule}; got {group.Length} characters.").ConfigureAwait(false);
            return;
        }

        if (route.Name is { Length: 0 })
        {
            await FailAsync(context, 400, "InvalidArgument", "The user or connection id must not be empty.").ConfigureAwait(false);
            return;
        }

        await route.Operation(this, context, hub, route).ConfigureAwait(false);
    }

    private static Match Route(ReadOnlySpan<string> s, string method)
    {
        bool Is(string expected) => string.Equals(method, expected, StringComparison.OrdinalIgnoreCase);
        Match M(string verb, Func<RestEndpoint, HttpContext, string, Match, Task> operation, string? kind = null, string? name = null, string? group = null) =>
            Is(verb) ? new Match(operation, 200, kind, name, group) : new Match(null, 405, null, null, null);

        return s.Length switch
        {
            2 when s[1] == ":send" => M("POST", (e, c, h, m) => e.SendAsync(c, h, "all", null)),
            2 when s[1] == ":generateToken" => M("POST", (e, c, h, m) => e.GenerateTokenAsync(c, h)),
            2 when s[1] == ":closeConnections" => M("POST", (e, c, h, m) => e.CloseManyAsync(c, h, "all", null)),
            3 when s[1] is "groups" or "users" or "connections" && Is("HEAD") => M("HEAD", (e, c, h, m) => e.ExistsAsync(c, h, m.Kind!, m.Name ?? m.Group!), s[1], s[1] == "groups" ? null : s[2], s[1] == "groups" ? s[2] : null),
            3 when s[1] == "connections" => M("DELETE", (e, c, h, m) => e.CloseConnectionAsync(c, h, m.Name!), "connections", s[2]),
            4 when s[1] == "groups" && s[3] == ":send" => M("POST", (e, c, h, m) => e.SendAsync(c, h, "groups", m.Group), group: s[2]),
            4 when s[1] == "groups" && s[3] == ":closeConnections" => M("POST", (e, c, h, m) => e.CloseManyAsync(c, h, "groups", m.Group), group: s[2]),
            4 when s[1] == "users" && s[3] == ":send" => M("POST", (e, c, h, m) => e.SendAsync(c, h, "users", m.Name), "users", s[2]),
            4 when s[1] == "users" && s[3] == ":closeConnections" => M("POST", (e, c, h, m) => e.CloseManyAsync(c, h, "users", m.Name), "users", s[2]),
            4 when s[1] == "users" && s[3] == "groups" => M("DELETE", (e, c, h, m) => e.RemoveUserFromAllGroupsAsync(c, h, m.Name!), "users", s[2]),
            4 when s[1] == "connections" && s[3] == ":send" => M("POST", (e, c, h, m) => e.SendAsync(c, h, "connections", m.Name), "connections", s[2]),
            4 when s[1] == "connections" && s[3] == "groups" => M("DELETE", (e, c, h, m) => e.RemoveConnectionFromAllGroupsAsync(c, h, m.Name!), "connections", s[2]),
            5 when s[1] == "groups" && s[3] == "connections" => Is("PUT") || Is("DELETE")
                ? new Match((e, c, h, m) => e.ConnectionMembershipAsync(c, h, m.Group!, m.Name!), 200, "connections", s[4], s[2])
                : new Match(null, 405, null, null, null),
            5 when s[1] == "users" && s[3] == "groups" => Is("PUT") || Is("DELETE")
                ? new Match((e, c, h, m) => e.UserMembershipAsync(c, h, m.Group!, m.Name!), 200, "users", s[2], s[4])
                : new Match(null, 405, null, null, null),
            _ => new Match(null, 404, null, null, null),
        };
    }

    private async Task SendAsync(HttpContext context, string hub, string kind, string? name)
    {
        var mediaType = MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var parsed) ? parsed.MediaType?.ToUpperInvariant() : null;
        var dataType = mediaType switch
        {
            "APPLICATION/JSON" => "json",
            "TEXT/PLAIN" => "text",
            "APPLICATION/OCTET-STREAM" => "binary",
            _ => null,
        };
        if (dataType is null)
        {
            await FailAsync(context, 415, "UnsupportedMediaType", $"Content-Type must be application/json, text/plain or application/octet-stream; got '{context.Request.ContentType}'.").ConfigureAwait(false);
            return;
        }

        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            await FailAsync(context, 413, "PayloadTooLarge", string.Create(CultureInfo.InvariantCulture, $"The message exceeds the {Options.MaxMessageSize}-byte limit.")).ConfigureAwait(false);
            return;
        }

        if (dataType == "json" && !IsOneJsonValue(body))
        {
            await FailAsync(context, 400, "InvalidJson", "An application/json body must be exactly one JSON value.").ConfigureAwait(false);
            return;
        }

        if (dataType == "text" && !IsUtf8(body))
        {
            await FailAsync(context, 400, "InvalidText", "A text/plain body must be UTF-8.").ConfigureAwait(false);
            return;
        }

        var excluded = context.Request.Query["excluded"].Where(id => !string.IsNullOrEmpty(id)).Select(id => id!).ToHashSet(StringComparer.Ordinal);
        hubs.Deliver(hubs.Targets(hub, kind, name), ServerFrames.FromServer(dataType, body), excluded);
        context.Response.StatusCode = 202;
    }

    private async Task GenerateTokenAsync(HttpContext context, string hub)
    {
        var query = context.Request.Query;
        if (query["clientType"].ToString() is { Length: > 0 } clientType && !string.Equals(clientType, "Default", StringComparison.OrdinalIgnoreCase))
        {
            await FailAsync(context, 400, "InvalidClientType", $"Only clientType Default is supported by the stand-in; got '{clientType}'.").ConfigureAwait(false);
            return;
        }

        var minutes = 60;
        if (query["minutesToExpire"].ToString() is { Length: > 0 } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out minutes) || minutes < 1))
        {
            await FailAsync(context, 400, "InvalidArgument", $"minutesToExpire must be a whole number of at least 1; got '{text}'.").ConfigureAwait(false);
            return;
        }

        var groups = query["group"].Select(g => g ?? string.Empty).ToList();
        if (groups.Any(g => !WebPubSubNames.IsValidGroup(g)))
        {
            await FailAsync(context, 400, "InvalidGroup", WebPubSubNames.GroupRule + ".").ConfigureAwait(false);
            return;
        }

        var now = hubs.Time.GetUtcNow();
        var userId = query["userId"].ToString();
        var token = Hs256Jwt.Create(
            new WebPubSubTokenClaims
            {
                Audience = $"{context.Request.Scheme}://{context.Request.Host.Value}/client/hubs/{hub}",
                IssuedAt = now,
                ExpiresAt = now.AddMinutes(minutes),
                UserId = userId.Length == 0 ? null : userId,
                Roles = query["role"].Where(r => !string.IsNullOrEmpty(r)).Select(r => r!).ToList(),
                Groups = groups,
            },
            hubs.AccessKey);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["token"] = token }), context.RequestAborted).ConfigureAwait(false);
    }

    private Task CloseConnectionAsync(HttpContext context, string hub, string connectionId)
    {
        if (hubs.Find(hub, connectionId) is { } connection)
        {
            hubs.Close(connection, WebSocketCloseStatus.PolicyViolation, Reason(context));
        }

        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private Task CloseManyAsync(HttpContext context, string hub, string kind, string? name)
    {
        var excluded = context.Request.Query["excluded"].Select(id => id ?? string.Empty).ToHashSet(StringComparer.Ordinal);
        foreach (var connection in hubs.Targets(hub, kind, name))
        {
            if (!excluded.Contains(connection.ConnectionId))
            {
                hubs.Close(connection, WebSocketCloseStatus.PolicyViolation, Reason(context));
            }
        }

        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private Task ExistsAsync(HttpContext context, string hub, string kind, string name)
    {
        context.Response.StatusCode = hubs.Exists(hub, kind, name) ? 200 : 404;
        return Task.CompletedTask;
    }

    private async Task ConnectionMembershipAsync(HttpContext context, string hub, string group, string connectionId)
    {
        var connection = hubs.Find(hub, connectionId);
        if (HttpMethods.IsPut(context.Request.Method))
        {
            if (connection is null)
            {
                await FailAsync(context, 404, "ConnectionNotFound", $"Connection '{WebPubSubNames.Shorten(connectionId)}' does not exist in hub '{hub}'.").ConfigureAwait(false);
                return;
            }

            hubs.Join(connection, group);
            context.Response.StatusCode = 200;
            return;
        }

        if (connection is not null)
        {
            hubs.Leave(connection, group);
        }

        context.Response.StatusCode = 204;
    }

    private Task UserMembershipAsync(HttpContext context, string hub, string group, string userId)
    {
        if (HttpMethods.IsPut(context.Request.Method))
        {
            hubs.AddUserToGroup(hub, userId, group);
            context.Response.StatusCode = 200;
        }
        else
        {
            hubs.RemoveUserFromGroup(hub, userId, group);
            context.Response.StatusCode = 204;
        }

        return Task.CompletedTask;
    }

    private Task RemoveUserFromAllGroupsAsync(HttpContext context, string hub, string userId)
    {
        hubs.RemoveUserFromGroup(hub, userId, null);
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private Task RemoveConnectionFromAllGroupsAsync(HttpContext context, string hub, string connectionId)
    {
        if (hubs.Find(hub, connectionId) is { } connection)
        {
            hubs.LeaveAll(connection);
        }

        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private static string Reason(HttpContext context) =>
        context.Request.Query["reason"].ToString() is { Length: > 0 } reason ? reason : "Closed by the server.";

    private async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > Options.MaxMessageSize)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static bool IsOneJsonValue(byte[] body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsUtf8(byte[] body)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(body);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private async Task FailAsync(HttpContext context, int status, string code, string message)
    {
        StandInLog.RestRefused(logger, context.Request.Method, context.Request.Path, status, code, message);
        await WriteErrorAsync(context, status, code, message).ConfigureAwait(false);
    }

    private sealed record Match(Func<RestEndpoint, HttpContext, string, Match, Task>? Operation, int Status, string? Kind, string? Name, string? Group);
}
