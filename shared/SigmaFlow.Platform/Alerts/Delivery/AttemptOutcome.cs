using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace SigmaFlow.Platform.Alerts.Delivery;

/// <summary>How one HTTP attempt ended.</summary>
public enum AttemptResult
{
    /// <summary>The service took the message.</summary>
    Delivered,

    /// <summary>Worth another attempt: 408, 425, 429, 5xx, a timeout, a connection that failed.</summary>
    Transient,

    /// <summary>Will not get better by trying again: 400, 401, 403, 404, 410, other 4xx, redirects, a service that said no.</summary>
    Permanent,

    /// <summary>Not sent at all: the target is not allowed (<see cref="Safety.AlertTargetPolicy"/>).</summary>
    Refused,
}

/// <summary>One attempt's outcome.</summary>
/// <param name="Result">How it ended.</param>
/// <param name="HttpStatus">The HTTP status, or null when no response came.</param>
/// <param name="Reason">What happened, in words (the service's error text, cut; never a credential).</param>
/// <param name="RetryAfter">How long the service asked to wait, or null.</param>
public sealed record AttemptOutcome(AttemptResult Result, int? HttpStatus, string Reason, TimeSpan? RetryAfter = null)
{
    /// <summary>Reads a service's answer.</summary>
    /// <param name="kind">The channel's kind (how its answers look).</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> header, or null.</param>
    /// <param name="body">The start of the response body.</param>
    /// <param name="now">The current time (for a <c>Retry-After</c> date).</param>
    /// <returns>The outcome.</returns>
    public static AttemptOutcome FromResponse(AlertChannelKind kind, int status, RetryConditionHeaderValue? retryAfter, string body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(body);
        var error = ErrorText(kind, body, out var telegramOk, out var bodyRetryAfter);
        var wait = RetryAfterOf(retryAfter, now) ?? bodyRetryAfter;
        var reason = string.Create(CultureInfo.InvariantCulture, $"{status}{(error.Length > 0 ? " " + error : string.Empty)}");
        if (status is >= 200 and < 300)
        {
            // Telegram answers {"ok":false,…} for refusals; a 2xx with ok false did not deliver.
            return telegramOk == false
                ? new AttemptOutcome(AttemptResult.Permanent, status, reason)
                : new AttemptOutcome(AttemptResult.Delivered, status, string.Create(CultureInfo.InvariantCulture, $"{status} accepted"));
        }

        if (status is 408 or 425 or 429 or >= 500)
        {
            return new AttemptOutcome(AttemptResult.Transient, status, reason, wait);
        }

        if (status is >= 300 and < 400)
        {
            return new AttemptOutcome(AttemptResult.Permanent, status, reason + " (redirects are not followed: a redirect could lead to an address that was not checked)");
        }

        return new AttemptOutcome(AttemptResult.Permanent, status, reason);
    }

    /// <summary>A <c>Retry-After</c> header's wait: delta seconds, or an HTTP date less the current time (not negative).</summary>
    /// <param name="header">The header, or null.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The wait, or null when there is no header.</returns>
    public static TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <inheritdoc />
    public override string ToString() => Reason;

    /// <summary>
    /// The service's own words, from the body: Discord <c>{"message","code","retry_after"}</c>, Slack's plain text
    /// (<c>invalid_payload</c>, <c>no_service</c>), Telegram <c>{"ok":false,"error_code","description","parameters":{"retry_after"}}</c>,
    /// anything else cut to 200 characters.
    /// </summary>
    private static string ErrorText(AlertChannelKind kind, string body, out bool? telegramOk, out TimeSpan? retryAfter)
    {
        telegramOk = null;
        retryAfter = null;
        var trimmed = body.Trim();
        if (trimmed.Length == 0)
        {
            return string.Empty;
        }

        if (trimmed[0] == '{')
        {
            try
            {
                using var document = JsonDocument.Parse(trimmed);
                var root = document.RootElement;
                if (kind == AlertChannelKind.Telegram && root.TryGetProperty("ok", out var ok) && ok.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    telegramOk = ok.GetBoolean();
                }

                if (root.TryGetProperty("retry_after", out var discordWait) && discordWait.TryGetDouble(out var seconds) && seconds >= 0 && seconds < 86_400)
                {
                    retryAfter = TimeSpan.FromSeconds(seconds);
                }
                else if (root.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
                    && parameters.TryGetProperty("retry_after", out var telegramWait) && telegramWait.TryGetDouble(out var s) && s >= 0 && s < 86_400)
                {
                    retryAfter = TimeSpan.FromSeconds(s);
                }

                var text = root.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String ? description.GetString()
                    : root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString()
                    : root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString()
                    : null;
                if (text is not null && root.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number && code.GetRawText() != "0")
                {
                    text += $" (code {code.GetRawText()})";
                }

                return Clean(text ?? trimmed);
            }
            catch (JsonException)
            {
            }
        }

        return Clean(trimmed);
    }

    private static string Clean(string text)
    {
        var cut = AlertPayloads.Cut(text, 200);
        return string.Create(cut.Length, cut, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
    }
}
