using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using SigmaFlow.Functions.Local.WebPubSub;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Functions.Tests.Local.WebPubSub;

/// <summary>The stand-in logs what happens, and never a key or a token.</summary>
public sealed class WebPubSubStandInLoggingTests
{
    [Fact]
    public async Task Logs_NameEventsAndRefusals_WithoutKeysOrTokens()
    {
        var provider = new CapturingProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Debug));
        const string Key = "logging-test-access-key-0123456789";
        await using var app = WebPubSubStandIn.Create(new WebPubSubStandInOptions { AccessKey = Key }, factory);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var connection = WebPubSubConnection.Parse(WebPubSubStandIn.GetConnectionString(app));
        var service = new WebPubSubServiceClient(connection, "market");

        var good = await service.GetClientAccessUriAsync("logger", cancellationToken: TestContext.Current.CancellationToken);
        var goodToken = good.Query["?access_token=".Length..];
        using (var client = new System.Net.WebSockets.ClientWebSocket())
        {
            client.Options.AddSubProtocol(ClientEndpoint.JsonProtocol);
            await client.ConnectAsync(good, TestContext.Current.CancellationToken);
            using var socket = new TestSocket(client);
            await socket.ReceiveJsonAsync();
            await socket.SendAsync("{\"type\":\"event\",\"event\":\"audit\",\"ackId\":1,\"dataType\":\"text\",\"data\":\"x\"}");
            await socket.ReceiveJsonAsync();
        }

        var badToken = Hs256Jwt.Create(new WebPubSubTokenClaims { Audience = connection.BaseAddress + "/client/hubs/market", ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }, "wrong-key-wrong-key");
        Assert.Equal(HttpStatusCode.Unauthorized, await StandInScope.UpgradeStatusAsync(new Uri($"ws://{connection.BaseAddress[7..]}/client/hubs/market?access_token={badToken}")));
        await app.StopAsync(TestContext.Current.CancellationToken);

        var lines = provider.Lines.ToArray();
        Assert.Contains(lines, l => l.StartsWith("Information: Web PubSub stand-in listening on http://127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("sent event 'audit'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("refused (401): Invalid access token: the signature does not match", StringComparison.Ordinal));
        foreach (var secret in new[] { Key, goodToken, badToken, badToken.Split('.')[2] })
        {
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal));
        }
    }

    private sealed class CapturingProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
        }
    }
}
