using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Platform.Live.Adapters;

/// <summary>Sends the pipeline's JSON messages to Web PubSub groups of one hub (the dashboard's). Thread-safe.</summary>
public sealed class WebPubSubLivePush : ILivePush
{
    private readonly WebPubSubServiceClient client;

    /// <summary>Creates the push.</summary>
    /// <param name="client">The hub's client.</param>
    public WebPubSubLivePush(WebPubSubServiceClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        this.client = client;
    }

    /// <inheritdoc />
    public Task SendAsync(string group, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        client.SendToGroupAsync(group, BinaryData.FromBytes(json), WebPubSubContentType.Json, cancellationToken: cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"push to {client}";
}
