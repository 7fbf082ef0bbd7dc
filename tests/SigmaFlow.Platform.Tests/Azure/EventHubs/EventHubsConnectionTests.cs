using Azure.Core;
using SigmaFlow.Platform.Azure.EventHubs;

namespace SigmaFlow.Platform.Tests.Azure.EventHubs;

/// <summary>Connection strings in the Azure, development-emulator and Entra forms.</summary>
public sealed class EventHubsConnectionTests
{
    private const string Key = "c2lnbWFmbG93LXRlc3Qta2V5LW5vdC1hLXNlY3JldA==";

    [Fact]
    public void Parse_AzurePortalForm_UsesHttpsAndTheEntityPath()
    {
        var connection = EventHubsConnection.Parse($"Endpoint=sb://sigmaflow.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={Key};EntityPath=ticks");
        Assert.Equal(new Uri("https://sigmaflow.servicebus.windows.net/"), connection.Endpoint);
        Assert.Equal("sigmaflow.servicebus.windows.net", connection.FullyQualifiedNamespace);
        Assert.Equal("ticks", connection.EventHubName);
        Assert.Equal("RootManageSharedAccessKey", connection.SharedAccessKeyName);
        Assert.Equal(Key, connection.SharedAccessKey);
        Assert.False(connection.UseDevelopmentEmulator);
    }

    [Fact]
    public void Parse_DevelopmentEmulator_UsesPlainHttpToHostAndPort()
    {
        var connection = EventHubsConnection.Parse($"Endpoint=sb://127.0.0.1:7073/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={Key};UseDevelopmentEmulator=true", "ticks");
        Assert.Equal(new Uri("http://127.0.0.1:7073/"), connection.Endpoint);
        Assert.Equal("127.0.0.1:7073", connection.FullyQualifiedNamespace);
        Assert.Equal("ticks", connection.EventHubName);
        Assert.True(connection.UseDevelopmentEmulator);
    }

    [Fact]
    public void Parse_NoEntityPathAndNoHub_LeavesTheHubOpen()
    {
        var connection = EventHubsConnection.Parse($"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={Key}");
        Assert.Null(connection.EventHubName);
        Assert.Equal("ticks", (connection with { EventHubName = "ticks" }).EventHubName);
    }

    [Fact]
    public void Parse_EntityPathDiffersFromHub_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => EventHubsConnection.Parse($"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={Key};EntityPath=ticks", "orders"));
        Assert.Equal("eventHubName", error.ParamName);
        Assert.Contains("'ticks'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'orders'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SharedAccessKeyName=a;SharedAccessKey=b", "'Endpoint' is required")]
    [InlineData("Endpoint=ns.servicebus.windows.net;SharedAccessKeyName=a;SharedAccessKey=b", "'Endpoint' must be an absolute")]
    [InlineData("Endpoint=ftp://ns/;SharedAccessKeyName=a;SharedAccessKey=b", "'Endpoint' must be an absolute")]
    [InlineData("Endpoint=http://ns/;SharedAccessKeyName=a;SharedAccessKey=b", "only the development emulator")]
    [InlineData("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=a", "'SharedAccessKey' are required")]
    [InlineData("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKey=b", "'SharedAccessKeyName' and")]
    [InlineData("Endpoint=sb://ns.servicebus.windows.net/;oops", "name=value")]
    public void Parse_Malformed_NamesThePart(string connectionString, string expected)
    {
        var error = Assert.Throws<FormatException>(() => EventHubsConnection.Parse(connectionString));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadHubName_NamesTheRule()
    {
        var error = Assert.Throws<ArgumentException>(() => EventHubsConnection.Parse($"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey={Key}", "ticks/../x"));
        Assert.Contains("letters, digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_NeverShowsTheKey()
    {
        var connection = EventHubsConnection.Parse($"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={Key};EntityPath=ticks");
        var text = connection.ToString();
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
        Assert.Contains("ticks", text, StringComparison.Ordinal);
        Assert.Contains("send", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ForIdentity_Namespace_UsesHttpsAndTheCredential()
    {
        var credential = new NoCredential();
        var connection = EventHubsConnection.ForIdentity("sigmaflow.servicebus.windows.net", "ticks", credential);
        Assert.Equal(new Uri("https://sigmaflow.servicebus.windows.net/"), connection.Endpoint);
        Assert.Same(credential, connection.Credential);
        Assert.Null(connection.SharedAccessKey);
        Assert.Equal("https://eventhubs.azure.net/.default", EventHubsConnection.Scope);
        Assert.Equal(connection.Endpoint, EventHubsConnection.ForIdentity("sb://sigmaflow.servicebus.windows.net/", "ticks", credential).Endpoint);
    }

    private sealed class NoCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw new NotSupportedException();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
