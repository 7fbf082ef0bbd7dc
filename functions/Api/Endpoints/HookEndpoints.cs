using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Functions.Api.Http;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Live;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api.Endpoints;

/// <summary>Body of <c>POST /api/hooks</c>.</summary>
/// <param name="Name">What sends to it (e.g. "TradingView BTC 4h").</param>
/// <param name="Strategy">The strategy name its signals carry (default <c>hook-{name}</c>).</param>
internal sealed record HookInput(string? Name, string? Strategy = null);

/// <summary>A hook as listed (its secret only when made).</summary>
internal sealed record HookView(string Id, string Name, string Strategy, string Url, DateTimeOffset CreatedAt, string? Secret = null);

/// <summary>What an inbound alert became.</summary>
/// <param name="Signal">The signal id.</param>
/// <param name="Duplicate">True when this signal had been received before (nothing was sent again).</param>
internal sealed record HookReceipt(string Signal, bool Duplicate);

/// <summary>
/// Inbound webhooks, TradingView-style: <c>POST /api/hooks/{id}</c> with a JSON alert, verified by the hook's secret
/// (an HMAC signature header, or the secret inside the JSON, as TradingView alert messages can carry it), turned into
/// a signal that is recorded, pushed to <c>signals</c> and <c>signals.{SYMBOL}</c>, and enqueued for alerts.
/// </summary>
internal static class HookEndpoints
{
    /// <summary>How far a signed request's timestamp may be from now.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private const string Tag = "Hooks";

    public static void Map(IEndpointRouteBuilder api, ApiServices services)
    {
        api.Post("/hooks", new ApiOperation(Tag, "Make an inbound webhook (its secret is shown once)", ApiScope.Trade, typeof(HookInput), typeof(HookView), 201, Errors: [422]), async context =>
        {
            var input = ApiRequest.Json<HookInput>(context);
            var errors = new List<FieldError>();
            if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Length > 100)
            {
                errors.Add(new FieldError("body.name", "is required, 1–100 characters", ApiProblem.Shorten(input.Name)));
            }

            var strategy = input.Strategy ?? "hook-" + Slug(input.Name ?? string.Empty);
            if (!StrategyStore.IsValidId(strategy))
            {
                errors.Add(new FieldError("body.strategy", "must be 1–64 lower-case letters, digits, '.', '_' or '-'", strategy));
            }

            if (errors.Count > 0)
            {
                throw ApiProblem.Validation(errors);
            }

            var hook = await Store(services).CreateAsync(input.Name!, strategy, context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Created("/api/hooks/" + hook.Id, View(hook) with { Secret = hook.Secret });
        });

        api.Get("/hooks", new ApiOperation(Tag, "List inbound webhooks (without secrets)", ApiScope.Trade, Response: typeof(ItemList<HookView>)), async context =>
        {
            var hooks = await Store(services).ListAsync(context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Ok(new ItemList<HookView>(hooks.Select(View).ToList()));
        });

        api.Delete("/hooks/{id}", new ApiOperation(Tag, "Delete an inbound webhook", ApiScope.Trade, Success: 204, Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            return await Store(services).DeleteAsync(id, context.RequestAborted).ConfigureAwait(false) ? ApiResult.NoContent() : throw NotFound(id);
        });

        api.Post("/hooks/{id}", new ApiOperation(Tag, "Receive an alert: {symbol|ticker, action|kind, price|close, time?, interval?, secret?}; verified by X-SigmaFlow-Signature or the secret in the body", null, typeof(JsonElement), typeof(HookReceipt), 202, Errors: [401, 404, 415, 422]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var hook = await Store(services).GetAsync(id, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(id);
            var body = ApiRequest.Body(context);
            var alert = Parse(context, body, services.Clock);
            Verify(context, hook, body, alert.Secret, services.Clock);
            var signal = new SignalEvent(alert.Symbol, hook.Strategy, alert.Timeframe, alert.Kind, alert.Time - (alert.Time % alert.Timeframe.Milliseconds), alert.Price);
            var fresh = await Record(services).RecordSignalsAsync([signal], context.RequestAborted).ConfigureAwait(false);
            if (fresh.Count > 0)
            {
                if (services.LivePush is { } push)
                {
                    var payload = Encoding.UTF8.GetBytes(LiveMessages.Signal(signal));
                    await push.SendAsync(LiveNames.SignalsGroup, payload, context.RequestAborted).ConfigureAwait(false);
                    await push.SendAsync(LiveNames.SymbolSignalsGroup(signal.Symbol), payload, context.RequestAborted).ConfigureAwait(false);
                }

                if (services.Alerts is { } alerts)
                {
                    await alerts.EnqueueAsync(signal, context.RequestAborted).ConfigureAwait(false);
                    await Record(services).MarkAlertedAsync(fresh, context.RequestAborted).ConfigureAwait(false);
                }
            }

            return new ApiResult(StatusCodes.Status202Accepted, ApiJson.Serialize(new HookReceipt(signal.Id, fresh.Count == 0)));
        });
    }

    /// <summary>The signature a sender puts in <c>X-SigmaFlow-Signature</c>: <c>sha256=</c> hex HMAC-SHA256 of <c>{timestamp}.{body}</c> with the hook's secret.</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    private static void Verify(HttpContext context, Hook hook, byte[] body, string? bodySecret, TimeProvider clock)
    {
        var signature = context.Request.Headers["X-SigmaFlow-Signature"].FirstOrDefault();
        if (signature is not null)
        {
            var timestamp = context.Request.Headers["X-SigmaFlow-Timestamp"].FirstOrDefault();
            if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                throw Unauthorized("header.X-SigmaFlow-Timestamp", "is required with a signature: Unix seconds", timestamp);
            }

            if ((clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253_402_300_799))).Duration() > Tolerance)
            {
                throw Unauthorized("header.X-SigmaFlow-Timestamp", "must be within 5 minutes of the server's clock (replayed or delayed request)", timestamp);
            }

            var expected = Encoding.ASCII.GetBytes(Sign(hook.Secret, timestamp!, body));
            if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature.Trim())))
            {
                throw Unauthorized("header.X-SigmaFlow-Signature", "does not match: sha256=hex(HMAC-SHA256(secret, timestamp + \".\" + body))", null);
            }

            return;
        }

        if (bodySecret is null)
        {
            throw Unauthorized("body.secret", "is required unless the request is signed (X-SigmaFlow-Signature)", null);
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(hook.Secret), Encoding.UTF8.GetBytes(bodySecret)))
        {
            throw Unauthorized("body.secret", "is not this hook's secret", null);
        }
    }

    private static (string Symbol, SignalKind Kind, double Price, long Time, Timeframe Timeframe, string? Secret) Parse(HttpContext context, byte[] body, TimeProvider clock)
    {
        var type = context.Request.ContentType;
        if (body.Length == 0)
        {
            throw ApiProblem.BadRequest("body", "a JSON alert is required");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new ApiProblem(type is not null && !type.Contains("json", StringComparison.OrdinalIgnoreCase) ? StatusCodes.Status415UnsupportedMediaType : StatusCodes.Status400BadRequest, "Bad request", $"body: must be a JSON alert ({e.Message.Split(" LineNumber", 2)[0]})", [new FieldError("body", "must be a JSON object")]);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw ApiProblem.BadRequest("body", "must be a JSON object");
            }

            var errors = new List<FieldError>();
            var symbol = Text(root, "symbol", "ticker");
            if (symbol is null || !WatchlistStore.IsValidSymbol(symbol.Split(':')[^1]))
            {
                errors.Add(new FieldError("body.symbol", "is required: 1–32 letters, digits or . _ - : / (TradingView's {{ticker}})", symbol));
            }

            var action = Text(root, "action", "kind", "side");
            var kind = Kind(action);
            if (kind is null)
            {
                errors.Add(new FieldError("body.action", "is required: buy, sell, long, short, exit_long, exit_short (or longEntry, longExit, shortEntry, shortExit)", action));
            }

            var priceText = Text(root, "price", "close");
            if (!double.TryParse(priceText, NumberStyles.Float, CultureInfo.InvariantCulture, out var price) || !double.IsFinite(price) || price <= 0)
            {
                errors.Add(new FieldError("body.price", "is required: a positive number (TradingView's {{close}})", priceText));
            }

            var timeText = Text(root, "time", "timenow");
            var time = clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (timeText is not null)
            {
                if (long.TryParse(timeText, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
                {
                    time = ms;
                }
                else if (DateTimeOffset.TryParse(timeText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
                {
                    time = at.ToUnixTimeMilliseconds();
                }
                else
                {
                    errors.Add(new FieldError("body.time", "must be ISO 8601 or Unix milliseconds", timeText));
                }
            }

            var intervalText = Text(root, "interval", "timeframe");
            var timeframe = Interval(intervalText);
            if (timeframe is null)
            {
                errors.Add(new FieldError("body.interval", "must be a timeframe (1m, 1h, 1d) or TradingView's interval (1, 15, 60, D, W)", intervalText));
            }

            if (errors.Count > 0)
            {
                throw ApiProblem.Validation(errors);
            }

            return (symbol!.Split(':')[^1].ToUpperInvariant(), kind!.Value, price, time, timeframe!.Value, Text(root, "secret"));
        }
    }

    private static string? Text(JsonElement root, params string[] names)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (names.Any(n => property.NameEquals(n) || property.Name.Equals(n, StringComparison.OrdinalIgnoreCase)))
            {
                return property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number => property.Value.GetRawText(),
                    _ => property.Value.GetRawText(),
                };
            }
        }

        return null;
    }

    private static SignalKind? Kind(string? action) => action?.Trim().ToLowerInvariant().Replace(" ", "_", StringComparison.Ordinal) switch
    {
        "buy" or "long" or "longentry" or "long_entry" or "enter_long" => SignalKind.LongEntry,
        "sell" or "short" or "shortentry" or "short_entry" or "enter_short" => SignalKind.ShortEntry,
        "exit_long" or "close_long" or "longexit" or "long_exit" or "exit" or "close" or "flat" => SignalKind.LongExit,
        "exit_short" or "close_short" or "shortexit" or "short_exit" or "cover" => SignalKind.ShortExit,
        _ => null,
    };

    private static Timeframe? Interval(string? text)
    {
        if (text is null)
        {
            return Timeframe.Parse("1m");
        }

        var trimmed = text.Trim();
        if (int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) && minutes is > 0 and <= 100_000)
        {
            return Timeframe.FromTimeSpan(TimeSpan.FromMinutes(minutes));
        }

        var mapped = trimmed switch
        {
            "D" or "1D" => "1d",
            "W" or "1W" => "7d",
            _ => trimmed,
        };
        return Timeframe.TryParse(mapped, out var timeframe) ? timeframe : null;
    }

    private static ApiProblem Unauthorized(string field, string rule, string? value) =>
        new(StatusCodes.Status401Unauthorized, "Unauthorized", $"{field}: {rule}", [new FieldError(field, rule, ApiProblem.Shorten(value))]);

    private static string Slug(string name)
    {
        var slug = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return slug.Length == 0 ? "hook" : slug[..Math.Min(slug.Length, 58)];
    }

    private static HookStore Store(ApiServices services) => ApiServices.Require(services.Hooks, "inbound webhooks", PlatformSettings.Storage);

    private static ISignalStore Record(ApiServices services) => ApiServices.Require(services.Signals, "recording signals", PlatformSettings.Storage);

    private static ApiProblem NotFound(string id) => ApiProblem.NotFound($"there is no inbound webhook '{id}'.");

    private static HookView View(Hook hook) => new(hook.Id, hook.Name, hook.Strategy, "/api/hooks/" + hook.Id, hook.CreatedAt);
}
