using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using SigmaFlow.Functions.Local.WebPubSub;

namespace SigmaFlow.Functions.Tests.Local.WebPubSub;

/// <summary>
/// The official <c>@azure/web-pubsub-client</c> (tests/webpubsub-client, Node's test runner) against the stand-in:
/// both JSON subprotocols, groups, server messages, acks, and recovery of the reliable protocol after a dropped
/// socket. Skips when node or the npm packages are missing.
/// </summary>
public sealed class WebPubSubClientInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task OfficialClient_BothProtocols_PassTheNodeInteropTests()
    {
        var root = RepositoryRoot() ?? throw new InvalidOperationException("Serverless.sln not found above " + AppContext.BaseDirectory);
        var folder = Path.Combine(root, "tests", "webpubsub-client");
        var node = FindOnPath("node");
        if (node is null)
        {
            Assert.Skip("node is not installed (Node 20 or later is needed for the Web PubSub client interop test).");
        }

        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@azure", "web-pubsub-client")))
        {
            Assert.Skip("tests/webpubsub-client/node_modules is missing: run npm ci --prefix tests/webpubsub-client (tests/run.sh does it).");
        }

        await using var scope = await StandInScope.StartAsync(o =>
        {
            o.EnableTestHooks = true;
            o.ReconnectionWindow = TimeSpan.FromSeconds(4);
        });
        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--test");
        start.ArgumentList.Add("--test-reporter=spec");
        start.ArgumentList.Add(Path.Combine(folder, "interop.test.mjs"));
        start.Environment["SIGMAFLOW_WPS_CONNECTION_STRING"] = scope.ConnectionString;
        start.Environment["SIGMAFLOW_WPS_HUB"] = "interop";
        start.Environment["SIGMAFLOW_WPS_RECONNECTION_WINDOW_MS"] = "4000";
        start.Environment["NO_COLOR"] = "1";

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"node --test did not finish within {Timeout.TotalMinutes} minutes. Output:\n{Text(output)}");
        }

        process.WaitForExit(); // flush the redirected streams
        var text = Text(output);
        TestContext.Current.TestOutputHelper?.WriteLine(text);
        Assert.True(process.ExitCode == 0, $"node --test exited with {process.ExitCode}. Output:\n{text}");
        // The spec reporter ends with "ℹ tests 9 … ℹ pass 9 ℹ fail 0 … ℹ skipped 0".
        Assert.Matches(new Regex(@"^\S*\s*pass [1-9][0-9]*\s*$", RegexOptions.Multiline), text);
        Assert.Matches(new Regex(@"^\S*\s*fail 0\s*$", RegexOptions.Multiline), text);
        Assert.Matches(new Regex(@"^\S*\s*skipped 0\s*$", RegexOptions.Multiline), text);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string? RepositoryRoot()
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

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
