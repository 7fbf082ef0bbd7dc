using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api.Http;

/// <summary>
/// What every API request goes through, in order: request id (an <c>x-request-id</c> the caller sent, echoed, or a new
/// one), body buffering (1 MiB at most), caller (API key in <c>x-api-key</c>; in Azure, when enabled, the platform's
/// authenticated principal header), scope, rate limit per caller (token bucket; 429 with <c>Retry-After</c>),
/// idempotency (<c>Idempotency-Key</c> on POSTs that start work), the handler, and the translation of every failure
/// into an RFC 7807 problem. Nothing a request sends can take the process down.
/// </summary>
internal sealed partial class ApiPipeline : IEndpointFilter
{
    /// <summary>The Easy Auth header with the authenticated principal (base64 JSON).</summary>
    public const string PrincipalHeader = "x-ms-client-principal";

    private readonly ApiKeyStore? keys;
    private readonly IdempotencyStore? idempotency;
    private readonly bool acceptPrincipalHeader;
    private readonly ILogger log;
    private readonly ConcurrentDictionary<string, RateLimiter> limiters = new(StringComparer.Ordinal);

    public ApiPipeline(ApiKeyStore? keys, IdempotencyStore? idempotency, bool acceptPrincipalHeader, ILogger log)
    {
        this.keys = keys;
        this.idempotency = idempotency;
        this.acceptPrincipalHeader = acceptPrincipalHeader;
        this.log = log;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var requestId = RequestId(http);
        ApiRequest.SetRequestId(http, requestId);
        http.Response.Headers["x-request-id"] = requestId;
        var operation = http.GetEndpoint()?.Metadata.GetMetadata<ApiOperation>();
        ApiResult result;
        try
        {
            result = await RunAsync(context, next, operation).ConfigureAwait(false);
        }
        catch (ApiProblem problem)
        {
            result = Problem(http, problem);
        }
        catch (WorkspaceConflictException e)
        {
            result = Problem(http, ApiProblem.Conflict(e.Message));
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return Results.StatusCode(StatusCodes.Status499ClientClosedRequest);
        }
        catch (RequestFailedException e) when (e.Status is 0 or >= 500)
        {
            StorageFailed(log, e, requestId);
            result = Problem(http, ApiProblem.Unavailable($"a platform service did not answer ({e.Status}: {First(e.Message)}); retry later with the same request (request id {requestId})."));
        }
#pragma warning disable CA1031 // Any failure becomes a 500 problem; the server keeps serving.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Failed(log, e, http.Request.Method, http.Request.Path, requestId);
            result = Problem(http, new ApiProblem(StatusCodes.Status500InternalServerError, "Internal error", $"the request failed unexpectedly ({e.GetType().Name}); it is logged under request id {requestId}."));
        }

        return result;
    }

    /// <summary>The problem response of an exception, with the request id and the problem's headers.</summary>
    public static ApiResult Problem(HttpContext http, ApiProblem problem)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(problem);
        var result = new ApiResult(problem.Status, ApiJson.Serialize(problem.Document(http.Request.Path + http.Request.QueryString, ApiRequest.RequestId(http))), "application/problem+json; charset=utf-8");
        foreach (var (name, value) in problem.Headers)
        {
            result.With(name, value);
        }

        return result;
    }

    private async Task<ApiResult> RunAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, ApiOperation? operation)
    {
        var http = context.HttpContext;
        await BufferBodyAsync(http).ConfigureAwait(false);
        var caller = await CallerAsync(http).ConfigureAwait(false);
        ApiRequest.SetCaller(http, caller);
        if (operation?.Scope is { } needed)
        {
            if (!caller.Authenticated)
            {
                var unauthorized = new ApiProblem(StatusCodes.Status401Unauthorized, "Unauthorized", $"this endpoint needs an API key with scope '{Name(needed)}' in the x-api-key header.", [new FieldError("header.x-api-key", "required")]);
                unauthorized.Headers["WWW-Authenticate"] = "ApiKey header=\"x-api-key\"";
                throw unauthorized;
            }

            if (caller.Scope < needed)
            {
                throw new ApiProblem(StatusCodes.Status403Forbidden, "Forbidden", $"this endpoint needs scope '{Name(needed)}'; the caller '{caller.Name}' has '{Name(caller.Scope)}'.");
            }
        }

        Limit(caller);

        var key = http.Request.Headers["Idempotency-Key"].FirstOrDefault();
        if (operation is { Idempotent: true } && key is not null && HttpMethods.IsPost(http.Request.Method))
        {
            return await IdempotentAsync(context, next, caller, key).ConfigureAwait(false);
        }

        return await ExecuteAsync(context, next).ConfigureAwait(false);
    }

    private static async Task<ApiResult> ExecuteAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false) switch
            {
                ApiResult api => api,
                null => ApiResult.NoContent(),
                var other => throw new InvalidOperationException($"API handlers answer with ApiResult; got {other.GetType().Name}."),
            };
        }
        catch (ApiProblem problem)
        {
            return Problem(context.HttpContext, problem);
        }
        catch (WorkspaceConflictException e)
        {
            return Problem(context.HttpContext, ApiProblem.Conflict(e.Message));
        }
    }

    private async Task<ApiResult> IdempotentAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, ApiCaller caller, string key)
    {
        var http = context.HttpContext;
        if (key.Length is 0 or > 255 || key.Any(c => c is < ' ' or > '~'))
        {
            throw ApiProblem.BadRequest("header.Idempotency-Key", "must be 1–255 printable ASCII characters", key);
        }

        if (idempotency is null)
        {
            throw ApiProblem.Unavailable("Idempotency-Key needs storage (setting AzureWebJobsStorage); send the request without it or configure storage.");
        }

        var fingerprint = IdempotencyStore.Fingerprint(http.Request.Method, http.Request.Path + http.Request.QueryString, ApiRequest.Body(http));
        var decision = await idempotency.BeginAsync(caller.Id, key, fingerprint, http.RequestAborted).ConfigureAwait(false);
        switch (decision.State)
        {
            case IdempotencyState.Replay:
                var stored = decision.Response!;
                return new ApiResult(stored.Status, Encoding.UTF8.GetBytes(stored.Body), stored.ContentType, stored.Location).With("Idempotent-Replayed", "true");
            case IdempotencyState.InProgress:
                throw ApiProblem.Conflict($"a request with Idempotency-Key '{key}' is still being processed; retry in a moment to get its response.");
            case IdempotencyState.Mismatch:
                throw ApiProblem.Invalid("header.Idempotency-Key", "was already used for a different request (method, path or body); use a new key for a new request", key);
        }

        ApiResult result;
        try
        {
            result = await ExecuteAsync(context, next).ConfigureAwait(false);
        }
        catch
        {
            await idempotency.AbandonAsync(caller.Id, key, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (result.Status >= 500)
        {
            await idempotency.AbandonAsync(caller.Id, key, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            await idempotency.CompleteAsync(caller.Id, key, fingerprint, new StoredResponse(result.Status, result.ContentType, Encoding.UTF8.GetString(result.Body), result.Location), CancellationToken.None).ConfigureAwait(false);
        }

        return result;
    }

    private static async Task BufferBodyAsync(HttpContext http)
    {
        if (http.Request.ContentLength is > ApiRequest.MaxBody)
        {
            throw TooLarge(http.Request.ContentLength.Value);
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        var total = 0;
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await http.Request.Body.ReadAsync(memory, http.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            total += read;
            if (total > ApiRequest.MaxBody)
            {
                throw TooLarge(total);
            }
        }

        ApiRequest.SetBody(http, buffer.WrittenSpan.ToArray());
    }

    private static ApiProblem TooLarge(long length) =>
        new(StatusCodes.Status413PayloadTooLarge, "Payload too large", string.Create(CultureInfo.InvariantCulture, $"body: at most {ApiRequest.MaxBody} bytes are accepted (got {length}+)"), [new FieldError("body", string.Create(CultureInfo.InvariantCulture, $"at most {ApiRequest.MaxBody} bytes"))]);

    private async Task<ApiCaller> CallerAsync(HttpContext http)
    {
        var apiKey = http.Request.Headers["x-api-key"].FirstOrDefault();
        if (apiKey is not null)
        {
            if (keys is null)
            {
                throw ApiProblem.Unavailable("API keys are kept in storage, which is not configured (setting AzureWebJobsStorage).");
            }

            var record = await keys.VerifyAsync(apiKey.Trim(), http.RequestAborted).ConfigureAwait(false);
            if (record is null)
            {
                var problem = new ApiProblem(StatusCodes.Status401Unauthorized, "Unauthorized", "header.x-api-key: not a valid, unrevoked API key", [new FieldError("header.x-api-key", "must be a valid, unrevoked API key (sfk_…)", Mask(apiKey))]);
                problem.Headers["WWW-Authenticate"] = "ApiKey header=\"x-api-key\"";
                throw problem;
            }

            return new ApiCaller("key:" + record.Id, record.Name, record.Scope, record.RateLimitPerMinute, true);
        }

        if (acceptPrincipalHeader && http.Request.Headers[PrincipalHeader].FirstOrDefault() is { Length: > 0 } encoded)
        {
            return Principal(encoded);
        }

        return ApiCaller.Anonymous with { Id = "ip:" + (http.Connection.RemoteIpAddress ?? IPAddress.None) };
    }

    /// <summary>
    /// The principal Azure's authentication (Easy Auth) puts in <c>x-ms-client-principal</c> after signing the user in
    /// (and strips from incoming requests): base64 JSON with <c>claims</c> [{typ, val}]. Roles <c>sigmaflow.admin</c>
    /// and <c>sigmaflow.trade</c> map to those scopes; any other authenticated principal reads.
    /// </summary>
    private static ApiCaller Principal(string encoded)
    {
        try
        {
            using var document = JsonDocument.Parse(Convert.FromBase64String(encoded));
            var claims = document.RootElement.TryGetProperty("claims", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(c => (Type: c.GetProperty("typ").GetString() ?? string.Empty, Value: c.GetProperty("val").GetString() ?? string.Empty)).ToList()
                : [];
            var roleType = document.RootElement.TryGetProperty("role_typ", out var rt) ? rt.GetString() : ClaimTypes.Role;
            var roles = claims.Where(c => c.Type == roleType || c.Type is "roles" or ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var id = claims.FirstOrDefault(c => c.Type is "http://schemas.microsoft.com/identity/claims/objectidentifier" or "oid" or ClaimTypes.NameIdentifier or "sub").Value;
            var name = claims.FirstOrDefault(c => c.Type is "name" or ClaimTypes.Name or "preferred_username").Value;
            if (string.IsNullOrEmpty(id))
            {
                throw new FormatException("no object id or name identifier claim");
            }

            var scope = roles.Contains("sigmaflow.admin") ? ApiScope.Admin : roles.Contains("sigmaflow.trade") ? ApiScope.Trade : ApiScope.Read;
            return new ApiCaller("principal:" + id, name ?? id, scope, ApiKeyStore.DefaultRateLimitPerMinute, true);
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ApiProblem(StatusCodes.Status401Unauthorized, "Unauthorized", $"header.{PrincipalHeader}: not a readable principal ({e.Message})", [new FieldError("header." + PrincipalHeader, "must be base64 JSON with claims")]);
        }
    }

    private void Limit(ApiCaller caller)
    {
        var limiter = limiters.GetOrAdd(caller.Id + "|" + caller.RateLimitPerMinute.ToString(CultureInfo.InvariantCulture), _ => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = caller.RateLimitPerMinute,
            TokensPerPeriod = Math.Max(1, (int)Math.Ceiling(caller.RateLimitPerMinute / 60.0)),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        using var lease = limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
        var problem = new ApiProblem(StatusCodes.Status429TooManyRequests, "Too many requests", string.Create(CultureInfo.InvariantCulture, $"the caller '{caller.Name}' is limited to {caller.RateLimitPerMinute} requests per minute; retry after {retryAfter} s."));
        problem.Headers["Retry-After"] = retryAfter.ToString(CultureInfo.InvariantCulture);
        throw problem;
    }

    private static string RequestId(HttpContext http)
    {
        var sent = http.Request.Headers["x-request-id"].FirstOrDefault();
        return sent is { Length: > 0 and <= 128 } && sent.All(c => c is > ' ' and <= '~') ? sent : Guid.NewGuid().ToString("N");
    }

    private static string Name(ApiScope scope) => scope.ToString().ToLowerInvariant();

    private static string Mask(string key) => key.Length <= 17 ? "…" : string.Concat(key.AsSpan(0, 16), "…");

    private static string First(string message) => message.Split('\n', 2)[0];

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed (request {RequestId})")]
    private static partial void Failed(ILogger logger, Exception exception, string method, string path, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "a platform service failed (request {RequestId})")]
    private static partial void StorageFailed(ILogger logger, Exception exception, string requestId);
}
