using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SigmaFlow.Platform.Tests.Alerts;

/// <summary>One request a fake service received.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>An answer of a fake service; <see cref="Hang"/> never answers (the client times out).</summary>
public sealed record FakeResponse(int Status, string? Body = null, string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null, bool Hang = false, int DelayMs = 0)
{
    public static FakeResponse Never { get; } = new(0, Hang: true);
}

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel) that records every request and answers from a script, then with a
/// default. The static members give the answers the real services give (status codes, bodies and headers as documented
/// and as they are seen on the wire).
/// </summary>
public sealed class FakeAlertService : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<Func<ReceivedRequest, FakeResponse>> script = new();

    private FakeAlertService(WebApplication app) => this.app = app;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>The answer once the script is used up.</summary>
    public Func<ReceivedRequest, FakeResponse> Default { get; set; } = _ => new FakeResponse(204);

    /// <summary>Close the connection after each answer (so every request opens a new one).</summary>
    public bool CloseConnections { get; set; }

    public Uri BaseAddress => new(app.Urls.First().TrimEnd('/') + "/");

    public int Port => BaseAddress.Port;

    public static async Task<FakeAlertService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var service = new FakeAlertService(app);
        app.Map("/{**path}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var request = new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body.ToArray(), DateTimeOffset.UtcNow);
            service.Requests.Enqueue(request);
            var answer = service.script.TryDequeue(out var next) ? next(request) : service.Default(request);
            if (answer.Hang)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            if (answer.DelayMs > 0)
            {
                await Task.Delay(answer.DelayMs, context.RequestAborted);
            }

            context.Response.StatusCode = answer.Status;
            if (service.CloseConnections)
            {
                context.Response.Headers.Connection = "close";
            }

            foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            if (answer.Body is not null)
            {
                context.Response.ContentType = answer.ContentType;
                await context.Response.WriteAsync(answer.Body, context.RequestAborted);
            }
        });
        await app.StartAsync();
        return service;
    }

    /// <summary>Answers the next requests with these, in order.</summary>
    public FakeAlertService Then(params FakeResponse[] answers)
    {
        foreach (var answer in answers)
        {
            script.Enqueue(_ => answer);
        }

        return this;
    }

    public async Task<ReceivedRequest> SingleAsync()
    {
        await Task.Yield();
        return Assert.Single(Requests);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }

    /// <summary>Discord's answers to webhook executions.</summary>
    public static class Discord
    {
        /// <summary>Executed without <c>?wait=true</c>.</summary>
        public static FakeResponse NoContent { get; } = new(204);

        /// <summary>Executed with <c>?wait=true</c>: the created message.</summary>
        public static FakeResponse Created { get; } = new(200, """{"id":"1213141516171819202","type":0,"content":"","channel_id":"112233","author":{"bot":true,"id":"998877","username":"SigmaFlow"},"embeds":[{"type":"rich","title":"t"}],"webhook_id":"998877"}""");

        public static FakeResponse InvalidFormBody { get; } = new(400, """{"message": "Invalid Form Body", "code": 50035, "errors": {"embeds": {"0": {"description": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 4096 or fewer in length."}]}}}}}""");

        public static FakeResponse UnknownWebhook { get; } = new(404, """{"message": "Unknown Webhook", "code": 10015}""");

        public static FakeResponse InvalidToken { get; } = new(401, """{"message": "Invalid Webhook Token", "code": 50027}""");

        /// <summary>Rate limited: a JSON body with <c>retry_after</c> in seconds (fractional) and the rate-limit headers, optionally <c>Retry-After</c>.</summary>
        public static FakeResponse RateLimited(double seconds, bool header = true) => new(
            429,
            string.Create(CultureInfo.InvariantCulture, $$"""{"message": "You are being rate limited.", "retry_after": {{seconds}}, "global": false}"""),
            Headers: header
                ? new Dictionary<string, string> { ["Retry-After"] = Math.Ceiling(seconds).ToString(CultureInfo.InvariantCulture), ["X-RateLimit-Limit"] = "5", ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Reset-After"] = seconds.ToString(CultureInfo.InvariantCulture), ["X-RateLimit-Scope"] = "user" }
                : new Dictionary<string, string> { ["X-RateLimit-Limit"] = "5", ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Reset-After"] = seconds.ToString(CultureInfo.InvariantCulture) });

        public static FakeResponse BadGateway { get; } = new(502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>", "text/html");
    }

    /// <summary>Slack's answers to incoming webhooks: plain text bodies.</summary>
    public static class Slack
    {
        public static FakeResponse Ok { get; } = new(200, "ok", "text/html");

        public static FakeResponse InvalidPayload { get; } = new(400, "invalid_payload", "text/html");

        public static FakeResponse InvalidToken { get; } = new(403, "invalid_token", "text/html");

        public static FakeResponse NoService { get; } = new(404, "no_service", "text/html");

        public static FakeResponse ChannelIsArchived { get; } = new(410, "channel_is_archived", "text/html");

        public static FakeResponse RateLimited(int seconds) => new(429, "rate_limited", "text/html", new Dictionary<string, string> { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) });

        public static FakeResponse RollupError { get; } = new(500, "rollup_error", "text/html");
    }

    /// <summary>The Telegram Bot API's answers: always <c>{"ok":…}</c>.</summary>
    public static class Telegram
    {
        public static FakeResponse Sent { get; } = new(200, """{"ok":true,"result":{"message_id":4711,"from":{"id":7000000001,"is_bot":true,"first_name":"SigmaFlow","username":"sigmaflow_bot"},"chat":{"id":-1001234567890,"title":"Alerts","type":"channel"},"date":1767225660,"text":"t"}}""");

        public static FakeResponse ChatNotFound { get; } = new(400, """{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}""");

        public static FakeResponse CantParseEntities { get; } = new(400, """{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: Unsupported start tag \"foo\" at byte offset 0"}""");

        public static FakeResponse Unauthorized { get; } = new(401, """{"ok":false,"error_code":401,"description":"Unauthorized"}""");

        public static FakeResponse NotFound { get; } = new(404, """{"ok":false,"error_code":404,"description":"Not Found"}""");

        public static FakeResponse TooManyRequests(int seconds) => new(429, string.Create(CultureInfo.InvariantCulture, $$$"""{"ok":false,"error_code":429,"description":"Too Many Requests: retry after {{{seconds}}}","parameters":{"retry_after":{{{seconds}}}}}"""));

        public static FakeResponse BadGateway { get; } = new(502, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n", "text/html");
    }
}
