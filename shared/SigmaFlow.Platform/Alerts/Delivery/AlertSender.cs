using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using SigmaFlow.Platform.Alerts.Safety;

namespace SigmaFlow.Platform.Alerts.Delivery;

/// <summary>
/// Sends one attempt of a payload and says how it ended (<see cref="AttemptOutcome"/>); it never throws for what the
/// network or the service does. Its HTTP handler connects only through the <see cref="GuardedConnector"/> (resolved
/// addresses checked, then connected to), follows no redirects, uses no proxy and no cookies, and each attempt has
/// <see cref="AlertDeliveryOptions.AttemptTimeout"/>. Generic webhooks are signed per attempt. One instance per
/// process; thread-safe.
/// </summary>
public sealed class AlertSender : IDisposable
{
    private const int MaxResponseBytes = 8192;
    private readonly AlertDeliveryOptions options;
    private readonly AlertTargetPolicy policy;
    private readonly TimeProvider clock;
    private readonly HttpClient http;

    /// <summary>Creates the sender.</summary>
    /// <param name="options">The settings (validated here).</param>
    /// <param name="clock">Timestamps of signatures and <c>Retry-After</c> dates; the system clock when null.</param>
    public AlertSender(AlertDeliveryOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        policy = options.Policy;
        this.clock = clock ?? TimeProvider.System;
        var connector = new GuardedConnector(policy, options.Resolver);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = connector.ConnectAsync,
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = options.AttemptTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The target policy in force.</summary>
    public AlertTargetPolicy Policy => policy;

    /// <summary>Sends one attempt.</summary>
    /// <param name="payload">The payload.</param>
    /// <param name="cancellationToken">Cancels the attempt (shutdown); that alone throws.</param>
    /// <returns>How it ended.</returns>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public async Task<AttemptOutcome> SendAsync(AlertPayload payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (policy.CheckUrl("url", payload.Target.AbsoluteUri) is { } problem)
        {
            return new AttemptOutcome(AttemptResult.Refused, null, $"{payload.TargetDescription} {problem.Rule}; nothing was sent.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.AttemptTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, payload.Target)
        {
            Content = new ByteArrayContent(payload.Body),
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.ParseAdd(AlertNames.UserAgent);
        request.Headers.Accept.ParseAdd("application/json");
        if (payload.SigningSecret is { } secret)
        {
            var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.TryAddWithoutValidation(AlertNames.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation(AlertNames.SignatureHeader, WebhookSignature.Sign(secret, timestamp, payload.Body));
            request.Headers.TryAddWithoutValidation(AlertNames.AlertIdHeader, payload.AlertId);
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var body = await ReadStartAsync(response.Content, timeout.Token).ConfigureAwait(false);
            return AttemptOutcome.FromResponse(payload.Kind, (int)response.StatusCode, response.Headers.RetryAfter, body, clock.GetUtcNow());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return new AttemptOutcome(AttemptResult.Transient, null, string.Create(CultureInfo.InvariantCulture, $"no answer within {options.AttemptTimeout.TotalSeconds:0.###} s"));
        }
        catch (HttpRequestException e) when (Find<AlertTargetRefusedException>(e) is { } refused)
        {
            return new AttemptOutcome(AttemptResult.Refused, null, refused.Message);
        }
        catch (HttpRequestException e) when (Find<AuthenticationException>(e) is { } tls)
        {
            return new AttemptOutcome(AttemptResult.Permanent, null, $"TLS with {payload.TargetDescription} failed: {tls.Message}");
        }
        catch (HttpRequestException e)
        {
            return new AttemptOutcome(AttemptResult.Transient, null, $"request to {payload.TargetDescription} failed: {Describe(e)}");
        }
        catch (IOException e)
        {
            return new AttemptOutcome(AttemptResult.Transient, null, $"connection to {payload.TargetDescription} broke: {e.Message}");
        }
    }

    /// <inheritdoc />
    public void Dispose() => http.Dispose();

    private static async Task<string> ReadStartAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxResponseBytes];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return Encoding.UTF8.GetString(buffer, 0, read);
        }
    }

    private static string Describe(HttpRequestException e)
    {
        var inner = e.InnerException is { } cause && cause.Message != e.Message ? $" ({cause.Message})" : string.Empty;
        return e.Message + inner;
    }

    private static T? Find<T>(Exception? e)
        where T : Exception
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }
}
