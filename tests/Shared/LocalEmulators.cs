using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SigmaFlow.Tests.Emulators;

/// <summary>
/// Starts one local emulator (Azurite or the Cosmos DB server from <c>infra/local</c>) for a test assembly, on ports the
/// operating system picks, and stops it afterwards. When the emulator is not installed the tests that need it skip
/// with the reason and the command that installs it; <c>tests/run.sh</c> installs both. An environment variable
/// (<c>SIGMAFLOW_TEST_STORAGE</c>, <c>SIGMAFLOW_TEST_COSMOS</c>) points the tests at an emulator already running instead.
/// </summary>
public abstract partial class LocalEmulator : IAsyncLifetime
{
    private Process? process;

    /// <summary>Why the emulator is not available, or null when it is.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>What the emulator is called in messages.</summary>
    protected abstract string Name { get; }

    /// <summary>Environment variable with a ready connection, which wins over starting a process.</summary>
    protected abstract string Variable { get; }

    /// <summary>Executable under <c>infra/local/node_modules/.bin</c>.</summary>
    protected abstract string Executable { get; }

    /// <summary>Arguments for a throw-away instance on free ports.</summary>
    protected abstract string Arguments { get; }

    /// <summary>Number of "listening" lines to wait for.</summary>
    protected virtual int Listeners => 1;

    /// <summary>Ports the emulator reported, in the order it reported them.</summary>
    protected List<(string Service, int Port)> Ports { get; } = [];

    /// <summary>The connection (from the variable or built from the ports).</summary>
    protected string? Connection { get; set; }

    /// <summary>The repository root (the folder holding Serverless.sln), or null.</summary>
    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>The connection, or a skip of the calling test with the reason.</summary>
    /// <returns>The connection.</returns>
    public string Require()
    {
        if (SkipReason is not null)
        {
            Assert.Skip(SkipReason);
        }

        return Connection!;
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var given = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            Connection = given;
            return;
        }

        var root = RepositoryRoot();
        var executable = root is null ? null : Path.Combine(root, "infra", "local", "node_modules", ".bin", Executable);
        if (executable is null || !File.Exists(executable))
        {
            SkipReason = $"{Name} is not installed: run 'npm ci --prefix infra/local' (tests/run.sh does it), or set {Variable} to a running instance.";
            return;
        }

        var start = new ProcessStartInfo(executable, Arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["NODE_TLS_REJECT_UNAUTHORIZED"] = "0";
        process = Process.Start(start) ?? throw new InvalidOperationException($"{Name} did not start.");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new List<string>();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.Add(line);
                var match = ListeningLine().Match(line);
                if (match.Success)
                {
                    Ports.Add((match.Groups["service"].Value, int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture)));
                    if (Ports.Count == Listeners)
                    {
                        ready.TrySetResult();
                    }
                }
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var finished = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60))).ConfigureAwait(false);
        if (finished != ready.Task)
        {
            string log;
            lock (output)
            {
                log = string.Join(Environment.NewLine, output.TakeLast(20));
            }

            Stop();
            SkipReason = $"{Name} did not report its ports within 60 s (exit: {(process.HasExited ? process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "running")}); its output:{Environment.NewLine}{log}";
            return;
        }

        Connection = Build();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Stop();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Builds the connection from <see cref="Ports"/>.</summary>
    /// <returns>The connection.</returns>
    protected abstract string Build();

    [GeneratedRegex(@"(?:Azurite (?<service>\w+) service is successfully listening at|(?<service>HTTPS) connections at) \S*?:(?<port>\d+)\s*$")]
    private static partial Regex ListeningLine();

    private void Stop()
    {
        try
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process?.Dispose();
        process = null;
    }
}

/// <summary>Azurite (Tables, Queues, Blobs) in memory, for one test assembly.</summary>
public sealed class AzuriteEmulator : LocalEmulator
{
    /// <summary>The storage connection string.</summary>
    public string ConnectionString => Require();

    /// <inheritdoc />
    protected override string Name => "Azurite";

    /// <inheritdoc />
    protected override string Variable => "SIGMAFLOW_TEST_STORAGE";

    /// <inheritdoc />
    protected override string Executable => "azurite";

    /// <inheritdoc />
    protected override string Arguments => "--inMemoryPersistence --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 --blobPort 0 --queuePort 0 --tablePort 0 --skipApiVersionCheck --disableTelemetry";

    /// <inheritdoc />
    protected override int Listeners => 3;

    /// <inheritdoc />
    protected override string Build()
    {
        int Port(string service) => Ports.First(p => p.Service == service).Port;
        return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{Port("Blob")}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{Port("Queue")}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{Port("Table")}/devstoreaccount1;";
    }
}

/// <summary>The Cosmos DB SQL API server (<c>@vercel/cosmosdb-server</c>, HTTPS with a self-signed certificate), for one test assembly.</summary>
public sealed class CosmosEmulator : LocalEmulator
{
    /// <summary>The emulator's well-known key (public, documented).</summary>
    public const string Key = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU9DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    /// <summary>The connection string (<c>AccountEndpoint=https://127.0.0.1:PORT/;AccountKey=…</c>).</summary>
    public string ConnectionString => Require();

    /// <inheritdoc />
    protected override string Name => "The Cosmos DB server";

    /// <inheritdoc />
    protected override string Variable => "SIGMAFLOW_TEST_COSMOS";

    /// <inheritdoc />
    protected override string Executable => "cosmosdb-server";

    /// <inheritdoc />
    protected override string Arguments => "-p 0";

    /// <inheritdoc />
    protected override string Build() => $"AccountEndpoint=https://127.0.0.1:{Ports[0].Port}/;AccountKey={Key};";
}
