using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Microsoft.Extensions.Logging;
using SigmaFlow.Platform.Azure.Queues;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>
/// A <c>queueTrigger</c>, as the queue extension runs it: fetch up to <c>batchSize</c> messages, run them
/// concurrently, fetch again once no more than <c>newBatchThreshold</c> are still running; when the queue is empty,
/// wait from 100 ms, doubling, up to the polling ceiling. A message stays invisible while its function runs (the lease
/// is renewed at half the visibility timeout); on success it is deleted; on failure it is made visible again after
/// <c>visibilityTimeout</c> (host.json, default at once) so it is delivered again with a higher dequeue count; a
/// message that fails on its <c>maxDequeueCount</c>-th delivery (or arrives above it) is copied to
/// <c>&lt;queue&gt;-poison</c> and deleted.
/// </summary>
internal sealed partial class QueueListener(FunctionDefinition function, RuntimeServices services) : TriggerListener(function, services)
{
    private readonly QueueTriggerDefinition trigger = (QueueTriggerDefinition)function.Trigger;

    public override string Describe() => $"queue '{trigger.QueueName}' ({trigger.Connection}), batch {Services.Host.Queues.BatchSize}, poison after {Services.Host.Queues.MaxDequeueCount} deliveries";

    public override async Task RunAsync(CancellationToken stopping, CancellationToken abort)
    {
        if (Services.Options.ReadSetting(trigger.Connection) is not { Length: > 0 } connection)
        {
            NoConnection(Log, Function.Name, trigger.Connection);
            return;
        }

        QueueClient queue;
        QueueClient poison;
        try
        {
            var service = new QueueServiceClient(connection) { MessageEncoding = Services.Host.Queues.MessageEncoding };
            queue = service.GetQueueClient(trigger.QueueName);
            poison = service.GetQueueClient(trigger.PoisonQueueName);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            BadConnection(Log, Function.Name, trigger.Connection, e.Message);
            return;
        }

        var settings = Services.Host.Queues;
        var minDelay = Services.Options.MinQueuePollingInterval;
        var maxDelay = settings.MaxPollingInterval < Services.Options.MaxQueuePollingInterval ? settings.MaxPollingInterval : Services.Options.MaxQueuePollingInterval;
        var delay = minDelay;
        var running = new List<Task>();
        var stopped = Task.Delay(Timeout.Infinite, stopping);
        var created = false;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                running.RemoveAll(t => t.IsCompleted);
                if (running.Count > settings.EffectiveNewBatchThreshold)
                {
                    await Task.WhenAny(Task.WhenAny(running), stopped).ConfigureAwait(false);
                    continue;
                }

                IReadOnlyList<QueueMessage> messages;
                try
                {
                    if (!created)
                    {
                        // The host only reads; creating the queue locally saves a step before the first send.
                        await queue.CreateIfNotExistsAsync(stopping).ConfigureAwait(false);
                        created = true;
                    }

                    messages = await queue.ReceiveAsync(settings.BatchSize, Services.Options.QueueVisibilityTimeout, stopping).ConfigureAwait(false);
                }
                catch (RequestFailedException e)
                {
                    PollFailed(Log, Function.Name, trigger.QueueName, e.Message);
                    messages = [];
                }

                if (messages.Count == 0)
                {
                    if (!await DelayAsync(delay, stopping).ConfigureAwait(false))
                    {
                        break;
                    }

                    delay = delay * 2 < maxDelay ? delay * 2 : maxDelay;
                    continue;
                }

                delay = minDelay;
                foreach (var message in messages)
                {
                    running.Add(ProcessAsync(queue, poison, message, abort));
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <summary>The trigger value: an object for a JSON object message without <c>dataType</c>, else the text as the host serialises a string.</summary>
    internal static JsonNode TriggerValue(string text, string? dataType)
    {
        if (dataType == "binary")
        {
            return JsonValue.Create(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)));
        }

        if (dataType is null && text.AsSpan().TrimStart().StartsWith("{"))
        {
            try
            {
                if (JsonNode.Parse(text) is JsonObject o)
                {
                    return o;
                }
            }
            catch (JsonException)
            {
            }
        }

        return HostEncoding.SerializedString(text);
    }

    /// <summary>The metadata the queue trigger binds, each value as the host serialises it.</summary>
    internal static JsonObject Metadata(QueueMessage message) => new()
    {
        ["DequeueCount"] = HostEncoding.SerializedNumber(message.DequeueCount),
        ["ExpirationTime"] = HostEncoding.SerializedString(HostEncoding.WithOffset(message.ExpiresOn)),
        ["Id"] = HostEncoding.SerializedString(message.MessageId),
        ["InsertionTime"] = HostEncoding.SerializedString(HostEncoding.WithOffset(message.InsertedOn)),
        ["NextVisibleTime"] = HostEncoding.SerializedString(HostEncoding.WithOffset(message.NextVisibleOn)),
        ["PopReceipt"] = HostEncoding.SerializedString(message.PopReceipt),
    };

    private async Task ProcessAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken abort)
    {
        var settings = Services.Host.Queues;
        try
        {
            if (message.DequeueCount > settings.MaxDequeueCount)
            {
                await MoveToPoisonAsync(queue, poison, message.MessageId, message.PopReceipt, message, abort).ConfigureAwait(false);
                return;
            }

            await using var lease = new Lease(queue, message, Services.Options.QueueVisibilityTimeout, Services.Clock, Log, Function.Name);
            var outcome = await Services.Invoker.InvokeAsync(
                Function.Name,
                $"New queue message detected on '{trigger.QueueName}'.",
                new JsonObject { [trigger.BindingName] = TriggerValue(message.Text, trigger.DataType) },
                Metadata(message),
                abort).ConfigureAwait(false);
            var receipt = await lease.EndAsync().ConfigureAwait(false);
            if (receipt is null)
            {
                return;
            }

            if (outcome.Succeeded)
            {
                await queue.DeleteAsync(message.MessageId, receipt, abort).ConfigureAwait(false);
            }
            else if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                await MoveToPoisonAsync(queue, poison, message.MessageId, receipt, message, abort).ConfigureAwait(false);
            }
            else
            {
                await queue.UpdateVisibilityAsync(message.MessageId, receipt, settings.VisibilityTimeout, cancellationToken: abort).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // Aborted at shutdown: the message reappears when its lease runs out.
        }
        catch (Exception e) when (e is RequestFailedException or ArgumentException)
        {
            Settling(Log, e, Function.Name, message.MessageId, trigger.QueueName);
        }
    }

    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, string messageId, string popReceipt, QueueMessage message, CancellationToken cancellationToken)
    {
        await poison.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        await poison.SendAsync(message.Text, cancellationToken: cancellationToken).ConfigureAwait(false);
        await queue.DeleteAsync(messageId, popReceipt, cancellationToken).ConfigureAwait(false);
        Poisoned(Log, Function.Name, messageId, message.DequeueCount, trigger.PoisonQueueName);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function}: the queue trigger's connection setting '{Setting}' is not set; the function will not run. Start the emulators (infra/local/emulators.sh start) and export SIGMAFLOW_STORAGE (source infra/local/.run/env), or set {Setting}.")]
    private static partial void NoConnection(ILogger logger, string function, string setting);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function}: the connection setting '{Setting}' is not a usable storage connection string: {Reason}")]
    private static partial void BadConnection(ILogger logger, string function, string setting, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: polling queue '{Queue}' failed: {Reason}")]
    private static partial void PollFailed(ILogger logger, string function, string queue, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: message {MessageId} moved to '{PoisonQueue}' after {DequeueCount} deliveries")]
    private static partial void Poisoned(ILogger logger, string function, string messageId, long dequeueCount, string poisonQueue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: settling message {MessageId} of queue '{Queue}' failed; it will be delivered again")]
    private static partial void Settling(ILogger logger, Exception exception, string function, string messageId, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: renewing the lease of message {MessageId} failed: {Reason}")]
    private static partial void RenewFailed(ILogger logger, string function, string messageId, string reason);

    /// <summary>Keeps a message invisible while its function runs, renewing at half the visibility timeout.</summary>
    private sealed class Lease : IAsyncDisposable
    {
        private readonly QueueClient queue;
        private readonly QueueMessage message;
        private readonly TimeSpan visibility;
        private readonly TimeProvider clock;
        private readonly ILogger log;
        private readonly string function;
        private readonly CancellationTokenSource stop = new();
        private readonly Task renewing;
        private string? receipt;

        public Lease(QueueClient queue, QueueMessage message, TimeSpan visibility, TimeProvider clock, ILogger log, string function)
        {
            this.queue = queue;
            this.message = message;
            this.visibility = visibility;
            this.clock = clock;
            this.log = log;
            this.function = function;
            receipt = message.PopReceipt;
            renewing = RenewAsync();
        }

        /// <summary>Stops renewing.</summary>
        /// <returns>The latest pop receipt, or null when the lease was lost.</returns>
        public async Task<string?> EndAsync()
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
            return receipt;
        }

        public async ValueTask DisposeAsync()
        {
            await EndAsync().ConfigureAwait(false);
            stop.Dispose();
        }

        private async Task RenewAsync()
        {
            try
            {
                while (true)
                {
                    await Task.Delay(visibility / 2, clock, stop.Token).ConfigureAwait(false);
                    var current = receipt;
                    if (current is null)
                    {
                        return;
                    }

                    try
                    {
                        // Not cancelled with the lease: a renewal cut off in flight could leave the message with a receipt we never saw.
                        var updated = await queue.UpdateVisibilityAsync(message.MessageId, current, visibility, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                        receipt = updated.PopReceipt;
                    }
                    catch (RequestFailedException e)
                    {
                        RenewFailed(log, function, message.MessageId, e.Message);
                        if (e.Status is 400 or 404)
                        {
                            receipt = null;
                            return;
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
