using System.Text.Json;
using SigmaFlow.Platform.Azure.Cosmos;
using SigmaFlow.Platform.Jobs;

namespace SigmaFlow.Platform.Tests.Jobs;

/// <summary>The job document as Cosmos stores it: strict JSON, with the numbers JSON has no literal for named.</summary>
public sealed class JobDocumentsTests
{
    [Fact]
    public void JobDocument_WithInfiniteObjectiveAndNaNFigures_RoundTripsThroughTheCosmosSerializer()
    {
        var job = new JobDocument
        {
            Id = "sw-a",
            JobId = "sw-a",
            Status = JobState.Completed,
            Name = "n",
            Request = "{}",
            RequestHash = "h",
            SweepHash = "s",
            DataHash = "d",
            Done = new Dictionary<string, long> { ["s0"] = 1 },
            Best = new JobBest(4, 0, double.PositiveInfinity, new Dictionary<string, double> { ["fast"] = 3 }, double.NaN, 0.1, -0.2, 7),
            DeflatedSharpe = double.NaN,
            Pbo = 0.25,
        };

        var json = JsonSerializer.Serialize(job, CosmosJsonSerializer.DefaultOptions);
        var back = JsonSerializer.Deserialize<JobDocument>(json, CosmosJsonSerializer.DefaultOptions)!;

        Assert.Contains("\"objective\":\"Infinity\"", json, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"completed\"", json, StringComparison.Ordinal);
        Assert.Contains("\"done\":{\"s0\":1}", json, StringComparison.Ordinal);
        Assert.DoesNotContain("allCounted", json, StringComparison.Ordinal);
        Assert.Equal(double.PositiveInfinity, back.Best!.Objective);
        Assert.True(double.IsNaN(back.Best.Sharpe));
        Assert.True(double.IsNaN(back.DeflatedSharpe!.Value));
        Assert.True(back.IsCounted(0));
        Assert.False(back.IsCounted(1));
    }

    [Fact]
    public void JobMessages_InfiniteObjective_IsNamed_AndOtherNonFiniteNumbersAreNull()
    {
        var status = new JobStatus("sw-a", "sweep", JobState.Running, "n", 4, 1, 0, 10, new JobBest(4, 0, double.PositiveInfinity, new Dictionary<string, double> { ["fast"] = 3 }, double.NaN, 0.1, -0.2, 7), [], null, DateTimeOffset.UnixEpoch, null, null, "d", "s", 100, "synthetic");

        using var message = JsonDocument.Parse(JobMessages.Create(status, "progress", 2, "done"));

        var root = message.RootElement;
        Assert.Equal("job", root.GetProperty("type").GetString());
        Assert.Equal("progress", root.GetProperty("event").GetString());
        Assert.Equal("running", root.GetProperty("status").GetString());
        Assert.Equal(2, root.GetProperty("shard").GetInt32());
        Assert.Equal("done", root.GetProperty("outcome").GetString());
        Assert.Equal(1, root.GetProperty("shards").GetProperty("done").GetInt32());
        Assert.Equal("Infinity", root.GetProperty("best").GetProperty("objective").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("best").GetProperty("sharpe").ValueKind);
        Assert.Equal(3, root.GetProperty("best").GetProperty("parameters").GetProperty("fast").GetDouble());
        Assert.False(root.TryGetProperty("failedShards", out _));
    }
}
