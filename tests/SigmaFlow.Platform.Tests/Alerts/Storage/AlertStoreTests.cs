using SigmaFlow.Platform.Alerts;
using SigmaFlow.Platform.Alerts.Storage;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Alerts.Storage;

/// <summary>Rules and channels on Azurite: create, read, list, update, delete, with validation and ETags as values.</summary>
public sealed class AlertStoreTests(AzuriteEmulator azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static AlertRule Rule(string id = "btc-100k") => new()
    {
        Id = id,
        Name = "BTC 100k",
        Condition = new PriceCrossingCondition { Symbol = "BTCUSD", Level = 100_000, Direction = CrossingDirection.Above },
        ChannelIds = ["discord", "slack"],
        CooldownSeconds = 300,
    };

    [Fact]
    public async Task Rules_CreateReadListUpdateDelete()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        var created = await h.Store.CreateRuleAsync(Rule(), Token);
        Assert.Equal(AlertStoreStatus.Created, created.Status);
        Assert.NotEmpty(created.Item!.ETag);

        var read = await h.Store.GetRuleAsync("btc-100k", Token);
        Assert.Equal(AlertStoreStatus.Ok, read.Status);
        Assert.Equal(Rule().Condition, read.Item!.Value.Condition);
        Assert.Equal(Rule().ChannelIds, read.Item.Value.ChannelIds);
        Assert.Equal(created.Item.ETag, read.Item.ETag);

        Assert.Equal(AlertStoreStatus.Conflict, (await h.Store.CreateRuleAsync(Rule(), Token)).Status);
        await h.RuleAsync(Rule("a-second") with { Condition = new SignalCondition { Strategy = "ema-cross" } });
        var list = await h.Store.ListRulesAsync(Token);
        Assert.Equal(["a-second", "btc-100k"], list.Items.Select(i => i.Value.Id));
        Assert.Empty(list.Unreadable);

        var updated = await h.Store.UpdateRuleAsync(Rule() with { Enabled = false, Name = "Renamed" }, read.Item.ETag, Token);
        Assert.Equal(AlertStoreStatus.Ok, updated.Status);
        Assert.Equal(created.Item.CreatedAt, updated.Item!.CreatedAt);
        var stale = await h.Store.UpdateRuleAsync(Rule() with { Name = "Late" }, read.Item.ETag, Token);
        Assert.Equal(AlertStoreStatus.PreconditionFailed, stale.Status);
        Assert.Equal("the rule 'btc-100k' changed since it was read (ETag mismatch); read it again and retry.", stale.Message);
        Assert.Equal("Renamed", (await h.Store.GetRuleAsync("btc-100k", Token)).Item!.Value.Name);

        Assert.Equal(AlertStoreStatus.PreconditionFailed, (await h.Store.DeleteRuleAsync("btc-100k", read.Item.ETag, Token)).Status);
        Assert.Equal(AlertStoreStatus.Deleted, (await h.Store.DeleteRuleAsync("btc-100k", updated.Item.ETag, Token)).Status);
        Assert.Equal(AlertStoreStatus.NotFound, (await h.Store.GetRuleAsync("btc-100k", Token)).Status);
        Assert.Equal(AlertStoreStatus.NotFound, (await h.Store.DeleteRuleAsync("btc-100k", null, Token)).Status);
        Assert.Equal(AlertStoreStatus.NotFound, (await h.Store.UpdateRuleAsync(Rule("never"), null, Token)).Status);
        Assert.Equal("no rule with id 'bad id'.", (await h.Store.GetRuleAsync("bad id", Token)).Message);
    }

    [Fact]
    public async Task CreateRule_Invalid_ReturnsEveryProblem_IncludingUnknownChannels()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        var result = await h.Store.CreateRuleAsync(Rule() with { Condition = new ExpressionCondition { Symbol = "BTCUSD", Expression = "rsi(14) >" }, ChannelIds = ["discord", "nowhere"] }, Token);
        Assert.Equal(AlertStoreStatus.Invalid, result.Status);
        Assert.Equal(
            ["condition.expression", "channelIds[1]"],
            result.Problems.Select(p => p.Field));
        Assert.Equal("channelIds[1] must be the id of an existing channel; got 'nowhere'", result.Problems[1].Message);
        Assert.StartsWith("condition.expression is not a valid condition: column 10:", result.Problems[0].Message, StringComparison.Ordinal);
        Assert.Empty((await h.Store.ListRulesAsync(Token)).Items);
    }

    [Fact]
    public async Task Channels_CrudWithValidation_AndAChannelInUseCannotBeDeleted()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        var channels = await h.Store.ListChannelsAsync(Token);
        Assert.Equal(["discord", "slack", "telegram", "webhook"], channels.Items.Select(c => c.Value.Id));
        Assert.Equal(AlertHarness.BotToken, channels.Items.Single(c => c.Value.Id == "telegram").Value.BotToken);

        var invalid = await h.Store.CreateChannelAsync(new AlertChannel { Id = "x", Kind = AlertChannelKind.Webhook, Url = "http://169.254.169.254/latest" }, Token);
        Assert.Equal(AlertStoreStatus.Invalid, invalid.Status);
        Assert.Equal(["url", "secret"], invalid.Problems.Select(p => p.Field));

        await h.RuleAsync(Rule());
        var refused = await h.Store.DeleteChannelAsync("slack", null, Token);
        Assert.Equal(AlertStoreStatus.Conflict, refused.Status);
        Assert.Equal("channel 'slack' is used by rule 'btc-100k'; remove it from them first.", refused.Message);

        var telegram = (await h.Store.GetChannelAsync("telegram", Token)).Item!;
        var updated = await h.Store.UpdateChannelAsync(telegram.Value with { Enabled = false, ParseMode = TelegramParseMode.None }, telegram.ETag, Token);
        Assert.Equal(AlertStoreStatus.Ok, updated.Status);
        Assert.False((await h.Store.GetChannelAsync("telegram", Token)).Item!.Value.Enabled);
        Assert.Equal(AlertStoreStatus.Invalid, (await h.Store.UpdateChannelAsync(telegram.Value with { ChatId = "not a chat" }, null, Token)).Status);
        Assert.Equal(AlertStoreStatus.Deleted, (await h.Store.DeleteChannelAsync("telegram", null, Token)).Status);
    }

    [Fact]
    public async Task Store_WithTheStrictPolicy_RefusesLocalWebhooks()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        var strict = new AlertStore(h.Tables, tables: h.Names);
        var result = await strict.CreateChannelAsync(new AlertChannel { Id = "local", Kind = AlertChannelKind.Slack, Url = "http://127.0.0.1:9/hook" }, Token);
        Assert.Equal("url must use https (plain http is allowed only with the local development setting AlertsAllowLocalTargets); got 'http://127.0.0.1:9/hook'", Assert.Single(result.Problems).Message);
    }

    [Fact]
    public async Task ListRules_SkipsAnUnreadableRow_AndSaysWhich()
    {
        await using var h = await AlertHarness.StartAsync(azurite);
        await h.RuleAsync(Rule());
        await h.Tables.GetTableClient(h.Names.Rules).UpsertEntityAsync(new Platform.Azure.Tables.TableEntity(AlertNames.RulesPartition, "broken") { ["definition"] = "{not json" }, cancellationToken: Token);
        var list = await h.Store.ListRulesAsync(Token);
        Assert.Equal(["btc-100k"], list.Items.Select(i => i.Value.Id));
        var (id, reason) = Assert.Single(list.Unreadable);
        Assert.Equal("broken", id);
        Assert.StartsWith("(body) is not valid JSON", reason, StringComparison.Ordinal);
    }
}
