using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace SigmaFlow.Platform.Azure.EventHubs;

/// <summary>
/// Shared access signatures for Event Hubs (https://learn.microsoft.com/rest/api/eventhub/generate-sas-token):
/// <c>SharedAccessSignature sr={UrlEncode(resourceUri)}&amp;sig={UrlEncode(signature)}&amp;se={expiry}&amp;skn={keyName}</c>, where
/// <c>signature = Base64(HMAC-SHA256(key: UTF-8 bytes of the policy key, data: UTF-8 of UrlEncode(resourceUri) + "\n" + expiry))</c>
/// and <c>expiry</c> is in seconds since the Unix epoch. The key is used as text, not base64-decoded.
/// </summary>
public static class EventHubsSas
{
    /// <summary>The scheme word that starts the <c>Authorization</c> header value.</summary>
    public const string Scheme = "SharedAccessSignature";

    /// <summary>Creates a SAS token for a resource (a namespace, <c>https://{ns}.servicebus.windows.net</c>, or one event hub, <c>…/{hub}</c>).</summary>
    /// <param name="resourceUri">The resource the token grants access to; signed exactly as given (callers lower-case it, as Azure's SDKs do).</param>
    /// <param name="keyName">The shared access policy name (<c>skn</c>), for example <c>RootManageSharedAccessKey</c>.</param>
    /// <param name="key">The policy's key.</param>
    /// <param name="expiry">When the token stops being valid; sent as whole Unix seconds (fractions are dropped).</param>
    /// <returns>The complete <c>Authorization</c> header value.</returns>
    public static string CreateToken(string resourceUri, string keyName, string key, DateTimeOffset expiry)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceUri);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var seconds = expiry.ToUnixTimeSeconds();
        if (seconds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expiry), expiry, "the SAS expiry must be after 1970-01-01T00:00:00Z.");
        }

        var encodedResource = WebUtility.UrlEncode(resourceUri);
        var se = seconds.ToString(CultureInfo.InvariantCulture);
        var signature = Sign(encodedResource, se, key);
        return $"{Scheme} sr={encodedResource}&sig={WebUtility.UrlEncode(signature)}&se={se}&skn={keyName}";
    }

    /// <summary>
    /// The base64 signature of a token: HMAC-SHA256 keyed with the UTF-8 bytes of <paramref name="key"/> over
    /// <c>{encodedResource}\n{expiry}</c>. Servers verifying a token pass the <c>sr</c> and <c>se</c> values exactly as they
    /// arrived (still URL-encoded), which is what the sender signed.
    /// </summary>
    /// <param name="encodedResource">The URL-encoded resource URI (the <c>sr</c> value as sent).</param>
    /// <param name="expiry">The expiry in Unix seconds, as text (the <c>se</c> value as sent).</param>
    /// <param name="key">The policy key.</param>
    /// <returns>The signature, base64 (not yet URL-encoded).</returns>
    internal static string Sign(string encodedResource, string expiry, string key) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(encodedResource + "\n" + expiry)));
}
