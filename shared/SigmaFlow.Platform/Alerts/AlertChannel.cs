using System.Text.Json.Serialization;

namespace SigmaFlow.Platform.Alerts;

/// <summary>Where a channel delivers.</summary>
[JsonConverter(typeof(AlertEnumConverter<AlertChannelKind>))]
public enum AlertChannelKind
{
    /// <summary>A Discord webhook (<c>https://discord.com/api/webhooks/{id}/{token}</c>): a message with one embed.</summary>
    Discord,

    /// <summary>A Slack incoming webhook (<c>https://hooks.slack.com/services/…</c>): a message with blocks.</summary>
    Slack,

    /// <summary>A Telegram chat, through the Bot API's <c>sendMessage</c> with a bot token and a chat id.</summary>
    Telegram,

    /// <summary>Any HTTPS endpoint: a JSON body signed with HMAC-SHA256 (<see cref="AlertNames.SignatureHeader"/>).</summary>
    Webhook,
}

/// <summary>How Telegram reads a message's text.</summary>
[JsonConverter(typeof(AlertEnumConverter<TelegramParseMode>))]
public enum TelegramParseMode
{
    /// <summary>Telegram's HTML subset (<c>&lt;b&gt;</c>, <c>&lt;i&gt;</c>, <c>&lt;code&gt;</c>, <c>&lt;a href&gt;</c>); values are HTML-escaped.</summary>
    Html,

    /// <summary>Telegram's MarkdownV2; values have every reserved character escaped with a backslash.</summary>
    MarkdownV2,

    /// <summary>Plain text.</summary>
    None,
}

/// <summary>
/// A destination for alerts. Which members apply depends on <see cref="Kind"/>: Discord, Slack and generic webhooks
/// use <see cref="Url"/> (generic webhooks also <see cref="Secret"/>), Telegram uses <see cref="BotToken"/> and
/// <see cref="ChatId"/>. Webhook URLs, bot tokens and secrets are credentials: <see cref="Redacted"/> hides them.
/// </summary>
public sealed record AlertChannel
{
    /// <summary>Id: 1–64 letters, digits, <c>.</c>, <c>_</c> or <c>-</c>.</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>Display name (optional, at most 100 characters).</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Where it delivers.</summary>
    public AlertChannelKind Kind { get; init; }

    /// <summary>Whether alerts are sent to it (default true); deliveries to a disabled channel are logged as skipped.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The webhook URL (Discord, Slack, generic webhook): HTTPS, at most 2,048 characters.</summary>
    public string? Url { get; init; }

    /// <summary>The Telegram bot token (<c>123456789:AA…</c>).</summary>
    public string? BotToken { get; init; }

    /// <summary>The Telegram chat: a numeric id (<c>-1001234567890</c>) or a public channel's <c>@username</c>.</summary>
    public string? ChatId { get; init; }

    /// <summary>How Telegram reads the text (default HTML).</summary>
    public TelegramParseMode ParseMode { get; init; } = TelegramParseMode.Html;

    /// <summary>The signing secret of a generic webhook: 16 to 256 characters.</summary>
    public string? Secret { get; init; }

    /// <summary>
    /// The message text with placeholders (<c>{symbol}</c>, <c>{price}</c>, …; see <see cref="Delivery.AlertTemplate"/>), or
    /// null for the default. Literal text is taken as the channel's markup (Markdown, mrkdwn, Telegram HTML); values are
    /// escaped for it.
    /// </summary>
    public string? Template { get; init; }

    /// <summary>The channel with its credentials hidden: URL reduced to scheme, host and first path segment, token and secret replaced by <c>***</c>.</summary>
    /// <returns>A copy safe to show and log.</returns>
    public AlertChannel Redacted() => this with
    {
        Url = Url is null ? null : Safety.AlertTargetPolicy.Describe(Url),
        BotToken = BotToken is null ? null : "***",
        Secret = Secret is null ? null : "***",
    };
}
