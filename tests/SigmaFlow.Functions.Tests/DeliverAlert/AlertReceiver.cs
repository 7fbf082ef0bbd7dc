using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SigmaFlow.Functions.Tests.DeliverAlert;

/// <summary>A local server on 127.0.0.1 answering as a Discord webhook does (204, no body), recording what it receives.</summary>
public sealed class AlertReceiver : IAsyncDisposable
{
    private readonly WebApplication app;

    private AlertReceiver(WebApplication app) => this.app = app;

    public ConcurrentQueue<(string Path, string Body)> Received { get; } = new();

    public Uri BaseAddress => new(app.Urls.First().TrimEnd('/') + "/");

    public static async Task<AlertReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new AlertReceiver(app);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            receiver.Received.Enqueue((context.Request.Path, await reader.ReadToEndAsync(context.RequestAborted)));
            return Results.NoContent();
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}
