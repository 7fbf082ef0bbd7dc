namespace SigmaFlow.Platform.Azure.EventHubs;

/// <summary>What a send delivered: the indexes (into the caller's list) of the events sent, those rejected and why, and how many requests it took.</summary>
public sealed record EventSendResult
{
    /// <summary>Indexes of the events the service accepted, ascending.</summary>
    public required IReadOnlyList<int> Sent { get; init; }

    /// <summary>Events that were not sent, with the reason, ascending by index.</summary>
    public required IReadOnlyList<EventRejection> Rejected { get; init; }

    /// <summary>Number of HTTP requests that carried events (retries of one request count once).</summary>
    public required int Requests { get; init; }

    /// <summary>True when every event was sent.</summary>
    public bool AllSent => Rejected.Count == 0;
}

/// <summary>An event the publisher refused to send.</summary>
/// <param name="Index">Its index in the caller's list.</param>
/// <param name="SizeBytes">Its size as serialized into the batch, in bytes.</param>
/// <param name="Reason">Why, naming the index, the size and the limit.</param>
public sealed record EventRejection(int Index, long SizeBytes, string Reason);
