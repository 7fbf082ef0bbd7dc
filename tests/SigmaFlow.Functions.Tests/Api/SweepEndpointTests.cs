using SigmaFlow.Functions.Tests.RunSweepShard;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.Api;

/// <summary>Sweep jobs through the API: started over the queue, run by shard workers, the same ranking as the single-process sweep.</summary>
public sealed class SweepEndpointTests(AzuriteEmulator azurite, CosmosEmulator cosmos) : IAsyncLifetime
{
    private SweepPlatformScope? scope;
    private ApiTestHost? host;

    private ApiTestHost Host => host!;

    public async ValueTask InitializeAsync()
    {
        cosmos.Require();
        scope = await SweepPlatformScope.CreateAsync(cosmos, azurite);
        var service = scope.Service;
        host = await ApiTestHost.StartAsync(azurite, configure: s => s with { SweepJobs = _ => Task.FromResult(service) });
    }

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        if (scope is not null)
        {
            await scope.DisposeAsync();
        }
    }

    [Fact]
    public async Task ASweepStartedThroughTheApiRanksLikeTheSingleProcessSweep()
    {
        await using var workers = await scope!.StartHostAsync();
        var request = SweepPlatformScope.Request(minimumShards: 3);
        var started = await Host.PostAsync("api/sweeps", Host.ReadKey, request, r => r.Headers.Add("Idempotency-Key", "sweep-1"));
        Assert.Equal(202, started.Status);
        var id = (string)started.Json["jobId"]!;
        Assert.Equal("/api/sweeps/" + id, started.Header("Location"));
        Assert.True((int)started.Json["shardsTotal"]! >= 3);

        var again = await Host.PostAsync("api/sweeps", Host.ReadKey, request, r => r.Headers.Add("Idempotency-Key", "sweep-1"));
        Assert.Equal(id, (string)again.Json["jobId"]!);

        var finished = await scope.WaitFinishedAsync(id);
        Assert.Equal(Platform.Jobs.JobState.Completed, finished.Status);
        var status = await Host.GetAsync("api/sweeps/" + id, Host.ReadKey);
        Assert.Equal("completed", (string?)status.Json["status"]);

        var result = await Host.GetAsync($"api/sweeps/{id}/result?top=5", Host.ReadKey);
        Assert.Equal(200, result.Status);
        var expected = SweepPlatformScope.Local(request);
        var top = result.Json["top"]!.AsArray();
        Assert.Equal(5, top.Count);
        Assert.Equal(expected.Result.Best!.Index, (long)top[0]!["index"]!);
        Assert.Equal(expected.Result.Best.Objective, (double)top[0]!["objective"]!);
        Assert.Equal(expected.Result.Combinations, (long)result.Json["trials"]!);
        Assert.Equal(expected.Result.DeflatedSharpe, (double)result.Json["deflatedSharpe"]!);

        Assert.Contains((await Host.GetAsync("api/sweeps?limit=50", Host.ReadKey)).Json["items"]!.AsArray(), j => (string?)j!["jobId"] == id);
    }

    [Fact]
    public async Task ABadSweepIsRefusedFieldByFieldAndAQueuedOneCanBeCancelled()
    {
        var bad = await Host.PostAsync("api/sweeps", Host.ReadKey, SweepPlatformScope.Request(minimumShards: 2) with { Parameters = ["fast=2:20:0"] });
        Assert.Contains(bad.Problem(422)["errors"]!.AsArray(), e => ((string?)e!["field"])!.StartsWith("body.parameters", StringComparison.Ordinal));

        // No worker runs: the job stays queued, has no result yet, and cancelling it stops it.
        var started = await Host.PostAsync("api/sweeps", Host.ReadKey, SweepPlatformScope.Request(minimumShards: 2));
        var id = (string)started.Json["jobId"]!;
        Assert.Contains("shards done", (string?)(await Host.GetAsync($"api/sweeps/{id}/result", Host.ReadKey)).Problem(409)["detail"], StringComparison.Ordinal);
        var cancelled = await Host.PostAsync($"api/sweeps/{id}/cancel", Host.ReadKey, new { });
        Assert.Equal("cancelled", (string?)cancelled.Json["status"]);

        (await Host.GetAsync("api/sweeps/nope", Host.ReadKey)).Problem(404);
        (await Host.GetAsync("api/sweeps/nope/result", Host.ReadKey)).Problem(404);
        (await Host.PostAsync("api/sweeps", null, SweepPlatformScope.Request(2))).Problem(401);
    }

    [Fact]
    public async Task WithoutCosmosSweepsAnswer503()
    {
        await using var bare = await ApiTestHost.StartAsync(azurite, configure: s => s with { SweepJobs = null });
        var response = await bare.PostAsync("api/sweeps", bare.ReadKey, SweepPlatformScope.Request(2));
        Assert.Contains("CosmosDbConnection", (string?)response.Problem(503)["detail"], StringComparison.Ordinal);
    }
}
