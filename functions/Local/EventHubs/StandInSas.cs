using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SigmaFlow.Platform.Azure.EventHubs;

namespace SigmaFlow.Functions.Local.EventHubs;

/// <summary>
/// Checks an <c>Authorization: SharedAccessSignature sr=…&amp;sig=…&amp;se=…&amp;skn=…</c> header the way Event Hubs does:
/// the policy name, the HMAC-SHA256 signature over the <c>sr</c> and <c>se</c> values exactly as sent, the expiry,
/// and that the audience <c>sr</c> covers the requested path (the namespace, the hub, the hub's partition, or the
/// path itself: a token is good for every path it is a prefix of). The
/// audience's scheme, host and port are not compared: locally the same stand-in answers to 127.0.0.1, localhost and
/// the namespace name.
/// </summary>
internal static class StandInSas
{
    /// <summary>Null when the token grants the request, else the service's error detail (<c>Code: message</c>) to send with 401.</summary>
    /// <param name="header">The Authorization header value, or null.</param>
    /// <param name="keyName">The configured policy name.</param>
    /// <param name="key">The configured policy key.</param>
    /// <param name="now">The current time.</param>
    /// <param name="entityPath">The request's path segments: <c>[hub, "messages"]</c> or <c>[hub, "partitions", id, "messages"]</c>.</param>
    /// <returns>The refusal, or null.</returns>
    public static string? Check(string? header, string keyName, string key, DateTimeOffset now, IReadOnlyList<string> entityPath)
    {
        if (string.IsNullOrEmpty(header))
        {
            return "MissingToken: The request has no Authorization header; send 'SharedAccessSignature sr=…&sig=…&se=…&skn=…'.";
        }

        if (!header.StartsWith(EventHubsSas.Scheme + " ", StringComparison.OrdinalIgnoreCase))
        {
            return "MalformedToken: The local Event Hubs stand-in accepts only SharedAccessSignature tokens (no Entra bearer tokens).";
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in header[(EventHubsSas.Scheme.Length + 1)..].Trim().Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields[pair[..eq]] = pair[(eq + 1)..];
            }
        }

        if (!fields.TryGetValue("sr", out var sr) || !fields.TryGetValue("sig", out var sig) || !fields.TryGetValue("se", out var se) || !fields.TryGetValue("skn", out var skn))
        {
            return "MalformedToken: The token must carry sr, sig, se and skn.";
        }

        if (!long.TryParse(se, NumberStyles.None, CultureInfo.InvariantCulture, out var expiry))
        {
            return "MalformedToken: The token's expiry (se) must be whole seconds since 1970-01-01.";
        }

        if (!string.Equals(Uri.UnescapeDataString(skn), keyName, StringComparison.Ordinal))
        {
            return "InvalidSignature: The token's policy (skn) is not a policy of this namespace.";
        }

        var expected = Encoding.ASCII.GetBytes(EventHubsSas.Sign(sr, se, key));
        var given = Encoding.ASCII.GetBytes(Uri.UnescapeDataString(sig));
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return "InvalidSignature: The token has an invalid signature.";
        }

        if (expiry <= now.ToUnixTimeSeconds())
        {
            return string.Create(
                CultureInfo.InvariantCulture,
                $"ExpiredToken: The token is expired. Expiration time: '{DateTimeOffset.FromUnixTimeSeconds(expiry):yyyy-MM-ddTHH:mm:ssZ}', Current time: '{now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}'.");
        }

        return Covers(Uri.UnescapeDataString(sr.Replace('+', ' ')), entityPath)
            ? null
            : "InvalidAudience: The authorization header contains a token with a wrong audience.";
    }

    /// <summary>True when the audience's path is empty (the namespace) or a leading part of the request's path (case-insensitive).</summary>
    private static bool Covers(string audience, IReadOnlyList<string> entityPath)
    {
        // "https://ns/ticks", "sb://ns/ticks" or "ns.servicebus.windows.net/ticks": drop the scheme and the host.
        var rest = audience;
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            rest = rest[(scheme + 3)..];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var segments = slash < 0 ? [] : rest[(slash + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length > entityPath.Count)
        {
            return false;
        }

        for (var i = 0; i < segments.Length; i++)
        {
            if (!string.Equals(segments[i], entityPath[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}
