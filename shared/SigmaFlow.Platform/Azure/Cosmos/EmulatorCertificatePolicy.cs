using System.Net.Security;

namespace SigmaFlow.Platform.Azure.Cosmos;

/// <summary>
/// The one place where a server certificate that fails validation may be accepted: a request to the local emulator's
/// own scheme, host and port (its certificate is self-signed). Every other host keeps full validation. The handler is
/// given to the SDK through <c>CosmosClientOptions.HttpClientFactory</c> together with <c>LimitToEndpoint = true</c>, so
/// the SDK never follows the account's advertised regional endpoints to another host.
/// </summary>
internal static class EmulatorCertificatePolicy
{
    /// <summary>Whether a server certificate is accepted for a request.</summary>
    /// <param name="emulatorEndpoint">The emulator's endpoint (scheme, host, port).</param>
    /// <param name="requestUri">The request being sent (null when unknown: then only a valid certificate passes).</param>
    /// <param name="errors">What the platform's validation found.</param>
    /// <returns>True when the certificate is valid, or when the request goes to exactly the emulator's host and port over HTTPS.</returns>
    public static bool Accepts(Uri emulatorEndpoint, Uri? requestUri, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        return requestUri is { IsAbsoluteUri: true }
            && string.Equals(requestUri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)
            && string.Equals(requestUri.IdnHost, emulatorEndpoint.IdnHost, StringComparison.OrdinalIgnoreCase)
            && requestUri.Port == emulatorEndpoint.Port;
    }

    /// <summary>An HTTP handler that validates certificates normally, except for the emulator's endpoint.</summary>
    /// <param name="emulatorEndpoint">The emulator's endpoint.</param>
    /// <returns>The handler.</returns>
    public static HttpClientHandler CreateHandler(Uri emulatorEndpoint) => new()
    {
        ServerCertificateCustomValidationCallback = (request, _, _, errors) => Accepts(emulatorEndpoint, request.RequestUri, errors),
    };
}
