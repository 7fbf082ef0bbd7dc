using Azure.Core;
using Azure.Core.Pipeline;

namespace SigmaFlow.Platform.Azure.WebPubSub;

/// <summary>
/// Signs every REST request (each retry too) with a fresh HS256 bearer token: <c>aud</c> = the request URL without
/// query and trailing slash, <c>iat</c> = now, <c>exp</c> = now + 1 h (AZURE-REFERENCE.md §2.2). Signing costs a
/// microsecond, so nothing is cached.
/// </summary>
internal sealed class WebPubSubAccessKeyPolicy(string accessKey, TimeProvider clock) : HttpPipelineSynchronousPolicy
{
    /// <summary>Lifetime of a REST token.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);

    /// <inheritdoc />
    public override void OnSendingRequest(HttpMessage message)
    {
        var now = clock.GetUtcNow();
        var token = Hs256Jwt.Create(
            new WebPubSubTokenClaims { Audience = Audience(message.Request.Uri.ToUri()), IssuedAt = now, ExpiresAt = now + TokenLifetime },
            accessKey);
        message.Request.Headers.SetValue(HttpHeader.Names.Authorization, "Bearer " + token);
    }

    /// <summary>The audience of a REST request: scheme, authority and escaped path, without query or trailing slash.</summary>
    /// <param name="requestUri">The request URL.</param>
    /// <returns>The audience.</returns>
    internal static string Audience(Uri requestUri) => requestUri.GetLeftPart(UriPartial.Path).TrimEnd('/');
}
