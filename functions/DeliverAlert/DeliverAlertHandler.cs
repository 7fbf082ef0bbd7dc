using System.Text.Json;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Alerts;

namespace SigmaFlow.Functions.DeliverAlert;

/// <summary>
/// <c>DeliverAlert</c>: the queue trigger on <c>alerts</c>. Reads the message and its metadata from the host's envelope,
/// runs the <see cref="AlertDispatcher"/> and answers with one log line. A message that cannot be used is
/// dead-lettered by the dispatcher and the invocation succeeds (retrying would not help); a storage failure throws, so the
/// invocation fails and the queue delivers the message again (every step is idempotent).
/// </summary>
public sealed class DeliverAlertHandler : IFunctionHandler
{
    /// <summary>The function's name (its folder).</summary>
    public const string FunctionName = "DeliverAlert";

    /// <summary>The trigger binding's name in <c>function.json</c>.</summary>
    public const string BindingName = "alert";

    private readonly Func<AlertDispatcher> dispatcher;

    /// <summary>Creates the handler.</summary>
    /// <param name="dispatcher">Gives the dispatcher (called on every invocation; make it once and return it).</param>
    public DeliverAlertHandler(Func<AlertDispatcher> dispatcher)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        this.dispatcher = dispatcher;
    }


    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var report = await dispatcher().ProcessAsync(ReadMessage(request), cancellationToken).ConfigureAwait(false);
        return new InvocationResult().Log(report.ToLogLine());
    }

    /// <summary>
    /// The queue message of an invocation: <c>Data.alert</c> (a JSON object message arrives as an object, any other text as
    /// a string) and the metadata <c>Id</c>, <c>InsertionTime</c> and <c>DequeueCount</c> (each may arrive JSON-encoded in a
    /// string, as the host sends them).
    /// </summary>
    /// <param name="request">The invocation.</param>
    /// <returns>The message.</returns>
    public static AlertQueueMessage ReadMessage(InvocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var data = request.Data(BindingName);
        var text = data.ValueKind switch
        {
            JsonValueKind.String => data.GetString() ?? string.Empty,
            JsonValueKind.Undefined or JsonValueKind.Null => string.Empty,
            _ => data.GetRawText(),
        };
        var id = request.Metadata("Id");
        var inserted = request.Metadata("InsertionTime");
        var dequeue = request.Metadata("DequeueCount");
        return new AlertQueueMessage(
            text,
            id.ValueKind == JsonValueKind.String ? id.GetString() : id.ValueKind == JsonValueKind.Number ? id.GetRawText() : null,
            InvocationRequest.TryGetTime(inserted, out var time) ? time : null,
            InvocationRequest.TryGetInt64(dequeue, out var count) ? count : 1);
    }
}
