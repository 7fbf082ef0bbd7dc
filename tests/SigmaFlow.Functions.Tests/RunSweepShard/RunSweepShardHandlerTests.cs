using System.Text;
using System.Text.Json;
using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.RunSweepShard;
using SigmaFlow.Functions.SweepShardPoison;
using SigmaFlow.Platform.Jobs;

namespace SigmaFlow.Functions.Tests.RunSweepShard;

/// <summary>The handlers' envelope side: the message and the delivery number as the host sends them, refusals, settings.</summary>
public sealed class RunSweepShardHandlerTests
{
    [Fact]
    public async Task InvokeAsync_WithoutStorageOrCosmos_FailsNamingTheSetting()
    {
        var withoutStorage = FunctionApp.Compose(new PlatformSettings { Read = _ => null }, TimeProvider.System);
        var withoutCosmos = FunctionApp.Compose(new PlatformSettings { Read = name => name == PlatformSettings.Storage ? "UseDevelopmentStorage=true" : null }, TimeProvider.System);
        var request = InvocationRequest.Parse(Encoding.UTF8.GetBytes("""{"Data":{"shard":{"jobId":"sw-1","shard":0,"start":0,"end":1}},"Metadata":{"DequeueCount":"1"}}"""));

        var storage = await Assert.ThrowsAsync<InvalidOperationException>(() => Handler(withoutStorage, RunSweepShardHandler.FunctionName).InvokeAsync(request, TestContext.Current.CancellationToken));
        var cosmos = await Assert.ThrowsAsync<InvalidOperationException>(() => Handler(withoutCosmos, SweepShardPoisonHandler.FunctionName).InvokeAsync(request, TestContext.Current.CancellationToken));

        Assert.StartsWith("RunSweepShard cannot run: AzureWebJobsStorage is not set.", storage.Message, StringComparison.Ordinal);
        Assert.StartsWith("SweepShardPoison cannot run: CosmosDbConnection is not set.", cosmos.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_NotAShardMessage_IsDroppedWithALogLineNamingTheField()
    {
        var handler = new RunSweepShardHandler(_ => throw new InvalidOperationException("the worker is not needed for a malformed message"));
        var request = InvocationRequest.Parse(Encoding.UTF8.GetBytes("""{"Data":{"shard":"{\"jobId\":\"sw-1\",\"shard\":-2,\"start\":0,\"end\":1}"},"Metadata":{"Id":"\"m-1\""}}"""));

        var result = await handler.InvokeAsync(request, TestContext.Current.CancellationToken);

        var line = Assert.Single(result.Logs);
        Assert.Equal("RunSweepShard: message m-1 dropped: shard must be a whole number ≥ 0; got -2.", line);
    }

    [Theory]
    [InlineData("""{"Data":{},"Metadata":{"DequeueCount":"\"4\""}}""", 4)]
    [InlineData("""{"Data":{},"Metadata":{"DequeueCount":"3"}}""", 3)]
    [InlineData("""{"Data":{},"Metadata":{"DequeueCount":2}}""", 2)]
    [InlineData("""{"Data":{},"Metadata":{}}""", 1)]
    [InlineData("""{"Data":{},"Metadata":{"DequeueCount":"zero"}}""", 1)]
    public void DeliveryOf_ReadsTheDequeueCountAsTheHostSendsIt(string envelope, int expected) =>
        Assert.Equal(expected, RunSweepShardHandler.DeliveryOf(InvocationRequest.Parse(Encoding.UTF8.GetBytes(envelope))));

    [Theory]
    [InlineData("""{"jobId":"sw-20261121104455-1a2b3c4d","shard":7,"start":140,"end":160}""", null)]
    [InlineData("""{"JobId":"sw-a","Shard":"7","Start":"1","End":"2"}""", null)]
    [InlineData("""{"jobId":"../x","shard":1,"start":0,"end":1}""", "jobId must be a job id")]
    [InlineData("""{"jobId":"sw-a","start":0,"end":1}""", "shard must be a whole number ≥ 0; got nothing")]
    [InlineData("""{"jobId":"sw-a","shard":1,"start":5,"end":5}""", "0 ≤ start < end; got start 5, end 5")]
    [InlineData("""[1,2]""", "got Array")]
    public void ShardMessage_TryRead_AcceptsTheMessageAndNamesWhatIsWrong(string json, string? error)
    {
        using var document = JsonDocument.Parse(json);

        var ok = ShardMessage.TryRead(document.RootElement, out var message, out var problem);

        Assert.Equal(error is null, ok);
        if (error is null)
        {
            Assert.NotNull(message);
            using var again = JsonDocument.Parse(message.ToJson());
            Assert.True(ShardMessage.TryRead(again.RootElement, out var back, out _));
            Assert.Equal(message, back);
        }
        else
        {
            Assert.Contains(error, problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void MaxDeliveries_Default_EqualsHostJsonsMaxDequeueCount()
    {
        var root = SigmaFlow.Tests.Emulators.LocalEmulator.RepositoryRoot()!;
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "host.json")));

        var maxDequeueCount = host.RootElement.GetProperty("extensions").GetProperty("queues").GetProperty("maxDequeueCount").GetInt32();

        Assert.Equal(maxDequeueCount, new SweepJobOptions().MaxDeliveries);
    }

    [Fact]
    public void FunctionJson_TriggersOnTheShardQueueAndItsPoisonQueue()
    {
        var root = SigmaFlow.Tests.Emulators.LocalEmulator.RepositoryRoot()!;

        string QueueOf(string function)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "functions", function, "function.json")));
            var binding = json.RootElement.GetProperty("bindings")[0];
            Assert.Equal("queueTrigger", binding.GetProperty("type").GetString());
            Assert.Equal(RunSweepShardHandler.BindingName, binding.GetProperty("name").GetString());
            Assert.Equal(PlatformSettings.Storage, binding.GetProperty("connection").GetString());
            return binding.GetProperty("queueName").GetString()!;
        }

        Assert.Equal(JobNames.ShardQueue, QueueOf(RunSweepShardHandler.FunctionName));
        Assert.Equal(JobNames.ShardPoisonQueue, QueueOf(SweepShardPoisonHandler.FunctionName));
    }

    private static IFunctionHandler Handler(FunctionApp app, string name) => app.Handlers.Single(h => h.Name == name);
}
