using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SigmaFlow.Functions.Api.Http;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api.Endpoints;

/// <summary>Answer of <c>GET /api/negotiate</c>.</summary>
/// <param name="Url">The client URL with its access token (<c>wss://…/client/hubs/{hub}?access_token=…</c>).</param>
/// <param name="Hub">The hub.</param>
/// <param name="UserId">The user the token is for (the caller).</param>
/// <param name="ExpiresAt">When the token expires; negotiate again before then.</param>
internal sealed record NegotiateView(Uri Url, string Hub, string UserId, DateTimeOffset ExpiresAt);

/// <summary><c>GET /api/negotiate</c>: a Web PubSub client URL for the caller, allowed to join and leave the platform's groups itself.</summary>
internal static class NegotiateEndpoint
{
    /// <summary>Token lifetime.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public static void Map(IEndpointRouteBuilder api, ApiServices services) =>
        api.Get("/negotiate", new ApiOperation("Live", "A Web PubSub client URL for the caller (may join groups such as bars.BTCUSD.1m, quotes.BTCUSD, signals, jobs.{id})", ApiScope.Read, Response: typeof(NegotiateView), Query: [new("groups", "string", "comma-separated groups to be in from the start")], Errors: [503]), async context =>
        {
            var push = ApiServices.Require(services.Push, "live push", PlatformSettings.WebPubSub);
            var caller = ApiRequest.Caller(context);
            var groups = (ApiRequest.Query(context, "groups") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < groups.Length; i++)
            {
                if (groups[i].Length > 1024 || groups[i].Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                {
                    throw ApiProblem.Invalid(string.Create(CultureInfo.InvariantCulture, $"query.groups[{i}]"), "must be a group name without spaces, at most 1024 characters", groups[i]);
                }
            }

            var url = await push.GetClientAccessUriAsync(caller.Id, ["webpubsub.joinLeaveGroup"], groups, Lifetime, context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Ok(new NegotiateView(url, push.Hub, caller.Id, services.Clock.GetUtcNow() + Lifetime));
        });
}
