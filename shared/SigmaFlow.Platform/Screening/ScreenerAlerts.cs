using SigmaFlow.Platform.Azure.Queues;

namespace SigmaFlow.Platform.Screening;

/// <summary>Where the scan puts alert candidates for new matches.</summary>
public interface IScreenerAlerts
{
    /// <summary>Enqueues one candidate (<see cref="ScreenerMessages.Alert"/>).</summary>
    /// <param name="alert">The alert.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the message is stored.</returns>
    Task EnqueueAsync(ScreenerAlert alert, CancellationToken cancellationToken);
}

/// <summary>
/// Puts screener alert candidates on a Storage queue (<c>alerts</c>, shared with the live pipeline's signals), one JSON
/// object per message, creating the queue on first use. Thread-safe.
/// </summary>
public sealed class QueueScreenerAlerts : IScreenerAlerts
{
    private readonly QueueClient queue;
    private readonly Lock gate = new();
    private Task? ready;

    /// <summary>Creates the sink.</summary>
    /// <param name="queue">The queue (<see cref="Live.LiveNames.AlertsQueue"/>).</param>
    public QueueScreenerAlerts(QueueClient queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        this.queue = queue;
    }

    /// <inheritdoc />
    public async Task EnqueueAsync(ScreenerAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
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
        await queue.SendAsync(ScreenerMessages.Alert(alert), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"screener alerts on {queue}";
}
