using System.Net;
using SigmaFlow.Platform.Alerts.Safety;

namespace SigmaFlow.Platform.Tests.Alerts.Safety;

/// <summary>URL checks, the local development setting, redaction, and DNS-time checks of the guarded connector.</summary>
public sealed class AlertTargetPolicyTests
{
    [Theory]
    [InlineData("https://discord.com/api/webhooks/123/abc")]
    [InlineData("https://hooks.slack.com/services/T000/B000/XXXX")]
    [InlineData("https://example.com:8443/hook?x=1")]
    [InlineData("https://8.8.8.8/hook")]
    [InlineData("https://[2606:4700:4700::1111]/hook")]
    public void CheckUrl_PublicHttps_IsAccepted(string url)
    {
        Assert.Null(AlertTargetPolicy.Strict.CheckUrl("url", url));
    }

    [Theory]
    [InlineData("http://example.com/hook", "must use https (plain http is allowed only with the local development setting AlertsAllowLocalTargets)")]
    [InlineData("ftp://example.com/hook", "must use https")]
    [InlineData("file:///etc/passwd", "must be an absolute https:// URL")]
    [InlineData("/relative/hook", "must be an absolute https:// URL")]
    [InlineData("https://user:pass@example.com/hook", "must not hold a user name or password")]
    [InlineData("https://127.0.0.1/hook", "must not point to a loopback address (allowed only with the local development setting AlertsAllowLocalTargets)")]
    [InlineData("https://localhost:8080/hook", "must not point to a loopback address")]
    [InlineData("https://api.localhost/hook", "must not point to a loopback address")]
    [InlineData("https://10.0.0.5/hook", "must not point to a private network address")]
    [InlineData("https://169.254.169.254/latest/meta-data", "must not point to a cloud metadata address")]
    [InlineData("https://[fd00:ec2::254]/latest", "must not point to a cloud metadata address")]
    [InlineData("https://[::ffff:127.0.0.1]/hook", "must not point to a loopback address")]
    [InlineData("https://[fe80::1]/hook", "must not point to a link-local address")]
    [InlineData("https://100.64.0.1/hook", "must not point to a carrier-grade NAT address")]
    [InlineData("https://0.0.0.0/hook", "must not point to an unspecified address")]
    [InlineData("https://224.0.0.1/hook", "must not point to a multicast address")]
    public void CheckUrl_RefusedTargets_NameTheFieldAndTheRule(string url, string rule)
    {
        var problem = AlertTargetPolicy.Strict.CheckUrl("url", url);
        Assert.NotNull(problem);
        Assert.Equal("url", problem.Field);
        Assert.StartsWith(rule, problem.Rule, StringComparison.Ordinal);
        Assert.DoesNotContain("user:pass", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckUrl_MissingOrLong_SaysSo()
    {
        Assert.Equal("url is required: an https:// URL", AlertTargetPolicy.Strict.CheckUrl("url", null)!.Message);
        Assert.Equal("url must be at most 2048 characters; got 2068 characters", AlertTargetPolicy.Strict.CheckUrl("url", "https://example.com/" + new string('a', 2048))!.Message);
    }

    [Fact]
    public void CheckUrl_WithLocalTargetsAllowed_TakesHttpLoopbackAndPrivate_ButNeverMetadataOrLinkLocal()
    {
        var local = new AlertTargetPolicy(allowLocalTargets: true);
        Assert.Null(local.CheckUrl("url", "http://127.0.0.1:5000/hook"));
        Assert.Null(local.CheckUrl("url", "http://localhost:5000/hook"));
        Assert.Null(local.CheckUrl("url", "http://192.168.1.20/hook"));
        Assert.Null(local.CheckUrl("url", "http://[::1]:5000/hook"));
        Assert.Equal("url must not point to a cloud metadata address; got 'http://169.254.169.254/latest/***'", local.CheckUrl("url", "http://169.254.169.254/latest/meta-data")!.Message);
        Assert.Equal("url must not point to a link-local address; got 'http://169.254.10.1/hook'", local.CheckUrl("url", "http://169.254.10.1/hook")!.Message);
        Assert.Equal("url must use https or http; got 'gopher://127.0.0.1/x'", local.CheckUrl("url", "gopher://127.0.0.1/x")!.Message);
    }

    [Theory]
    [InlineData("https://discord.com/api/webhooks/1234/secret-token", "https://discord.com/api/***")]
    [InlineData("https://hooks.slack.com/services/T0/B0/XYZ", "https://hooks.slack.com/services/***")]
    [InlineData("https://api.telegram.org/bot123:ABC/sendMessage", "https://api.telegram.org/***")]
    [InlineData("https://example.com/hook?token=secret#x", "https://example.com/hook")]
    [InlineData("https://example.com", "https://example.com")]
    [InlineData("http://127.0.0.1:5000/a/b", "http://127.0.0.1:5000/a/***")]
    [InlineData("not a url", "(not a URL)")]
    public void Describe_HidesEverythingThatMayBeACredential(string url, string expected)
    {
        Assert.Equal(expected, AlertTargetPolicy.Describe(url));
    }

    [Fact]
    public async Task ResolveAsync_RefusesAHostWhenAnyOfItsAddressesIsNotAllowed()
    {
        var connector = new GuardedConnector(AlertTargetPolicy.Strict, (host, _) => Task.FromResult(host switch
        {
            "public.test" => new[] { IPAddress.Parse("8.8.8.8"), IPAddress.Parse("2001:4860:4860::8888") },
            "mixed.test" => [IPAddress.Parse("8.8.8.8"), IPAddress.Parse("10.0.0.1")],
            "rebound.test" => [IPAddress.Parse("169.254.169.254")],
            "mapped.test" => [IPAddress.Parse("::ffff:127.0.0.1")],
            _ => [],
        }));
        Assert.Equal(2, (await connector.ResolveAsync("public.test", TestContext.Current.CancellationToken)).Length);
        var mixed = await Assert.ThrowsAsync<AlertTargetRefusedException>(() => connector.ResolveAsync("mixed.test", TestContext.Current.CancellationToken));
        Assert.Equal("host 'mixed.test' resolves to 10.0.0.1, which must not point to a private network address (allowed only with the local development setting AlertsAllowLocalTargets); nothing was sent.", mixed.Message);
        Assert.Contains("cloud metadata", (await Assert.ThrowsAsync<AlertTargetRefusedException>(() => connector.ResolveAsync("rebound.test", TestContext.Current.CancellationToken))).Message, StringComparison.Ordinal);
        Assert.Contains("loopback", (await Assert.ThrowsAsync<AlertTargetRefusedException>(() => connector.ResolveAsync("mapped.test", TestContext.Current.CancellationToken))).Message, StringComparison.Ordinal);
        Assert.Contains("resolved to no address", (await Assert.ThrowsAsync<HttpRequestException>(() => connector.ResolveAsync("none.test", TestContext.Current.CancellationToken))).Message, StringComparison.Ordinal);
        Assert.Contains("loopback", (await Assert.ThrowsAsync<AlertTargetRefusedException>(() => connector.ResolveAsync("[::1]", TestContext.Current.CancellationToken))).Message, StringComparison.Ordinal);
    }
}
