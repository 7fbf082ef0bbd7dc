using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Azure.Queues;

namespace SigmaFlow.Platform.Live.Adapters;

/// <summary>
/// Puts alert candidates on a Storage queue (<c>alerts</c>), one JSON object per signal (<see cref="LiveMessages.Signal"/>),
/// creating the queue on first use. Thread-safe.
/// </summary>
public sealed class QueueAlertPublisher : IAlertPublisher
{
    private readonly QueueClient queue;
    private readonly Lock gate = new();
    private Task? ready;

    /// <summary>Creates the publisher.</summary>
    /// <param name="queue">The queue (<see cref="LiveNames.AlertsQueue"/>).</param>
    public QueueAlertPublisher(QueueClient queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        this.queue = queue;
    }

    /// <inheritdoc />
    public async Task EnqueueAsync(SignalEvent signal, CancellationToken cancellationToken)
    {
        Task task;
        lock (gate)
        {
            if (ready is null || ready.IsFaulted || ready.IsCanceled)
            {
                ready = queue.CreateIfNotExistsAsync(CancellationToken.None);
            }

            task = ready;
        }

        await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await queue.SendAsync(LiveMessages.Signal(signal), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"alerts on {queue}";
}
