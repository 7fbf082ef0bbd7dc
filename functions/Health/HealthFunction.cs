using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SigmaFlow.Functions.Host;

namespace SigmaFlow.Functions.Health;

/// <summary>
/// <c>GET /api/health</c>: liveness plus what each health source reports (the tick ingest adds its per-partition
/// sequence and lag). 200 when every source is healthy, 503 otherwise.
/// </summary>
internal sealed class HealthFunction(IEnumerable<IHealthSource> sources, TimeProvider clock) : IHttpFunction
{
    public string Name => "Health";

    public void Map(IEndpointRouteBuilder routes) => routes.MapGet("/api/health", () =>
    {
        var reports = sources.Select(s => s.Report()).ToList();
        var healthy = reports.All(r => r.Healthy);
        var body = new Dictionary<string, object?>
        {
            ["status"] = healthy ? "healthy" : "degraded",
            ["time"] = clock.GetUtcNow(),
            ["version"] = typeof(HealthFunction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
        };
        foreach (var report in reports)
        {
            body[report.Name] = report.Details;
        }

        return Results.Json(body, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    });
}

/// <summary>Something that reports its health at <c>/api/health</c>.</summary>
internal interface IHealthSource
{
    /// <summary>The current report.</summary>
    /// <returns>Name, health and details (JSON-serialisable).</returns>
    HealthReport Report();
}

/// <summary>One source's health.</summary>
/// <param name="Name">Key in the health document.</param>
/// <param name="Healthy">Whether it is healthy.</param>
/// <param name="Details">What to show.</param>
internal sealed record HealthReport(string Name, bool Healthy, object Details);
