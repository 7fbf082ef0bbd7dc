using SigmaFlow.Platform.Alerts;
using SigmaFlow.Platform.Alerts.Delivery;
using SigmaFlow.Platform.Alerts.Storage;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Alerts;

/// <summary>
/// The alerts feature against Azurite (its own set of tables, behind a unique prefix) and four local servers answering
/// as Discord, Slack, Telegram and a generic receiver, with a channel for each.
/// </summary>
public sealed class AlertHarness : IAsyncDisposable
{
    public const string BotToken = "123456789:AAEhBP0av28XyzAbCdEfGhIjKlMnOpQrStU";
    public const string Secret = "whsec-0123456789abcdef";

    private AlertHarness(TableServiceClient tables, AlertTables names, AlertDeliveryOptions options, FakeAlertService discord, FakeAlertService slack, FakeAlertService telegram, FakeAlertService webhook)
    {
        Tables = tables;
        Names = names;
        Options = options;
        Discord = discord;
        Slack = slack;
        Telegram = telegram;
        Webhook = webhook;
        Store = new AlertStore(tables, options.Policy, tables: names);
        Cooldowns = new AlertCooldowns(tables, tables: names);
        Sender = new AlertSender(options);
        Dispatcher = NewDispatcher();
    }

    public TableServiceClient Tables { get; }

    public AlertTables Names { get; }

    public AlertDeliveryOptions Options { get; }

    public FakeAlertService Discord { get; }

    public FakeAlertService Slack { get; }

    public FakeAlertService Telegram { get; }

    public FakeAlertService Webhook { get; }

    public AlertStore Store { get; }

    public AlertCooldowns Cooldowns { get; }

    public AlertSender Sender { get; }

    public AlertDispatcher Dispatcher { get; }

    public AlertDeliveryLog Log => Store.Deliveries;

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public static AlertDeliveryOptions TestOptions => new()
    {
        AllowLocalTargets = true,
        MaxAttempts = 3,
        BaseDelay = TimeSpan.FromMilliseconds(20),
        MaxDelay = TimeSpan.FromMilliseconds(100),
        MaxRetryAfter = TimeSpan.FromSeconds(5),
        AttemptTimeout = TimeSpan.FromSeconds(3),
        LeaseMargin = TimeSpan.FromSeconds(2),
    };

    public static async Task<AlertHarness> StartAsync(AzuriteEmulator azurite, AlertDeliveryOptions? options = null)
    {
        var connection = azurite.ConnectionString;
        var discord = await FakeAlertService.StartAsync();
        var slack = await FakeAlertService.StartAsync();
        var telegram = await FakeAlertService.StartAsync();
        var webhook = await FakeAlertService.StartAsync();
        discord.Default = _ => FakeAlertService.Discord.NoContent;
        slack.Default = _ => FakeAlertService.Slack.Ok;
        telegram.Default = _ => FakeAlertService.Telegram.Sent;
        webhook.Default = _ => new FakeResponse(200, """{"received":true}""");
        var settings = (options ?? TestOptions) with { TelegramApiBase = telegram.BaseAddress };
        var harness = new AlertHarness(new TableServiceClient(connection), AlertTables.WithPrefix("t" + Guid.NewGuid().ToString("N")[..12]), settings, discord, slack, telegram, webhook);
        foreach (var channel in harness.AllChannels())
        {
            var created = await harness.Store.CreateChannelAsync(channel, Token);
            Assert.True(created.Succeeded, created.Message);
        }

        return harness;
    }

    public IEnumerable<AlertChannel> AllChannels() =>
    [
        new AlertChannel { Id = "discord", Name = "Discord", Kind = AlertChannelKind.Discord, Url = new Uri(Discord.BaseAddress, "api/webhooks/1234/tok").AbsoluteUri },
        new AlertChannel { Id = "slack", Name = "Slack", Kind = AlertChannelKind.Slack, Url = new Uri(Slack.BaseAddress, "services/T0/B0/XYZ").AbsoluteUri },
        new AlertChannel { Id = "telegram", Name = "Telegram", Kind = AlertChannelKind.Telegram, BotToken = BotToken, ChatId = "-1001234567890" },
        new AlertChannel { Id = "webhook", Name = "Receiver", Kind = AlertChannelKind.Webhook, Url = new Uri(Webhook.BaseAddress, "hooks/alerts").AbsoluteUri, Secret = Secret },
    ];

    public AlertDispatcher NewDispatcher(AlertSender? sender = null) => new(Store, Cooldowns, sender ?? Sender, Options, jitter: () => 0.5);

    public async Task<AlertRule> RuleAsync(AlertRule rule)
    {
        var created = await Store.CreateRuleAsync(rule, Token);
        Assert.True(created.Succeeded, created.Message);
        return rule;
    }

    public async ValueTask DisposeAsync()
    {
        Sender.Dispose();
        await Discord.DisposeAsync();
        await Slack.DisposeAsync();
        await Telegram.DisposeAsync();
        await Webhook.DisposeAsync();
        foreach (var table in new[] { Names.Rules, Names.Channels, Names.Deliveries, Names.DeadLetters, Names.Cooldowns })
        {
            await Tables.DeleteTableAsync(table, CancellationToken.None);
        }
    }
}
