using System.Buffers.Text;
using System.Text;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Platform.Tests.Azure.WebPubSub;

/// <summary>HS256 tokens against values computed independently (jwt_reference.py, Python's standard library).</summary>
public sealed class Hs256JwtTests
{
    // Same key and times as jwt_reference.py. The key looks like base64 on purpose: it must be used as UTF-8 text.
    private const string Key = "SigmaFlowTestKey/+=0123456789abcdefghijklmnopqrstuvwxyz";
    private static readonly DateTimeOffset Iat = DateTimeOffset.FromUnixTimeSeconds(1767225600); // 2026-01-01T00:00:00Z

    private static WebPubSubTokenClaims ClientClaims => new()
    {
        Audience = "https://sigmaflow.webpubsub.azure.com/client/hubs/market",
        IssuedAt = Iat,
        ExpiresAt = Iat.AddHours(1),
        UserId = "trader-é1",
        Roles = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.signals"],
        Groups = ["bars.BTCUSD", "signals"],
    };

    [Fact]
    public void Create_ClientClaims_MatchesPythonReference()
    {
        // Output "client:" of `python3 jwt_reference.py`.
        const string Expected = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL3NpZ21hZmxvdy53ZWJwdWJzdWIuYXp1cmUuY29tL2NsaWVudC9odWJzL21hcmtldCIsImlhdCI6MTc2NzIyNTYwMCwiZXhwIjoxNzY3MjI5MjAwLCJzdWIiOiJ0cmFkZXItw6kxIiwicm9sZSI6WyJ3ZWJwdWJzdWIuam9pbkxlYXZlR3JvdXAiLCJ3ZWJwdWJzdWIuc2VuZFRvR3JvdXAuc2lnbmFscyJdLCJ3ZWJwdWJzdWIuZ3JvdXAiOlsiYmFycy5CVENVU0QiLCJzaWduYWxzIl19.k35LiEAqrcHrmRdI_z6hQg8L4M29WfPn3ZEj-_moHdQ";
        Assert.Equal(Expected, Hs256Jwt.Create(ClientClaims, Key));
    }

    [Fact]
    public void Create_RestClaimsWithNotBefore_MatchesPythonReference()
    {
        // Output "rest:" of `python3 jwt_reference.py`.
        const string Expected = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL3NpZ21hZmxvdy53ZWJwdWJzdWIuYXp1cmUuY29tL2FwaS9odWJzL21hcmtldC9ncm91cHMvYmFycy5CVENVU0QvOnNlbmQiLCJpYXQiOjE3NjcyMjU2MDAsIm5iZiI6MTc2NzIyNTYwMCwiZXhwIjoxNzY3MjI5MjAwfQ.VRVyWwTyzNkCO2jD53Vdu3cuY_fR-Eo7KTNkO7ibv4s";
        var claims = new WebPubSubTokenClaims
        {
            Audience = "https://sigmaflow.webpubsub.azure.com/api/hubs/market/groups/bars.BTCUSD/:send",
            IssuedAt = Iat,
            NotBefore = Iat,
            ExpiresAt = Iat.AddHours(1),
        };
        Assert.Equal(Expected, Hs256Jwt.Create(claims, Key));
    }

    [Fact]
    public void Sign_JwtIoCanonicalExample_MatchesWellKnownSignature()
    {
        // jwt.io's default HS256 example with the secret "your-256-bit-secret" (also printed by jwt_reference.py).
        const string SigningInput = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ";
        Assert.Equal("SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", Base64Url.EncodeToString(Hs256Jwt.Sign(SigningInput, "your-256-bit-secret")));
    }

    [Fact]
    public void Validate_TokenItCreated_ReturnsAllClaims()
    {
        var token = Hs256Jwt.Create(ClientClaims, Key);
        var result = Hs256Jwt.Validate(token, Key, ["https://sigmaflow.webpubsub.azure.com/client/hubs/market"], Iat.AddMinutes(5));
        Assert.True(result.IsValid, result.Error);
        var claims = result.Claims!;
        Assert.Equal("trader-é1", claims.UserId);
        Assert.Equal(["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.signals"], claims.Roles);
        Assert.Equal(["bars.BTCUSD", "signals"], claims.Groups);
        Assert.Equal(Iat.AddHours(1), claims.ExpiresAt);
        Assert.Equal(Iat, claims.IssuedAt);
    }

    [Fact]
    public void Validate_AudienceCaseAndTrailingSlash_AreIgnored()
    {
        var token = Hs256Jwt.Create(ClientClaims, Key);
        Assert.True(Hs256Jwt.Validate(token, Key, ["HTTPS://SigmaFlow.webpubsub.azure.com/client/hubs/market/"], Iat).IsValid);
    }

    [Fact]
    public void Validate_WrongKey_RefusesForTheSignature()
    {
        var token = Hs256Jwt.Create(ClientClaims, Key);
        var result = Hs256Jwt.Validate(token, Key + "x", [ClientClaims.Audience], Iat);
        Assert.False(result.IsValid);
        Assert.Contains("signature", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KeyDecodedFromBase64_DoesNotMatch()
    {
        // A token signed with the base64-decoded key bytes (a common mistake) must not validate.
        const string Base64Key = "c2lnbWFmbG93LWtleS1ieXRlcw==";
        var token = Hs256Jwt.Create(ClientClaims, Base64Key);
        var payload = token[..token.LastIndexOf('.')];
        var wrong = payload + "." + Base64Url.EncodeToString(System.Security.Cryptography.HMACSHA256.HashData(Convert.FromBase64String(Base64Key), Encoding.ASCII.GetBytes(payload)));
        Assert.True(Hs256Jwt.Validate(token, Base64Key, [ClientClaims.Audience], Iat).IsValid);
        Assert.False(Hs256Jwt.Validate(wrong, Base64Key, [ClientClaims.Audience], Iat).IsValid);
    }

    [Fact]
    public void Validate_Expired_RefusesWithExpiry()
    {
        var token = Hs256Jwt.Create(ClientClaims, Key);
        var result = Hs256Jwt.Validate(token, Key, [ClientClaims.Audience], Iat.AddHours(1).AddSeconds(1));
        Assert.False(result.IsValid);
        Assert.Contains("expired at 2026-01-01 01:00:00Z", result.Error, StringComparison.Ordinal);
        Assert.True(Hs256Jwt.Validate(token, Key, [ClientClaims.Audience], Iat.AddHours(1).AddSeconds(1), TimeSpan.FromSeconds(5)).IsValid);
    }

    [Fact]
    public void Validate_BeforeNotBefore_Refuses()
    {
        var token = Hs256Jwt.Create(ClientClaims with { NotBefore = Iat.AddMinutes(10) }, Key);
        var result = Hs256Jwt.Validate(token, Key, [ClientClaims.Audience], Iat);
        Assert.False(result.IsValid);
        Assert.Contains("not valid before", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OtherAudience_RefusesNamingBoth()
    {
        var token = Hs256Jwt.Create(ClientClaims, Key);
        var result = Hs256Jwt.Validate(token, Key, ["https://sigmaflow.webpubsub.azure.com/client/hubs/other"], Iat);
        Assert.False(result.IsValid);
        Assert.Contains("/client/hubs/market' is not this endpoint", result.Error, StringComparison.Ordinal);
        Assert.Contains("/client/hubs/other", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "no token")]
    [InlineData("abc", "three non-empty dot-separated parts")]
    [InlineData("a.b.c.d", "three non-empty dot-separated parts")]
    [InlineData("a..c", "three non-empty dot-separated parts")]
    [InlineData("@@@.e30.AAAA", "not base64url")]
    [InlineData("eyJhbGciOiJub25lIn0.e30.AAAA", "algorithm must be HS256; got 'none'")]
    public void Validate_Malformed_RefusesWithReason(string token, string fragment)
    {
        var result = Hs256Jwt.Validate(token, Key, ["x"], Iat);
        Assert.False(result.IsValid);
        Assert.Contains(fragment, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"aud\":\"x\"}", "no numeric exp")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"aud\":\"x\",\"exp\":9999999999,\"role\":5}", "wrong type")]
    [InlineData("{\"exp\":9999999999}", "no aud claim")]
    public void Validate_SignedButBadPayload_RefusesWithReason(string payload, string fragment)
    {
        var result = Hs256Jwt.Validate(SignRaw(payload), Key, ["x"], Iat);
        Assert.False(result.IsValid);
        Assert.Contains(fragment, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SingleStringRoleAndAudienceArray_AreAccepted()
    {
        // JwtSecurityTokenHandler writes a single role as a string; RFC 7519 allows aud as an array.
        var token = SignRaw("{\"aud\":[\"other\",\"https://h/client/hubs/market\"],\"exp\":1767229200,\"sub\":\"u1\",\"role\":\"webpubsub.joinLeaveGroup\",\"webpubsub.group\":\"g1\"}");
        var result = Hs256Jwt.Validate(token, Key, ["https://h/client/hubs/market"], Iat);
        Assert.True(result.IsValid, result.Error);
        Assert.Equal(["webpubsub.joinLeaveGroup"], result.Claims!.Roles);
        Assert.Equal(["g1"], result.Claims.Groups);
        Assert.Equal("https://h/client/hubs/market", result.Claims.Audience);
    }

    private static string SignRaw(string payloadJson)
    {
        var input = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payloadJson));
        return input + "." + Base64Url.EncodeToString(Hs256Jwt.Sign(input, Key));
    }
}
