using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SigmaFlow.Functions.Local.Runtime;

namespace SigmaFlow.Functions.Tests.Local.Runtime;

/// <summary>One envelope the runtime posted, as the handler received it (raw body and headers).</summary>
public sealed class RecordedCall(string function, string body, IReadOnlyDictionary<string, string> headers, DateTimeOffset started)
{
    public string Function { get; } = function;

    public string Body { get; } = body;

    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    public DateTimeOffset Started { get; } = started;

    public DateTimeOffset? Finished { get; set; }

    public JsonNode Json => JsonNode.Parse(Body)!;

    public JsonNode Metadata => Json[nameof(Metadata)]!;

    public JsonNode Data => Json[nameof(Data)]!;

    /// <summary>A node as the runtime writes it (Json.NET's escaping: quotes and backslashes, not '+' or '"' as \u escapes).</summary>
    public static string Raw(JsonNode? node) => node?.ToJsonString(RelaxedJson) ?? "null";

    private static readonly System.Text.Json.JsonSerializerOptions RelaxedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A metadata value the host sends JSON-encoded inside a string, decoded.</summary>
    public JsonNode? Decoded(string name) => JsonNode.Parse(Metadata[name]!.GetValue<string>());
}

/// <summary>
/// A stand-in custom handler that records the raw envelopes the runtime posts (and answers with a configurable status
/// after a configurable wait), so tests see exactly what the Functions host would send.
/// </summary>
public sealed class RecordingHandler : IAsyncDisposable
{
    private readonly WebApplication app;

    private RecordingHandler(WebApplication app)
    {
        this.app = app;
    }

    public ConcurrentQueue<RecordedCall> Calls { get; } = new();

    /// <summary>Decides each answer: the status code (after any wait). 200 by default.</summary>
    public Func<RecordedCall, CancellationToken, Task<int>> Respond { get; set; } = (_, _) => Task.FromResult(200);

    public Uri Address => new(app.Urls.First().TrimEnd('/') + "/");

    public static async Task<RecordingHandler> StartAsync(Action<WebApplication>? mapMore = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var handler = new RecordingHandler(app);
        app.MapGet("/", () => "ready");
        mapMore?.Invoke(app);
        app.MapPost("/{function}", async (string function, HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var call = new RecordedCall(function, body, headers, DateTimeOffset.UtcNow);
            handler.Calls.Enqueue(call);
            var status = await handler.Respond(call, context.RequestAborted);
            call.Finished = DateTimeOffset.UtcNow;
            return Results.Text("""{"Outputs":{},"Logs":["handled"],"ReturnValue":null}""", "application/json", statusCode: status);
        });
        await app.StartAsync();
        return handler;
    }

    /// <summary>Waits until at least <paramref name="count"/> calls (of a function, when given) have been recorded.</summary>
    public async Task<List<RecordedCall>> WaitForCallsAsync(int count, string? function = null, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var calls = Calls.Where(c => function is null || c.Function == function).ToList();
            if (calls.Count >= count)
            {
                return calls;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"expected {count} calls{(function is null ? string.Empty : " of " + function)} within {seconds} s; got {calls.Count}.");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>A function app in a temporary folder: host.json and one folder per function.</summary>
public sealed class TestApp : IDisposable
{
    public const string DefaultHost = """
        {
          "version": "2.0",
          "extensions": {
            "http": { "routePrefix": "api" },
            "queues": { "messageEncoding": "none", "maxDequeueCount": 3, "batchSize": 4 },
            "eventHubs": { "maxEventBatchSize": 3 }
          }
        }
        """;

    private TestApp(string root)
    {
        Root = root;
    }

    public string Root { get; }

    public static TestApp Create(string hostJson, params (string Name, string FunctionJson)[] functions)
    {
        var root = Path.Combine(Path.GetTempPath(), "sigmaflow-app-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "host.json"), hostJson);
        foreach (var (name, json) in functions)
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            File.WriteAllText(Path.Combine(root, name, "function.json"), json);
        }

        return new TestApp(root);
    }

    public FunctionAppDefinition Load(Func<string, string?>? readSetting = null) => FunctionAppDefinition.Load(Root, readSetting ?? Settings());

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Settings for tests: the Event Hubs connection (for the namespace), the ticks hub, the scan schedule, plus any given.</summary>
    public static Func<string, string?> Settings(params (string Name, string Value)[] more)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["EventHubConnection"] = "Endpoint=sb://127.0.0.1:7073/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=test-key-123;UseDevelopmentEmulator=true",
            ["TicksHubName"] = "ticks",
            ["ScanSchedule"] = "0 */15 * * * *",
        };
        foreach (var (name, value) in more)
        {
            values[name] = value;
        }

        return name => values.TryGetValue(name, out var v) ? v : null;
    }
}

/// <summary>A clock fixed at one time (for enqueued times in exact envelopes).</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Small waits shared by the runtime tests.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {seconds} s.");
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }
}
