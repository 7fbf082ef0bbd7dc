using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SigmaFlow.Functions.Api.Http;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api.Endpoints;

/// <summary>Body of <c>POST /api/watchlists</c> and <c>PUT /api/watchlists/{id}</c>.</summary>
/// <param name="Id">The id (POST only).</param>
/// <param name="Name">Display name (defaults to the id).</param>
/// <param name="Symbols">1–50 symbols.</param>
internal sealed record WatchlistInput(string? Id, string? Name, IReadOnlyList<string>? Symbols);

/// <summary>A watchlist.</summary>
internal sealed record WatchlistView(string Id, string Name, IReadOnlyList<string> Symbols, DateTimeOffset UpdatedAt);

/// <summary>Watchlists (up to 50 symbols each); the scanner reads them.</summary>
internal static class WatchlistEndpoints
{
    private const string Tag = "Watchlists";

    public static void Map(IEndpointRouteBuilder api, ApiServices services)
    {
        api.Post("/watchlists", new ApiOperation(Tag, "Create a watchlist", ApiScope.Trade, typeof(WatchlistInput), typeof(WatchlistView), 201, Errors: [409, 422]), async context =>
        {
            var input = ApiRequest.Json<WatchlistInput>(context);
            var (id, name, symbols) = Validate(input, input.Id, requireId: true);
            var list = await Store(services).CreateAsync(id, name, symbols, context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Created("/api/watchlists/" + id, View(list)).With("ETag", list.ETag);
        });

        api.Get("/watchlists", new ApiOperation(Tag, "List watchlists", ApiScope.Read, Response: typeof(ItemList<WatchlistView>)), async context =>
        {
            var lists = await Store(services).ListAsync(context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Ok(new ItemList<WatchlistView>(lists.Select(View).ToList()));
        });

        api.Get("/watchlists/{id}", new ApiOperation(Tag, "Read a watchlist", ApiScope.Read, Response: typeof(WatchlistView), Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var list = await Store(services).GetAsync(id, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(id);
            return ApiResult.Ok(View(list)).With("ETag", list.ETag);
        });

        api.Put("/watchlists/{id}", new ApiOperation(Tag, "Replace a watchlist's name and symbols (If-Match optional)", ApiScope.Trade, typeof(WatchlistInput), typeof(WatchlistView), Errors: [404, 412, 422]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var input = ApiRequest.Json<WatchlistInput>(context);
            if (input.Id is not null && input.Id != id)
            {
                throw ApiProblem.Invalid("body.id", $"must match the path ('{id}') or be left out", input.Id);
            }

            var (_, name, symbols) = Validate(input, id, requireId: false);
            try
            {
                var list = await Store(services).ReplaceAsync(id, name, symbols, context.Request.Headers.IfMatch.FirstOrDefault(), context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(id);
                return ApiResult.Ok(View(list)).With("ETag", list.ETag);
            }
            catch (WorkspaceConflictException e)
            {
                throw ApiProblem.PreconditionFailed(e.Message);
            }
        });

        api.Delete("/watchlists/{id}", new ApiOperation(Tag, "Delete a watchlist", ApiScope.Trade, Success: 204, Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            return await Store(services).DeleteAsync(id, context.RequestAborted).ConfigureAwait(false) ? ApiResult.NoContent() : throw NotFound(id);
        });
    }

    private static (string Id, string Name, IReadOnlyList<string> Symbols) Validate(WatchlistInput input, string? id, bool requireId)
    {
        var errors = new List<FieldError>();
        if (requireId && !WatchlistStore.IsValidId(id))
        {
            errors.Add(new FieldError("body.id", "is required: 1–64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", id));
        }

        if (input.Name is { Length: > 100 })
        {
            errors.Add(new FieldError("body.name", "must have at most 100 characters", ApiProblem.Shorten(input.Name)));
        }

        var symbols = new List<string>();
        if (input.Symbols is null || input.Symbols.Count == 0)
        {
            errors.Add(new FieldError("body.symbols", "is required: 1 to 50 symbols"));
        }
        else if (input.Symbols.Count > WatchlistStore.MaxSymbols)
        {
            errors.Add(new FieldError("body.symbols", string.Create(CultureInfo.InvariantCulture, $"may hold at most {WatchlistStore.MaxSymbols} symbols"), string.Create(CultureInfo.InvariantCulture, $"{input.Symbols.Count} symbols")));
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < input.Symbols.Count; i++)
            {
                var symbol = input.Symbols[i];
                if (!WatchlistStore.IsValidSymbol(symbol))
                {
                    errors.Add(new FieldError(string.Create(CultureInfo.InvariantCulture, $"body.symbols[{i}]"), "must be 1–32 letters, digits or . _ - : /, starting with a letter or digit", symbol));
                }
                else if (!seen.Add(symbol!.ToUpperInvariant()))
                {
                    errors.Add(new FieldError(string.Create(CultureInfo.InvariantCulture, $"body.symbols[{i}]"), "appears twice", symbol));
                }
                else
                {
                    symbols.Add(symbol.ToUpperInvariant());
                }
            }
        }

        if (errors.Count > 0)
        {
            throw ApiProblem.Validation(errors);
        }

        return (id!, string.IsNullOrWhiteSpace(input.Name) ? id! : input.Name, symbols);
    }

    private static WatchlistStore Store(ApiServices services) => ApiServices.Require(services.Watchlists, "watchlists", PlatformSettings.Storage);

    private static ApiProblem NotFound(string id) => ApiProblem.NotFound($"there is no watchlist '{id}'.");

    private static WatchlistView View(Watchlist list) => new(list.Id, list.Name, list.Symbols, list.UpdatedAt);
}
