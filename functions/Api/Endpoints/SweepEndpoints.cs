using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Functions.Api.Http;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Jobs;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api.Endpoints;

/// <summary>A ranked combination of a finished sweep.</summary>
internal sealed record TrialView(int Rank, long Index, IReadOnlyDictionary<string, double> Parameters, double Objective, double TotalReturn, double Sharpe, double MaxDrawdown, int Trades);

/// <summary>The result of a finished sweep.</summary>
internal sealed record SweepResultView(JobStatus Job, long Trials, double DeflatedSharpe, double Pbo, int PboTrials, IReadOnlyList<TrialView> Top, IReadOnlyList<FailedShard> FailedShards, int TrialFailures);

/// <summary>A page of jobs.</summary>
internal sealed record JobPageView(IReadOnlyList<JobStatus> Items, string? Next);

/// <summary>
/// Sweep jobs fanned out over the <c>sweep-shards</c> queue (<see cref="SweepJobService"/>): start (202 with the job and
/// its Location; idempotent), status with progress, result, cancel, list. Progress is pushed to Web PubSub group
/// <c>jobs.{id}</c>.
/// </summary>
internal static class SweepEndpoints
{
    private const string Tag = "Sweeps";

    public static void Map(IEndpointRouteBuilder api, ApiServices services)
    {
        api.Post("/sweeps", new ApiOperation(Tag, "Start a sweep job: strategy (document or stored id), parameters, method, objective, data (synthetic or stored bars)", ApiScope.Read, typeof(SweepJobRequest), typeof(JobStatus), 202, Idempotent: true, Errors: [422, 503]), async context =>
        {
            var jobs = await Jobs(services, context).ConfigureAwait(false);
            var request = ApiRequest.Json<SweepJobRequest>(context);
            if (request.Strategy is { } strategy && StrategyStore.IsValidId(strategy) && services.Strategies is { } store
                && await store.GetAsync(strategy, context.RequestAborted).ConfigureAwait(false) is { } stored)
            {
                // A stored strategy by id: its latest version's document.
                request = request with { Strategy = stored.Document };
            }

            var key = context.Request.Headers["Idempotency-Key"].FirstOrDefault();
            var start = await jobs.StartSweepAsync(request, key is null ? null : ApiRequest.Caller(context).Id + "|" + key, context.RequestAborted).ConfigureAwait(false);
            if (!start.Accepted)
            {
                throw ApiProblem.Validation(start.Problems.Select(p => new FieldError("body." + p.Field, p.Message)).ToList());
            }

            return ApiResult.Accepted("/api/sweeps/" + start.Job!.JobId, start.Job);
        });

        api.Get("/sweeps", new ApiOperation(Tag, "Sweep jobs, newest first", ApiScope.Read, Response: typeof(JobPageView), Query: [new("limit", "integer", "jobs per page (1–100, default 20)"), new("next", "string", "the previous page's 'next'")]), async context =>
        {
            var jobs = await Jobs(services, context).ConfigureAwait(false);
            var page = await jobs.ListAsync(ApiRequest.Int(context, "limit", 20, 1, 100), ApiRequest.Query(context, "next"), context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Ok(new JobPageView(page.Jobs, page.ContinuationToken));
        });

        api.Get("/sweeps/{id}", new ApiOperation(Tag, "A sweep job's status: shards done and failed, best so far", ApiScope.Read, Response: typeof(JobStatus), Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var job = await (await Jobs(services, context).ConfigureAwait(false)).GetAsync(id, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(id);
            return ApiResult.Ok(job);
        });

        api.Get("/sweeps/{id}/result", new ApiOperation(Tag, "A completed sweep's ranking with the Deflated Sharpe Ratio and PBO", ApiScope.Read, Response: typeof(SweepResultView), Query: [new("top", "integer", "ranked combinations to return (1–1000, default 50)")], Errors: [404, 409]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var top = ApiRequest.Int(context, "top", 50, 1, 1000);
            var jobs = await Jobs(services, context).ConfigureAwait(false);
            var result = await jobs.GetResultAsync(id, context.RequestAborted).ConfigureAwait(false);
            if (result is null)
            {
                var job = await jobs.GetAsync(id, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(id);
                throw ApiProblem.Conflict($"sweep '{id}' is {job.Status.ToString().ToLowerInvariant()} ({job.ShardsDone} of {job.ShardsTotal} shards done); its result exists once it completes.");
            }

            return ApiResult.Ok(View(result, top));
        });

        api.Post("/sweeps/{id}/cancel", new ApiOperation(Tag, "Cancel a sweep: remaining shards are skipped", ApiScope.Read, Response: typeof(JobStatus), Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var job = await (await Jobs(services, context).ConfigureAwait(false)).CancelAsync(id, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(id);
            return ApiResult.Ok(job);
        });
    }

    private static SweepResultView View(SweepJobResult result, int top)
    {
        var names = result.ParameterNames;
        var trials = result.Result.Top.Take(top).Select((t, i) => new TrialView(
            i + 1,
            t.Index,
            names.Select((n, k) => KeyValuePair.Create(n, t.Parameters[k])).ToDictionary(StringComparer.Ordinal),
            t.Objective,
            t.Metrics.TotalReturn,
            t.Metrics.Sharpe,
            t.Metrics.MaxDrawdown,
            t.Metrics.TradeCount)).ToList();
        var pbo = result.Pbo;
        return new SweepResultView(result.Job, result.Trials, result.DeflatedSharpe, pbo.Probability, pbo.Trials, trials, result.FailedShards, result.Result.Failures.Count);
    }

    private static async Task<SweepJobService> Jobs(ApiServices services, HttpContext context)
    {
        var factory = services.SweepJobs ?? throw ApiProblem.Unavailable($"sweep jobs need settings '{PlatformSettings.Storage}' (queues) and '{PlatformSettings.Cosmos}' (jobs); one is not configured.");
        try
        {
            return await factory(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or global::Azure.RequestFailedException or HttpRequestException)
        {
            throw ApiProblem.Unavailable($"sweep jobs are unavailable: {e.Message.Split('\n')[0]}");
        }
    }

    private static ApiProblem NotFound(string id) => ApiProblem.NotFound(string.Create(CultureInfo.InvariantCulture, $"there is no sweep job '{id}'."));
}
