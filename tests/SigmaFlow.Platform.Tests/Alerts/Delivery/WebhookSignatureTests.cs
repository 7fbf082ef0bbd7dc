using System.Security.Cryptography;
using System.Text;
using SigmaFlow.Platform.Alerts.Delivery;

namespace SigmaFlow.Platform.Tests.Alerts.Delivery;

/// <summary>The generic webhook signature against values computed independently (signature_reference.py, Python's hmac).</summary>
public sealed class WebhookSignatureTests
{
    [Theory]
    [InlineData("whsec-0123456789abcdef", 1767225600L, """{"id":"r1|BTCUSD|1767225600000","type":"alert"}""", "sha256=88e7925b956ded34b3cca32f629a53b9059dc25c39823b8ec6dcfd5ef08767fb")]
    [InlineData("s\u00e9cret-with-unicode-\u2713!", 1700000000L, "{\"text\":\"caf\u00e9 \u2615\"}", "sha256=fd8723bbd6635a12fa74cd3f44f970bfb679ee047b8692aaaaab758d93f5d49c")]
    [InlineData("another-secret-value", 0L, "", "sha256=751d0058309b6833bdfe1eb3b2d3bbe0fa17c48925a2daa332eb1926aaa23cd6")]
    public void Sign_MatchesTheReference(string secret, long timestamp, string body, string expected)
    {
        Assert.Equal(expected, WebhookSignature.Sign(secret, timestamp, Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Verify_AcceptsTheSignature_AndRefusesTamperingAndOldTimestamps()
    {
        var body = Encoding.UTF8.GetBytes("""{"id":"a"}""");
        var now = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600);
        var signature = WebhookSignature.Sign("0123456789abcdef", now.ToUnixTimeSeconds(), body);
        var tolerance = TimeSpan.FromMinutes(5);
        Assert.True(WebhookSignature.Verify("0123456789abcdef", "1767225600", signature, body, now.AddSeconds(30), tolerance));
        Assert.True(WebhookSignature.Verify("0123456789abcdef", "1767225600", signature.ToUpperInvariant().Replace("SHA256=", "sha256=", StringComparison.Ordinal), body, now, tolerance));
        Assert.False(WebhookSignature.Verify("0123456789abcdeX", "1767225600", signature, body, now, tolerance));
        Assert.False(WebhookSignature.Verify("0123456789abcdef", "1767225601", signature, body, now, tolerance));
        Assert.False(WebhookSignature.Verify("0123456789abcdef", "1767225600", signature, Encoding.UTF8.GetBytes("""{"id":"b"}"""), now, tolerance));
        Assert.False(WebhookSignature.Verify("0123456789abcdef", "1767225600", signature, body, now.AddMinutes(6), tolerance));
        Assert.False(WebhookSignature.Verify("0123456789abcdef", "soon", signature, body, now, tolerance));
        Assert.False(WebhookSignature.Verify("0123456789abcdef", "1767225600", null, body, now, tolerance));
    }

    [Fact]
    public void Sign_IsHmacSha256OfTimestampDotBody()
    {
        var body = Encoding.UTF8.GetBytes("{}");
        var independent = "sha256=" + Convert.ToHexStringLower(new HMACSHA256(Encoding.UTF8.GetBytes("k-0123456789abcdef")).ComputeHash(Encoding.UTF8.GetBytes("42.{}")));
        Assert.Equal(independent, WebhookSignature.Sign("k-0123456789abcdef", 42, body));
    }
}
