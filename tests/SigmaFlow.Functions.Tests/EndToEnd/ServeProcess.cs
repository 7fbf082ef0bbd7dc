using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SigmaFlow.Functions.Tests.EndToEnd;

/// <summary>
/// <c>sigmaflow serve</c> as a child process: the built executable beside the tests (with the function folders and
/// host.json copied there), its output collected, stopped with SIGTERM like a container stop or killed outright.
/// </summary>
internal sealed partial class ServeProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServeProcess(Process process) => this.process = process;

    /// <summary>The process id.</summary>
    public int Id => process.Id;

    /// <summary>Everything it printed so far (stdout and stderr interleaved).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>The Event Hubs connection string it printed.</summary>
    public string EventHubConnection => EventHubsLine().Match(Output).Groups["value"].Value;

    /// <summary>The Web PubSub connection string it printed.</summary>
    public string WebPubSubConnection => WebPubSubLine().Match(Output).Groups["value"].Value;

    /// <summary>Starts serve with the given arguments and environment overrides (null removes a variable).</summary>
    /// <param name="arguments">Arguments after <c>serve</c>.</param>
    /// <param name="environment">Variables to set or (null) remove.</param>
    /// <returns>The running process (not yet ready).</returns>
    public static ServeProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment)
    {
        var folder = AppContext.BaseDirectory;
        var apphost = Path.Combine(folder, OperatingSystem.IsWindows() ? "sigmaflow.exe" : "sigmaflow");
        var start = File.Exists(apphost) ? new ProcessStartInfo(apphost) : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(folder, "sigmaflow.dll") } };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--app-root");
        start.ArgumentList.Add(folder);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.WorkingDirectory = folder;
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("sigmaflow serve did not start.");
        var serve = new ServeProcess(process);
        process.OutputDataReceived += (_, e) => serve.Append(e.Data);
        process.ErrorDataReceived += (_, e) => serve.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return serve;
    }

    /// <summary>Waits for the <c>Ready in</c> line.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>A task that completes when serve is ready.</returns>
    /// <exception cref="TimeoutException">Not ready in time, or it exited first (the message holds its output).</exception>
    public async Task WaitForReadyAsync(TimeSpan timeout)
    {
        var finished = await Task.WhenAny(ready.Task, process.WaitForExitAsync(TestContext.Current.CancellationToken), Task.Delay(timeout, TestContext.Current.CancellationToken));
        if (finished != ready.Task)
        {
            throw new TimeoutException($"serve was not ready within {timeout.TotalSeconds} s (exited: {process.HasExited}). Its output:\n{Output}");
        }
    }

    /// <summary>Sends SIGTERM (what <c>kill</c> and a container stop send) and waits for the exit.</summary>
    /// <param name="timeout">How long to wait for the exit.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        return await WaitForExitAsync(timeout);
    }

    /// <summary>Kills the process at once (SIGKILL: no shutdown code runs) and waits for the exit.</summary>
    /// <param name="timeout">How long to wait for the exit.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> KillAsync(TimeSpan timeout)
    {
        process.Kill(entireProcessTree: true);
        return await WaitForExitAsync(timeout);
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

    [GeneratedRegex(@"EventHubConnection=(?<value>\S+)")]
    private static partial Regex EventHubsLine();

    [GeneratedRegex(@"WebPubSubConnection=(?<value>\S+)")]
    private static partial Regex WebPubSubLine();

    private async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"serve did not exit within {timeout.TotalSeconds} s. Its output:\n{Output}");
        }

        process.WaitForExit(); // drain the redirected streams
        return process.ExitCode;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        if (line.StartsWith("Ready in ", StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }
    }
}
