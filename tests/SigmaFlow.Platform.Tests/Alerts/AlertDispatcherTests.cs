using System.Net;
using System.Security.Cryptography;
using System.Text;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Alerts;
using SigmaFlow.Platform.Alerts.Delivery;
using SigmaFlow.Platform.Alerts.Storage;
using SigmaFlow.Platform.Live;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Alerts;

/// <summary>
/// The DeliverAlert use case end to end on Azurite and local servers answering as the services do: matching, sending
/// once per (alert, channel) across redeliveries, retries and rate limits, the delivery log, dead letters, cooldowns,
/// and deliveries interrupted in every state.
/// </summary>
public sealed class AlertDispatcherTests(AzuriteEmulator azurite)
{
    private const long T0 = 1_767_225_600_000;
    private static readonly string[] AllChannels = ["discord", "slack", "telegram", "webhook"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Signal(string symbol = "BTCUSD", SignalKind kind = SignalKind.LongEntry, long time = T0, double price = 65000.5) =>
        LiveMessages.Signal(new SignalEvent(symbol, "ema-cross", Timeframe.Parse("1m"), kind, time, price));

    private static AlertRule SignalRule(string id = "trend", string[]? channels = null, int cooldown = 0) => new()
    {
        Id = id,
        Name = "Trend entries",
        Condition = new SignalCondition { Strategy = "ema-cross", Symbols = ["BTCUSD"], Side = SignalSide.Entry },
        ChannelIds = channels ?? AllChannels,
        CooldownSeconds = cooldown,
    };

    [Fact]
    public async Task ASignal_GoesToEveryChannelOnce_AndARedeliveredMessageSendsNothing()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        await h.RuleAsync(SignalRule());
        var message = new AlertQueueMessage(Signal(), "m1", DateTimeOffset.FromUnixTimeMilliseconds(T0 + 61_000));

        var first = await h.Dispatcher.ProcessAsync(message, Token);
        Assert.Equal(4, first.Delivered);
        Assert.Equal("DeliverAlert message m1: signal BTCUSD|ema-cross|1m|LongEntry|1767225600000 → 1 rule, 4 deliveries: 4 delivered", first.ToLogLine()[..first.ToLogLine().LastIndexOf(';')]);

        var again = await h.Dispatcher.ProcessAsync(message with { DequeueCount = 2 }, Token);
        Assert.All(again.Deliveries, d => Assert.Equal(AlertDeliveryAction.AlreadyDone, d.Action));
        foreach (var service in new[] { h.Discord, h.Slack, h.Telegram, h.Webhook })
        {
            Assert.Single(service.Requests);
        }

        var discord = (await h.Discord.SingleAsync()).Json.GetProperty("embeds")[0];
        Assert.Equal("Trend entries", discord.GetProperty("title").GetString());
        Assert.Equal("ema-cross: long entry on BTCUSD (1m) at 65000.5", discord.GetProperty("description").GetString());
        Assert.Equal("Trend entries", (await h.Slack.SingleAsync()).Json.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString());
        var telegram = await h.Telegram.SingleAsync();
        Assert.Equal($"/bot{AlertHarness.BotToken}/sendMessage", telegram.Path);
        Assert.StartsWith("<b>Trend entries</b>\nema-cross: long entry on BTCUSD (1m) at 65000.5", telegram.Json.GetProperty("text").GetString(), StringComparison.Ordinal);
        var webhook = await h.Webhook.SingleAsync();
        Assert.Equal("trend|BTCUSD|ema-cross|1m|LongEntry|1767225600000", webhook.Json.GetProperty("id").GetString());
        Assert.True(WebhookSignature.Verify(AlertHarness.Secret, webhook.Header("X-SigmaFlow-Timestamp"), webhook.Header("X-SigmaFlow-Signature"), webhook.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1)));
        var independent = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(AlertHarness.Secret), Encoding.ASCII.GetBytes(webhook.Header("X-SigmaFlow-Timestamp") + ".").Concat(webhook.Body).ToArray()));
        Assert.Equal(independent, webhook.Header("X-SigmaFlow-Signature"));

        var log = await h.Log.ReadAlertAsync(T0, "trend|BTCUSD|ema-cross|1m|LongEntry|1767225600000", Token);
        Assert.Equal(AllChannels, log.Select(r => r.ChannelId).Order(StringComparer.Ordinal));
        Assert.All(log, r => Assert.Equal((AlertDeliveryStatus.Delivered, 1, "m1"), (r.Status, r.Attempts, r.MessageId)));
        Assert.Equal([204, 200, 200, 200], log.OrderBy(r => r.ChannelId, StringComparer.Ordinal).Select(r => r.HttpStatus ?? 0));
        Assert.Equal("https://api.telegram.org/***".Replace("https://api.telegram.org", h.Telegram.BaseAddress.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal), log.Single(r => r.ChannelId == "telegram").Target);
        Assert.DoesNotContain(log, r => (r.Target ?? string.Empty).Contains("tok", StringComparison.Ordinal) || (r.Target ?? string.Empty).Contains(AlertHarness.BotToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheSameMessage_ProcessedTwiceAtOnce_SendsOnce()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        await h.RuleAsync(SignalRule(channels: ["slack", "webhook"]));
        h.Slack.Default = _ => FakeAlertService.Slack.Ok with { DelayMs = 300 };
        h.Webhook.Default = _ => new FakeResponse(204, DelayMs: 300);
        var message = new AlertQueueMessage(Signal(), "m-concurrent");
        var other = h.NewDispatcher();
        var reports = await Task.WhenAll(h.Dispatcher.ProcessAsync(message, Token), other.ProcessAsync(message with { DequeueCount = 2 }, Token));
        Assert.Single(h.Slack.Requests);
        Assert.Single(h.Webhook.Requests);
        var actions = reports.SelectMany(r => r.Deliveries).GroupBy(d => d.ChannelId).ToDictionary(g => g.Key, g => g.Select(d => d.Action).Order().ToList());
        Assert.All(actions.Values, a => Assert.Equal(AlertDeliveryAction.Delivered, a[0]));
        Assert.All(actions.Values, a => Assert.Contains(a[1], new[] { AlertDeliveryAction.AlreadyDone, AlertDeliveryAction.Elsewhere }));
        Assert.All(await h.Log.ReadAlertAsync(T0, "trend|BTCUSD|ema-cross|1m|LongEntry|1767225600000", Token), r => Assert.Equal((AlertDeliveryStatus.Delivered, 1), (r.Status, r.Attempts)));
    }

    [Fact]
    public async Task TransientFailures_AreRetriedWithBackoff_UntilDelivered()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        await h.RuleAsync(SignalRule(channels: ["slack"]));
        h.Slack.Then(FakeAlertService.Slack.RollupError, new FakeResponse(503, "upstream connect error"));
        var report = await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(), "m2"), Token);
        var delivery = Assert.Single(report.Deliveries);
        Assert.Equal((AlertDeliveryAction.Delivered, 3, (int?)200), (delivery.Action, delivery.Attempts, delivery.HttpStatus));
        var requests = h.Slack.Requests.ToList();
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal(requests[0].Body, r.Body));

        // Waits with jitter 0.5 and base 20 ms: 15 ms, then 30 ms (at least half of each is always waited).
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromMilliseconds(10), "waited before the second attempt");
        Assert.True(requests[2].At - requests[1].At >= TimeSpan.FromMilliseconds(25), "waited longer before the third attempt");
    }

    [Fact]
    public async Task RateLimits_WaitAsLongAsAsked()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        await h.RuleAsync(SignalRule(channels: ["discord", "telegram"]));
        h.Discord.Then(FakeAlertService.Discord.RateLimited(1));
        h.Telegram.Then(FakeAlertService.Telegram.TooManyRequests(1));
        var report = await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(), "m3"), Token);
        Assert.Equal(2, report.Delivered);
        foreach (var service in new[] { h.Discord, h.Telegram })
        {
            var requests = service.Requests.ToList();
            Assert.Equal(2, requests.Count);
            Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromMilliseconds(950), $"waited {(requests[1].At - requests[0].At).TotalMilliseconds} ms after a 429 asking for 1 s");
        }
    }

    [Fact]
    public async Task PermanentFailures_AreNotRetried_AndAreDeadLettered_WhileOtherChannelsDeliver()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        await h.RuleAsync(SignalRule());
        h.Discord.Then(FakeAlertService.Discord.UnknownWebhook);
        h.Telegram.Then(FakeAlertService.Telegram.ChatNotFound);
        h.Slack.Then(FakeAlertService.Slack.InvalidPayload);
        var report = await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(), "m4"), Token);
        Assert.Equal((1, 3), (report.Delivered, report.Failed));
        Assert.Single(h.Discord.Requests);
        Assert.Single(h.Telegram.Requests);
        Assert.Single(h.Slack.Requests);
        Assert.Contains("discord: permanent: 404 Unknown Webhook (code 10015)", report.ToLogLine(), StringComparison.Ordinal);

        var dead = await h.Log.QueryDeadLettersAsync(DateTimeOffset.FromUnixTimeMilliseconds(T0 - 1000), DateTimeOffset.FromUnixTimeMilliseconds(T0 + 1000), 100, Token);
        Assert.Equal(["discord", "slack", "telegram"], dead.Select(d => d.ChannelId).Order(StringComparer.Ordinal));
        var discord = dead.Single(d => d.ChannelId == "discord");
        Assert.Equal(("permanent", "404 Unknown Webhook (code 10015)", 404, 1, "m4"), (discord.Reason, discord.Detail, discord.HttpStatus, discord.Attempts, discord.MessageId));
        Assert.Contains("\"type\":\"signal\"", discord.Message, StringComparison.Ordinal);
        Assert.Equal("400 Bad Request: chat not found", dead.Single(d => d.ChannelId == "telegram").Detail);

        // Failed is final: the message delivered again sends nothing more.
        await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(), "m4", DequeueCount: 2), Token);
        Assert.Single(h.Discord.Requests);
    }

    [Fact]
    public async Task AServerThatNeverAnswers_IsTriedMaxAttemptsTimes_ThenDeadLettered()
    {
        await using var h = await AlertHarness.StartAsync(azurite, AlertHarness.TestOptions with { AttemptTimeout = TimeSpan.FromMilliseconds(300) });
        await h.RuleAsync(SignalRule(channels: ["webhook"]));
        h.Webhook.Default = _ => FakeResponse.Never;
        var report = await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(), "m5"), Token);
        var delivery = Assert.Single(report.Deliveries);
        Assert.Equal((AlertDeliveryAction.Failed, AlertDeliveryStatus.Failed, 3), (delivery.Action, delivery.Status, delivery.Attempts));
        Assert.Equal("exhausted: gave up after 3 attempts; the last: no answer within 0.3 s", delivery.Reason);
        Assert.Equal(3, h.Webhook.Requests.Count);
        var dead = Assert.Single(await h.Log.QueryDeadLettersAsync(DateTimeOffset.FromUnixTimeMilliseconds(T0), DateTimeOffset.FromUnixTimeMilliseconds(T0), 10, Token));
        Assert.Equal(("exhausted", 3), (dead.Reason, dead.Attempts));
    }

    [Fact]
    public async Task ARetryAfterLongerThanAllowed_EndsTheDelivery()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        await h.RuleAsync(SignalRule(channels: ["slack"]));
        h.Slack.Then(FakeAlertService.Slack.RateLimited(120));
        var delivery = Assert.Single((await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(), "m6"), Token)).Deliveries);
        Assert.Equal("exhausted: the service asked to wait 120 s, longer than MaxRetryAfter (5 s), after attempt 1: 429 rate_limited", delivery.Reason);
        Assert.Single(h.Slack.Requests);
    }

    [Fact]
    public async Task Cooldown_SuppressesTheSameRuleAndSymbolWithinItsWindow_Deterministically()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        await h.RuleAsync(SignalRule(channels: ["slack"], cooldown: 600));
        Assert.Equal(1, (await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(time: T0), "a"), Token)).Delivered);
        var within = await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(kind: SignalKind.ShortEntry, time: T0 + 60_000), "b"), Token);
        var suppressed = Assert.Single(within.Deliveries);
        Assert.Equal(AlertDeliveryAction.Suppressed, suppressed.Action);
        Assert.Equal("cooldown: rule 'trend' alerted for BTCUSD at 2026-01-01T00:00:00Z (alert trend|BTCUSD|ema-cross|1m|LongEntry|1767225600000), within its cooldown of 600 s", suppressed.Reason);
        Assert.Equal(1, (await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(time: T0 + 700_000), "c"), Token)).Delivered);

        // Redeliveries replay the recorded decisions.
        Assert.Equal(AlertDeliveryAction.AlreadyDone, Assert.Single((await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(kind: SignalKind.ShortEntry, time: T0 + 60_000), "b"), Token)).Deliveries).Action);
        Assert.Equal(AlertDeliveryAction.AlreadyDone, Assert.Single((await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(time: T0), "a"), Token)).Deliveries).Action);
        Assert.Equal(2, h.Slack.Requests.Count);
        var suppressedRows = await h.Log.QueryAsync(new AlertDeliveryQuery { From = DateTimeOffset.FromUnixTimeMilliseconds(T0), To = DateTimeOffset.FromUnixTimeMilliseconds(T0 + 3_600_000), Status = AlertDeliveryStatus.Suppressed }, Token);
        Assert.Equal(T0 + 60_000, Assert.Single(suppressedRows).AlertTime);
    }

    [Fact]
    public async Task DeliveriesFoundMidway_AreResumed_LeftToTheirOwner_OrFailedAsUnknown()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        await h.RuleAsync(SignalRule());
        var alertId = "trend|BTCUSD|ema-cross|1m|LongEntry|1767225600000";
        var now = DateTimeOffset.UtcNow;
        AlertDeliveryRecord Row(string channel, AlertDeliveryStatus status, int attempts, DateTimeOffset? lease) => new()
        {
            AlertId = alertId,
            ChannelId = channel,
            RuleId = "trend",
            Symbol = "BTCUSD",
            AlertTime = T0,
            Status = status,
            Attempts = attempts,
            LeaseUntil = lease,
            Reason = "503",
            CreatedAt = now,
            UpdatedAt = now,
        };

        // An invocation died during an attempt (lease over): the outcome is unknown, so it is not sent again.
        await h.Log.CreateAsync(Row("discord", AlertDeliveryStatus.Sending, 1, now.AddSeconds(-30)), Token);
        // Another invocation is sending right now (lease ahead): left to it.
        await h.Log.CreateAsync(Row("slack", AlertDeliveryStatus.Sending, 1, now.AddMinutes(5)), Token);
        // An invocation died while waiting to retry: resumed, its attempts counted.
        await h.Log.CreateAsync(Row("telegram", AlertDeliveryStatus.Waiting, 1, now.AddSeconds(-1)), Token);
        // Still pending: sent.
        Assert.True((await h.Log.CreateAsync(Row("webhook", AlertDeliveryStatus.Pending, 0, null), Token)).Created);
        Assert.False((await h.Log.CreateAsync(Row("webhook", AlertDeliveryStatus.Skipped, 0, null), Token)).Created);

        var report = await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(), "m7", DequeueCount: 2), Token);
        var byChannel = report.Deliveries.ToDictionary(d => d.ChannelId);
        Assert.Equal((AlertDeliveryAction.Failed, AlertDeliveryStatus.Failed), (byChannel["discord"].Action, byChannel["discord"].Status));
        Assert.StartsWith("unknown-outcome: attempt 1 was interrupted before its answer was recorded", byChannel["discord"].Reason, StringComparison.Ordinal);
        Assert.Equal(AlertDeliveryAction.Elsewhere, byChannel["slack"].Action);
        Assert.Equal((AlertDeliveryAction.Delivered, 2), (byChannel["telegram"].Action, byChannel["telegram"].Attempts));
        Assert.Equal((AlertDeliveryAction.Delivered, 1), (byChannel["webhook"].Action, byChannel["webhook"].Attempts));
        Assert.Empty(h.Discord.Requests);
        Assert.Empty(h.Slack.Requests);
        Assert.Single(h.Telegram.Requests);
        Assert.Equal("unknown-outcome", Assert.Single(await h.Log.QueryDeadLettersAsync(DateTimeOffset.FromUnixTimeMilliseconds(T0), DateTimeOffset.FromUnixTimeMilliseconds(T0), 10, Token)).Reason);
    }

    [Fact]
    public async Task BadMessagesAndUnknownRules_AreDeadLetteredWithTheirReasons()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        var inserted = DateTimeOffset.UtcNow;
        var bad = await h.Dispatcher.ProcessAsync(new AlertQueueMessage("""{"type":"alert","symbol":"BTCUSD","time":"yesterday"}""", "bad-1", inserted), Token);
        Assert.Equal(["ruleId is required: 1 to 64 letters, digits, '.', '_' or '-'", "time must be Unix milliseconds (a whole number from 0) or an ISO 8601 time from 1970; got 'yesterday'"], bad.Problems.Select(p => p.Message));
        Assert.StartsWith("DeliverAlert message bad-1: dead-lettered: ruleId is required", bad.ToLogLine(), StringComparison.Ordinal);
        var unknown = await h.Dispatcher.ProcessAsync(new AlertQueueMessage(AlertCandidate.ForRule("gone", "BTCUSD", T0).ToQueueMessage(), "bad-2", inserted), Token);
        Assert.Equal("ruleId must name an existing rule; got 'gone'", Assert.Single(unknown.Problems).Message);
        var dead = await h.Log.QueryDeadLettersAsync(inserted.AddMinutes(-1), inserted.AddMinutes(1), 10, Token);
        Assert.Equal([("bad-message", "bad-1"), ("unknown-rule", "bad-2")], dead.Select(d => (d.Reason, d.MessageId!)).Order());
        Assert.All(dead, d => Assert.Null(d.AlertId));
    }

    [Fact]
    public async Task ASignalNoRuleTakes_RecordsNothing()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        await h.RuleAsync(SignalRule());
        var report = await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(kind: SignalKind.LongExit), "m8"), Token);
        Assert.Equal(0, report.Matched);
        Assert.EndsWith("no alert (no enabled signal rule takes it)", report.ToLogLine()[..report.ToLogLine().LastIndexOf(';')], StringComparison.Ordinal);
        Assert.Empty(await h.Log.QueryAsync(new AlertDeliveryQuery { From = DateTimeOffset.FromUnixTimeMilliseconds(T0), To = DateTimeOffset.FromUnixTimeMilliseconds(T0) }, Token));
    }

    [Fact]
    public async Task DisabledAndVanishedChannels_AreSkippedWithAReason()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        await h.RuleAsync(SignalRule(channels: ["slack", "telegram", "webhook"]));
        var telegram = (await h.Store.GetChannelAsync("telegram", Token)).Item!;
        await h.Store.UpdateChannelAsync(telegram.Value with { Enabled = false }, null, Token);
        await h.Tables.GetTableClient(h.Names.Channels).DeleteEntityAsync(AlertNames.ChannelsPartition, "webhook", cancellationToken: Token);
        var report = await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(), "m9"), Token);
        var byChannel = report.Deliveries.ToDictionary(d => d.ChannelId);
        Assert.Equal(AlertDeliveryAction.Delivered, byChannel["slack"].Action);
        Assert.Equal((AlertDeliveryAction.Skipped, "channel 'telegram' is disabled"), (byChannel["telegram"].Action, byChannel["telegram"].Reason));
        Assert.Equal((AlertDeliveryAction.Skipped, "channel 'webhook' does not exist"), (byChannel["webhook"].Action, byChannel["webhook"].Reason));
        Assert.Empty(h.Telegram.Requests);
    }

    [Fact]
    public async Task APriceCrossingFoundByAScan_IsDeliveredAsAnAlertCandidate()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        var rule = await h.RuleAsync(new AlertRule
        {
            Id = "btc-100k",
            Name = "BTC 100k",
            Condition = new PriceCrossingCondition { Symbol = "BTCUSD", Level = 100_000, Direction = CrossingDirection.Above },
            ChannelIds = ["webhook", "slack"],
        });
        h.Slack.Default = _ => FakeAlertService.Slack.Ok;
        var candidate = AlertEvaluator.Evaluate(rule, 99_950, 100_012.5, T0)!;
        var message = new AlertQueueMessage(candidate.ToQueueMessage(), "scan-1");
        Assert.Equal(2, (await h.Dispatcher.ProcessAsync(message, Token)).Delivered);
        Assert.Equal(0, (await h.Dispatcher.ProcessAsync(message, Token)).Delivered);
        var body = (await h.Webhook.SingleAsync()).Json;
        Assert.Equal("btc-100k|BTCUSD|1767225600000", body.GetProperty("id").GetString());
        Assert.Equal("BTCUSD crossed above 100000 (close 100012.5, before 99950)", body.GetProperty("text").GetString());
        Assert.Equal(100000, body.GetProperty("values").GetProperty("level").GetDouble());
        Assert.Equal(100012.5, body.GetProperty("price").GetDouble());
    }

    [Fact]
    public async Task ATargetThatResolvesToLoopback_IsRefusedByTheStrictSender()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        var url = $"https://hooks.example.test:{h.Slack.Port}/services/x";
        Assert.True((await h.Store.CreateChannelAsync(new AlertChannel { Id = "named", Kind = AlertChannelKind.Slack, Url = url }, Token)).Succeeded);
        await h.RuleAsync(SignalRule(channels: ["named"]));
        using var strict = new AlertSender(new AlertDeliveryOptions { Resolver = (_, _) => Task.FromResult(new[] { IPAddress.Loopback }) });
        var delivery = Assert.Single((await h.NewDispatcher(strict).ProcessAsync(new AlertQueueMessage(Signal(), "m10"), Token)).Deliveries);
        Assert.Equal(AlertDeliveryAction.Failed, delivery.Action);
        Assert.StartsWith("refused: host 'hooks.example.test' resolves to 127.0.0.1, which must not point to a loopback address", delivery.Reason, StringComparison.Ordinal);
        Assert.Empty(h.Slack.Requests);
    }

    [Fact]
    public async Task TheDeliveryLog_ListsNewestFirst_WithFilters()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        await h.RuleAsync(SignalRule(channels: ["slack", "discord"]));
        await h.RuleAsync(SignalRule("trend-2", ["slack"]) with { Condition = new SignalCondition { Symbols = ["ETHUSD"] } });
        h.Discord.Default = _ => FakeAlertService.Discord.UnknownWebhook;
        await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(time: T0), "l1"), Token);
        await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal(time: T0 + 86_400_000 + 60_000), "l2"), Token);
        await h.Dispatcher.ProcessAsync(new AlertQueueMessage(Signal("ETHUSD", SignalKind.ShortExit, T0 + 120_000), "l3"), Token);
        var range = new AlertDeliveryQuery { From = DateTimeOffset.FromUnixTimeMilliseconds(T0), To = DateTimeOffset.FromUnixTimeMilliseconds(T0 + (2 * 86_400_000)) };

        var all = await h.Log.QueryAsync(range, Token);
        Assert.Equal(5, all.Count);
        Assert.Equal(all.Select(r => r.AlertTime).OrderDescending(), all.Select(r => r.AlertTime));
        Assert.Equal(2, (await h.Log.QueryAsync(range with { Status = AlertDeliveryStatus.Failed }, Token)).Count);
        Assert.Equal(["trend-2"], (await h.Log.QueryAsync(range with { Symbol = "ETHUSD" }, Token)).Select(r => r.RuleId));
        Assert.Equal(3, (await h.Log.QueryAsync(range with { ChannelId = "slack" }, Token)).Count);
        Assert.Equal(4, (await h.Log.QueryAsync(range with { RuleId = "trend" }, Token)).Count);
        Assert.Single(await h.Log.QueryAsync(range with { Limit = 1 }, Token));
        Assert.Equal(2, (await h.Log.QueryAsync(range with { To = DateTimeOffset.FromUnixTimeMilliseconds(T0 + 120_000) }, Token)).Count(r => r.AlertTime == T0));
        Assert.Throws<ArgumentException>(() => h.Log.QueryAsync(range with { From = range.To!.Value.AddDays(1) }, Token).GetAwaiter().GetResult());
        Assert.Throws<ArgumentOutOfRangeException>(() => h.Log.QueryAsync(range with { Limit = 0 }, Token).GetAwaiter().GetResult());
    }
}
