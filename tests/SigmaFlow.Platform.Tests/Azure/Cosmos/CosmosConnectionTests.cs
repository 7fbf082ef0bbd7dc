using System.Diagnostics;
using System.Net.Security;
using System.Security.Authentication;
using Azure.Core;
using SigmaFlow.Platform.Azure.Cosmos;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Azure.Cosmos;

/// <summary>Connection strings, emulator detection, certificate policy, options and failures when the server is down.</summary>
public sealed class CosmosConnectionTests(CosmosEmulator cosmos)
{
    private const string AzureEndpoint = "https://sigmaflow-prod.documents.azure.com:443/";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("https://127.0.0.1:8081/")]
    [InlineData("https://localhost:8081/")]
    [InlineData("https://[::1]:8081/")]
    public void FromConnectionString_LoopbackEndpoint_IsEmulator(string endpoint)
    {
        using var connection = CosmosConnection.FromConnectionString($"AccountEndpoint={endpoint};AccountKey={CosmosEmulator.Key};");

        Assert.True(connection.IsEmulator);
        Assert.Contains("emulator, Gateway", connection.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FromConnectionString_AzureEndpoint_IsNotEmulatorAndUsesDirectMode()
    {
        using var connection = CosmosConnection.FromConnectionString($"AccountEndpoint={AzureEndpoint};AccountKey={CosmosEmulator.Key};");

        Assert.False(connection.IsEmulator);
        Assert.Equal(Microsoft.Azure.Cosmos.ConnectionMode.Direct, connection.Client.ClientOptions.ConnectionMode);
        Assert.Null(connection.Client.ClientOptions.HttpClientFactory);
        Assert.False(connection.Client.ClientOptions.LimitToEndpoint);
        Assert.DoesNotContain(CosmosEmulator.Key, connection.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FromConnectionString_EmulatorOptionOnANamedHost_UsesGatewayAndLimitsToTheEndpoint()
    {
        using var connection = CosmosConnection.FromConnectionString($"AccountEndpoint=https://cosmos-emulator:8081/;AccountKey={CosmosEmulator.Key};", new CosmosStoreOptions { Emulator = true, ConnectionMode = Microsoft.Azure.Cosmos.ConnectionMode.Direct });

        Assert.True(connection.IsEmulator);
        Assert.Equal(Microsoft.Azure.Cosmos.ConnectionMode.Gateway, connection.Client.ClientOptions.ConnectionMode);
        Assert.NotNull(connection.Client.ClientOptions.HttpClientFactory);
        Assert.True(connection.Client.ClientOptions.LimitToEndpoint);
    }

    [Fact]
    public void FromConnectionString_DisableCertificateValidationForAzureHost_IsRefused()
    {
        var error = Assert.Throws<FormatException>(() => CosmosConnection.FromConnectionString($"AccountEndpoint={AzureEndpoint};AccountKey={CosmosEmulator.Key};DisableServerCertificateValidation=True;"));

        Assert.Contains("DisableServerCertificateValidation", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(CosmosEmulator.Key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AccountKey=" + CosmosEmulator.Key, "'AccountEndpoint' is required")]
    [InlineData("AccountEndpoint=http://127.0.0.1:8081/;AccountKey=" + CosmosEmulator.Key, "absolute https URL")]
    [InlineData("AccountEndpoint=https://127.0.0.1:8081/", "'AccountKey' is required")]
    [InlineData("AccountEndpoint=https://127.0.0.1:8081/;AccountKey=not base64!", "'AccountKey' must be base64")]
    [InlineData("AccountEndpoint=https://127.0.0.1:8081/;oops", "name=value")]
    public void FromConnectionString_Malformed_ThrowsNamingThePart(string connectionString, string expected)
    {
        var error = Assert.Throws<FormatException>(() => CosmosConnection.FromConnectionString(connectionString));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(CosmosEmulator.Key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://127.0.0.1:8081/dbs/x", SslPolicyErrors.RemoteCertificateChainErrors, true)]
    [InlineData("https://127.0.0.1:8081/", SslPolicyErrors.RemoteCertificateNameMismatch, true)]
    [InlineData("https://127.0.0.1:9999/dbs/x", SslPolicyErrors.RemoteCertificateChainErrors, false)]
    [InlineData("https://localhost:8081/dbs/x", SslPolicyErrors.RemoteCertificateChainErrors, false)]
    [InlineData("https://sigmaflow-prod.documents.azure.com/dbs/x", SslPolicyErrors.RemoteCertificateChainErrors, false)]
    [InlineData("https://sigmaflow-prod.documents.azure.com/dbs/x", SslPolicyErrors.RemoteCertificateNameMismatch, false)]
    [InlineData("https://sigmaflow-prod.documents.azure.com/dbs/x", SslPolicyErrors.None, true)]
    [InlineData("http://127.0.0.1:8081/dbs/x", SslPolicyErrors.RemoteCertificateChainErrors, false)]
    [InlineData(null, SslPolicyErrors.RemoteCertificateChainErrors, false)]
    public void CertificatePolicy_OnlyTheEmulatorsHostAndPort_MayHaveAnInvalidCertificate(string? request, SslPolicyErrors errors, bool accepted)
    {
        var emulator = new Uri("https://127.0.0.1:8081/");

        Assert.Equal(accepted, EmulatorCertificatePolicy.Accepts(emulator, request is null ? null : new Uri(request), errors));
    }

    [Fact]
    public async Task FromCredential_NotEmulator_RejectsTheLocalServersSelfSignedCertificate()
    {
        var endpoint = CosmosConnectionString.Parse(cosmos.ConnectionString).Endpoint;
        using var connection = CosmosConnection.FromCredential(endpoint, new FixedTokenCredential(), Quick());

        var error = await Assert.ThrowsAsync<CosmosStoreException>(() => connection.EnsureDatabaseAndContainerAsync("certcheck", "runs", "/runId", Token));

        Assert.False(connection.IsEmulator);
        Assert.Contains(endpoint.Authority, error.Message, StringComparison.Ordinal);
        Assert.True(Causes(error).Any(cause => cause is AuthenticationException), "the TLS handshake must fail on the self-signed certificate: " + string.Join(" <- ", Causes(error).Select(cause => cause.GetType().Name + ": " + cause.Message)));
    }

    [Fact]
    public async Task FromCredential_EmulatorOption_AcceptsTheLocalServersCertificate()
    {
        var endpoint = CosmosConnectionString.Parse(cosmos.ConnectionString).Endpoint;
        var options = Quick();
        options.Emulator = true;
        using var connection = CosmosConnection.FromCredential(endpoint, new FixedTokenCredential(), options);

        var store = await connection.EnsureDatabaseAndContainerAsync("db" + Guid.NewGuid().ToString("N")[..12], "runs", "/runId", Token);

        Assert.Null(await store.ReadAsync<object>("none", "none", Token));
    }

    [Fact]
    public async Task EnsureDatabaseAndContainerAsync_ServerDown_FailsQuicklyWithAnActionableError()
    {
        using var connection = CosmosConnection.FromConnectionString($"AccountEndpoint=https://127.0.0.1:1/;AccountKey={CosmosEmulator.Key};", Quick());
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CosmosStoreException>(() => connection.EnsureDatabaseAndContainerAsync("down", "runs", "/runId", Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Contains("https://127.0.0.1:1/", error.Message, StringComparison.Ordinal);
        Assert.Contains("is the local server running", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(CosmosEmulator.Key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsertAsync_ServerDown_FailsQuicklyNamingTheDocument()
    {
        using var connection = CosmosConnection.FromConnectionString($"AccountEndpoint=https://127.0.0.1:1/;AccountKey={CosmosEmulator.Key};", Quick());
        var store = connection.GetStore("down", "runs", "/runId");
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CosmosStoreException>(() => store.UpsertAsync(new RunRecord("r1", "r1", 1, 0, RunStatus.Running), Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Contains("upsert on down/runs id 'r1' partition key 'r1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("is the local server running", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ZeroRequestTimeout_ThrowsNamingTheSetting()
    {
        var options = new CosmosStoreOptions { RequestTimeout = TimeSpan.Zero };

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(nameof(CosmosStoreOptions.RequestTimeout), error.ParamName);
        Assert.Contains("00:00:00", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetStore_BadPartitionKeyPath_ThrowsNamingIt()
    {
        using var connection = CosmosConnection.FromConnectionString($"AccountEndpoint={AzureEndpoint};AccountKey={CosmosEmulator.Key};");

        var error = Assert.Throws<ArgumentException>(() => connection.GetStore("db", "runs", "runId"));

        Assert.Equal("partitionKeyPath", error.ParamName);
        Assert.Contains("'runId'", error.Message, StringComparison.Ordinal);
    }

    private static CosmosStoreOptions Quick() => new()
    {
        RequestTimeout = TimeSpan.FromSeconds(2),
        MaxRetryAttemptsOnRateLimitedRequests = 0,
        MaxRetryWaitTimeOnRateLimitedRequests = TimeSpan.Zero,
    };

    private static IEnumerable<Exception> Causes(Exception error)
    {
        for (Exception? cause = error; cause is not null; cause = cause.InnerException)
        {
            yield return cause;
        }
    }

    /// <summary>A credential that hands out a fixed token (the TLS handshake fails before it would matter).</summary>
    private sealed class FixedTokenCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => new("fixed-test-token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
