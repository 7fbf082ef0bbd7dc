using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SigmaFlow.Functions.Local.EventHubs;

/// <summary>
/// The local stand-in for Event Hubs' REST send endpoint: a small Kestrel app that accepts
/// <c>POST /{hub}/messages</c> (one event, or a batch with <c>Content-Type: application/vnd.microsoft.servicebus.json</c>)
/// and <c>POST /{hub}/partitions/{id}/messages</c>, checks the SAS token like the service, and appends the events to a
/// <see cref="LocalEventLog"/> that the local runtime reads. Answers <c>201 Created</c> like the service, and refuses
/// with the service's error shape (<c>&lt;Error&gt;&lt;Code&gt;…&lt;/Code&gt;&lt;Detail&gt;…&lt;/Detail&gt;&lt;/Error&gt;</c>):
/// 401 for a missing, forged, expired or wrong-audience token, 400 for malformed input, 404 for an unknown hub or
/// partition, 413 for a body over the limit. No input stops the server.
/// </summary>
public sealed partial class EventHubsStandIn
{
    private readonly string key;
    private readonly int maxRequestBytes;
    private readonly ILogger logger;
    private WebApplication? app;
    private long requestCount;
    private long acceptedRequestCount;
    private long acceptedEventCount;

    private EventHubsStandIn(EventHubsStandInOptions options, LocalEventLog log, ILogger logger)
    {
        Log = log;
        NamespaceName = options.NamespaceName;
        SharedAccessKeyName = options.SharedAccessKeyName;
        key = options.SharedAccessKey ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        maxRequestBytes = options.MaxRequestBytes;
        this.logger = logger;
    }

    /// <summary>The log events are appended to.</summary>
    public LocalEventLog Log { get; }

    /// <summary>The namespace name used in error trackers.</summary>
    public string NamespaceName { get; }

    /// <summary>The policy name tokens must carry.</summary>
    public string SharedAccessKeyName { get; }

    /// <summary>Largest accepted request body, in bytes.</summary>
    public int MaxRequestBytes => maxRequestBytes;

    /// <summary>Send requests received (accepted or refused).</summary>
    public long RequestCount => Interlocked.Read(ref requestCount);

    /// <summary>Send requests answered 201.</summary>
    public long AcceptedRequestCount => Interlocked.Read(ref acceptedRequestCount);

    /// <summary>Events appended to the log.</summary>
    public long AcceptedEventCount => Interlocked.Read(ref acceptedEventCount);

    /// <summary>The address the stand-in listens on (with the port the operating system picked for port 0), once started.</summary>
    /// <exception cref="InvalidOperationException">The app has not been started.</exception>
    public Uri BaseAddress
    {
        get
        {
            if (app is null || !app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.IsCancellationRequested)
            {
                throw new InvalidOperationException("the Event Hubs stand-in has not been started; call StartAsync on the WebApplication first.");
            }

            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            var uri = new Uri(address.Replace("://+:", "://127.0.0.1:", StringComparison.Ordinal).Replace("://*:", "://127.0.0.1:", StringComparison.Ordinal));
            // A wildcard bind is reachable on loopback; clients need an address they can connect to.
            var host = uri.Host is "0.0.0.0" or "[::]" or "::" ? "127.0.0.1" : uri.Host;
            return new UriBuilder(Uri.UriSchemeHttp, host, uri.Port, "/").Uri;
        }
    }

    /// <summary>
    /// The connection string clients use, once started:
    /// <c>Endpoint=sb://127.0.0.1:{port}/;SharedAccessKeyName=…;SharedAccessKey=…;UseDevelopmentEmulator=true</c>
    /// (no <c>EntityPath</c>: clients name the hub).
    /// </summary>
    /// <exception cref="InvalidOperationException">The app has not been started.</exception>
    public string ConnectionString
    {
        get
        {
            var address = BaseAddress;
            return string.Create(CultureInfo.InvariantCulture, $"Endpoint=sb://{address.Authority}/;SharedAccessKeyName={SharedAccessKeyName};SharedAccessKey={key};UseDevelopmentEmulator=true");
        }
    }

    /// <summary>
    /// Builds the stand-in (not started: call <c>StartAsync</c>, then read <see cref="ConnectionString"/> from
    /// <see cref="From"/>). The options are validated here; the log must have been built from <c>options.Log</c>.
    /// </summary>
    /// <param name="options">Address, namespace, policy, limits and hubs.</param>
    /// <param name="log">The log to append to (shared with the local runtime that reads it).</param>
    /// <param name="loggerFactory">Where refusals and faults are logged, or null for no logging.</param>
    /// <returns>The Kestrel app.</returns>
    /// <exception cref="ArgumentException">The options are out of range, or the log's hubs or retention differ from <c>options.Log</c>.</exception>
    public static WebApplication Create(EventHubsStandInOptions options, LocalEventLog log, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        options.Validate();
        CheckLogMatches(options.Log, log);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // No cap at Kestrel: an oversized body is read to the end and dropped (constant memory) so the client
            // gets our 413 instead of a broken pipe; the limit is enforced while reading.
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.WebHost.UseUrls(options.Url);
        builder.Services.AddRoutingCore();
        builder.Logging.ClearProviders();
        if (loggerFactory is not null)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        var standIn = new EventHubsStandIn(options, log, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<EventHubsStandIn>());
        builder.Services.AddSingleton(standIn);
        var app = builder.Build();
        standIn.app = app;
        app.MapPost("/{hub}/messages", context => standIn.HandleAsync(context, partitionRoute: false));
        app.MapPost("/{hub}/partitions/{partition}/messages", context => standIn.HandleAsync(context, partitionRoute: true));
        if (options.EnableTestHooks)
        {
            app.MapPut("/_test/enqueued-time", standIn.PinEnqueuedTimeAsync);
            app.MapDelete("/_test/enqueued-time", context =>
            {
                log.PinEnqueuedTime(null);
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return Task.CompletedTask;
            });
        }

        app.MapFallback(context => standIn.RefuseAsync(
            context,
            (int)HttpStatusCode.NotFound,
            "EndpointNotFound: The local Event Hubs stand-in serves only POST /{hub}/messages and POST /{hub}/partitions/{id}/messages."));
        return app;
    }

    /// <summary>The stand-in behind an app made by <see cref="Create"/>.</summary>
    /// <param name="app">The app.</param>
    /// <returns>The stand-in.</returns>
    public static EventHubsStandIn From(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<EventHubsStandIn>();
    }

    private static void CheckLogMatches(LocalEventLogOptions expected, LocalEventLog log)
    {
        var same = expected.Hubs.Count == log.Hubs.Count
            && expected.MaxEventsPerPartition == log.MaxEventsPerPartition
            && expected.Hubs.All(h => log.Hubs.TryGetValue(h.Key, out var count) && count == h.Value);
        if (!same)
        {
            static string Describe(IEnumerable<KeyValuePair<string, int>> hubs, int max) =>
                string.Join(", ", hubs.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(h => string.Create(CultureInfo.InvariantCulture, $"{h.Key}={h.Value}"))) + string.Create(CultureInfo.InvariantCulture, $" (keeping {max} per partition)");
            throw new ArgumentException(
                $"the log serves hubs {Describe(log.Hubs, log.MaxEventsPerPartition)} but options.Log configures {Describe(expected.Hubs, expected.MaxEventsPerPartition)}; build the log with new LocalEventLog(options.Log, clock).",
                nameof(log));
        }
    }

    private async Task HandleAsync(HttpContext context, bool partitionRoute)
    {
        Interlocked.Increment(ref requestCount);
        var request = context.Request;
        var aborted = context.RequestAborted;
        try
        {
            var hub = (string)request.RouteValues["hub"]!;
            var partitionText = partitionRoute ? (string)request.RouteValues["partition"]! : null;
            string[] path = partitionText is null ? [hub, "messages"] : [hub, "partitions", partitionText, "messages"];
            var refusal = StandInSas.Check(request.Headers.Authorization, SharedAccessKeyName, key, Log.Clock.GetUtcNow(), path);
            if (refusal is not null)
            {
                await RefuseAsync(context, StatusCodes.Status401Unauthorized, refusal).ConfigureAwait(false);
                return;
            }

            if (!Log.TryGetPartitionCount(hub, out var partitionCount))
            {
                await RefuseAsync(context, StatusCodes.Status404NotFound, $"EntityNotFound: The messaging entity 'sb://{NamespaceName}/{hub}' could not be found (hubs: {string.Join(", ", Log.Hubs.Keys)}).").ConfigureAwait(false);
                return;
            }

            int? partition = null;
            if (partitionText is not null)
            {
                if (!int.TryParse(partitionText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id >= partitionCount)
                {
                    await RefuseAsync(context, StatusCodes.Status404NotFound, string.Create(CultureInfo.InvariantCulture, $"EntityNotFound: Partition '{partitionText}' does not exist in event hub '{hub}' (partitions 0 to {partitionCount - 1}).")).ConfigureAwait(false);
                    return;
                }

                partition = id;
            }

            var body = await StandInRequestReader.ReadBodyAsync(request, maxRequestBytes, aborted).ConfigureAwait(false);
            if (body is null)
            {
                await RefuseTooLargeAsync(context).ConfigureAwait(false);
                return;
            }

            if (!StandInRequestReader.TryReadBrokerProperties(request.Headers["BrokerProperties"], out var partitionKey, out var error))
            {
                await RefuseAsync(context, StatusCodes.Status400BadRequest, error!).ConfigureAwait(false);
                return;
            }

            List<LocalEventInput> events;
            if (StandInRequestReader.IsBatch(request.ContentType))
            {
                if (!StandInRequestReader.TryParseBatch(body, partitionKey, out events, out error))
                {
                    await RefuseAsync(context, StatusCodes.Status400BadRequest, error!).ConfigureAwait(false);
                    return;
                }
            }
            else
            {
                events = [StandInRequestReader.Single(body, partitionKey, request.Headers)];
            }

            if (partition is not null && events.Any(e => e.PartitionKey is not null))
            {
                await RefuseAsync(context, StatusCodes.Status400BadRequest, "InvalidPartitionKey: A send to a specific partition cannot carry a partition key; send to /{hub}/messages with the key instead.").ConfigureAwait(false);
                return;
            }

            var stored = Log.AppendBatch(hub, partition, events);
            Interlocked.Increment(ref acceptedRequestCount);
            Interlocked.Add(ref acceptedEventCount, stored.Count);
            context.Response.StatusCode = StatusCodes.Status201Created;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // Kestrel could not read the request (a broken chunked body, say).
            await RefuseAsync(context, e.StatusCode, $"BadRequest: The request could not be read ({e.Message}).").ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The stand-in must keep serving whatever a request does; the fault is logged and answered with 500.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogFault(logger, e, request.Method, request.Path.Value ?? string.Empty);
            if (!context.Response.HasStarted)
            {
                await RefuseAsync(context, StatusCodes.Status500InternalServerError, $"InternalError: The stand-in failed on this request ({e.GetType().Name}); see its log.").ConfigureAwait(false);
            }
        }
    }

    /// <summary>Test hook: <c>PUT /_test/enqueued-time?time=2026-01-05T00:01:00Z</c> (ISO 8601, or Unix milliseconds) pins the enqueued time of the next appends.</summary>
    private Task PinEnqueuedTimeAsync(HttpContext context)
    {
        var text = context.Request.Query["time"].ToString();
        DateTimeOffset time;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds is >= 0 and <= 253_402_300_799_999)
        {
            time = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        }
        else if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time))
        {
            return RefuseAsync(context, StatusCodes.Status400BadRequest, $"BadRequest: The query parameter 'time' must be an ISO 8601 time or Unix milliseconds from 0 to 253402300799999; got '{text}'.");
        }

        Log.PinEnqueuedTime(time);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private Task RefuseTooLargeAsync(HttpContext context) => RefuseAsync(
        context,
        StatusCodes.Status413PayloadTooLarge,
        string.Create(CultureInfo.InvariantCulture, $"MessageSizeExceeded: The request body is larger than the limit of {maxRequestBytes} bytes per publication; split the batch."));

    /// <summary>Answers with the service's error shape; the detail never holds a key or signature.</summary>
    private Task RefuseAsync(HttpContext context, int status, string detail)
    {
        LogRefused(logger, status, context.Request.Method, context.Request.Path.Value ?? string.Empty, detail);
        var tracked = string.Create(
            CultureInfo.InvariantCulture,
            $"{detail} TrackingId:{Guid.NewGuid():D}, SystemTracker:{NamespaceName}:{context.Request.Path.Value}, Timestamp:{Log.Clock.GetUtcNow().UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
        var xml = new XElement("Error", new XElement("Code", status), new XElement("Detail", tracked)).ToString(SaveOptions.DisableFormatting);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml; charset=utf-8";
        return context.Response.WriteAsync(xml, context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event Hubs stand-in refused {Method} {Path} with {Status}: {Detail}")]
    private static partial void LogRefused(ILogger logger, int status, string method, string path, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event Hubs stand-in failed on {Method} {Path}")]
    private static partial void LogFault(ILogger logger, Exception exception, string method, string path);
}
