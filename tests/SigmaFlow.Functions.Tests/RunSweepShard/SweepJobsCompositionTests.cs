using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.RunSweepShard;
using SigmaFlow.Platform.Jobs;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.RunSweepShard;

/// <summary>The composition from platform settings: the service the HTTP API will use and the functions the host invokes share one database and queue.</summary>
[Collection(AppShardQueueTests.Name)]
public sealed class SweepJobsCompositionTests(CosmosEmulator cosmos, AzuriteEmulator azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Compose_FromSettings_TheServiceStartsAJob_AndTheComposedFunctionRunsItsShards()
    {
        var values = new Dictionary<string, string>
        {
            [PlatformSettings.Storage] = azurite.ConnectionString,
            [PlatformSettings.Cosmos] = cosmos.ConnectionString,
            [PlatformSettings.CosmosDatabase] = "composed" + Guid.NewGuid().ToString("N")[..12],
        };
        var settings = new PlatformSettings { Read = name => values.GetValueOrDefault(name) };
        var queue = settings.Queues().GetQueueClient(JobNames.ShardQueue);
        await queue.CreateIfNotExistsAsync(Token);
        await queue.ClearAsync(Token);
        var service = await SweepJobsComposition.CreateServiceAsync(settings, TimeProvider.System, NullLoggerFactory.Instance, Token);
        var handler = FunctionApp.Compose(settings, TimeProvider.System, NullLoggerFactory.Instance).Handlers.Single(h => h.Name == RunSweepShardHandler.FunctionName);

        var job = (await service.StartSweepAsync(SweepPlatformScope.Request(minimumShards: 3), cancellationToken: Token)).Job!;
        var lines = new List<string>();
        while ((await service.GetAsync(job.JobId, Token))!.IsFinished is false)
        {
            foreach (var message in await queue.ReceiveAsync(32, TimeSpan.FromMinutes(1), Token))
            {
                var envelope = new JsonObject
                {
                    ["Data"] = new JsonObject { [RunSweepShardHandler.BindingName] = JsonNode.Parse(message.Text) },
                    ["Metadata"] = new JsonObject { ["DequeueCount"] = message.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Id"] = $"\"{message.MessageId}\"" },
                };
                var result = await handler.InvokeAsync(InvocationRequest.Parse(Encoding.UTF8.GetBytes(envelope.ToJsonString())), Token);
                lines.AddRange(result.Logs);
                await queue.DeleteAsync(message.MessageId, message.PopReceipt, Token);
            }
        }

        var finished = (await service.GetAsync(job.JobId, Token))!;
        Assert.Equal(JobState.Completed, finished.Status);
        Assert.Equal(3, finished.ShardsDone);
        Assert.Equal(3, lines.Count(l => l.StartsWith($"RunSweepShard {job.JobId} shard ", StringComparison.Ordinal) && l.Contains(": completed (", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.EndsWith("job completed [delivery 1]", StringComparison.Ordinal));
        SweepPlatformScope.AssertSameResult(SweepPlatformScope.Local(SweepPlatformScope.Request(minimumShards: 3)).Result, (await service.GetResultAsync(job.JobId, Token))!.Result);
    }
}

/// <summary>Tests that use the app's real queue <c>sweep-shards</c> on the assembly's Azurite run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class AppShardQueueTests
{
    public const string Name = "sweep-shards queue";
}
