using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>The result of one invocation of a function through the custom handler.</summary>
/// <param name="Function">The function.</param>
/// <param name="InvocationId">The id sent as <c>X-Azure-Functions-InvocationId</c>.</param>
/// <param name="StatusCode">The handler's status code; 0 when it could not be reached.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="Outputs">The <c>Outputs</c> object of a successful answer (empty otherwise).</param>
/// <param name="Logs">The <c>Logs</c> lines of the answer.</param>
/// <param name="Error">Why it failed; null on success.</param>
public sealed record InvocationOutcome(string Function, string InvocationId, int StatusCode, TimeSpan Duration, JsonObject Outputs, IReadOnlyList<string> Logs, string? Error)
{
    /// <summary>Whether the handler answered 2xx (the host's rule; anything else fails the invocation).</summary>
    public bool Succeeded => Error is null;
}

/// <summary>
/// Invokes functions the way the Functions host invokes a custom handler: <c>POST {handler}/{Function}</c> with the
/// JSON envelope, <c>Content-Type: application/json; charset=utf-8</c> and the host's headers
/// (<c>X-Azure-Functions-InvocationId</c>, <c>X-Azure-Functions-HostVersion</c>, <c>User-Agent</c>); adds the
/// <c>sys</c> metadata (<c>MethodName</c>, <c>UtcNow</c>, <c>RandGuid</c>); a non-2xx answer or no answer fails the
/// invocation. The answer's <c>Logs</c> are logged as the function's information logs.
/// </summary>
internal sealed partial class FunctionInvoker : IDisposable
{
    private readonly HttpClient http;
    private readonly ILoggerFactory loggers;
    private readonly TimeProvider clock;
    private readonly string hostVersion;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> warnedOutputs = new(StringComparer.OrdinalIgnoreCase);
    private long invocations;
    private long failures;

    public FunctionInvoker(Uri handlerAddress, TimeSpan? functionTimeout, string hostVersion, ILoggerFactory loggers, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(handlerAddress);
        this.loggers = loggers;
        this.clock = clock;
        this.hostVersion = hostVersion;
        http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = handlerAddress,

            // The host waits functionTimeout plus a minute, or forever without one.
            Timeout = functionTimeout is { } t ? t + TimeSpan.FromMinutes(1) : Timeout.InfiniteTimeSpan,
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Azure-Functions-Host/" + hostVersion);
    }

    /// <summary>Invocations made.</summary>
    public long InvocationCount => Interlocked.Read(ref invocations);

    /// <summary>Invocations that failed.</summary>
    public long FailureCount => Interlocked.Read(ref failures);

    /// <summary>Waits until the handler answers <c>GET /</c> (the host's readiness probe).</summary>
    /// <param name="timeout">How long to wait (the host allows 30 s).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when it is ready.</returns>
    /// <exception cref="TimeoutException">It did not answer in time.</exception>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clockStart = Stopwatch.GetTimestamp();
        Exception? last = null;
        while (Stopwatch.GetElapsedTime(clockStart) < timeout)
        {
            try
            {
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(probe.Token, cancellationToken);
                using var response = await http.GetAsync(new Uri("/", UriKind.Relative), linked.Token).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = e;
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new TimeoutException($"the custom handler at {http.BaseAddress} did not answer GET / within {timeout.TotalSeconds:0} s: {last?.Message}", last);
    }

    /// <summary>Invokes a function once.</summary>
    /// <param name="function">The function name (the path posted to).</param>
    /// <param name="reason">Why (logged like the host's <c>Reason=</c>).</param>
    /// <param name="data">The <c>Data</c> object.</param>
    /// <param name="metadata">The <c>Metadata</c> object (<c>sys</c> is added).</param>
    /// <param name="cancellationToken">Aborts the call (shutdown after the drain time).</param>
    /// <returns>The outcome; failures are values, not exceptions.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async Task<InvocationOutcome> InvokeAsync(string function, string reason, JsonObject data, JsonObject metadata, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("D");
        var now = clock.GetUtcNow();
        metadata["sys"] = new JsonObject
        {
            ["MethodName"] = function,
            ["UtcNow"] = HostEncoding.Utc(now),
            ["RandGuid"] = Guid.NewGuid().ToString("D"),
        };
        var log = loggers.CreateLogger("Function." + function);
        Executing(log, function, reason, id);
        Interlocked.Increment(ref invocations);
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Uri.EscapeDataString(function), UriKind.Relative))
        {
            Content = new ByteArrayContent(HostEncoding.Envelope(data, metadata)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-Azure-Functions-InvocationId", id);
        request.Headers.Add("X-Azure-Functions-HostVersion", hostVersion);

        InvocationOutcome outcome;
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var (outputs, logs) = ReadResult(body);
            var status = (int)response.StatusCode;
            outcome = response.IsSuccessStatusCode
                ? new InvocationOutcome(function, id, status, Stopwatch.GetElapsedTime(started), outputs, logs, null)
                : new InvocationOutcome(function, id, status, Stopwatch.GetElapsedTime(started), [], logs, string.Create(CultureInfo.InvariantCulture, $"the handler answered {status} {ReasonPhrase(response.StatusCode)}{Excerpt(body, logs)}"));
        }
        catch (HttpRequestException e)
        {
            outcome = new InvocationOutcome(function, id, 0, Stopwatch.GetElapsedTime(started), [], [], $"the handler could not be reached at {http.BaseAddress}: {e.Message}");
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = new InvocationOutcome(function, id, 0, Stopwatch.GetElapsedTime(started), [], [], $"no answer within the function timeout plus one minute ({http.Timeout.TotalSeconds:0} s): {e.Message}");
        }

        var user = loggers.CreateLogger("Function." + function + ".User");
        foreach (var line in outcome.Logs)
        {
            UserLog(user, line);
        }

        if (outcome.Succeeded)
        {
            Executed(log, function, id, outcome.Duration.TotalMilliseconds);
            if (outcome.Outputs.Count > 0 && warnedOutputs.TryAdd(function, true))
            {
                OutputsIgnored(log, function, string.Join(", ", outcome.Outputs.Select(o => o.Key)));
            }
        }
        else
        {
            Interlocked.Increment(ref failures);
            ExecutedFailed(log, function, id, outcome.Duration.TotalMilliseconds, outcome.Error!);
        }

        return outcome;
    }

    public void Dispose() => http.Dispose();

    private static (JsonObject Outputs, IReadOnlyList<string> Logs) ReadResult(byte[] body)
    {
        if (body.Length == 0)
        {
            return ([], []);
        }

        try
        {
            if (JsonNode.Parse(body) is not JsonObject root)
            {
                return ([], []);
            }

            JsonObject outputs = [];
            var logs = new List<string>();
            foreach (var (name, value) in root)
            {
                if (name.Equals("Outputs", StringComparison.OrdinalIgnoreCase) && value is JsonObject o)
                {
                    outputs = (JsonObject)o.DeepClone();
                }
                else if (name.Equals("Logs", StringComparison.OrdinalIgnoreCase) && value is JsonArray lines)
                {
                    logs.AddRange(lines.Select(l => l is JsonValue v && v.TryGetValue<string>(out var s) ? s : l?.ToJsonString() ?? "null"));
                }
            }

            return (outputs, logs);
        }
        catch (JsonException)
        {
            return ([], []);
        }
    }

    private static string ReasonPhrase(HttpStatusCode status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase((int)status);

    private static string Excerpt(byte[] body, IReadOnlyList<string> logs)
    {
        if (logs.Count > 0)
        {
            return ": " + string.Join(" | ", logs);
        }

        if (body.Length == 0)
        {
            return string.Empty;
        }

        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 500)).ReplaceLineEndings(" ");
        return ": " + text;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Executing 'Functions.{Function}' (Reason='{Reason}', Id={InvocationId})")]
    private static partial void Executing(ILogger logger, string function, string reason, string invocationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Executed 'Functions.{Function}' (Succeeded, Id={InvocationId}, Duration={Milliseconds:0}ms)")]
    private static partial void Executed(ILogger logger, string function, string invocationId, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Executed 'Functions.{Function}' (Failed, Id={InvocationId}, Duration={Milliseconds:0}ms): {Error}")]
    private static partial void ExecutedFailed(ILogger logger, string function, string invocationId, double milliseconds, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function} answered with Outputs ({Names}); sigmaflow serve runs no output bindings, so they are ignored (this warning is shown once)")]
    private static partial void OutputsIgnored(ILogger logger, string function, string names);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Line}")]
    private static partial void UserLog(ILogger logger, string line);
}
