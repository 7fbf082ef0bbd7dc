using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SigmaFlow.Functions.Api.Http;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Screening;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api.Endpoints;

/// <summary>Body of <c>POST /api/screeners</c> and <c>PUT /api/screeners/{id}</c>.</summary>
/// <param name="Id">The id (POST only; on PUT it may be left out or must match the path).</param>
/// <param name="Name">Display name (defaults to the id; at most 100 characters).</param>
/// <param name="Watchlists">Watchlist ids to scan (at most 20); left out or empty: every watchlist.</param>
/// <param name="Timeframe">Bars to read: 1m, 5m, 15m (default) or 1h.</param>
/// <param name="Condition">Rule-language condition a symbol must meet on its last final bar, e.g. <c>rsi(14) &lt; 30</c>.</param>
/// <param name="Rank">Rule-language number that orders the matches, e.g. <c>roc(10).roc</c> (optional).</param>
/// <param name="Order"><c>desc</c> (default: highest rank value first) or <c>asc</c>.</param>
/// <param name="Limit">Most matches listed per result (1–500, default 50).</param>
/// <param name="Enabled">Whether the timer scan runs it (default true).</param>
internal sealed record ScreenerInput(string? Id, string? Name, IReadOnlyList<string>? Watchlists, string? Timeframe, string? Condition, string? Rank, string? Order, int? Limit, bool? Enabled);

/// <summary>A screener.</summary>
/// <param name="Id">The id.</param>
/// <param name="Name">The name.</param>
/// <param name="Watchlists">Watchlists scanned; empty for every watchlist.</param>
/// <param name="Timeframe">The bars read.</param>
/// <param name="Condition">The condition.</param>
/// <param name="Rank">The rank expression, if any.</param>
/// <param name="Order"><c>desc</c> or <c>asc</c>.</param>
/// <param name="Limit">Most matches listed.</param>
/// <param name="Enabled">Whether the timer scan runs it.</param>
/// <param name="RequiredBars">Final bars a symbol needs to be evaluated (the expressions' warm-up + 1); null when the stored expressions no longer compile.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it was last changed.</param>
internal sealed record ScreenerView(string Id, string Name, IReadOnlyList<string> Watchlists, string Timeframe, string Condition, string? Rank, string Order, int Limit, bool Enabled, int? RequiredBars, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Body of <c>POST /api/screener/scan</c>: what to scan (symbols or a watchlist) and how.</summary>
/// <param name="Symbols">Up to 100 symbols (or give <paramref name="Watchlist"/>).</param>
/// <param name="Watchlist">A watchlist id (or give <paramref name="Symbols"/>).</param>
/// <param name="Timeframe">Bars to read: 1m, 5m, 15m (default) or 1h.</param>
/// <param name="Condition">Rule-language condition.</param>
/// <param name="Rank">Rule-language number that orders the matches (optional).</param>
/// <param name="Order"><c>desc</c> (default) or <c>asc</c>.</param>
/// <param name="Limit">Most matches listed (1–500, default 50).</param>
internal sealed record ScanInput(IReadOnlyList<string>? Symbols, string? Watchlist, string? Timeframe, string? Condition, string? Rank, string? Order, int? Limit);

/// <summary>Screeners: definitions (CRUD), the timer scan's latest results, and ad-hoc scans with results inline.</summary>
internal static class ScreenerEndpoints
{
    /// <summary>Most symbols an ad-hoc scan names.</summary>
    public const int MaxScanSymbols = 100;

    private const string Tag = "Screener";

    public static void Map(IEndpointRouteBuilder api, ApiServices services)
    {
        api.Post("/screeners", new ApiOperation(Tag, "Create a screener (the timer scan runs it on its schedule)", ApiScope.Trade, typeof(ScreenerInput), typeof(ScreenerView), 201, Idempotent: true, Errors: [409, 422]), async context =>
        {
            var input = ApiRequest.Json<ScreenerInput>(context);
            var screener = await CheckAsync(services, input, input.Id, requireId: true, context.RequestAborted).ConfigureAwait(false);
            try
            {
                var stored = await Store(services).CreateAsync(screener.Definition, context.RequestAborted).ConfigureAwait(false);
                return ApiResult.Created("/api/screeners/" + stored.Definition.Id, View(stored)).With("ETag", stored.ETag);
            }
            catch (WorkspaceConflictException e)
            {
                throw ApiProblem.Conflict(e.Message);
            }
        });

        api.Get("/screeners", new ApiOperation(Tag, "List screeners", ApiScope.Read, Response: typeof(ItemList<ScreenerView>)), async context =>
        {
            var list = await Store(services).ListAsync(context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Ok(new ItemList<ScreenerView>(list.Select(View).ToList()));
        });

        api.Get("/screeners/{id}", new ApiOperation(Tag, "Read a screener", ApiScope.Read, Response: typeof(ScreenerView), Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var stored = await Store(services).GetAsync(id, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(id);
            return ApiResult.Ok(View(stored)).With("ETag", stored.ETag);
        });

        api.Put("/screeners/{id}", new ApiOperation(Tag, "Replace a screener (If-Match optional)", ApiScope.Trade, typeof(ScreenerInput), typeof(ScreenerView), Errors: [404, 412, 422]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var input = ApiRequest.Json<ScreenerInput>(context);
            if (input.Id is not null && input.Id != id)
            {
                throw ApiProblem.Invalid("body.id", $"must match the path ('{id}') or be left out", input.Id);
            }

            var screener = await CheckAsync(services, input, id, requireId: false, context.RequestAborted).ConfigureAwait(false);
            try
            {
                var stored = await Store(services).ReplaceAsync(screener.Definition, context.Request.Headers.IfMatch.FirstOrDefault(), context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(id);
                return ApiResult.Ok(View(stored)).With("ETag", stored.ETag);
            }
            catch (WorkspaceConflictException e)
            {
                throw ApiProblem.PreconditionFailed(e.Message);
            }
        });

        api.Delete("/screeners/{id}", new ApiOperation(Tag, "Delete a screener with its results", ApiScope.Trade, Success: 204, Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            return await Store(services).DeleteAsync(id, context.RequestAborted).ConfigureAwait(false) ? ApiResult.NoContent() : throw NotFound(id);
        });

        api.Get("/screeners/{id}/results", new ApiOperation(Tag, "A screener's latest result from the timer scan", ApiScope.Read, Response: typeof(ScreenerResult), Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var store = Store(services);
            var result = await store.GetResultAsync(id, context.RequestAborted).ConfigureAwait(false);
            if (result is not null)
            {
                return ApiResult.Ok(result);
            }

            _ = await store.GetAsync(id, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(id);
            throw ApiProblem.NotFound($"screener '{id}' has not run yet; the market scan runs it on its schedule (setting {PlatformSettings.ScanSchedule}, every 15 minutes by default). POST /api/screener/scan gives results now.");
        });

        api.Get("/screener", new ApiOperation(Tag, "The latest result of every screener, by screener id", ApiScope.Read, Response: typeof(ItemList<ScreenerResult>)), async context =>
        {
            var results = await Store(services).ListResultsAsync(context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Ok(new ItemList<ScreenerResult>(results));
        });

        api.Post("/screener/scan", new ApiOperation(Tag, "Ad-hoc scan of symbols or a watchlist; results inline, nothing stored", ApiScope.Read, typeof(ScanInput), typeof(ScreenerResult), Idempotent: true, Errors: [422]), async context =>
        {
            var input = ApiRequest.Json<ScanInput>(context);
            var scanner = ApiServices.Require(services.Scanner, "scanning", PlatformSettings.Storage);
            var (screener, symbols) = await CheckScanAsync(services, input, context.RequestAborted).ConfigureAwait(false);
            var result = await scanner.ScanAsync(screener, symbols, context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Ok(result);
        });
    }

    /// <summary>Checks a screener body (every field at once, expressions with line and column) and that its watchlists exist.</summary>
    private static async Task<CompiledScreener> CheckAsync(ApiServices services, ScreenerInput input, string? id, bool requireId, CancellationToken cancellationToken)
    {
        var check = ScreenerRules.Check(new ScreenerDraft(id, input.Name, input.Watchlists, input.Timeframe, input.Condition, input.Rank, input.Order, input.Limit, input.Enabled), requireId);
        var errors = check.Errors.Select(Field).ToList();
        if (input.Watchlists is { Count: > 0 } named)
        {
            var known = (await Watchlists(services).ListAsync(cancellationToken).ConfigureAwait(false)).Select(w => w.Id).ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < named.Count && i < ScreenerDefinition.MaxWatchlists; i++)
            {
                if (WatchlistStore.IsValidId(named[i]) && !known.Contains(named[i]))
                {
                    errors.Add(new FieldError(string.Create(CultureInfo.InvariantCulture, $"body.watchlists[{i}]"), "must name an existing watchlist (GET /api/watchlists lists them)", named[i]));
                }
            }
        }

        return errors.Count > 0 || check.Screener is null ? throw ApiProblem.Validation(errors) : check.Screener;
    }

    /// <summary>Checks an ad-hoc scan: the expressions and options as for a screener, plus exactly one of symbols or an existing watchlist.</summary>
    private static async Task<(CompiledScreener Screener, IReadOnlyList<string> Symbols)> CheckScanAsync(ApiServices services, ScanInput input, CancellationToken cancellationToken)
    {
        var check = ScreenerRules.Check(new ScreenerDraft(null, "ad-hoc scan", null, input.Timeframe, input.Condition, input.Rank, input.Order, input.Limit), requireId: false);
        var errors = check.Errors.Select(Field).ToList();
        var symbols = new List<string>();
        if (input.Symbols is not null && input.Watchlist is not null)
        {
            errors.Add(new FieldError("body.watchlist", "give either symbols or a watchlist, not both", input.Watchlist));
        }
        else if (input.Watchlist is not null)
        {
            var list = WatchlistStore.IsValidId(input.Watchlist) ? await Watchlists(services).GetAsync(input.Watchlist, cancellationToken).ConfigureAwait(false) : null;
            if (list is null)
            {
                errors.Add(new FieldError("body.watchlist", "must name an existing watchlist (GET /api/watchlists lists them)", ApiProblem.Shorten(input.Watchlist)));
            }
            else
            {
                symbols.AddRange(list.Symbols);
            }
        }
        else if (input.Symbols is null || input.Symbols.Count == 0)
        {
            errors.Add(new FieldError("body.symbols", string.Create(CultureInfo.InvariantCulture, $"is required: 1 to {MaxScanSymbols} symbols (or give 'watchlist')")));
        }
        else if (input.Symbols.Count > MaxScanSymbols)
        {
            errors.Add(new FieldError("body.symbols", string.Create(CultureInfo.InvariantCulture, $"may hold at most {MaxScanSymbols} symbols (save them as a watchlist and a screener for more)"), string.Create(CultureInfo.InvariantCulture, $"{input.Symbols.Count} symbols")));
        }
        else
        {
            for (var i = 0; i < input.Symbols.Count; i++)
            {
                var symbol = input.Symbols[i];
                var field = string.Create(CultureInfo.InvariantCulture, $"body.symbols[{i}]");
                if (!WatchlistStore.IsValidSymbol(symbol))
                {
                    errors.Add(new FieldError(field, "must be 1–32 letters, digits or . _ - : /, starting with a letter or digit", ApiProblem.Shorten(symbol)));
                }
                else if (symbols.Contains(symbol!.ToUpperInvariant(), StringComparer.Ordinal))
                {
                    errors.Add(new FieldError(field, "appears twice", symbol));
                }
                else
                {
                    symbols.Add(symbol.ToUpperInvariant());
                }
            }
        }

        return errors.Count > 0 || check.Screener is null ? throw ApiProblem.Validation(errors) : (check.Screener, symbols);
    }

    private static FieldError Field(ScreenerError e) => new("body." + e.Field, e.Rule, ApiProblem.Shorten(e.Value), e.Line, e.Column);

    private static ScreenerStore Store(ApiServices services) => ApiServices.Require(services.Screeners, "screeners", PlatformSettings.Storage);

    private static WatchlistStore Watchlists(ApiServices services) => ApiServices.Require(services.Watchlists, "watchlists", PlatformSettings.Storage);

    private static ApiProblem NotFound(string id) => ApiProblem.NotFound($"there is no screener '{id}'.");

    private static ScreenerView View(StoredScreener stored)
    {
        var d = stored.Definition;
        var compiled = ScreenerRules.Compile(d).Screener;
        return new ScreenerView(d.Id, d.Name, d.Watchlists, d.Timeframe.ToString(), d.Condition, d.Rank, d.OrderText, d.Limit, d.Enabled, compiled?.RequiredBars, stored.CreatedAt, stored.UpdatedAt);
    }
}
