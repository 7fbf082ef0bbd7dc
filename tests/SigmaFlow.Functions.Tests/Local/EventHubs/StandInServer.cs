using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using SigmaFlow.Functions.Local.EventHubs;
using SigmaFlow.Platform.Azure.EventHubs;

namespace SigmaFlow.Functions.Tests.Local.EventHubs;

/// <summary>A stand-in on Kestrel at 127.0.0.1 with a port the operating system picks, with helpers to reach it.</summary>
internal sealed class StandInServer : IAsyncDisposable
{
    private StandInServer(WebApplication app)
    {
        App = app;
        StandIn = EventHubsStandIn.From(app);
        Connection = EventHubsConnection.Parse(StandIn.ConnectionString);
        Http = new HttpClient { BaseAddress = StandIn.BaseAddress };
    }

    public WebApplication App { get; }

    public EventHubsStandIn StandIn { get; }

    public LocalEventLog Log => StandIn.Log;

    /// <summary>The parsed connection string (key included), for tests that mint their own tokens.</summary>
    public EventHubsConnection Connection { get; }

    public HttpClient Http { get; }

    public static async Task<StandInServer> StartAsync(Action<EventHubsStandInOptions>? configure = null, TimeProvider? clock = null)
    {
        var options = new EventHubsStandInOptions { Url = "http://127.0.0.1:0" };
        configure?.Invoke(options);
        var app = EventHubsStandIn.Create(options, new LocalEventLog(options.Log, clock));
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new StandInServer(app);
    }

    /// <summary>A publisher for a hub of this stand-in, with fast retries.</summary>
    public EventHubPublisher Publisher(string hub = "ticks", Action<EventHubPublisherOptions>? configure = null, EventHubsConnection? connection = null)
    {
        var options = new EventHubPublisherOptions();
        options.Client.Retry.MaxRetries = 2;
        options.Client.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Client.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
        configure?.Invoke(options);
        return new EventHubPublisher((connection ?? Connection) with { EventHubName = hub }, options);
    }

    /// <summary>A valid token for a path of this stand-in, minted with the stand-in's key.</summary>
    public string Token(string path = "ticks", DateTimeOffset? expiry = null) => EventHubsSas.CreateToken(
        new Uri(StandIn.BaseAddress, path).AbsoluteUri.TrimEnd('/'),
        Connection.SharedAccessKeyName!,
        Connection.SharedAccessKey!,
        expiry ?? DateTimeOffset.UtcNow.AddHours(1));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }
}

/// <summary>Replaces the Authorization header of every attempt (a token for another hub, say).</summary>
internal sealed class SetAuthorizationPolicy(string value) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message) => message.Request.Headers.SetValue("Authorization", value);
}

/// <summary>Records the Authorization header of every attempt.</summary>
internal sealed class CaptureAuthorizationPolicy : HttpPipelineSynchronousPolicy
{
    public List<string> Values { get; } = [];

    public override void OnSendingRequest(HttpMessage message)
    {
        if (message.Request.Headers.TryGetValue("Authorization", out var value))
        {
            lock (Values)
            {
                Values.Add(value);
            }
        }
    }
}
