using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Functions.Api.Http;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api.Endpoints;

/// <summary>An indicator parameter in the catalog.</summary>
internal sealed record IndicatorParameterView(string Name, string Type, double Default, double Min, double Max, string Description);

/// <summary>An indicator output in the catalog.</summary>
internal sealed record IndicatorOutputView(string Name, string Description, bool LookAhead);

/// <summary>An indicator in the catalog.</summary>
internal sealed record IndicatorView(string Name, string FullName, IReadOnlyList<string> Aliases, string Category, string Description, bool UsesSource, IReadOnlyList<IndicatorParameterView> Parameters, IReadOnlyList<IndicatorOutputView> Outputs, int Warmup);

/// <summary>A bar.</summary>
internal sealed record BarView(long Time, double Open, double High, double Low, double Close, double Volume, IReadOnlyDictionary<string, double?>? Indicators);

/// <summary>Bars of one symbol and timeframe.</summary>
internal sealed record BarsView(string Symbol, string Timeframe, IReadOnlyList<BarView> Bars);

/// <summary>A latest quote.</summary>
internal sealed record QuoteView(string Symbol, long Time, double Price, double Size, double? Bid, double? Ask, DateTimeOffset UpdatedAt);

/// <summary>Indicator values over stored bars.</summary>
internal sealed record IndicatorValuesView(string Symbol, string Timeframe, string Spec, IReadOnlyList<string> Fields, IReadOnlyList<long> Time, IReadOnlyList<IReadOnlyList<double>> Values);

/// <summary>A recorded signal.</summary>
internal sealed record SignalView(string Id, string Symbol, string Strategy, string Timeframe, string Kind, long Time, double Price, DateTimeOffset? RecordedAt);

/// <summary>Market data: the indicator catalog, stored bars, latest quotes, indicators on demand, recent signals.</summary>
internal static class MarketEndpoints
{
    private const string Tag = "Market data";

    private static readonly ApiParameter[] Range =
    [
        new("timeframe", "string", "1m (default), 5m, 15m or 1h: the timeframes the live pipeline stores"),
        new("from", "string", "earliest bar start, ISO 8601 or Unix ms (default: none)"),
        new("to", "string", "latest bar start, exclusive (default: now)"),
        new("limit", "integer", "most bars, the newest ones (1–50000, default 500)"),
    ];

    public static void Map(IEndpointRouteBuilder api, ApiServices services)
    {
        api.Get("/indicators", new ApiOperation(Tag, "The indicator catalog: parameters with bounds, outputs, warm-up", ApiScope.Read, Response: typeof(ItemList<IndicatorView>)), _ =>
            Task.FromResult<IResult>(ApiResult.Ok(new ItemList<IndicatorView>(IndicatorCatalog.All.Select(View).ToList()))));

        api.Get("/markets/{symbol}/bars", new ApiOperation(Tag, "Stored final bars by symbol, timeframe and range, oldest first", ApiScope.Read, Response: typeof(BarsView), Query: [.. Range, new("indicators", "boolean", "include the live indicators stored with each bar (default false)")]), async context =>
        {
            var symbol = ApiRequest.Symbol(context);
            var (timeframe, from, to, limit) = ReadRange(context, services);
            var withIndicators = ApiRequest.Bool(context, "indicators", false);
            var bars = await Market(services).BarsAsync(symbol, timeframe, from, to, limit, withIndicators, context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Ok(new BarsView(symbol, timeframe.ToString(), bars.Select(b => new BarView(b.Bar.Time, b.Bar.Open, b.Bar.High, b.Bar.Low, b.Bar.Close, b.Bar.Volume, withIndicators ? b.Indicators : null)).ToList()));
        });

        api.Get("/markets/{symbol}/indicators", new ApiOperation(Tag, "An indicator computed on demand over stored bars (warm-up bars read before the range)", ApiScope.Read, Response: typeof(IndicatorValuesView), Query: [new("spec", "string", "indicator spec such as rsi(14), bb(20,2), ema(hl2,9)", true), .. Range]), async context =>
        {
            var symbol = ApiRequest.Symbol(context);
            var spec = ApiRequest.Query(context, "spec") ?? throw ApiProblem.Invalid("query.spec", "is required: an indicator such as rsi(14); the catalog is at /api/indicators");
            IndicatorDefinition definition;
            IndicatorArguments arguments;
            try
            {
                (definition, arguments) = IndicatorCatalog.Parse(spec);
            }
            catch (IndicatorSpecException e)
            {
                throw ApiProblem.Invalid("query.spec", e.Message, spec);
            }

            var (timeframe, from, to, limit) = ReadRange(context, services);
            var warmup = Math.Min(definition.Warmup(arguments), MarketDataReader.MaxBars - limit);
            var stored = await Market(services).BarsAsync(symbol, timeframe, Math.Max(0, from - (warmup * timeframe.Milliseconds)), to, Math.Min(MarketDataReader.MaxBars, limit + warmup), false, context.RequestAborted).ConfigureAwait(false);
            var series = new BarSeries(
                stored.Select(b => b.Bar.Time).ToArray(),
                stored.Select(b => b.Bar.Open).ToArray(),
                stored.Select(b => b.Bar.High).ToArray(),
                stored.Select(b => b.Bar.Low).ToArray(),
                stored.Select(b => b.Bar.Close).ToArray(),
                stored.Select(b => b.Bar.Volume).ToArray(),
                symbol);
            var result = definition.Calculate(series, arguments);
            var first = 0;
            while (first < result.Time.Length && (result.Time[first] < from || result.Time.Length - first > limit))
            {
                first++;
            }

            return ApiResult.Ok(new IndicatorValuesView(
                symbol,
                timeframe.ToString(),
                spec,
                definition.Outputs.Select(o => o.Name).ToList(),
                result.Time[first..],
                result.Columns.Select(c => (IReadOnlyList<double>)c[first..]).ToList()));
        });

        api.Get("/quotes", new ApiOperation(Tag, "Latest quotes", ApiScope.Read, Response: typeof(ItemList<QuoteView>), Query: [new("symbols", "string", "comma-separated symbols (default: every symbol seen)")]), async context =>
        {
            var symbols = Symbols(ApiRequest.Query(context, "symbols"));
            var quotes = await Market(services).QuotesAsync(symbols, context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Ok(new ItemList<QuoteView>(quotes.Select(q => new QuoteView(q.Symbol, q.Time, q.Price, q.Size, q.Bid, q.Ask, q.UpdatedAt)).ToList()));
        });

        api.Get("/signals", new ApiOperation(Tag, "Recent strategy signals, newest first", ApiScope.Read, Response: typeof(ItemList<SignalView>), Query:
        [
            new("symbol", "string", "only this symbol"),
            new("strategy", "string", "only this strategy"),
            new("since", "string", "only bars starting at or after this time (ISO 8601 or Unix ms; default: the last 24 hours)"),
            new("limit", "integer", "most signals (1–1000, default 100)"),
        ]), async context =>
        {
            var symbol = ApiRequest.Query(context, "symbol");
            if (symbol is not null && !WatchlistStore.IsValidSymbol(symbol))
            {
                throw ApiProblem.Invalid("query.symbol", "must be 1–32 letters, digits or . _ - : /", symbol);
            }

            var since = ApiRequest.Time(context, "since") ?? services.Clock.GetUtcNow().AddDays(-1).ToUnixTimeMilliseconds();
            var limit = ApiRequest.Int(context, "limit", 100, 1, 1000);
            var signals = await Market(services).SignalsAsync(symbol?.ToUpperInvariant(), ApiRequest.Query(context, "strategy"), since, limit, context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Ok(new ItemList<SignalView>(signals.Select(s => new SignalView(s.Id, s.Symbol, s.Strategy, s.Timeframe, s.Kind, s.Time, s.Price, s.RecordedAt)).ToList()));
        });
    }

    private static (Timeframe Timeframe, long From, long To, int Limit) ReadRange(HttpContext context, ApiServices services)
    {
        var timeframe = ApiRequest.Timeframe(context, "timeframe", "1m");
        var from = ApiRequest.Time(context, "from") ?? 0;
        var to = ApiRequest.Time(context, "to") ?? services.Clock.GetUtcNow().ToUnixTimeMilliseconds() + 1;
        if (to <= from)
        {
            throw ApiProblem.Invalid("query.to", "must be later than 'from'", ApiRequest.Query(context, "to"));
        }

        return (timeframe, from, to, ApiRequest.Int(context, "limit", 500, 1, MarketDataReader.MaxBars));
    }

    private static List<string>? Symbols(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var symbols = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (symbols.Length > 100)
        {
            throw ApiProblem.Invalid("query.symbols", "may name at most 100 symbols", string.Create(CultureInfo.InvariantCulture, $"{symbols.Length} symbols"));
        }

        foreach (var symbol in symbols)
        {
            if (!WatchlistStore.IsValidSymbol(symbol))
            {
                throw ApiProblem.Invalid("query.symbols", "must be comma-separated symbols of 1–32 letters, digits or . _ - : /", symbol);
            }
        }

        return symbols.Select(s => s.ToUpperInvariant()).Distinct(StringComparer.Ordinal).ToList();
    }

    private static MarketDataReader Market(ApiServices services) => ApiServices.Require(services.Market, "market data", PlatformSettings.Storage);

    private static IndicatorView View(IndicatorDefinition d) => new(
        d.Name,
        d.FullName,
        d.Aliases,
        d.Category,
        d.Description,
        d.UsesSource,
        d.Parameters.Select(p => new IndicatorParameterView(p.Name, p.Kind == ParameterKind.WholeNumber ? "integer" : "number", p.Default, p.Minimum, p.Maximum, p.Description)).ToList(),
        d.Outputs.Select(o => new IndicatorOutputView(o.Name, o.Description, o.LookAhead)).ToList(),
        d.Warmup(d.Defaults));
}
