using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SigmaFlow.Functions.Host;

/// <summary>Settings of the custom-handler web server.</summary>
public sealed class CustomHandlerOptions
{
    /// <summary>Where to listen; the Functions host sets <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> and always calls 127.0.0.1.</summary>
    public string Url { get; set; } = "http://127.0.0.1:7071";

    /// <summary>The URL for the port the host gives in <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> (7071 when unset).</summary>
    /// <returns>The URL.</returns>
    public static string UrlFromEnvironment()
    {
        var port = Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT") ?? Environment.GetEnvironmentVariable("FUNCTIONS_HTTPWORKER_PORT");
        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536
            ? string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{p}")
            : "http://127.0.0.1:7071";
    }
}

/// <summary>
/// The custom handler: a plain ASP.NET Core server the Functions host starts and calls. <c>GET /</c> answers at once
/// (the host's readiness probe); <c>POST /{FunctionName}</c> runs that function's handler on the JSON envelope and
/// answers with its outputs and logs; HTTP-only functions are proxied by the host to routes mapped by
/// the routes mapped under <c>/api</c>. The body is read into a pooled buffer; a handler that reads envelopes itself
/// (<see cref="IRawFunctionHandler"/>) gets the bytes, every other one an <see cref="InvocationRequest"/>. A bad
/// envelope answers 400 and a failing handler 500 (the host then fails the invocation and applies the function's
/// retry policy); the server keeps running either way.
/// </summary>
public static partial class CustomHandlerServer
{
    /// <summary>Most bytes rented up front for a body whose length is announced (larger bodies grow the buffer as they arrive).</summary>
    private const long MaxInitialBodyBuffer = 32 * 1024 * 1024;

    /// <summary>Builds the server (not started).</summary>
    /// <param name="options">Where to listen.</param>
    /// <param name="handlers">The functions, by name.</param>
    /// <param name="mapHttp">Maps the proxied HTTP routes (e.g. <c>/api/health</c>), if any.</param>
    /// <param name="loggerFactory">Logging; a console logger when null.</param>
    /// <returns>The application.</returns>
    public static WebApplication Create(CustomHandlerOptions options, IEnumerable<IFunctionHandler> handlers, Action<WebApplication>? mapHttp = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handlers);
        var byName = new Dictionary<string, IFunctionHandler>(StringComparer.OrdinalIgnoreCase);
        foreach (var handler in handlers)
        {
            if (!byName.TryAdd(handler.Name, handler))
            {
                throw new ArgumentException($"two handlers are named '{handler.Name}'; function names must be unique.", nameof(handlers));
            }
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Url);
        builder.Logging.ClearProviders();
        if (loggerFactory is not null)
        {
            builder.Services.AddSingleton(loggerFactory);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SigmaFlow.CustomHandler");

        app.MapGet("/", () => Results.Text("sigmaflow custom handler: ready", "text/plain"));
        mapHttp?.Invoke(app);
        app.MapPost("/{function}", async (string function, HttpContext context) =>
        {
            if (!byName.TryGetValue(function, out var handler))
            {
                return Results.Json(Failure($"no function named '{function}'; this handler serves {string.Join(", ", byName.Keys.Order(StringComparer.Ordinal))}."), statusCode: StatusCodes.Status404NotFound);
            }

            var (buffer, length) = await ReadBodyAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
            try
            {
                var raw = handler as IRawFunctionHandler;
                InvocationRequest? request = null;
                var invocationId = context.Request.Headers["X-Azure-Functions-InvocationId"].FirstOrDefault();
                if (raw is null)
                {
                    try
                    {
                        request = InvocationRequest.Parse(buffer.AsSpan(0, length), invocationId);
                    }
                    catch (FormatException e)
                    {
                        BadEnvelope(log, function, e.Message);
                        return Results.Json(Failure($"bad invocation envelope: {e.Message}"), statusCode: StatusCodes.Status400BadRequest);
                    }
                }

                var id = request?.InvocationId ?? invocationId ?? Guid.NewGuid().ToString("N");
                var clock = Stopwatch.StartNew();
                try
                {
                    var result = raw is not null
                        ? await raw.InvokeAsync(buffer.AsMemory(0, length), id, context.RequestAborted).ConfigureAwait(false)
                        : await handler.InvokeAsync(request!, context.RequestAborted).ConfigureAwait(false);
                    Done(log, function, id, clock.Elapsed.TotalMilliseconds);
                    return Results.Bytes(result.ToJson(), "application/json");
                }
                catch (FormatException e) when (raw is not null)
                {
                    BadEnvelope(log, function, e.Message);
                    return Results.Json(Failure($"bad invocation envelope: {e.Message}"), statusCode: StatusCodes.Status400BadRequest);
                }
                catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
                {
                    return Results.StatusCode(StatusCodes.Status499ClientClosedRequest);
                }
#pragma warning disable CA1031 // A failing function must fail its invocation, not the server.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    Failed(log, e, function, id);
                    return Results.Json(Failure($"{function} failed: {e.GetType().Name}: {e.Message}"), statusCode: StatusCodes.Status500InternalServerError);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        });
        return app;
    }

    /// <summary>The request body in a buffer rented from <see cref="ArrayPool{T}.Shared"/> (the caller returns it).</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is { } announced and > 0 ? (int)Math.Min(announced + 1, MaxInitialBodyBuffer) : 16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: bad invocation envelope: {Reason}")]
    private static partial void BadEnvelope(ILogger logger, string function, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Function} {InvocationId} done in {Milliseconds} ms")]
    private static partial void Done(ILogger logger, string function, string invocationId, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function} {InvocationId} failed")]
    private static partial void Failed(ILogger logger, Exception exception, string function, string invocationId);

    private static JsonObject Failure(string message) => new()
    {
        ["Outputs"] = new JsonObject(),
        ["Logs"] = new JsonArray(JsonValue.Create(message)),
        ["ReturnValue"] = null,
    };
}
