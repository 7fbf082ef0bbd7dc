using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>Settings of the public HTTP port of <c>sigmaflow serve</c>.</summary>
public sealed class LocalGatewayOptions
{
    /// <summary>Where to listen (default <c>http://127.0.0.1:7071</c>, the Functions host's local port; port 0 lets the OS pick).</summary>
    public string Url { get; set; } = "http://127.0.0.1:7071";

    /// <summary>The built dashboard (<c>static-web/dist</c>) served at <c>/</c> with a single-page-app fallback to <c>index.html</c>, or null for a page listing <see cref="Links"/>.</summary>
    public string? DashboardRoot { get; set; }

    /// <summary>Links shown on the page at <c>/</c> when there is no dashboard (label, URL).</summary>
    public IList<KeyValuePair<string, string>> Links { get; } = [];

    /// <summary>The version sent to the handler as <c>X-Azure-Functions-HostVersion</c>.</summary>
    public string HostVersion { get; set; } = LocalRuntimeOptions.DefaultHostVersion;
}

/// <summary>
/// The public HTTP port of <c>sigmaflow serve</c>, in the Functions host's place. Requests that match an HTTP-only
/// function's route (route prefix from host.json, <c>route</c> and <c>methods</c> from function.json) are proxied to
/// the custom handler as the host does with <c>enableProxyingHttpRequest</c>: same method, path (with the prefix),
/// query, headers and body, plus <c>X-Azure-Functions-InvocationId</c>, <c>X-Azure-Functions-HostVersion</c> and
/// <c>X-Forwarded-*</c>; the handler's status, headers and body are streamed back as they come, redirects are not
/// followed. Anything else under the prefix is 404 (a method a function does not allow too, like the host). The
/// dashboard, when built, is served at <c>/</c>; otherwise <c>/</c> lists the local URLs.
/// <c>GET /admin/host/status</c> answers <c>{"state":"Running"}</c> for scripts that wait for readiness.
/// </summary>
public static partial class LocalGateway
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
    };

    /// <summary>Builds the gateway (not started).</summary>
    /// <param name="options">Address, dashboard and links.</param>
    /// <param name="app">The function app (its HTTP-only functions are routed).</param>
    /// <param name="handlerAddress">The custom handler's base address.</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    /// <returns>The application.</returns>
    /// <exception cref="FunctionDefinitionException">A function's route is not a valid route template.</exception>
    public static WebApplication Create(LocalGatewayOptions options, FunctionAppDefinition app, Uri handlerAddress, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(handlerAddress);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "sigmaflow-serve", ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(options.Url);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(3));
        builder.Logging.ClearProviders();
        if (loggerFactory is not null)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var web = builder.Build();
        var loggers = loggerFactory ?? NullLoggerFactory.Instance;
        var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = handlerAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        web.Lifetime.ApplicationStopped.Register(http.Dispose);

        web.MapGet("/admin/host/status", () => Results.Json(new { state = "Running", version = options.HostVersion }));
        var prefix = app.Host.RoutePrefix.Length == 0 ? string.Empty : "/" + app.Host.RoutePrefix;
        foreach (var function in app.Functions)
        {
            if (function.Trigger is not HttpTriggerDefinition trigger)
            {
                continue;
            }

            var pattern = prefix + "/" + trigger.Route;
            try
            {
                RoutePatternFactory.Parse(pattern);
            }
            catch (RoutePatternException e)
            {
                throw new FunctionDefinitionException(function.FilePath, "bindings.route", $"'{trigger.Route}' is not a valid route template: {e.Message}");
            }

            var log = loggers.CreateLogger("Function." + function.Name);
            web.Map(pattern, context => trigger.Methods.Count == 0 || trigger.Methods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase)
                ? ProxyAsync(context, function.Name, http, options.HostVersion, log)
                : NotFoundAsync(context));
        }

        if (prefix.Length > 0)
        {
            // After every function route (a function may itself catch all with {*path}, as the API does).
            web.Map(prefix + "/{**rest}", NotFoundAsync).Add(b => ((Microsoft.AspNetCore.Routing.RouteEndpointBuilder)b).Order = 1);
        }

        if (options.DashboardRoot is { } dashboard && File.Exists(Path.Combine(dashboard, "index.html")))
        {
            var files = new PhysicalFileProvider(Path.GetFullPath(dashboard));
            web.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            web.UseStaticFiles(new StaticFileOptions { FileProvider = files });
            web.MapFallbackToFile("index.html", new StaticFileOptions { FileProvider = files });
        }
        else
        {
            web.MapGet("/", () => Results.Content(IndexPage(options.Links, app), "text/html; charset=utf-8"));
            web.MapFallback(NotFoundAsync);
        }

        return web;
    }

    private static Task NotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private static async Task ProxyAsync(HttpContext context, string function, HttpClient http, string hostVersion, ILogger log)
    {
        var started = TimeProvider.System.GetTimestamp();
        var request = context.Request;
        var id = Guid.NewGuid().ToString("D");
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(request.PathBase.Add(request.Path).ToUriComponent() + request.QueryString.ToUriComponent(), UriKind.Relative));
        if (request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0))
        {
            message.Content = new StreamContent(request.Body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values) && message.Content is not null)
            {
                message.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        var remote = context.Connection.RemoteIpAddress?.ToString();
        if (remote is not null)
        {
            message.Headers.Remove("X-Forwarded-For");
            message.Headers.TryAddWithoutValidation("X-Forwarded-For", request.Headers["X-Forwarded-For"] is { Count: > 0 } prior ? $"{prior}, {remote}" : remote);
        }

        message.Headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host.Value);
        message.Headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
        message.Headers.TryAddWithoutValidation("X-Azure-Functions-InvocationId", id);
        message.Headers.TryAddWithoutValidation("X-Azure-Functions-HostVersion", hostVersion);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            ProxyFailed(log, function, id, e.Message);
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            await context.Response.WriteAsync($"the function app's handler could not be reached: {e.Message}", context.RequestAborted).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(name))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            // Stream: each chunk the handler writes goes out at once (server-sent events, large downloads).
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            try
            {
                var source = await response.Content.ReadAsStreamAsync(context.RequestAborted).ConfigureAwait(false);
                await using (source.ConfigureAwait(false))
                {
                    var buffer = new byte[16 * 1024];
                    int read;
                    while ((read = await source.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
                    {
                        await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
                        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
            {
                // The caller went away or the handler broke the stream; nothing more can be sent.
                context.Abort();
                return;
            }
        }

        var milliseconds = TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
        Proxied(log, function, id, context.Response.StatusCode, milliseconds);
    }

    private static string IndexPage(IList<KeyValuePair<string, string>> links, FunctionAppDefinition app)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>SigmaFlow — local</title>")
            .Append("<style>body{font:15px system-ui,sans-serif;margin:2rem;max-width:60rem}td{padding:.2rem 1rem .2rem 0}code{background:#eee;padding:0 .3rem}</style></head><body>")
            .Append("<h1>SigmaFlow — sigmaflow serve</h1><p>The dashboard is not built (<code>static-web/dist</code> is missing). Local URLs:</p><table>");
        foreach (var (label, url) in links)
        {
            var encoded = WebUtility.HtmlEncode(url);
            var cell = url.StartsWith("http", StringComparison.Ordinal) ? $"<a href=\"{encoded}\">{encoded}</a>" : $"<code>{encoded}</code>";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{WebUtility.HtmlEncode(label)}</td><td>{cell}</td></tr>");
        }

        html.Append("</table><h2>Functions</h2><table>");
        foreach (var function in app.Functions)
        {
            var what = function.Trigger switch
            {
                HttpTriggerDefinition h => $"HTTP {(h.Methods.Count == 0 ? "any" : string.Join(",", h.Methods))} /{(app.Host.RoutePrefix.Length > 0 ? app.Host.RoutePrefix + "/" : string.Empty)}{h.Route}",
                TimerTriggerDefinition t => $"timer {t.Schedule.Expression}",
                QueueTriggerDefinition q => $"queue {q.QueueName}",
                EventHubTriggerDefinition e => $"event hub {e.EventHubName} ({e.ConsumerGroup})",
                _ => function.Trigger.Type,
            };
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{WebUtility.HtmlEncode(function.Name)}</td><td>{WebUtility.HtmlEncode(what)}</td></tr>");
        }

        return html.Append("</table></body></html>").ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Executed 'Functions.{Function}' (HTTP {Status}, Id={InvocationId}, Duration={Milliseconds:0}ms)")]
    private static partial void Proxied(ILogger logger, string function, string invocationId, int status, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Executed 'Functions.{Function}' (Failed, Id={InvocationId}): {Reason}")]
    private static partial void ProxyFailed(ILogger logger, string function, string invocationId, string reason);
}
