using System.Globalization;
using SigmaFlow.Platform.Alerts.Safety;

namespace SigmaFlow.Platform.Alerts.Delivery;

/// <summary>
/// Settings of alert delivery. Defaults keep one delivery under about three minutes in the worst case (5 attempts of
/// at most 10 s, waits of at most 30 s), well inside a queue-triggered function's time limit.
/// </summary>
public sealed record AlertDeliveryOptions
{
    /// <summary>HTTP attempts per (alert, channel), the first included (default 5, 1–10).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Wait before the second attempt; it doubles each time (default 1 s, 0–1 min). Jitter: each wait is between half and all of it.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest computed wait (default 30 s, at least <see cref="BaseDelay"/>, at most 5 min).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest wait a 429 or 503 may ask for (<c>Retry-After</c>, Discord's <c>retry_after</c>, Telegram's
    /// <c>parameters.retry_after</c>) that is still honoured within the invocation (default 30 s, at most 5 min); a longer
    /// one ends the delivery as failed, with the wait asked for in the reason.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for one HTTP attempt, connecting included (default 10 s, 50 ms–2 min); running out is a transient failure.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Added to the time a claimed delivery may take before another invocation treats its owner as gone (default 15 s,
    /// 0–5 min): a delivery stays "sending" for at most <see cref="AttemptTimeout"/> plus this, "waiting" for its wait plus this.
    /// </summary>
    public TimeSpan LeaseMargin { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Deliveries of one queue message run at the same time (default 8, 1–64).</summary>
    public int MaxConcurrentDeliveries { get; init; } = 8;

    /// <summary>
    /// Development only (<c>AlertsAllowLocalTargets</c>): allow plain HTTP and loopback or private addresses (default
    /// false). Metadata, link-local and the other refused kinds stay refused.
    /// </summary>
    public bool AllowLocalTargets { get; init; }

    /// <summary>The Telegram Bot API's base address (default <c>https://api.telegram.org</c>; a local server in tests).</summary>
    public Uri TelegramApiBase { get; init; } = new("https://api.telegram.org");

    /// <summary>Resolves host names; DNS when null (tests map names to local addresses).</summary>
    public HostResolver? Resolver { get; init; }

    /// <summary>The target policy these options give.</summary>
    public AlertTargetPolicy Policy => AllowLocalTargets ? new AlertTargetPolicy(true) : AlertTargetPolicy.Strict;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it, the rule and the value.</exception>
    public void Validate()
    {
        Check(MaxAttempts, 1, 10, nameof(MaxAttempts));
        Check(MaxConcurrentDeliveries, 1, 64, nameof(MaxConcurrentDeliveries));
        Check(BaseDelay, TimeSpan.Zero, TimeSpan.FromMinutes(1), nameof(BaseDelay));
        Check(MaxDelay, BaseDelay, TimeSpan.FromMinutes(5), nameof(MaxDelay));
        Check(MaxRetryAfter, TimeSpan.Zero, TimeSpan.FromMinutes(5), nameof(MaxRetryAfter));
        Check(AttemptTimeout, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(2), nameof(AttemptTimeout));
        Check(LeaseMargin, TimeSpan.Zero, TimeSpan.FromMinutes(5), nameof(LeaseMargin));
        ArgumentNullException.ThrowIfNull(TelegramApiBase, nameof(TelegramApiBase));
        if (!TelegramApiBase.IsAbsoluteUri || (TelegramApiBase.Scheme != Uri.UriSchemeHttps && !(AllowLocalTargets && TelegramApiBase.Scheme == Uri.UriSchemeHttp)))
        {
            throw new ArgumentException($"TelegramApiBase must be an absolute https URL (http only with AllowLocalTargets); got '{TelegramApiBase}'.", nameof(TelegramApiBase));
        }
    }

    private static void Check(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min} and {max}; got {value}."), name);
        }
    }

    private static void Check(TimeSpan value, TimeSpan min, TimeSpan max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min} and {max}; got {value}."), name);
        }
    }
}
