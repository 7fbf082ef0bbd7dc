using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Platform.Live.Adapters;

/// <summary>The pipeline's ports on Azure: Table storage, the <c>alerts</c> queue and (optionally) Web PubSub.</summary>
public static class AzureIngestPorts
{
    /// <summary>Builds the ports.</summary>
    /// <param name="tables">The table service.</param>
    /// <param name="queues">The queue service.</param>
    /// <param name="push">The dashboard hub's client, or null to push nothing.</param>
    /// <param name="clock">Row timestamps; the system clock when null.</param>
    /// <param name="storageConcurrency">Table transactions in flight at once.</param>
    /// <returns>The ports.</returns>
    public static IngestPorts Create(TableServiceClient tables, QueueServiceClient queues, WebPubSubServiceClient? push, TimeProvider? clock = null, int storageConcurrency = 8)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(queues);
        var store = new TableIngestStore(tables, clock, storageConcurrency);
        return new IngestPorts
        {
            Bars = store,
            State = store,
            Quotes = store,
            Signals = store,
            DeadLetters = store,
            Alerts = new QueueAlertPublisher(queues.GetQueueClient(LiveNames.AlertsQueue)),
            Push = push is null ? null : new WebPubSubLivePush(push),
        };
    }
}
