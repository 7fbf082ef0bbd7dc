using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Alerts;
using SigmaFlow.Platform.Alerts.Delivery;
using SigmaFlow.Platform.Alerts.Safety;

namespace SigmaFlow.Platform.Tests.Alerts.Delivery;

/// <summary>One HTTP attempt against local servers that answer as Discord, Slack, Telegram and a generic receiver do.</summary>
public sealed class AlertSenderTests
{
    private const string BotToken = "123456789:AAEhBP0av28XyzAbCdEfGhIjKlMnOpQrStU";
    private const string Secret = "whsec-0123456789abcdef";
    private static readonly AlertMessage Message = AlertMessage.For(
        new AlertRule { Id = "trend", Name = "Trend", Condition = new SignalCondition(), ChannelIds = ["c"] },
        AlertCandidate.ForSignal(new SignalEvent("BTCUSD", "ema-cross", Timeframe.Parse("1m"), SignalKind.LongEntry, 1_767_225_600_000, 65000.5)));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static AlertDeliveryOptions Local(FakeAlertService service, HostResolver? resolver = null) => new()
    {
        AllowLocalTargets = true,
        AttemptTimeout = TimeSpan.FromSeconds(5),
        TelegramApiBase = service.BaseAddress,
        Resolver = resolver,
    };

    private static AlertPayload Payload(AlertChannelKind kind, FakeAlertService service, AlertDeliveryOptions options, string path = "hook") => AlertPayloads.Build(
        kind switch
        {
            AlertChannelKind.Telegram => new AlertChannel { Id = "t", Kind = kind, BotToken = BotToken, ChatId = "-1001234567890" },
            AlertChannelKind.Webhook => new AlertChannel { Id = "w", Kind = kind, Url = new Uri(service.BaseAddress, path).AbsoluteUri, Secret = Secret },
            _ => new AlertChannel { Id = "c", Kind = kind, Url = new Uri(service.BaseAddress, path).AbsoluteUri },
        },
        Message,
        options);

    [Fact]
    public async Task Discord_204_IsDelivered_AndTheServerReceivedTheExactBody()
    {
        await using var discord = await FakeAlertService.StartAsync();
        discord.Then(FakeAlertService.Discord.NoContent);
        var options = Local(discord);
        using var sender = new AlertSender(options);
        var payload = Payload(AlertChannelKind.Discord, discord, options, "api/webhooks/1234/tok");
        var outcome = await sender.SendAsync(payload, Token);
        Assert.Equal(new AttemptOutcome(AttemptResult.Delivered, 204, "204 accepted"), outcome);
        var received = await discord.SingleAsync();
        Assert.Equal(("POST", "/api/webhooks/1234/tok"), (received.Method, received.Path));
        Assert.Equal(payload.Body, received.Body);
        Assert.Equal("application/json; charset=utf-8", received.Header("Content-Type"));
        Assert.Equal("SigmaFlow-Alerts/1.0", received.Header("User-Agent"));
        Assert.Null(received.Header("X-SigmaFlow-Signature"));
    }

    public static TheoryData<AlertChannelKind, string, AttemptResult, string> Answers() => new()
    {
        { AlertChannelKind.Discord, nameof(FakeAlertService.Discord.Created), AttemptResult.Delivered, "200 accepted" },
        { AlertChannelKind.Discord, nameof(FakeAlertService.Discord.InvalidFormBody), AttemptResult.Permanent, "400 Invalid Form Body (code 50035)" },
        { AlertChannelKind.Discord, nameof(FakeAlertService.Discord.UnknownWebhook), AttemptResult.Permanent, "404 Unknown Webhook (code 10015)" },
        { AlertChannelKind.Discord, nameof(FakeAlertService.Discord.InvalidToken), AttemptResult.Permanent, "401 Invalid Webhook Token (code 50027)" },
        { AlertChannelKind.Discord, nameof(FakeAlertService.Discord.BadGateway), AttemptResult.Transient, "502 <html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>" },
        { AlertChannelKind.Slack, nameof(FakeAlertService.Slack.Ok), AttemptResult.Delivered, "200 accepted" },
        { AlertChannelKind.Slack, nameof(FakeAlertService.Slack.InvalidPayload), AttemptResult.Permanent, "400 invalid_payload" },
        { AlertChannelKind.Slack, nameof(FakeAlertService.Slack.InvalidToken), AttemptResult.Permanent, "403 invalid_token" },
        { AlertChannelKind.Slack, nameof(FakeAlertService.Slack.NoService), AttemptResult.Permanent, "404 no_service" },
        { AlertChannelKind.Slack, nameof(FakeAlertService.Slack.ChannelIsArchived), AttemptResult.Permanent, "410 channel_is_archived" },
        { AlertChannelKind.Slack, nameof(FakeAlertService.Slack.RollupError), AttemptResult.Transient, "500 rollup_error" },
        { AlertChannelKind.Telegram, nameof(FakeAlertService.Telegram.Sent), AttemptResult.Delivered, "200 accepted" },
        { AlertChannelKind.Telegram, nameof(FakeAlertService.Telegram.ChatNotFound), AttemptResult.Permanent, "400 Bad Request: chat not found" },
        { AlertChannelKind.Telegram, nameof(FakeAlertService.Telegram.CantParseEntities), AttemptResult.Permanent, "400 Bad Request: can't parse entities: Unsupported start tag \"foo\" at byte offset 0" },
        { AlertChannelKind.Telegram, nameof(FakeAlertService.Telegram.Unauthorized), AttemptResult.Permanent, "401 Unauthorized" },
        { AlertChannelKind.Telegram, nameof(FakeAlertService.Telegram.NotFound), AttemptResult.Permanent, "404 Not Found" },
        { AlertChannelKind.Telegram, nameof(FakeAlertService.Telegram.BadGateway), AttemptResult.Transient, "502 <html>  <head><title>502 Bad Gateway</title></head>  <body>  <center><h1>502 Bad Gateway</h1></center>  <hr><center>nginx/1.18.0</center>  </body>  </html>" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task EachServicesAnswers_OverHttp_AreClassified(AlertChannelKind kind, string answer, AttemptResult result, string reason)
    {
        var response = (FakeResponse)typeof(FakeAlertService).GetNestedType(kind.ToString())!.GetProperty(answer)!.GetValue(null)!;
        await using var service = await FakeAlertService.StartAsync();
        service.Then(response);
        var options = Local(service);
        using var sender = new AlertSender(options);
        var outcome = await sender.SendAsync(Payload(kind, service, options), Token);
        Assert.Equal((result, (int?)response.Status, reason), (outcome.Result, outcome.HttpStatus, outcome.Reason));
        Assert.Single(service.Requests);
        Assert.DoesNotContain(BotToken, outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Telegram_PostsToTheBotsSendMessage()
    {
        await using var telegram = await FakeAlertService.StartAsync();
        telegram.Then(FakeAlertService.Telegram.Sent);
        var options = Local(telegram);
        using var sender = new AlertSender(options);
        var outcome = await sender.SendAsync(Payload(AlertChannelKind.Telegram, telegram, options), Token);
        Assert.Equal(AttemptResult.Delivered, outcome.Result);
        var received = await telegram.SingleAsync();
        Assert.Equal($"/bot{BotToken}/sendMessage", received.Path);
        Assert.Equal(-1001234567890, received.Json.GetProperty("chat_id").GetInt64());
        Assert.Equal("HTML", received.Json.GetProperty("parse_mode").GetString());
    }

    [Fact]
    public async Task RateLimits_GiveTheWaitAskedFor()
    {
        await using var service = await FakeAlertService.StartAsync();
        service.Then(FakeAlertService.Discord.RateLimited(1.5), FakeAlertService.Discord.RateLimited(0.25, header: false), FakeAlertService.Slack.RateLimited(3), FakeAlertService.Telegram.TooManyRequests(4));
        var options = Local(service);
        using var sender = new AlertSender(options);
        Assert.Equal(TimeSpan.FromSeconds(2), (await sender.SendAsync(Payload(AlertChannelKind.Discord, service, options), Token)).RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(0.25), (await sender.SendAsync(Payload(AlertChannelKind.Discord, service, options), Token)).RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(3), (await sender.SendAsync(Payload(AlertChannelKind.Slack, service, options), Token)).RetryAfter);
        var telegram = await sender.SendAsync(Payload(AlertChannelKind.Telegram, service, options), Token);
        Assert.Equal((AttemptResult.Transient, TimeSpan.FromSeconds(4)), (telegram.Result, telegram.RetryAfter));
    }

    [Fact]
    public async Task Webhook_IsSignedWithTimestamp_AndTheSignatureVerifiesIndependently()
    {
        await using var receiver = await FakeAlertService.StartAsync();
        receiver.Then(new FakeResponse(202));
        var options = Local(receiver);
        using var sender = new AlertSender(options);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Equal(AttemptResult.Delivered, (await sender.SendAsync(Payload(AlertChannelKind.Webhook, receiver, options), Token)).Result);
        var received = await receiver.SingleAsync();
        var timestamp = long.Parse(received.Header("X-SigmaFlow-Timestamp")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(timestamp, before, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var signed = Encoding.ASCII.GetBytes(timestamp + ".").Concat(received.Body).ToArray();
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), signed));
        Assert.Equal(expected, received.Header("X-SigmaFlow-Signature"));
        Assert.Equal(Message.AlertId, received.Header("X-SigmaFlow-Alert-Id"));
        Assert.Equal("alert", received.Json.GetProperty("type").GetString());
    }

    [Fact]
    public async Task ServerThatNeverAnswers_IsATransientTimeout()
    {
        await using var service = await FakeAlertService.StartAsync();
        service.Default = _ => FakeResponse.Never;
        var options = Local(service) with { AttemptTimeout = TimeSpan.FromMilliseconds(300) };
        using var sender = new AlertSender(options);
        var outcome = await sender.SendAsync(Payload(AlertChannelKind.Slack, service, options), Token);
        Assert.Equal(new AttemptOutcome(AttemptResult.Transient, null, "no answer within 0.3 s"), outcome);
    }

    [Fact]
    public async Task ClosedPort_IsATransientConnectionFailure()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var sender = new AlertSender(new AlertDeliveryOptions { AllowLocalTargets = true });
        var payload = AlertPayloads.Build(new AlertChannel { Id = "s", Kind = AlertChannelKind.Slack, Url = $"http://127.0.0.1:{port}/hook" }, Message, new AlertDeliveryOptions());
        var outcome = await sender.SendAsync(payload, Token);
        Assert.Equal(AttemptResult.Transient, outcome.Result);
        Assert.StartsWith($"request to http://127.0.0.1:{port}/hook failed:", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheLocalSetting_LoopbackIsRefused_AndNothingArrives()
    {
        await using var service = await FakeAlertService.StartAsync();
        using var strict = new AlertSender(new AlertDeliveryOptions { Resolver = (_, _) => Task.FromResult(new[] { IPAddress.Loopback }) });

        // An IP literal is refused before anything is resolved.
        var literal = await strict.SendAsync(Payload(AlertChannelKind.Slack, service, Local(service)), Token);
        Assert.Equal(AttemptResult.Refused, literal.Result);
        Assert.StartsWith("http://127.0.0.1:", literal.Reason, StringComparison.Ordinal);
        Assert.Contains("must use https", literal.Reason, StringComparison.Ordinal);

        // A name that resolves to loopback is refused after resolution, at connect time (https, so the URL itself passes).
        var named = AlertPayloads.Build(new AlertChannel { Id = "s", Kind = AlertChannelKind.Slack, Url = $"https://hooks.example.test:{service.Port}/x" }, Message, new AlertDeliveryOptions());
        var outcome = await strict.SendAsync(named, Token);
        Assert.Equal(AttemptResult.Refused, outcome.Result);
        Assert.Equal("host 'hooks.example.test' resolves to 127.0.0.1, which must not point to a loopback address (allowed only with the local development setting AlertsAllowLocalTargets); nothing was sent.", outcome.Reason);
        Assert.Empty(service.Requests);
    }

    [Fact]
    public async Task Connections_GoToTheAddressTheResolverGave_AndEachNewConnectionIsCheckedAgain()
    {
        await using var service = await FakeAlertService.StartAsync();
        service.CloseConnections = true;
        service.Default = _ => FakeAlertService.Slack.Ok;
        var answers = new Queue<IPAddress[]>([[IPAddress.Loopback], [IPAddress.Parse("169.254.169.254")]]);
        var lookups = new List<string>();
        var options = Local(service, (host, _) =>
        {
            lock (lookups)
            {
                lookups.Add(host);
                return Task.FromResult(answers.Count > 0 ? answers.Dequeue() : [IPAddress.Parse("169.254.169.254")]);
            }
        });
        using var sender = new AlertSender(options);
        var payload = AlertPayloads.Build(new AlertChannel { Id = "s", Kind = AlertChannelKind.Slack, Url = $"http://hooks.rebind.test:{service.Port}/hook" }, Message, options);

        // A name no DNS knows reaches the local server: the connection went to the address the resolver returned and checked.
        Assert.Equal(AttemptResult.Delivered, (await sender.SendAsync(payload, Token)).Result);
        Assert.Equal($"hooks.rebind.test:{service.Port}", (await service.SingleAsync()).Header("Host"));

        // The name now points at the metadata address (DNS rebinding): the next connection is refused before it is made.
        var rebound = await sender.SendAsync(payload, Token);
        Assert.Equal(AttemptResult.Refused, rebound.Result);
        Assert.Contains("169.254.169.254, which must not point to a cloud metadata address", rebound.Reason, StringComparison.Ordinal);
        Assert.Single(service.Requests);
        Assert.Equal(["hooks.rebind.test", "hooks.rebind.test"], lookups);
    }

    [Fact]
    public async Task Redirects_AreNotFollowed()
    {
        await using var elsewhere = await FakeAlertService.StartAsync();
        await using var service = await FakeAlertService.StartAsync();
        service.Then(new FakeResponse(307, Headers: new Dictionary<string, string> { ["Location"] = new Uri(elsewhere.BaseAddress, "steal").AbsoluteUri }));
        var options = Local(service);
        using var sender = new AlertSender(options);
        var outcome = await sender.SendAsync(Payload(AlertChannelKind.Webhook, service, options), Token);
        Assert.Equal((AttemptResult.Permanent, (int?)307), (outcome.Result, outcome.HttpStatus));
        Assert.Empty(elsewhere.Requests);
    }
}
