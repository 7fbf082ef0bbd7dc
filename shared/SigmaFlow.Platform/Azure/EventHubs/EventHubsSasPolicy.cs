using Azure.Core;
using Azure.Core.Pipeline;

namespace SigmaFlow.Platform.Azure.EventHubs;

/// <summary>
/// Puts a SAS token on every attempt of a request. The token is minted once and reused until
/// <c>renewalMargin</c> before it expires (measured with the injected clock), then replaced.
/// </summary>
internal sealed class EventHubsSasPolicy : HttpPipelineSynchronousPolicy
{
    private readonly string resourceUri;
    private readonly string keyName;
    private readonly string key;
    private readonly TimeProvider clock;
    private readonly TimeSpan lifetime;
    private readonly TimeSpan renewalMargin;
    private readonly Lock gate = new();
    private string? token;
    private DateTimeOffset expiresOn;

    public EventHubsSasPolicy(string resourceUri, string keyName, string key, TimeProvider clock, TimeSpan lifetime, TimeSpan renewalMargin)
    {
        this.resourceUri = resourceUri;
        this.keyName = keyName;
        this.key = key;
        this.clock = clock;
        this.lifetime = lifetime;
        this.renewalMargin = renewalMargin;
    }

    /// <summary>The resource the tokens are for.</summary>
    public string ResourceUri => resourceUri;

    public override void OnSendingRequest(HttpMessage message) => message.Request.Headers.SetValue("Authorization", CurrentToken());

    /// <summary>The cached token, or a fresh one when none is cached or the cached one is within the renewal margin of its expiry.</summary>
    /// <returns>The <c>Authorization</c> header value.</returns>
    public string CurrentToken()
    {
        var now = clock.GetUtcNow();
        lock (gate)
        {
            if (token is null || now >= expiresOn - renewalMargin)
            {
                // Whole seconds: the token carries Unix seconds, so the cache must not believe in a later expiry than that.
                expiresOn = DateTimeOffset.FromUnixTimeSeconds((now + lifetime).ToUnixTimeSeconds());
                token = EventHubsSas.CreateToken(resourceUri, keyName, key, expiresOn);
            }

            return token;
        }
    }
}
