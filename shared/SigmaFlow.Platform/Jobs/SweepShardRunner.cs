using SigmaFlow.Core.Data;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Core.Strategies.Rules;

namespace SigmaFlow.Platform.Jobs;

/// <summary>Runs one shard of a prepared sweep (the CPU work of a shard delivery).</summary>
public interface ISweepShardRunner
{
    /// <summary>Backtests the shard's combinations.</summary>
    /// <param name="sweep">The sweep.</param>
    /// <param name="bars">The bars (the job's, hash checked).</param>
    /// <param name="shard">The shard.</param>
    /// <param name="cache">Indicator columns of the bars, shared by the shards of the job on this worker.</param>
    /// <param name="cancellationToken">Stops the shard between combinations.</param>
    /// <returns>The shard's result.</returns>
    SweepResult Run(PreparedSweep sweep, BarSeries bars, SweepShard shard, IndicatorColumnCache cache, CancellationToken cancellationToken);
}

/// <summary>The runner: <see cref="Sweep.RunShard"/>, exactly as the local executor runs a shard.</summary>
public sealed class SweepShardRunner : ISweepShardRunner
{
    /// <summary>The runner.</summary>
    public static SweepShardRunner Instance { get; } = new();

    /// <inheritdoc />
    public SweepResult Run(PreparedSweep sweep, BarSeries bars, SweepShard shard, IndicatorColumnCache cache, CancellationToken cancellationToken) =>
        Sweep.RunShard(sweep, bars, shard, cache, null, cancellationToken);
}

/// <summary>A job as a worker needs it to run shards: the prepared sweep, the bars (hash checked) and their indicator columns.</summary>
internal sealed record SweepContext(ValidRequest Request, BarSeries Bars, IndicatorColumnCache Cache);

/// <summary>
/// The contexts of the last few jobs a worker ran, so consecutive shards of a job load and hash its bars once and share
/// indicator columns (each distinct indicator is computed once per worker, not once per shard). A failed load is not kept.
/// </summary>
internal sealed class SweepContextCache(int capacity)
{
    private readonly Lock gate = new();
    private readonly LinkedList<(string Key, Lazy<Task<SweepContext>> Value)> entries = new();

    public async Task<SweepContext> GetAsync(string key, Func<Task<SweepContext>> create)
    {
        Lazy<Task<SweepContext>> lazy;
        lock (gate)
        {
            var node = entries.First;
            while (node is not null && node.Value.Key != key)
            {
                node = node.Next;
            }

            if (node is not null)
            {
                entries.Remove(node);
                entries.AddFirst(node);
                lazy = node.Value.Value;
            }
            else
            {
                lazy = new Lazy<Task<SweepContext>>(create, LazyThreadSafetyMode.ExecutionAndPublication);
                entries.AddFirst((key, lazy));
                while (entries.Count > capacity)
                {
                    entries.RemoveLast();
                }
            }
        }

        try
        {
            return await lazy.Value.ConfigureAwait(false);
        }
        catch
        {
            lock (gate)
            {
                for (var node = entries.First; node is not null; node = node.Next)
                {
                    if (ReferenceEquals(node.Value.Value, lazy))
                    {
                        entries.Remove(node);
                        break;
                    }
                }
            }

            throw;
        }
    }
}

/// <summary>A shard must not run: its job's data or sweep differs on this worker, or its message does not fit the plan. Not retried.</summary>
internal sealed class ShardRefusedException : Exception
{
    public ShardRefusedException()
    {
    }

    public ShardRefusedException(string message)
        : base(message)
    {
    }

    public ShardRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
