using System.Globalization;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Jobs;

namespace SigmaFlow.Functions.RunSweepShard;

/// <summary>
/// <c>RunSweepShard</c>: the queue trigger on <c>sweep-shards</c>. Reads the shard message and the delivery number
/// (<c>Metadata.DequeueCount</c>), runs <see cref="SweepShardWorker.ProcessAsync"/> and answers with one log line. A
/// failure before the last delivery throws, so the invocation fails and the host delivers the message again; on the
/// last delivery the worker records the shard as failed instead, so the job still finishes. A message that is not a
/// shard message is logged and dropped (no delivery could ever run it).
/// </summary>
public sealed class RunSweepShardHandler : IFunctionHandler
{
    /// <summary>The function's name (its folder).</summary>
    public const string FunctionName = "RunSweepShard";

    /// <summary>The trigger binding's name in <c>function.json</c>.</summary>
    public const string BindingName = "shard";

    private readonly Func<CancellationToken, Task<SweepShardWorker>> worker;

    /// <summary>Creates the handler.</summary>
    /// <param name="worker">Gets the worker (built on first use, so a bad setting fails invocations rather than the app).</param>
    public RunSweepShardHandler(Func<CancellationToken, Task<SweepShardWorker>> worker)
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
        if (!ShardMessage.TryRead(request.Data(BindingName), out var message, out var error))
        {
            return new InvocationResult().Log($"{FunctionName}: message {MessageId(request)} dropped: {error}");
        }

        var delivery = DeliveryOf(request);
        var report = await (await worker(cancellationToken).ConfigureAwait(false)).ProcessAsync(message!, delivery, cancellationToken).ConfigureAwait(false);
        return new InvocationResult().Log(report.ToLogLine(FunctionName) + string.Create(CultureInfo.InvariantCulture, $" [delivery {delivery}]"));
    }

    /// <summary>The delivery number: <c>Metadata.DequeueCount</c> as the host sends it (<c>"1"</c>, or a number); 1 when absent.</summary>
    /// <param name="request">The invocation.</param>
    /// <returns>The delivery number, at least 1.</returns>
    internal static int DeliveryOf(InvocationRequest request) =>
        InvocationRequest.TryGetInt64(request.Metadata("DequeueCount"), out var count) && count >= 1 ? (int)Math.Min(count, int.MaxValue) : 1;

    /// <summary>The message id for log lines (<c>Metadata.Id</c>), or <c>?</c>.</summary>
    internal static string MessageId(InvocationRequest request) =>
        request.Metadata("Id") is { ValueKind: System.Text.Json.JsonValueKind.String } id ? id.GetString()! : "?";
}
