using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SigmaFlow.Platform.Alerts.Delivery;

/// <summary>
/// The signature of generic webhooks. Each attempt carries <c>X-SigmaFlow-Timestamp: {t}</c> (Unix seconds) and
/// <c>X-SigmaFlow-Signature: sha256={hex}</c>, where hex is the lowercase hexadecimal HMAC-SHA256, keyed with the
/// channel's secret (its UTF-8 bytes), of the ASCII timestamp, a full stop and the exact body bytes:
/// <c>HMAC_SHA256(secret, t + "." + body)</c>. Receivers recompute it over the raw body, compare in constant time and
/// refuse timestamps older than a few minutes (replays).
/// </summary>
public static class WebhookSignature
{
    /// <summary>The prefix of the signature header's value.</summary>
    public const string Scheme = "sha256=";

    /// <summary>Signs a body.</summary>
    /// <param name="secret">The channel's secret.</param>
    /// <param name="timestamp">Unix seconds.</param>
    /// <param name="body">The exact body bytes.</param>
    /// <returns>The header value, <c>sha256=</c> and 64 lowercase hex digits.</returns>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        return Scheme + Convert.ToHexStringLower(mac);
    }

    /// <summary>Verifies a request as a receiver would.</summary>
    /// <param name="secret">The shared secret.</param>
    /// <param name="timestampHeader">The <c>X-SigmaFlow-Timestamp</c> value.</param>
    /// <param name="signatureHeader">The <c>X-SigmaFlow-Signature</c> value.</param>
    /// <param name="body">The raw body.</param>
    /// <param name="now">The receiver's time.</param>
    /// <param name="tolerance">How old (or how far ahead) a timestamp may be.</param>
    /// <returns>True when the signature matches and the timestamp is within the tolerance.</returns>
    public static bool Verify(string secret, string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(secret) || !long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp) || signatureHeader is null)
        {
            return false;
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > tolerance.TotalSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        var given = Encoding.ASCII.GetBytes(signatureHeader.Trim().ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
