using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SigmaFlow.Functions.Api.Http;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Alerts;
using SigmaFlow.Platform.Alerts.Storage;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api.Endpoints;

/// <summary>
/// Alert rules (strategy signals, price crossings, rule-language conditions), channels (Discord, Slack, Telegram,
/// generic webhooks) and the delivery log, over <see cref="AlertStore"/>. Bodies and answers use the alert documents'
/// own JSON (see shared/SigmaFlow.Platform/Alerts/README.md) with <c>etag</c>, <c>createdAt</c> and <c>updatedAt</c>
/// added; channels come back redacted (token and secret <c>***</c>, URL cut), and an update that leaves a credential
/// out (or sends the redacted value back) keeps the stored one.
/// </summary>
internal static class AlertEndpoints
{
    private const string Tag = "Alerts";

    public static void Map(IEndpointRouteBuilder api, ApiServices services)
    {
        api.Post("/alerts/channels", new ApiOperation(Tag, "Make a channel: discord, slack, telegram or webhook", ApiScope.Trade, typeof(JsonElement), typeof(JsonElement), 201, Errors: [409, 422]), async context =>
        {
            var channel = Read<AlertChannel>(context);
            var result = await Store(services).CreateChannelAsync(channel, context.RequestAborted).ConfigureAwait(false);
            return Answer(result, "channel", channel.Id, c => c.Redacted(), created: "/api/alerts/channels/" + channel.Id);
        });

        api.Get("/alerts/channels", new ApiOperation(Tag, "List channels (credentials redacted)", ApiScope.Read, Response: typeof(JsonElement)), async context =>
        {
            var list = await Store(services).ListChannelsAsync(context.RequestAborted).ConfigureAwait(false);
            return List(list, c => c.Redacted());
        });

        api.Get("/alerts/channels/{id}", new ApiOperation(Tag, "Read a channel (credentials redacted)", ApiScope.Read, Response: typeof(JsonElement), Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            return Answer(await Store(services).GetChannelAsync(id, context.RequestAborted).ConfigureAwait(false), "channel", id, c => c.Redacted());
        });

        api.Put("/alerts/channels/{id}", new ApiOperation(Tag, "Replace a channel (If-Match optional; left-out credentials are kept)", ApiScope.Trade, typeof(JsonElement), typeof(JsonElement), Errors: [404, 412, 422]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var channel = Read<AlertChannel>(context) is { } read && (read.Id.Length == 0 || read.Id == id) ? read with { Id = id } : throw ApiProblem.Invalid("body.id", $"must match the path ('{id}') or be left out");
            var store = Store(services);
            var current = await store.GetChannelAsync(id, context.RequestAborted).ConfigureAwait(false);
            if (current.Item is { } stored)
            {
                channel = channel with
                {
                    Url = Kept(channel.Url, stored.Value.Url, stored.Value.Redacted().Url),
                    BotToken = Kept(channel.BotToken, stored.Value.BotToken, "***"),
                    Secret = Kept(channel.Secret, stored.Value.Secret, "***"),
                };
            }

            var result = await store.UpdateChannelAsync(channel, IfMatch(context), context.RequestAborted).ConfigureAwait(false);
            return Answer(result, "channel", id, c => c.Redacted());
        });

        api.Delete("/alerts/channels/{id}", new ApiOperation(Tag, "Delete a channel (409 while rules send to it)", ApiScope.Trade, Success: 204, Errors: [404, 409, 412]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            return Answer(await Store(services).DeleteChannelAsync(id, IfMatch(context), context.RequestAborted).ConfigureAwait(false), "channel", id, c => c.Redacted());
        });

        api.Post("/alerts/rules", new ApiOperation(Tag, "Make a rule: condition (signal, priceCross or expression), channelIds, cooldownSeconds", ApiScope.Trade, typeof(JsonElement), typeof(JsonElement), 201, Errors: [409, 422]), async context =>
        {
            var rule = Read<AlertRule>(context);
            var result = await Store(services).CreateRuleAsync(rule, context.RequestAborted).ConfigureAwait(false);
            return Answer(result, "rule", rule.Id, r => r, created: "/api/alerts/rules/" + rule.Id);
        });

        api.Get("/alerts/rules", new ApiOperation(Tag, "List rules", ApiScope.Read, Response: typeof(JsonElement)), async context =>
            List(await Store(services).ListRulesAsync(context.RequestAborted).ConfigureAwait(false), r => r));

        api.Get("/alerts/rules/{id}", new ApiOperation(Tag, "Read a rule", ApiScope.Read, Response: typeof(JsonElement), Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            return Answer(await Store(services).GetRuleAsync(id, context.RequestAborted).ConfigureAwait(false), "rule", id, r => r);
        });

        api.Put("/alerts/rules/{id}", new ApiOperation(Tag, "Replace a rule (If-Match optional)", ApiScope.Trade, typeof(JsonElement), typeof(JsonElement), Errors: [404, 412, 422]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var rule = Read<AlertRule>(context) is { } read && (read.Id.Length == 0 || read.Id == id) ? read with { Id = id } : throw ApiProblem.Invalid("body.id", $"must match the path ('{id}') or be left out");
            return Answer(await Store(services).UpdateRuleAsync(rule, IfMatch(context), context.RequestAborted).ConfigureAwait(false), "rule", id, r => r);
        });

        api.Delete("/alerts/rules/{id}", new ApiOperation(Tag, "Delete a rule", ApiScope.Trade, Success: 204, Errors: [404, 412]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            return Answer(await Store(services).DeleteRuleAsync(id, IfMatch(context), context.RequestAborted).ConfigureAwait(false), "rule", id, r => r);
        });

        api.Get("/alerts/deliveries", new ApiOperation(Tag, "The delivery log, newest first", ApiScope.Read, Response: typeof(JsonElement), Query:
        [
            new("from", "string", "earliest alert time (default: 7 days before 'to')"),
            new("to", "string", "latest alert time (default: now)"),
            new("rule", "string", "only this rule"),
            new("channel", "string", "only this channel"),
            new("symbol", "string", "only this symbol"),
            new("status", "string", "pending, sending, waiting, delivered or failed"),
            new("alert", "string", "only this alert id"),
            new("limit", "integer", "most rows (1–1000, default 100)"),
        ]), async context =>
        {
            var status = ApiRequest.Query(context, "status");
            AlertDeliveryStatus? parsed = null;
            if (status is not null)
            {
                parsed = Enum.TryParse<AlertDeliveryStatus>(status, ignoreCase: true, out var s) && Enum.IsDefined(s) && !char.IsDigit(status[0])
                    ? s
                    : throw ApiProblem.Invalid("query.status", "must be pending, sending, waiting, delivered or failed", status);
            }

            var query = new AlertDeliveryQuery
            {
                From = Time(context, "from"),
                To = Time(context, "to"),
                RuleId = ApiRequest.Query(context, "rule"),
                ChannelId = ApiRequest.Query(context, "channel"),
                Symbol = ApiRequest.Query(context, "symbol")?.ToUpperInvariant(),
                AlertId = ApiRequest.Query(context, "alert"),
                Status = parsed,
                Limit = ApiRequest.Int(context, "limit", 100, 1, 1000),
            };
            var rows = await Store(services).Deliveries.QueryAsync(query, context.RequestAborted).ConfigureAwait(false);
            return Items(rows);
        });

        api.Get("/alerts/deadletters", new ApiOperation(Tag, "Alerts that could not be delivered, with the reason", ApiScope.Read, Response: typeof(JsonElement), Query:
        [
            new("from", "string", "earliest time (default: 7 days ago)"),
            new("to", "string", "latest time (default: now)"),
            new("limit", "integer", "most rows (1–1000, default 100)"),
        ]), async context =>
        {
            var rows = await Store(services).Deliveries.QueryDeadLettersAsync(Time(context, "from"), Time(context, "to"), ApiRequest.Int(context, "limit", 100, 1, 1000), context.RequestAborted).ConfigureAwait(false);
            return Items(rows);
        });
    }

    private static T Read<T>(HttpContext context)
        where T : class
    {
        var body = ApiRequest.Body(context);
        if (body.Length == 0)
        {
            throw ApiProblem.BadRequest("body", "a JSON object is required");
        }

        var read = AlertJson.Read<T>(System.Text.Encoding.UTF8.GetString(body));
        return read.Succeeded ? read.Value! : throw Problems(read.Problems);
    }

    private static ApiResult Answer<T>(AlertStoreResult<T> result, string what, string id, Func<T, T> show, string? created = null) => result.Status switch
    {
        AlertStoreStatus.Ok => Item(result.Item!, show, StatusCodes.Status200OK, null),
        AlertStoreStatus.Created => Item(result.Item!, show, StatusCodes.Status201Created, created),
        AlertStoreStatus.Deleted => ApiResult.NoContent(),
        AlertStoreStatus.NotFound => throw ApiProblem.NotFound(result.Message ?? $"there is no {what} '{id}'."),
        AlertStoreStatus.Conflict => throw ApiProblem.Conflict(result.Message ?? $"the {what} '{id}' conflicts with what is stored."),
        AlertStoreStatus.PreconditionFailed => throw ApiProblem.PreconditionFailed(result.Message ?? $"the {what} '{id}' changed since it was read; read it again."),
        _ => throw Problems(result.Problems),
    };

    private static ApiProblem Problems(IReadOnlyList<AlertProblem> problems) =>
        ApiProblem.Validation(problems.Select(p => new FieldError(p.Field.StartsWith('(') ? "body" : "body." + p.Field, p.Rule, ApiProblem.Shorten(p.Value))).ToList());

    private static ApiResult Item<T>(StoredAlertItem<T> item, Func<T, T> show, int status, string? location)
    {
        var node = Node(item, show);
        var result = new ApiResult(status, System.Text.Encoding.UTF8.GetBytes(node.ToJsonString()), location: location);
        return result.With("ETag", item.ETag);
    }

    private static JsonObject Node<T>(StoredAlertItem<T> item, Func<T, T> show)
    {
        var node = JsonNode.Parse(AlertJson.Write(show(item.Value)))!.AsObject();
        node["etag"] = item.ETag;
        node["createdAt"] = item.CreatedAt;
        node["updatedAt"] = item.UpdatedAt;
        return node;
    }

    private static ApiResult List<T>(AlertList<T> list, Func<T, T> show)
    {
        var body = new JsonObject
        {
            ["items"] = new JsonArray(list.Items.Select(i => (JsonNode)Node(i, show)).ToArray()),
            ["unreadable"] = new JsonArray(list.Unreadable.Select(u => (JsonNode)new JsonObject { ["id"] = u.Key, ["reason"] = u.Value }).ToArray()),
        };
        return new ApiResult(StatusCodes.Status200OK, System.Text.Encoding.UTF8.GetBytes(body.ToJsonString()));
    }

    private static ApiResult Items<T>(IReadOnlyList<T> rows) =>
        new(StatusCodes.Status200OK, System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["items"] = JsonNode.Parse(AlertJson.Write(rows)) }.ToJsonString()));

    private static string? Kept(string? sent, string? stored, string? redacted) =>
        sent is null || sent == redacted ? stored : sent;

    private static string? IfMatch(HttpContext context) => context.Request.Headers.IfMatch.FirstOrDefault();

    private static DateTimeOffset? Time(HttpContext context, string name) =>
        ApiRequest.Time(context, name) is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    private static AlertStore Store(ApiServices services) => ApiServices.Require(services.AlertRules, "alert rules and channels", PlatformSettings.Storage);
}
