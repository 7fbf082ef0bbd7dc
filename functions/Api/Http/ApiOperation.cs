using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api.Http;

/// <summary>A query parameter of an operation, for the OpenAPI document.</summary>
/// <param name="Name">The name.</param>
/// <param name="Type">JSON schema type: string, integer, number, boolean.</param>
/// <param name="Description">What it does, with its default.</param>
/// <param name="Required">Whether it must be given.</param>
internal sealed record ApiParameter(string Name, string Type, string Description, bool Required = false);

/// <summary>
/// What the API knows about one endpoint: the scope it needs (null: public), whether its POST honours
/// <c>Idempotency-Key</c>, and what the OpenAPI document says about it.
/// </summary>
/// <param name="Tag">Group in the document.</param>
/// <param name="Summary">One line.</param>
/// <param name="Scope">Required scope, or null for public endpoints.</param>
/// <param name="Request">Body type, if any.</param>
/// <param name="Response">Success body type, if any.</param>
/// <param name="Success">Success status.</param>
/// <param name="Idempotent">Whether an <c>Idempotency-Key</c> is honoured.</param>
/// <param name="Query">Query parameters.</param>
/// <param name="Errors">Error statuses it can answer besides 401/403/429/500.</param>
internal sealed record ApiOperation(
    string Tag,
    string Summary,
    ApiScope? Scope,
    Type? Request = null,
    Type? Response = null,
    int Success = 200,
    bool Idempotent = false,
    IReadOnlyList<ApiParameter>? Query = null,
    IReadOnlyList<int>? Errors = null);

/// <summary>Maps API endpoints with their <see cref="ApiOperation"/>.</summary>
internal static class ApiRouteExtensions
{
    public static RouteHandlerBuilder Get(this IEndpointRouteBuilder routes, string pattern, ApiOperation operation, Func<HttpContext, Task<IResult>> handler) =>
        routes.MapGet(pattern, handler).WithMetadata(operation).WithName(Name("GET", pattern));

    public static RouteHandlerBuilder Post(this IEndpointRouteBuilder routes, string pattern, ApiOperation operation, Func<HttpContext, Task<IResult>> handler) =>
        routes.MapPost(pattern, handler).WithMetadata(operation).WithName(Name("POST", pattern));

    public static RouteHandlerBuilder Put(this IEndpointRouteBuilder routes, string pattern, ApiOperation operation, Func<HttpContext, Task<IResult>> handler) =>
        routes.MapPut(pattern, handler).WithMetadata(operation).WithName(Name("PUT", pattern));

    public static RouteHandlerBuilder Delete(this IEndpointRouteBuilder routes, string pattern, ApiOperation operation, Func<HttpContext, Task<IResult>> handler) =>
        routes.MapDelete(pattern, handler).WithMetadata(operation).WithName(Name("DELETE", pattern));

    private static string Name(string method, string pattern) => method + " " + pattern;
}
