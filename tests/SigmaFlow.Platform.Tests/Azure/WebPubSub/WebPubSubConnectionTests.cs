using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Platform.Tests.Azure.WebPubSub;

/// <summary>Connection strings of Azure, of the local stand-in and with a port; identity connections.</summary>
public sealed class WebPubSubConnectionTests
{
    [Fact]
    public void Parse_AzureForm_KeepsEndpointAndKey()
    {
        var connection = WebPubSubConnection.Parse("Endpoint=https://sigmaflow.webpubsub.azure.com;AccessKey=abc+/=;Version=1.0;");
        Assert.Equal(new Uri("https://sigmaflow.webpubsub.azure.com"), connection.Endpoint);
        Assert.True(connection.UsesAccessKey);
        Assert.Equal("abc+/=", connection.AccessKey);
        Assert.Null(connection.Credential);
        Assert.DoesNotContain("abc+/=", connection.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LocalStandInWithTrailingSlash_KeepsHttpAndPort()
    {
        var connection = WebPubSubConnection.Parse("Endpoint=http://127.0.0.1:54321/;AccessKey=k;Version=1.0;");
        Assert.Equal("http://127.0.0.1:54321", connection.BaseAddress);
    }

    [Fact]
    public void Parse_PortPart_OverridesTheEndpointPort()
    {
        var connection = WebPubSubConnection.Parse("Endpoint=http://localhost;Port=8080;AccessKey=k;Version=1.0;");
        Assert.Equal("http://localhost:8080", connection.BaseAddress);
    }

    [Theory]
    [InlineData("AccessKey=k", "'Endpoint' is required")]
    [InlineData("Endpoint=ftp://x;AccessKey=k", "'Endpoint' must be an absolute http(s) URL")]
    [InlineData("Endpoint=https://x?a=b;AccessKey=k", "'Endpoint' must be an absolute http(s) URL")]
    [InlineData("Endpoint=https://x", "'AccessKey' is required")]
    [InlineData("Endpoint=https://x;AccessKey=k;Version=2.0", "'Version' must be 1.0; got '2.0'")]
    [InlineData("Endpoint=https://x;AccessKey=k;Port=70000", "'Port' must be a number from 1 to 65535; got '70000'")]
    [InlineData("Endpoint=https://x;garbage", "every part must be name=value")]
    public void Parse_Malformed_NamesThePart(string text, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => WebPubSubConnection.Parse(text));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingKey_NeverEchoesOtherKeys()
    {
        var e = Assert.Throws<FormatException>(() => WebPubSubConnection.Parse("Endpoint=https://x;AccessKey=secret-value;Version=9"));
        Assert.DoesNotContain("secret-value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_Credential_UsesEntra()
    {
        var connection = new WebPubSubConnection(new Uri("https://sigmaflow.webpubsub.azure.com/"), new FixedTokenCredential("t"));
        Assert.False(connection.UsesAccessKey);
        Assert.NotNull(connection.Credential);
        Assert.Equal("https://sigmaflow.webpubsub.azure.com", connection.BaseAddress);
        Assert.Contains("Entra", connection.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RelativeEndpoint_ThrowsNamingTheValue()
    {
        var e = Assert.Throws<ArgumentException>(() => new WebPubSubConnection(new Uri("/relative", UriKind.Relative), new FixedTokenCredential("t")));
        Assert.Equal("endpoint", e.ParamName);
        Assert.Contains("'/relative'", e.Message, StringComparison.Ordinal);
    }
}
