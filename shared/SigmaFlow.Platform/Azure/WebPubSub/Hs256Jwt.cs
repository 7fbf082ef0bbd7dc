using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SigmaFlow.Platform.Azure.WebPubSub;

/// <summary>
/// HS256 JSON Web Tokens as Azure Web PubSub writes and checks them: header <c>{"alg":"HS256","typ":"JWT"}</c>,
/// compact JSON payload, base64url without padding, HMAC-SHA256 keyed with the UTF-8 bytes of the access key string
/// (not base64-decoded). The service client signs REST calls and client access tokens with it; the local stand-in
/// validates both with it.
/// </summary>
public static class Hs256Jwt
{
    private const string RoleClaim = "role";
    private const string GroupClaim = "webpubsub.group";

    // base64url('{"alg":"HS256","typ":"JWT"}')
    private const string EncodedHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

    // Relaxed escaping writes '+', '&', '<' and non-ASCII letters as they are, as other JWT libraries do.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes a token. Claims appear in the order aud, iat, nbf, exp, sub, role, webpubsub.group; absent optional
    /// claims and empty lists are left out; times are whole Unix seconds (fractions are truncated).
    /// </summary>
    /// <param name="claims">The claims.</param>
    /// <param name="accessKey">The access key string from the connection string.</param>
    /// <returns>The compact token <c>header.payload.signature</c>.</returns>
    /// <exception cref="ArgumentException">The key or the audience is empty.</exception>
    public static string Create(WebPubSubTokenClaims claims, string accessKey)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentException.ThrowIfNullOrEmpty(accessKey);
        if (string.IsNullOrEmpty(claims.Audience))
        {
            throw new ArgumentException("a token needs an audience (aud); got an empty one.", nameof(claims));
        }

        var payload = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(payload, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("aud", claims.Audience);
            if (claims.IssuedAt is { } iat)
            {
                writer.WriteNumber("iat", iat.ToUnixTimeSeconds());
            }

            if (claims.NotBefore is { } nbf)
            {
                writer.WriteNumber("nbf", nbf.ToUnixTimeSeconds());
            }

            writer.WriteNumber("exp", claims.ExpiresAt.ToUnixTimeSeconds());
            if (claims.UserId is not null)
            {
                writer.WriteString("sub", claims.UserId);
            }

            WriteList(writer, RoleClaim, claims.Roles);
            WriteList(writer, GroupClaim, claims.Groups);
            writer.WriteEndObject();
        }

        var signingInput = string.Concat(EncodedHeader, ".", Base64Url.EncodeToString(payload.WrittenSpan));
        return string.Concat(signingInput, ".", Base64Url.EncodeToString(Sign(signingInput, accessKey)));
    }

    /// <summary>
    /// Checks a token: three parts, header algorithm HS256, signature made with the key (compared in constant time),
    /// <c>exp</c> present and not passed, <c>nbf</c> (when present) reached, and an <c>aud</c> (a string or an array)
    /// equal to one of the accepted audiences (ignoring case and a trailing slash). <c>role</c> and
    /// <c>webpubsub.group</c> may be a string or an array of strings.
    /// </summary>
    /// <param name="token">The compact token.</param>
    /// <param name="accessKey">The access key string.</param>
    /// <param name="acceptedAudiences">Audiences that are valid for this request.</param>
    /// <param name="now">The current time.</param>
    /// <param name="clockSkew">Tolerance applied to <c>exp</c> and <c>nbf</c>.</param>
    /// <returns>The claims, or the reason for refusal (which never repeats the token or the key).</returns>
    public static JwtValidationResult Validate(string token, string accessKey, IReadOnlyCollection<string> acceptedAudiences, DateTimeOffset now, TimeSpan clockSkew = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKey);
        ArgumentNullException.ThrowIfNull(acceptedAudiences);
        if (string.IsNullOrEmpty(token))
        {
            return Refuse("no token was given");
        }

        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var lastDot = token.LastIndexOf('.');
        if (firstDot <= 0 || lastDot <= firstDot + 1 || token.IndexOf('.', firstDot + 1) != lastDot || lastDot == token.Length - 1)
        {
            return Refuse("not a JWT: expected three non-empty dot-separated parts");
        }

        if (!TryDecode(token.AsSpan(0, firstDot), out var headerBytes) || !TryDecode(token.AsSpan(firstDot + 1, lastDot - firstDot - 1), out var payloadBytes)
            || !TryDecode(token.AsSpan(lastDot + 1), out var signature))
        {
            return Refuse("not a JWT: a part is not base64url");
        }

        var algorithm = ReadAlgorithm(headerBytes);
        if (algorithm != "HS256")
        {
            return Refuse($"the header's algorithm must be HS256; got {(algorithm is null ? "none or an unreadable header" : $"'{algorithm}'")}");
        }

        var expected = Sign(token[..lastDot], accessKey);
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            return Refuse("the signature does not match the access key");
        }

        try
        {
            return Check(payloadBytes, acceptedAudiences, now, clockSkew);
        }
        catch (JsonException)
        {
            return Refuse("the payload is not a JSON object");
        }
        catch (InvalidOperationException e)
        {
            return Refuse($"the payload has a claim of the wrong type ({e.Message})");
        }
    }

    /// <summary>The HMAC-SHA256 of a signing input with the UTF-8 bytes of the key.</summary>
    /// <param name="signingInput">The text <c>header.payload</c>.</param>
    /// <param name="accessKey">The key string.</param>
    /// <returns>The 32-byte signature.</returns>
    internal static byte[] Sign(string signingInput, string accessKey) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(accessKey), Encoding.ASCII.GetBytes(signingInput));

    private static JwtValidationResult Check(byte[] payloadBytes, IReadOnlyCollection<string> acceptedAudiences, DateTimeOffset now, TimeSpan clockSkew)
    {
        using var document = JsonDocument.Parse(payloadBytes);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Refuse("the payload is not a JSON object");
        }

        if (!root.TryGetProperty("exp", out var expElement) || expElement.ValueKind != JsonValueKind.Number)
        {
            return Refuse("the token has no numeric exp claim");
        }

        var expiresAt = FromUnix(expElement);
        if (now > expiresAt + clockSkew)
        {
            return Refuse($"the token expired at {expiresAt.ToString("u", CultureInfo.InvariantCulture)}");
        }

        DateTimeOffset? notBefore = null;
        if (root.TryGetProperty("nbf", out var nbfElement) && nbfElement.ValueKind != JsonValueKind.Null)
        {
            notBefore = FromUnix(nbfElement);
            if (now + clockSkew < notBefore)
            {
                return Refuse($"the token is not valid before {notBefore.Value.ToString("u", CultureInfo.InvariantCulture)}");
            }
        }

        DateTimeOffset? issuedAt = root.TryGetProperty("iat", out var iatElement) && iatElement.ValueKind == JsonValueKind.Number ? FromUnix(iatElement) : null;
        var audiences = root.TryGetProperty("aud", out var audElement) ? Strings(audElement) : [];
        string? matched = null;
        foreach (var audience in audiences)
        {
            foreach (var accepted in acceptedAudiences)
            {
                if (string.Equals(audience.TrimEnd('/'), accepted.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
                {
                    matched = audience;
                    break;
                }
            }

            if (matched is not null)
            {
                break;
            }
        }

        if (matched is null)
        {
            return Refuse(audiences.Count == 0
                ? "the token has no aud claim"
                : $"the token's audience '{WebPubSubNames.Shorten(audiences[0])}' is not this endpoint (expected '{string.Join("' or '", acceptedAudiences)}')");
        }

        string? userId = root.TryGetProperty("sub", out var sub) && sub.ValueKind == JsonValueKind.String ? sub.GetString() : null;
        return new JwtValidationResult(
            new WebPubSubTokenClaims
            {
                Audience = matched,
                ExpiresAt = expiresAt,
                IssuedAt = issuedAt,
                NotBefore = notBefore,
                UserId = string.IsNullOrEmpty(userId) ? null : userId,
                Roles = root.TryGetProperty(RoleClaim, out var roles) ? Strings(roles) : [],
                Groups = root.TryGetProperty(GroupClaim, out var groups) ? Strings(groups) : [],
            },
            null);
    }

    private static JwtValidationResult Refuse(string reason) => new(null, reason);

    private static DateTimeOffset FromUnix(JsonElement element)
    {
        // exp/nbf/iat are NumericDate: seconds, possibly with a fraction; clamp to what DateTimeOffset can hold.
        if (!element.TryGetDouble(out var seconds) || double.IsNaN(seconds))
        {
            throw new InvalidOperationException("a time claim is not a representable number");
        }

        return DateTimeOffset.FromUnixTimeSeconds((long)Math.Clamp(Math.Floor(seconds), -62135596800d, 253402300799d));
    }

    private static List<string> Strings(JsonElement element)
    {
        var values = new List<string>();
        if (element.ValueKind == JsonValueKind.String)
        {
            values.Add(element.GetString()!);
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                values.Add(item.GetString() ?? throw new InvalidOperationException("a list claim holds a null"));
            }
        }
        else if (element.ValueKind != JsonValueKind.Null)
        {
            throw new InvalidOperationException("a string or string-array claim holds a " + element.ValueKind.ToString().ToUpperInvariant());
        }

        return values;
    }

    private static string? ReadAlgorithm(byte[] headerBytes)
    {
        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            return header.RootElement.ValueKind == JsonValueKind.Object && header.RootElement.TryGetProperty("alg", out var alg) && alg.ValueKind == JsonValueKind.String
                ? alg.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryDecode(ReadOnlySpan<char> part, out byte[] bytes)
    {
        bytes = [];
        if (part.IsEmpty || !Base64Url.IsValid(part))
        {
            return false;
        }

        var buffer = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
        if (!Base64Url.TryDecodeFromChars(part, buffer, out var written))
        {
            return false;
        }

        bytes = buffer.AsSpan(0, written).ToArray();
        return true;
    }

    private static void WriteList(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
