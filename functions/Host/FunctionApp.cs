using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SigmaFlow.Functions.Api;
using SigmaFlow.Functions.DeliverAlert;
using SigmaFlow.Functions.Health;
using SigmaFlow.Functions.IngestTicks;
using SigmaFlow.Functions.RunSweepShard;
using SigmaFlow.Functions.ScanMarkets;

namespace SigmaFlow.Functions.Host;

/// <summary>
/// The composition root of the function app: every function's handler, built from the platform settings. The same
/// composition runs under the Functions host (custom handler) and under <c>sigmaflow serve</c>.
/// </summary>
internal sealed class FunctionApp
{
    private FunctionApp(IReadOnlyList<IFunctionHandler> handlers, IReadOnlyList<IHttpFunction> httpFunctions)
    {
        Handlers = handlers;
        HttpFunctions = httpFunctions;
    }

    /// <summary>Trigger functions (the host posts envelopes to them).</summary>
    public IReadOnlyList<IFunctionHandler> Handlers { get; }

    /// <summary>HTTP-only functions (the host proxies requests to their routes).</summary>
    public IReadOnlyList<IHttpFunction> HttpFunctions { get; }

    /// <summary>Names of every function, trigger and HTTP.</summary>
    public IEnumerable<string> Names => Handlers.Select(h => h.Name).Concat(HttpFunctions.Select(h => h.Name));

    /// <summary>Builds every function from the settings.</summary>
    /// <param name="settings">Where the platform's services are.</param>
    /// <param name="clock">The clock.</param>
    /// <param name="loggerFactory">Logging of the functions' own warnings; when null and storage is configured, single-line console logs (the Functions host collects the handler's output).</param>
    /// <returns>The app.</returns>
    public static FunctionApp Compose(PlatformSettings settings, TimeProvider clock, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var logging = loggerFactory ?? (settings.HasStorage ? LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true)) : NullLoggerFactory.Instance);
        var health = new List<IHealthSource>();
        var handlers = new List<IFunctionHandler>
        {
            IngestTicksComposition.Create(settings, clock, logging, health),
            DeliverAlertComposition.Create(settings, clock, logging),
            ScanMarketsComposition.Create(settings, clock, logging),
        };
        handlers.AddRange(SweepJobsComposition.Create(settings, clock, logging));
        var http = new List<IHttpFunction> { new HealthFunction(health, clock), new ApiFunction(ApiServices.From(settings, clock, logging), logging) };
        return new FunctionApp(handlers, http);
    }

    /// <summary>The custom-handler server for these functions.</summary>
    /// <param name="options">Where to listen.</param>
    /// <returns>The server (not started).</returns>
    public WebApplication CreateServer(CustomHandlerOptions options) =>
        CustomHandlerServer.Create(options, Handlers, app =>
        {
            foreach (var function in HttpFunctions)
            {
                function.Map(app);
            }
        });
}
