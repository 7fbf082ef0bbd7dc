using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using SigmaFlow.Functions.Api.Endpoints;
using SigmaFlow.Functions.Api.Http;
using SigmaFlow.Functions.Host;

namespace SigmaFlow.Functions.Api;

/// <summary>
/// <c>Api</c>: the HTTP API under <c>/api</c>, one proxied HTTP function (route <c>{*path}</c>). Every endpoint goes
/// through <see cref="ApiPipeline"/> (request ids, API keys and scopes, rate limits, idempotency keys, RFC 7807
/// problems); the OpenAPI document is built from the endpoints themselves at <c>/api/openapi.json</c>, with a
/// browsable page at <c>/api/docs</c>. (<c>/api/health</c> is its own function.)
/// </summary>
internal sealed class ApiFunction : IHttpFunction
{
    private readonly ApiServices services;
    private readonly ApiPipeline pipeline;

    public ApiFunction(ApiServices services, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        this.services = services;
        pipeline = new ApiPipeline(services.Keys, services.Idempotency, services.AcceptPrincipalHeader, loggerFactory.CreateLogger("SigmaFlow.Api"));
    }

    public string Name => "Api";

    public ApiServices Services => services;

    public void Map(IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api");
        api.AddEndpointFilter(pipeline);
        OpenApiEndpoints.Map(api);
        KeyEndpoints.Map(api, services);
        StrategyEndpoints.Map(api, services);
        WatchlistEndpoints.Map(api, services);
        MarketEndpoints.Map(api, services);
        ScreenerEndpoints.Map(api, services);
        NegotiateEndpoint.Map(api, services);
        HookEndpoints.Map(api, services);
        AlertEndpoints.Map(api, services);
        SweepEndpoints.Map(api, services);

        // Anything else under /api: a problem, not an empty 404 (and 405 for a known path with another method).
        api.MapMethods("{**path}", ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], (Func<HttpContext, Task<IResult>>)(context => Task.FromException<IResult>(OpenApiEndpoints.Unmatched(context))))
            .WithMetadata(new ApiOperation("Meta", "Unknown endpoints", null))
            .Add(b => ((RouteEndpointBuilder)b).Order = int.MaxValue);
    }
}
