using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using SigmaFlow.Functions.Api;
using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.Tests.Local.WebPubSub;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Azure.WebPubSub;
using SigmaFlow.Platform.Live.Adapters;
using SigmaFlow.Platform.Workspace;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.Api;

/// <summary>
/// The API function on the real custom-handler server (free port) with its stores on the test assembly's Azurite, and
/// keys of each scope made for the test. Tests use unique ids (strategies, watchlists, symbols), since the tables are
/// shared by the tests running in parallel.
/// </summary>
internal sealed class ApiTestHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private ApiTestHost(WebApplication app, StandInScope push, ApiServices services, TableServiceClient tables, HttpClient client)
    {
        this.app = app;
        Push = push;
        Services = services;
        Tables = tables;
        Client = client;
    }

    public ApiServices Services { get; }

    /// <summary>The Web PubSub stand-in the API pushes to and negotiates for.</summary>
    public StandInScope Push { get; }

    public TableServiceClient Tables { get; }

    public HttpClient Client { get; }

    /// <summary>The queue this host's alert candidates go to.</summary>
    public QueueClient AlertsQueue { get; private init; } = null!;

    public string ReadKey { get; private set; } = string.Empty;

    public string TradeKey { get; private set; } = string.Empty;

    public string AdminKey { get; private set; } = string.Empty;

    public static async Task<ApiTestHost> StartAsync(AzuriteEmulator azurite, bool acceptPrincipalHeader = false, TimeProvider? clock = null, Func<ApiServices, ApiServices>? configure = null)
    {
        var connection = azurite.ConnectionString;
        var push = await StandInScope.StartAsync();
        var settings = new PlatformSettings
        {
            Read = name => name switch
            {
                PlatformSettings.Storage => connection,
                PlatformSettings.WebPubSub => push.ConnectionString,
                ApiServices.AcceptPrincipalSetting => acceptPrincipalHeader ? "true" : null,
                _ => null,
            },
        };
        // Alert candidates go to a queue of this host's own, so tests can read exactly what their requests enqueued.
        var alertsQueue = "alerts-" + Guid.NewGuid().ToString("N")[..12];
        var services = ApiServices.From(settings, clock ?? TimeProvider.System) with { Alerts = new QueueAlertPublisher(settings.Queues().GetQueueClient(alertsQueue)) };
        services = configure?.Invoke(services) ?? services;
        var function = new ApiFunction(services, NullLoggerFactory.Instance);
        var app = CustomHandlerServer.Create(new CustomHandlerOptions { Url = "http://127.0.0.1:0" }, [], web => function.Map(web), NullLoggerFactory.Instance);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/") };
        var host = new ApiTestHost(app, push, services, new TableServiceClient(connection), client) { AlertsQueue = settings.Queues().GetQueueClient(alertsQueue) };
        var keys = services.Keys!;
        host.ReadKey = (await keys.CreateAsync("test read", ApiScope.Read, 100_000, TestContext.Current.CancellationToken)).Key;
        host.TradeKey = (await keys.CreateAsync("test trade", ApiScope.Trade, 100_000, TestContext.Current.CancellationToken)).Key;
        host.AdminKey = (await keys.CreateAsync("test admin", ApiScope.Admin, 100_000, TestContext.Current.CancellationToken)).Key;
        return host;
    }

    public static string[] Symbols(params string[] symbols) => symbols;

    public static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, string? key, object? body = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (key is not null)
        {
            request.Headers.Add("x-api-key", key);
        }

        if (body is not null)
        {
            var text = body as string ?? System.Text.Json.JsonSerializer.Serialize(body);
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        configure?.Invoke(request);
        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        var content = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var headers = response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        return new ApiResponse((int)response.StatusCode, content, headers, response.Content.Headers.ContentType?.MediaType);
    }

    public Task<ApiResponse> GetAsync(string path, string? key) => SendAsync(HttpMethod.Get, path, key);

    public Task<ApiResponse> PostAsync(string path, string? key, object body, Action<HttpRequestMessage>? configure = null) => SendAsync(HttpMethod.Post, path, key, body, configure);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
        await Push.DisposeAsync();
    }
}

/// <summary>A test class with its own API host on the assembly's Azurite.</summary>
/// <param name="azurite">The emulator.</param>
public abstract class ApiTestBase(AzuriteEmulator azurite) : IAsyncLifetime
{
    private ApiTestHost? host;

    private protected ApiTestHost Host => host!;

    private protected AzuriteEmulator Azurite => azurite;

    /// <inheritdoc />
    public async ValueTask InitializeAsync() => host = await ApiTestHost.StartAsync(azurite);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>A response, read.</summary>
internal sealed record ApiResponse(int Status, string Body, IReadOnlyDictionary<string, string> Headers, string? MediaType)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("empty body");

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>Checks the response is a problem with this status and returns its document.</summary>
    public JsonNode Problem(int status)
    {
        Assert.True(Status == status, $"expected {status}, got {Status}: {Body}");
        Assert.Equal("application/problem+json", MediaType);
        var problem = Json;
        Assert.Equal(status, (int)problem["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)problem["requestId"]));
        Assert.False(string.IsNullOrEmpty((string?)problem["detail"]));
        return problem;
    }

    /// <summary>The single field error of a problem.</summary>
    public JsonNode FieldError(int status, string field)
    {
        var problem = Problem(status);
        var errors = problem["errors"]!.AsArray();
        var error = errors.FirstOrDefault(e => (string?)e!["field"] == field);
        Assert.True(error is not null, $"no error for field '{field}' in {Body}");
        Assert.False(string.IsNullOrEmpty((string?)error!["rule"]));
        return error!;
    }
}
