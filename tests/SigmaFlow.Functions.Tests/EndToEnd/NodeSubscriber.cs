using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SigmaFlow.Functions.Tests.EndToEnd;

/// <summary>
/// <c>tests/webpubsub-client/subscriber.mjs</c> as a child process: the official <c>@azure/web-pubsub-client</c> in
/// Node, joined to groups, writing every message it receives as a JSON line to a file this class reads.
/// </summary>
internal sealed class NodeSubscriber : IAsyncDisposable
{
    private readonly Process process;
    private readonly string file;
    private readonly StringBuilder console = new();
    private readonly List<JsonElement> lines = [];
    private long position;

    private NodeSubscriber(Process process, string file)
    {
        this.process = process;
        this.file = file;
    }

    /// <summary>The <c>tests/webpubsub-client</c> folder, or why the subscriber cannot run (node or the npm packages missing).</summary>
    /// <param name="folder">The folder, when available.</param>
    /// <returns>Null when it can run, else the reason to skip.</returns>
    public static string? WhyUnavailable(out string folder)
    {
        folder = string.Empty;
        var root = SigmaFlow.Tests.Emulators.LocalEmulator.RepositoryRoot();
        if (root is null)
        {
            return "Serverless.sln was not found above " + AppContext.BaseDirectory;
        }

        folder = Path.Combine(root, "tests", "webpubsub-client");
        if (FindNode() is null)
        {
            return "node is not installed (Node 20 or later runs the official Web PubSub client).";
        }

        return Directory.Exists(Path.Combine(folder, "node_modules", "@azure", "web-pubsub-client"))
            ? null
            : "tests/webpubsub-client/node_modules is missing: run npm ci --prefix tests/webpubsub-client (tests/run.sh does it).";
    }

    /// <summary>Starts the subscriber.</summary>
    /// <param name="folder">The <c>tests/webpubsub-client</c> folder.</param>
    /// <param name="url">The client access URL (used again on every reconnect).</param>
    /// <param name="groups">Groups to join.</param>
    /// <param name="file">The JSON-lines file it writes.</param>
    /// <returns>The running subscriber.</returns>
    public static NodeSubscriber Start(string folder, Uri url, IEnumerable<string> groups, string file)
    {
        var start = new ProcessStartInfo(FindNode()!)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(folder, "subscriber.mjs"));
        start.ArgumentList.Add("--url");
        start.ArgumentList.Add(url.AbsoluteUri);
        start.ArgumentList.Add("--groups");
        start.ArgumentList.Add(string.Join(',', groups));
        start.ArgumentList.Add("--out");
        start.ArgumentList.Add(file);
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var subscriber = new NodeSubscriber(process, file);
        process.OutputDataReceived += (_, e) => subscriber.Console(e.Data);
        process.ErrorDataReceived += (_, e) => subscriber.Console(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return subscriber;
    }

    /// <summary>Every complete line written so far, parsed (read on from where the last call stopped).</summary>
    /// <returns>The lines.</returns>
    public List<JsonElement> Lines()
    {
        lock (lines)
        {
            if (!File.Exists(file))
            {
                return [];
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Position = position;
            var fresh = new byte[stream.Length - position];
            var read = stream.ReadAtLeast(fresh, fresh.Length, throwOnEndOfStream: false);
            if (read == 0)
            {
                return [.. lines];
            }

            var end = Array.LastIndexOf(fresh, (byte)'\n', read - 1); // a line still being written is read next time
            var start = 0;
            for (var i = 0; i <= end; i++)
            {
                if (fresh[i] != (byte)'\n')
                {
                    continue;
                }

                if (i > start)
                {
                    using var document = JsonDocument.Parse(fresh.AsMemory(start, i - start));
                    lines.Add(document.RootElement.Clone());
                }

                start = i + 1;
            }

            position += end + 1;
            return [.. lines];
        }
    }

    /// <summary>The data of the messages received so far (the platform's pushes arrive as server messages: a message does not say which group it was sent to).</summary>
    /// <returns>The messages' data in the order received.</returns>
    public List<JsonElement> Messages() =>
        Lines().Where(l => l.GetProperty("event").GetString() == "message").Select(l => l.GetProperty("data")).ToList();

    /// <summary>Waits until a connection other than <paramref name="except"/> has joined every group.</summary>
    /// <param name="except">Connection ids already seen (a restarted service gives a new one).</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The new connection id.</returns>
    public async Task<string> WaitForReadyAsync(IReadOnlyCollection<string> except, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var ready = Lines().LastOrDefault(l => l.GetProperty("event").GetString() == "ready");
            if (ready.ValueKind == JsonValueKind.Object && ready.GetProperty("connectionId").GetString() is { } id && !except.Contains(id))
            {
                return id;
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"the Node subscriber did not join its groups on a new connection within {timeout.TotalSeconds} s (exited: {process.HasExited}). {Describe()}");
    }

    /// <summary>Its console output and the last lines it wrote, for failure messages.</summary>
    /// <returns>A description.</returns>
    public string Describe()
    {
        string consoleText;
        lock (console)
        {
            consoleText = console.ToString();
        }

        var events = Lines().Where(l => l.GetProperty("event").GetString() != "message").TakeLast(12).Select(l => l.GetRawText());
        return $"Console:\n{consoleText}\nLast events:\n{string.Join('\n', events)}";
    }

    /// <summary>Stops it with SIGTERM (the client closes its connection) and waits for the exit.</summary>
    /// <returns>The exit code.</returns>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10));
        return process.ExitCode;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (TimeoutException)
        {
        }

        process.Dispose();
    }

    private static string? FindNode()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? "node.exe" : "node");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private void Console(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (console)
        {
            console.AppendLine(line);
        }
    }
}
