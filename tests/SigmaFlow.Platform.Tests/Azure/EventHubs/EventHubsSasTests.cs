using SigmaFlow.Platform.Azure.EventHubs;

namespace SigmaFlow.Platform.Tests.Azure.EventHubs;

/// <summary>SAS tokens against independently computed worked examples, and the publisher's token cache.</summary>
public sealed class EventHubsSasTests
{
    // Computed by sas_reference.py in this folder (Python standard library: hmac, hashlib, base64, urllib.parse.quote_plus),
    // following the Python sample of https://learn.microsoft.com/rest/api/eventhub/generate-sas-token:
    //   $ python3 sas_reference.py
    //   SharedAccessSignature sr=https%3A%2F%2Fsigmaflow.servicebus.windows.net%2Fticks&sig=nUXJEuyWx7hUDGw282EjHBk3KKYXRDW7noYfM%2FQ2lA0%3D&se=1767225600&skn=RootManageSharedAccessKey
    //   SharedAccessSignature sr=http%3A%2F%2F127.0.0.1%3A7073%2Fticks&sig=8z0GPxuAE443opwHPsn9EJccpfzouAVYcUPrUVZJ530%3D&se=2000000000&skn=send-only
    [Fact]
    public void CreateToken_AzureHub_MatchesTheReferenceScript()
    {
        var token = EventHubsSas.CreateToken(
            "https://sigmaflow.servicebus.windows.net/ticks",
            "RootManageSharedAccessKey",
            "c2lnbWFmbG93LXRlc3Qta2V5LW5vdC1hLXNlY3JldA==",
            DateTimeOffset.FromUnixTimeSeconds(1767225600));
        Assert.Equal(
            "SharedAccessSignature sr=https%3A%2F%2Fsigmaflow.servicebus.windows.net%2Fticks&sig=nUXJEuyWx7hUDGw282EjHBk3KKYXRDW7noYfM%2FQ2lA0%3D&se=1767225600&skn=RootManageSharedAccessKey",
            token);
    }

    [Fact]
    public void CreateToken_KeyIsTextNotBase64_MatchesTheReferenceScript()
    {
        var token = EventHubsSas.CreateToken("http://127.0.0.1:7073/ticks", "send-only", "plain text key", DateTimeOffset.FromUnixTimeSeconds(2000000000));
        Assert.Equal(
            "SharedAccessSignature sr=http%3A%2F%2F127.0.0.1%3A7073%2Fticks&sig=8z0GPxuAE443opwHPsn9EJccpfzouAVYcUPrUVZJ530%3D&se=2000000000&skn=send-only",
            token);
    }

    [Fact]
    public void CreateToken_FractionalExpiry_SendsWholeSeconds()
    {
        var token = EventHubsSas.CreateToken("https://ns.servicebus.windows.net/ticks", "k", "key", DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_999));
        Assert.Contains("&se=1767225600&", token, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "name", "key", "resourceUri")]
    [InlineData("https://ns.servicebus.windows.net", " ", "key", "keyName")]
    [InlineData("https://ns.servicebus.windows.net", "name", "", "key")]
    public void CreateToken_MissingPart_NamesTheParameter(string resource, string keyName, string key, string parameter)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => EventHubsSas.CreateToken(resource, keyName, key, DateTimeOffset.UnixEpoch.AddYears(60)));
        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void CurrentToken_WithinLifetime_ReusesTheCachedToken()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 9, 1, 10, 0, 0, TimeSpan.Zero));
        var policy = new EventHubsSasPolicy("https://ns.servicebus.windows.net/ticks", "RootManageSharedAccessKey", "key", clock, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5));
        var first = policy.CurrentToken();
        clock.Advance(TimeSpan.FromMinutes(54));
        Assert.Same(first, policy.CurrentToken());
        var expiry = new DateTimeOffset(2026, 9, 1, 11, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.Contains($"&se={expiry}&", first, StringComparison.Ordinal);
    }

    [Fact]
    public void CurrentToken_InsideRenewalMargin_MintsANewTokenFromTheClock()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 9, 1, 10, 0, 0, TimeSpan.Zero));
        var policy = new EventHubsSasPolicy("https://ns.servicebus.windows.net/ticks", "RootManageSharedAccessKey", "key", clock, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5));
        var first = policy.CurrentToken();
        clock.Advance(TimeSpan.FromMinutes(55));
        var second = policy.CurrentToken();
        Assert.NotEqual(first, second);
        var expiry = new DateTimeOffset(2026, 9, 1, 11, 55, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.Contains($"&se={expiry}&", second, StringComparison.Ordinal);
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
