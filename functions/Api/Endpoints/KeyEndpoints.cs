using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SigmaFlow.Functions.Api.Http;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api.Endpoints;

/// <summary>Body of <c>POST /api/keys</c>.</summary>
/// <param name="Name">What the key is for.</param>
/// <param name="Scope">read, trade or admin.</param>
/// <param name="RateLimitPerMinute">Requests per minute (default 600).</param>
internal sealed record KeyInput(string? Name, ApiScope? Scope, int? RateLimitPerMinute = null);

/// <summary>A key as listed (never its secret).</summary>
internal sealed record KeyView(string Id, string Name, ApiScope Scope, int RateLimitPerMinute, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A new key: the only response that carries its text.</summary>
internal sealed record NewKeyView(string Key, KeyView Record);

/// <summary>The caller itself.</summary>
internal sealed record WhoAmIView(string Id, string Name, ApiScope Scope, int RateLimitPerMinute, bool Authenticated);

/// <summary>API keys (admin scope) and <c>GET /api/me</c>.</summary>
internal static class KeyEndpoints
{
    private const string Tag = "Keys";

    public static void Map(IEndpointRouteBuilder api, ApiServices services)
    {
        api.Get("/me", new ApiOperation(Tag, "Who the caller is and what it may do", ApiScope.Read, Response: typeof(WhoAmIView)), context =>
        {
            var caller = ApiRequest.Caller(context);
            return Task.FromResult<IResult>(ApiResult.Ok(new WhoAmIView(caller.Id, caller.Name, caller.Scope, caller.RateLimitPerMinute, caller.Authenticated)));
        });

        api.Post("/keys", new ApiOperation(Tag, "Make an API key (its text is shown once)", ApiScope.Admin, typeof(KeyInput), typeof(NewKeyView), 201), async context =>
        {
            var input = ApiRequest.Json<KeyInput>(context);
            var errors = new List<FieldError>();
            if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Length > 100)
            {
                errors.Add(new FieldError("body.name", "is required, 1–100 characters", ApiProblem.Shorten(input.Name)));
            }

            if (input.Scope is null)
            {
                errors.Add(new FieldError("body.scope", "is required: read, trade or admin"));
            }

            if (input.RateLimitPerMinute is < 1 or > 100_000)
            {
                errors.Add(new FieldError("body.rateLimitPerMinute", "must be from 1 to 100000", input.RateLimitPerMinute.Value.ToString(CultureInfo.InvariantCulture)));
            }

            if (errors.Count > 0)
            {
                throw ApiProblem.Validation(errors);
            }

            var made = await Store(services).CreateAsync(input.Name!, input.Scope!.Value, input.RateLimitPerMinute ?? ApiKeyStore.DefaultRateLimitPerMinute, context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Created("/api/keys/" + made.Record.Id, new NewKeyView(made.Key, View(made.Record)));
        });

        api.Get("/keys", new ApiOperation(Tag, "List API keys (revoked ones too)", ApiScope.Admin, Response: typeof(ItemList<KeyView>)), async context =>
        {
            var keys = await Store(services).ListAsync(context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Ok(new ItemList<KeyView>(keys.Select(View).ToList()));
        });

        api.Delete("/keys/{id}", new ApiOperation(Tag, "Revoke an API key", ApiScope.Admin, Response: typeof(KeyView), Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var revoked = await Store(services).RevokeAsync(id, context.RequestAborted).ConfigureAwait(false) ?? throw ApiProblem.NotFound($"there is no API key '{id}'.");
            return ApiResult.Ok(View(revoked));
        });
    }

    private static ApiKeyStore Store(ApiServices services) => ApiServices.Require(services.Keys, "API keys", PlatformSettings.Storage);

    private static KeyView View(ApiKeyRecord r) => new(r.Id, r.Name, r.Scope, r.RateLimitPerMinute, r.CreatedAt, r.RevokedAt);
}
