using System.Net.Http.Headers;
using SigmaFlow.Platform.Alerts;
using SigmaFlow.Platform.Alerts.Delivery;

namespace SigmaFlow.Platform.Tests.Alerts.Delivery;

/// <summary>Back-off with jitter, Retry-After in every form, and which answers are permanent.</summary>
public sealed class AlertRetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly AlertDeliveryOptions Options = new() { MaxAttempts = 5, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(30), MaxRetryAfter = TimeSpan.FromSeconds(30) };

    [Theory]
    [InlineData(1, 0.0, 500)]
    [InlineData(1, 0.999999, 1000)]
    [InlineData(2, 0.5, 1500)]
    [InlineData(3, 0.0, 2000)]
    [InlineData(4, 1.0, 8000)]
    [InlineData(6, 0.0, 15000)]
    [InlineData(9, 1.0, 30000)]
    [InlineData(40, 0.5, 22500)]
    public void Backoff_IsExponential_WithEqualJitter_AndCapped(int failed, double jitter, int expectedMs)
    {
        Assert.Equal(expectedMs, AlertRetryPolicy.Backoff(failed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), jitter).TotalMilliseconds, 1);
    }

    [Fact]
    public void Backoff_WithRandomJitter_StaysBetweenHalfAndAllOfTheCeiling()
    {
        var random = new Random(7);
        for (var failed = 1; failed <= 8; failed++)
        {
            var ceiling = Math.Min(30_000, 1000 * Math.Pow(2, failed - 1));
            var waits = Enumerable.Range(0, 200).Select(_ => AlertRetryPolicy.Backoff(failed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), random.NextDouble()).TotalMilliseconds).ToList();
            Assert.All(waits, w => Assert.InRange(w, ceiling / 2, ceiling));
            Assert.True(waits.Distinct().Count() > 150, "jitter spreads the waits");
        }
    }

    [Fact]
    public void Decide_RetriesTransientFailuresOnly_UpToTheAttempts_HonouringRetryAfter()
    {
        var transient = new AttemptOutcome(AttemptResult.Transient, 503, "503 busy");
        Assert.Equal(new RetryDecision(true, TimeSpan.FromMilliseconds(1500), null), AlertRetryPolicy.Decide(transient, 2, Options, 0.5));
        Assert.Equal(new RetryDecision(true, TimeSpan.FromSeconds(7), null), AlertRetryPolicy.Decide(transient with { RetryAfter = TimeSpan.FromSeconds(7) }, 1, Options, 0.5));
        Assert.Equal("gave up after 5 attempts; the last: 503 busy", AlertRetryPolicy.Decide(transient, 5, Options, 0.5).GiveUpReason);
        Assert.Equal("the service asked to wait 120 s, longer than MaxRetryAfter (30 s), after attempt 1: 503 busy", AlertRetryPolicy.Decide(transient with { RetryAfter = TimeSpan.FromMinutes(2) }, 1, Options, 0.5).GiveUpReason);
        Assert.False(AlertRetryPolicy.Decide(new AttemptOutcome(AttemptResult.Permanent, 404, "404"), 1, Options, 0.5).Retry);
        Assert.Null(AlertRetryPolicy.Decide(new AttemptOutcome(AttemptResult.Refused, null, "refused"), 1, Options, 0.5).GiveUpReason);
    }

    [Theory]
    [InlineData(AlertChannelKind.Discord, 204, "", AttemptResult.Delivered, "204 accepted")]
    [InlineData(AlertChannelKind.Discord, 400, """{"message": "Invalid Form Body", "code": 50035}""", AttemptResult.Permanent, "400 Invalid Form Body (code 50035)")]
    [InlineData(AlertChannelKind.Discord, 401, """{"message": "401: Unauthorized", "code": 0}""", AttemptResult.Permanent, "401 401: Unauthorized")]
    [InlineData(AlertChannelKind.Discord, 403, """{"message": "Missing Access", "code": 50001}""", AttemptResult.Permanent, "403 Missing Access (code 50001)")]
    [InlineData(AlertChannelKind.Discord, 404, """{"message": "Unknown Webhook", "code": 10015}""", AttemptResult.Permanent, "404 Unknown Webhook (code 10015)")]
    [InlineData(AlertChannelKind.Slack, 200, "ok", AttemptResult.Delivered, "200 accepted")]
    [InlineData(AlertChannelKind.Slack, 410, "channel_is_archived", AttemptResult.Permanent, "410 channel_is_archived")]
    [InlineData(AlertChannelKind.Slack, 500, "rollup_error", AttemptResult.Transient, "500 rollup_error")]
    [InlineData(AlertChannelKind.Telegram, 200, """{"ok":true,"result":{}}""", AttemptResult.Delivered, "200 accepted")]
    [InlineData(AlertChannelKind.Telegram, 200, """{"ok":false,"error_code":400,"description":"Bad Request: message is empty"}""", AttemptResult.Permanent, "200 Bad Request: message is empty")]
    [InlineData(AlertChannelKind.Telegram, 400, """{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}""", AttemptResult.Permanent, "400 Bad Request: chat not found")]
    [InlineData(AlertChannelKind.Webhook, 408, "", AttemptResult.Transient, "408")]
    [InlineData(AlertChannelKind.Webhook, 425, "", AttemptResult.Transient, "425")]
    [InlineData(AlertChannelKind.Webhook, 302, "", AttemptResult.Permanent, "302 (redirects are not followed: a redirect could lead to an address that was not checked)")]
    [InlineData(AlertChannelKind.Webhook, 413, "too big\r\nreally", AttemptResult.Permanent, "413 too big  really")]
    [InlineData(AlertChannelKind.Webhook, 503, "<html>down</html>", AttemptResult.Transient, "503 <html>down</html>")]
    public void FromResponse_ClassifiesEachServicesAnswers(AlertChannelKind kind, int status, string body, AttemptResult result, string reason)
    {
        var outcome = AttemptOutcome.FromResponse(kind, status, null, body, Now);
        Assert.Equal((result, reason), (outcome.Result, outcome.Reason));
    }

    [Fact]
    public void FromResponse_ReadsEveryFormOfRetryAfter()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), AttemptOutcome.FromResponse(AlertChannelKind.Slack, 429, new RetryConditionHeaderValue(TimeSpan.FromSeconds(3)), "rate_limited", Now).RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(90), AttemptOutcome.FromResponse(AlertChannelKind.Webhook, 503, new RetryConditionHeaderValue(Now.AddSeconds(90)), "", Now).RetryAfter);
        Assert.Equal(TimeSpan.Zero, AttemptOutcome.FromResponse(AlertChannelKind.Webhook, 503, new RetryConditionHeaderValue(Now.AddSeconds(-5)), "", Now).RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(0.35), AttemptOutcome.FromResponse(AlertChannelKind.Discord, 429, null, """{"message": "You are being rate limited.", "retry_after": 0.35, "global": false}""", Now).RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(2), AttemptOutcome.FromResponse(AlertChannelKind.Discord, 429, new RetryConditionHeaderValue(TimeSpan.FromSeconds(2)), """{"retry_after": 1.2}""", Now).RetryAfter);
        var telegram = AttemptOutcome.FromResponse(AlertChannelKind.Telegram, 429, null, """{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}""", Now);
        Assert.Equal((AttemptResult.Transient, TimeSpan.FromSeconds(5), "429 Too Many Requests: retry after 5"), (telegram.Result, telegram.RetryAfter, telegram.Reason));
        Assert.Null(AttemptOutcome.FromResponse(AlertChannelKind.Webhook, 500, null, "", Now).RetryAfter);
    }
}
