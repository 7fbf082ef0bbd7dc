using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Alerts.Safety;

namespace SigmaFlow.Platform.Alerts.Delivery;

/// <summary>One alert shaped for one channel: where it goes and the exact JSON body; generic webhooks are signed per attempt.</summary>
/// <param name="Kind">The channel's kind (decides how answers are read).</param>
/// <param name="Target">Where it is POSTed (a credential: show <see cref="TargetDescription"/> instead).</param>
/// <param name="Body">The UTF-8 JSON body, the same on every attempt.</param>
/// <param name="SigningSecret">The generic webhook's secret, or null.</param>
/// <param name="AlertId">The alert id (sent in <see cref="AlertNames.AlertIdHeader"/> to generic webhooks).</param>
/// <param name="Text">The main text as rendered (kept in the delivery log).</param>
public sealed record AlertPayload(AlertChannelKind Kind, Uri Target, byte[] Body, string? SigningSecret, string AlertId, string Text)
{
    /// <summary>The target with its secrets hidden.</summary>
    public string TargetDescription => AlertTargetPolicy.Describe(Target);

    /// <summary>The body as text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <inheritdoc />
    public override string ToString() => $"{Kind} alert {AlertId} to {TargetDescription} ({Body.Length} bytes)";
}

/// <summary>
/// Shapes an <see cref="AlertMessage"/> for each kind of channel (pure): Discord (one embed), Slack (blocks), Telegram
/// (<c>sendMessage</c> with a parse mode) and generic webhooks (a JSON document). Texts are cut to each service's
/// limits; values are escaped for each service's markup.
/// </summary>
public static class AlertPayloads
{
    /// <summary>Discord embed colour of long entries and short exits.</summary>
    public const int Green = 0x2ECC71;

    /// <summary>Discord embed colour of short entries and long exits.</summary>
    public const int Red = 0xE74C3C;

    /// <summary>Discord embed colour of other alerts.</summary>
    public const int Blue = 0x3498DB;

    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Builds the payload of a message for a channel.</summary>
    /// <param name="channel">The channel (validated).</param>
    /// <param name="message">The message.</param>
    /// <param name="options">Delivery settings (the Telegram API's address).</param>
    /// <returns>The payload.</returns>
    /// <exception cref="ArgumentException">The channel lacks what its kind needs (a URL, a token).</exception>
    public static AlertPayload Build(AlertChannel channel, AlertMessage message, AlertDeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);
        return channel.Kind switch
        {
            AlertChannelKind.Discord => Discord(channel, message),
            AlertChannelKind.Slack => Slack(channel, message),
            AlertChannelKind.Telegram => Telegram(channel, message, options.TelegramApiBase),
            AlertChannelKind.Webhook => Webhook(channel, message),
            _ => throw new ArgumentException($"channel '{channel.Id}' has an unknown kind {channel.Kind}.", nameof(channel)),
        };
    }

    /// <summary>
    /// Discord: <c>{"username":"SigmaFlow","embeds":[{"title","description","color","timestamp","fields":[{"name","value","inline"}],"footer":{"text"}}],"allowed_mentions":{"parse":[]}}</c>
    /// (title ≤ 256, description ≤ 4,096, ≤ 25 fields of ≤ 256/1,024 characters; no mentions ever ping).
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="message">The message.</param>
    /// <returns>The payload.</returns>
    public static AlertPayload Discord(AlertChannel channel, AlertMessage message)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(message);
        var text = Cut(channel.Template is { } template ? AlertTemplate.Render(template, message, EscapeDiscord) : EscapeDiscord(message.Text), 4000);
        var body = Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("username", "SigmaFlow");
            json.WriteStartArray("embeds");
            json.WriteStartObject();
            json.WriteString("title", Cut(message.RuleName, 256));
            json.WriteString("description", text);
            json.WriteNumber("color", Colour(message));
            json.WriteString("timestamp", message.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteStartArray("fields");
            foreach (var (name, value) in message.Fields.Take(25))
            {
                json.WriteStartObject();
                json.WriteString("name", Cut(name, 256));
                json.WriteString("value", Cut(value.Length == 0 ? "-" : EscapeDiscord(value), 1024));
                json.WriteBoolean("inline", true);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("footer");
            json.WriteString("text", Cut("alert " + message.AlertId, 2048));
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartObject("allowed_mentions");
            json.WriteStartArray("parse");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        });
        return new AlertPayload(AlertChannelKind.Discord, Url(channel), body, null, message.AlertId, text);
    }

    /// <summary>
    /// Slack: <c>{"text": fallback, "blocks":[header, section (mrkdwn text), section (fields), context (time and alert id)]}</c>
    /// (header ≤ 150, text ≤ 3,000, ≤ 10 fields of ≤ 2,000 characters; values escaped <c>&amp; &lt; &gt;</c>).
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="message">The message.</param>
    /// <returns>The payload.</returns>
    public static AlertPayload Slack(AlertChannel channel, AlertMessage message)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(message);
        var text = Cut(channel.Template is { } template ? AlertTemplate.Render(template, message, EscapeSlack) : EscapeSlack(message.Text), 3000);
        var body = Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("text", Cut($"{EscapeSlack(message.RuleName)}: {text}", 3000));
            json.WriteStartArray("blocks");

            json.WriteStartObject();
            json.WriteString("type", "header");
            json.WriteStartObject("text");
            json.WriteString("type", "plain_text");
            json.WriteString("text", Cut(message.RuleName, 150));
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartObject();
            json.WriteString("type", "section");
            json.WriteStartObject("text");
            json.WriteString("type", "mrkdwn");
            json.WriteString("text", text);
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartObject();
            json.WriteString("type", "section");
            json.WriteStartArray("fields");
            foreach (var (name, value) in message.Fields.Where(f => f.Key != "Time").Take(10))
            {
                json.WriteStartObject();
                json.WriteString("type", "mrkdwn");
                json.WriteString("text", Cut($"*{EscapeSlack(name)}*\n{(value.Length == 0 ? "-" : EscapeSlack(value))}", 2000));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteStartObject();
            json.WriteString("type", "context");
            json.WriteStartArray("elements");
            json.WriteStartObject();
            json.WriteString("type", "mrkdwn");
            json.WriteString("text", Cut($"{AlertMessage.TimeText(message.Time)} · alert {EscapeSlack(message.AlertId)}", 2000));
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteEndArray();
            json.WriteEndObject();
        });
        return new AlertPayload(AlertChannelKind.Slack, Url(channel), body, null, message.AlertId, text);
    }

    /// <summary>
    /// Telegram: POST <c>{base}/bot{token}/sendMessage</c> with <c>{"chat_id","text","parse_mode","link_preview_options":{"is_disabled":true}}</c>.
    /// Without a template the text is the rule's name in bold, the line, then one line per field; with one, the
    /// template's output is the whole text. At most 4,096 characters.
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="message">The message.</param>
    /// <param name="apiBase">The Bot API's address.</param>
    /// <returns>The payload.</returns>
    public static AlertPayload Telegram(AlertChannel channel, AlertMessage message, Uri apiBase)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(apiBase);
        if (string.IsNullOrEmpty(channel.BotToken) || string.IsNullOrEmpty(channel.ChatId))
        {
            throw new ArgumentException($"telegram channel '{channel.Id}' needs a botToken and a chatId.", nameof(channel));
        }

        Func<string, string> escape = channel.ParseMode switch
        {
            TelegramParseMode.Html => EscapeHtml,
            TelegramParseMode.MarkdownV2 => EscapeMarkdownV2,
            _ => static s => s,
        };
        string Bold(string s) => channel.ParseMode switch
        {
            TelegramParseMode.Html => $"<b>{EscapeHtml(s)}</b>",
            TelegramParseMode.MarkdownV2 => $"*{EscapeMarkdownV2(s)}*",
            _ => s,
        };

        string text;
        if (channel.Template is { } template)
        {
            text = Cut(AlertTemplate.Render(template, message, escape), 4096);
        }
        else
        {
            var builder = new StringBuilder();
            builder.Append(Bold(Cut(message.RuleName, 200))).Append('\n').Append(escape(Cut(message.Text, 3000))).Append('\n');
            foreach (var (name, value) in message.Fields)
            {
                builder.Append('\n').Append(Bold(name)).Append(escape(": ")).Append(escape(Cut(value, 100)));
            }

            text = builder.ToString();
        }

        var body = Json(json =>
        {
            json.WriteStartObject();
            if (long.TryParse(channel.ChatId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var numeric))
            {
                json.WriteNumber("chat_id", numeric);
            }
            else
            {
                json.WriteString("chat_id", channel.ChatId);
            }

            json.WriteString("text", text);
            if (channel.ParseMode != TelegramParseMode.None)
            {
                json.WriteString("parse_mode", channel.ParseMode == TelegramParseMode.Html ? "HTML" : "MarkdownV2");
            }

            json.WriteStartObject("link_preview_options");
            json.WriteBoolean("is_disabled", true);
            json.WriteEndObject();
            json.WriteEndObject();
        });
        var target = new Uri(apiBase.AbsoluteUri.TrimEnd('/') + "/bot" + channel.BotToken + "/sendMessage");
        return new AlertPayload(AlertChannelKind.Telegram, target, body, null, message.AlertId, text);
    }

    /// <summary>
    /// Generic webhook: <c>{"id","type":"alert","rule":{"id","name"},"symbol","time","timeMs","text","price","signal":{…},"values":{…},"channel"}</c>
    /// (<c>signal</c> only for strategy signals: <c>id</c>, <c>strategy</c>, <c>timeframe</c>, <c>kind</c>). The body is the
    /// same on every attempt; the signature headers are added per attempt (<see cref="WebhookSignature"/>).
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="message">The message.</param>
    /// <returns>The payload.</returns>
    public static AlertPayload Webhook(AlertChannel channel, AlertMessage message)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrEmpty(channel.Secret))
        {
            throw new ArgumentException($"webhook channel '{channel.Id}' needs a secret.", nameof(channel));
        }

        var candidate = message.Candidate;
        var text = channel.Template is { } template ? AlertTemplate.Render(template, message, static s => s) : message.Text;
        var body = Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("id", message.AlertId);
            json.WriteString("type", "alert");
            json.WriteStartObject("rule");
            json.WriteString("id", message.RuleId);
            json.WriteString("name", message.RuleName);
            json.WriteEndObject();
            json.WriteString("symbol", message.Symbol);
            json.WriteString("time", message.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteNumber("timeMs", candidate.Time);
            json.WriteString("text", text);
            if (candidate.Price is { } price)
            {
                json.WriteNumber("price", price);
            }
            else
            {
                json.WriteNull("price");
            }

            if (candidate.Kind == AlertCandidateKind.Signal)
            {
                json.WriteStartObject("signal");
                json.WriteString("id", candidate.Id);
                json.WriteString("strategy", candidate.Strategy);
                json.WriteString("timeframe", candidate.Timeframe);
                json.WriteString("kind", candidate.SignalKind is { } kind ? Live.LiveMessages.Kind(kind) : null);
                json.WriteEndObject();
            }

            json.WriteStartObject("values");
            foreach (var (name, value) in candidate.Values)
            {
                if (value is { } v)
                {
                    json.WriteNumber(name, v);
                }
                else
                {
                    json.WriteNull(name);
                }
            }

            json.WriteEndObject();
            json.WriteString("channel", channel.Id);
            json.WriteEndObject();
        });
        return new AlertPayload(AlertChannelKind.Webhook, Url(channel), body, channel.Secret, message.AlertId, text);
    }

    /// <summary>Escapes Discord Markdown: <c>\ * _ ~ ` | &gt; [ ] #</c> get a backslash.</summary>
    /// <param name="value">The text.</param>
    /// <returns>The escaped text.</returns>
    public static string EscapeDiscord(string value) => EscapeWith(value, @"\*_~`|>[]#");

    /// <summary>Escapes Slack mrkdwn's control characters: <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c>.</summary>
    /// <param name="value">The text.</param>
    /// <returns>The escaped text.</returns>
    public static string EscapeSlack(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
    }

    /// <summary>Escapes text for Telegram's HTML parse mode: <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c>, <c>"</c>.</summary>
    /// <param name="value">The text.</param>
    /// <returns>The escaped text.</returns>
    public static string EscapeHtml(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
    }

    /// <summary>Escapes text for Telegram's MarkdownV2: every one of <c>_*[]()~`&gt;#+-=|{}.!\</c> gets a backslash.</summary>
    /// <param name="value">The text.</param>
    /// <returns>The escaped text.</returns>
    public static string EscapeMarkdownV2(string value) => EscapeWith(value, @"_*[]()~`>#+-=|{}.!\");

    /// <summary>Cuts a text to at most <paramref name="max"/> characters, ending with "…" when cut, never inside a surrogate pair.</summary>
    /// <param name="value">The text.</param>
    /// <param name="max">Most characters (at least 2).</param>
    /// <returns>The text.</returns>
    public static string Cut(string value, int max)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length <= max)
        {
            return value;
        }

        var end = max - 1;
        if (char.IsHighSurrogate(value[end - 1]))
        {
            end--;
        }

        return string.Concat(value.AsSpan(0, end), "…");
    }

    private static int Colour(AlertMessage message) => message.Candidate.SignalKind switch
    {
        SignalKind.LongEntry or SignalKind.ShortExit => Green,
        SignalKind.ShortEntry or SignalKind.LongExit => Red,
        _ => Blue,
    };

    private static Uri Url(AlertChannel channel) =>
        Uri.TryCreate(channel.Url, UriKind.Absolute, out var uri) ? uri : throw new ArgumentException($"{channel.Kind.ToString().ToLowerInvariant()} channel '{channel.Id}' needs an absolute url.", nameof(channel));

    private static string EscapeWith(string value, string special)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny(special) < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (special.Contains(c, StringComparison.Ordinal))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, Writer))
        {
            write(json);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
