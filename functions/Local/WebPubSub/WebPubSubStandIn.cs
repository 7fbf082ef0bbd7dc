using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SigmaFlow.Functions.Local.WebPubSub;

/// <summary>
/// A local stand-in for Azure Web PubSub (ARCHITECTURE.md §3), because Azure has no emulator for it: one Kestrel
/// server with the client WebSocket endpoint (<c>json.webpubsub.azure.v1</c>, <c>json.reliable.webpubsub.azure.v1</c>,
/// or no subprotocol) and the data-plane REST API, both authorised with HS256 tokens signed by the access key, so the
/// platform's <c>WebPubSubServiceClient</c> and the dashboard's official <c>@azure/web-pubsub-client</c> work unchanged.
/// See README.md in this folder for what is and is not implemented.
/// </summary>
public static class WebPubSubStandIn
{
    /// <summary>Builds the server (not started). Options are validated here; a missing access key is generated.</summary>
    /// <param name="options">Settings.</param>
    /// <param name="loggerFactory">Where logs go; none when null.</param>
    /// <returns>The application; start it with <c>StartAsync</c> and read <see cref="GetConnectionString"/>.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static WebApplication Create(WebPubSubStandInOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var accessKey = options.AccessKey ?? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "sigmaflow-webpubsub-standin" });
        builder.WebHost.UseKestrelCore().UseUrls(options.Url).ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxMessageSize + 1L;
        });
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));

        // The stand-in's own messages go to the given factory; ASP.NET Core's only from Warning up, because its
        // request lines ("Request starting … ?access_token=…") would write access tokens into the log.
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(typeof(WebPubSubStandIn).FullName!);
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        if (loggerFactory is not null)
        {
            builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
        }

        var hubs = new StandInHubs(options, accessKey, TimeProvider.System, logger);
        builder.Services.AddSingleton(hubs);

        var app = builder.Build();
        var client = new ClientEndpoint(hubs, new ClientRequests(hubs, logger), logger);
        var rest = new RestEndpoint(hubs, logger);
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.Register(hubs.CloseAll);
        lifetime.ApplicationStarted.Register(() => StandInLog.Started(logger, BaseAddress(app), options.AllowedHubs.Count == 0 ? "any" : string.Join(", ", options.AllowedHubs)));

        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.Map("/client/hubs/{hub}", context => client.HandleAsync(context, Addresses(app)));
        app.Map("/api/hubs/{**rest}", rest.HandleAsync);
        if (options.EnableTestHooks)
        {
            app.MapPost("/_test/hubs/{hub}/connections/{connectionId}/:drop", context => DropAsync(context, hubs));
        }

        return app;
    }

    /// <summary>
    /// The connection string of a started stand-in: <c>Endpoint=http://127.0.0.1:PORT;AccessKey=…;Version=1.0;</c>.
    /// </summary>
    /// <param name="app">An application made by <see cref="Create"/> and started.</param>
    /// <returns>The connection string.</returns>
    /// <exception cref="InvalidOperationException">The application is not a stand-in or is not started yet.</exception>
    public static string GetConnectionString(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var hubs = app.Services.GetService<StandInHubs>()
            ?? throw new InvalidOperationException("The application was not made by WebPubSubStandIn.Create.");
        return $"Endpoint={BaseAddress(app)};AccessKey={hubs.AccessKey};Version=1.0;";
    }

    private static string BaseAddress(WebApplication app)
    {
        var address = Addresses(app).FirstOrDefault(a => !a.EndsWith(":0", StringComparison.Ordinal));
        return address?.TrimEnd('/')
            ?? throw new InvalidOperationException("The Web PubSub stand-in is not listening yet: await app.StartAsync() first.");
    }

    private static List<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    private static async Task DropAsync(HttpContext context, StandInHubs hubs)
    {
        var hub = context.Request.RouteValues["hub"] as string ?? string.Empty;
        var connectionId = context.Request.RouteValues["connectionId"] as string ?? string.Empty;
        if (hubs.Find(hub, connectionId) is not { } connection)
        {
            await RestEndpoint.WriteErrorAsync(context, 404, "ConnectionNotFound", $"No connection '{connectionId}' in hub '{hub}'.").ConfigureAwait(false);
            return;
        }

        if (context.Request.Query["blockRecoveryMs"].ToString() is { Length: > 0 } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
            {
                await RestEndpoint.WriteErrorAsync(context, 400, "InvalidArgument", $"blockRecoveryMs must be a whole number; got '{text}'.").ConfigureAwait(false);
                return;
            }

            hubs.BlockRecovery(connection, hubs.Time.GetUtcNow().AddMilliseconds(milliseconds));
        }

        context.Response.StatusCode = connection.DropSocket() ? 204 : 409;
    }

    /// <summary>Hands ASP.NET Core's loggers to the caller's factory (the factory stays the caller's to dispose).</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
            // Not ours.
        }
    }
}
