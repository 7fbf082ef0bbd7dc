using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Azure.Core;

namespace SigmaFlow.Platform.Tests.Azure.WebPubSub;

/// <summary>One request as the test server saw it.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="RawUrl">Path and query exactly as sent.</param>
/// <param name="Headers">Request headers.</param>
/// <param name="Body">Request body.</param>
public sealed record RecordedRequest(string Method, string RawUrl, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The path without query.</summary>
    public string Path => RawUrl.Split('?')[0];

    /// <summary>The query parameters in order (name, decoded value).</summary>
    public IReadOnlyList<(string Name, string Value)> Query => RawUrl.Contains('?', StringComparison.Ordinal)
        ? RawUrl[(RawUrl.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&').Select(p => p.Split('=', 2)).Select(p => (Uri.UnescapeDataString(p[0]), Uri.UnescapeDataString(p.Length > 1 ? p[1] : string.Empty))).ToList()
        : [];

    /// <summary>The bearer token of the Authorization header, or null.</summary>
    public string? BearerToken => Headers.TryGetValue("Authorization", out var value) && value.StartsWith("Bearer ", StringComparison.Ordinal) ? value[7..] : null;
}

/// <summary>
/// A real HTTP server on 127.0.0.1 (HttpListener) that records requests and answers with a configurable status and
/// body, standing in for the Web PubSub REST endpoint in the platform tests (the full stand-in lives in the host layer).
/// </summary>
public sealed class WebPubSubTestServer : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task loop;
    private int disposed;

    /// <summary>Starts the server on a free port.</summary>
    public WebPubSubTestServer()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>The base address, <c>http://127.0.0.1:PORT</c>.</summary>
    public string BaseAddress => $"http://127.0.0.1:{Port}";

    /// <summary>Everything received, in order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Chooses the answer: status, body (JSON or null) and extra headers.</summary>
    public Func<RecordedRequest, (int Status, string? Body)> Respond { get; set; } = r => (r.Method == "POST" ? 202 : r.Method == "PUT" ? 200 : 204, null);

    /// <summary>The single request received (fails when there is not exactly one).</summary>
    public RecordedRequest Single => Assert.Single(Requests);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        listener.Stop();
        listener.Close();
        try
        {
            await loop;
        }
        catch (HttpListenerException)
        {
            // Stopped.
        }
        catch (ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            var request = new RecordedRequest(context.Request.HttpMethod, context.Request.RawUrl ?? "/", headers, body.ToArray());
            Requests.Enqueue(request);
            var (status, json) = Respond(request);
            context.Response.StatusCode = status;
            if (json is not null)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(json);
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
            }

            context.Response.Close();
        }
    }
}

/// <summary>A credential that always returns the same token (a hand-written fake of an Entra identity).</summary>
/// <param name="token">The token.</param>
public sealed class FixedTokenCredential(string token) : TokenCredential
{
    /// <summary>The scopes asked for, in order.</summary>
    public ConcurrentQueue<string> Scopes { get; } = new();

    /// <inheritdoc />
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        foreach (var scope in requestContext.Scopes)
        {
            Scopes.Enqueue(scope);
        }

        return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
    }

    /// <inheritdoc />
    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

/// <summary>A clock stopped at one instant.</summary>
/// <param name="now">The instant.</param>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>
/// Sends https requests to the same host and port over plain http, so an Entra (https-only) pipeline can reach the
/// local test server. Only the scheme changes; the request still reaches a real server.
/// </summary>
public sealed class HttpsToHttpHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.RequestUri = new UriBuilder(request.RequestUri!) { Scheme = "http" }.Uri;
        return base.SendAsync(request, cancellationToken);
    }
}
