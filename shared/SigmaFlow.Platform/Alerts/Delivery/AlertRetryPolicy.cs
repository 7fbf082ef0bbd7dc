using System.Globalization;

namespace SigmaFlow.Platform.Alerts.Delivery;

/// <summary>What to do after an attempt that did not deliver.</summary>
/// <param name="Retry">Whether to try again.</param>
/// <param name="Delay">How long to wait first (when retrying).</param>
/// <param name="GiveUpReason">Why not, when not retrying after a transient failure; null otherwise.</param>
public readonly record struct RetryDecision(bool Retry, TimeSpan Delay, string? GiveUpReason);

/// <summary>
/// When to try a delivery again (pure). Only transient failures are retried, up to
/// <see cref="AlertDeliveryOptions.MaxAttempts"/> attempts in all. A wait the service asked for (429 or 503 with
/// <c>Retry-After</c>, Discord's <c>retry_after</c>, Telegram's <c>parameters.retry_after</c>) is honoured as asked when it
/// is at most <see cref="AlertDeliveryOptions.MaxRetryAfter"/>; otherwise the wait is exponential with "equal jitter":
/// <c>d = min(MaxDelay, BaseDelay × 2^(n−1))</c> after the n-th failed attempt, and the wait is uniformly between d/2 and d,
/// so retries of many deliveries spread out but never come sooner than half the back-off.
/// </summary>
public static class AlertRetryPolicy
{
    /// <summary>The back-off wait after a number of failed attempts.</summary>
    /// <param name="failedAttempts">Attempts made so far (1 after the first).</param>
    /// <param name="baseDelay">The first wait's ceiling.</param>
    /// <param name="maxDelay">The ceiling of every wait.</param>
    /// <param name="jitter">A uniform random number in [0, 1).</param>
    /// <returns>The wait.</returns>
    public static TimeSpan Backoff(int failedAttempts, TimeSpan baseDelay, TimeSpan maxDelay, double jitter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        var ceiling = baseDelay.Ticks * Math.Pow(2, Math.Min(failedAttempts - 1, 30));
        var capped = Math.Min(ceiling, maxDelay.Ticks);
        var fraction = Math.Clamp(jitter, 0, 1);
        return TimeSpan.FromTicks((long)((capped / 2) + (capped / 2 * fraction)));
    }

    /// <summary>Decides whether and when to try again.</summary>
    /// <param name="outcome">The last attempt's outcome.</param>
    /// <param name="attemptsMade">Attempts made so far, the last one included.</param>
    /// <param name="options">The settings.</param>
    /// <param name="jitter">A uniform random number in [0, 1).</param>
    /// <returns>The decision.</returns>
    public static RetryDecision Decide(AttemptOutcome outcome, int attemptsMade, AlertDeliveryOptions options, double jitter)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(options);
        if (outcome.Result != AttemptResult.Transient)
        {
            return new RetryDecision(false, TimeSpan.Zero, null);
        }

        if (attemptsMade >= options.MaxAttempts)
        {
            return new RetryDecision(false, TimeSpan.Zero, string.Create(CultureInfo.InvariantCulture, $"gave up after {attemptsMade} attempt{(attemptsMade == 1 ? string.Empty : "s")}; the last: {outcome.Reason}"));
        }

        if (outcome.RetryAfter is { } asked)
        {
            return asked <= options.MaxRetryAfter
                ? new RetryDecision(true, asked, null)
                : new RetryDecision(false, TimeSpan.Zero, string.Create(CultureInfo.InvariantCulture, $"the service asked to wait {asked.TotalSeconds:0.###} s, longer than MaxRetryAfter ({options.MaxRetryAfter.TotalSeconds:0.###} s), after attempt {attemptsMade}: {outcome.Reason}"));
        }

        return new RetryDecision(true, Backoff(attemptsMade, options.BaseDelay, options.MaxDelay, jitter), null);
    }
}
