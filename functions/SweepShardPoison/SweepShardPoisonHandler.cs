using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.RunSweepShard;
using SigmaFlow.Platform.Jobs;

namespace SigmaFlow.Functions.SweepShardPoison;

/// <summary>
/// <c>SweepShardPoison</c>: the queue trigger on <c>sweep-shards-poison</c>, where the host moves a shard message whose
/// deliveries all failed without an answer (a worker that crashed or timed out on the last one, or could not record
/// the failure). Records the shard as failed (unless it is already counted) through
/// <see cref="SweepShardWorker.RecordPoisonedAsync"/>, so its job still finishes and names the shard.
/// </summary>
public sealed class SweepShardPoisonHandler : IFunctionHandler
{
    /// <summary>The function's name (its folder).</summary>
    public const string FunctionName = "SweepShardPoison";

    private readonly Func<CancellationToken, Task<SweepShardWorker>> worker;

    /// <summary>Creates the handler.</summary>
    /// <param name="worker">Gets the worker (shared with <c>RunSweepShard</c>).</param>
    public SweepShardPoisonHandler(Func<CancellationToken, Task<SweepShardWorker>> worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        this.worker = worker;
    }


    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!ShardMessage.TryRead(request.Data(RunSweepShardHandler.BindingName), out var message, out var error))
        {
            return new InvocationResult().Log($"{FunctionName}: message {RunSweepShardHandler.MessageId(request)} dropped: {error}");
        }

        var report = await (await worker(cancellationToken).ConfigureAwait(false)).RecordPoisonedAsync(message!, cancellationToken).ConfigureAwait(false);
        return new InvocationResult().Log(report.ToLogLine(FunctionName));
    }
}
