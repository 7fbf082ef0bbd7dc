using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;

namespace SigmaFlow.Functions.Tests.Host;

/// <summary>
/// <c>infra/publish.sh</c> builds the deployable layout: host.json, one folder per function, a self-contained linux-x64
/// <c>sigmaflow</c> with its executable bit, and a zip that keeps that bit; the packaged handler starts and answers the
/// host's readiness probe.
/// </summary>
public sealed class PublishTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("sigmaflow-publish-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Publish_AssemblesTheLayout_KeepsTheExecutableBit_AndTheHandlerStarts()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("the package is a linux-x64 build; this test runs on Linux");
        }

        var root = SigmaFlow.Tests.Emulators.LocalEmulator.RepositoryRoot() ?? throw new InvalidOperationException("repository root not found");
        var (code, log) = await Run("bash", [Path.Combine(root, "infra", "publish.sh"), output], root, TimeSpan.FromMinutes(5));
        Assert.True(code == 0, log);

        var app = Path.Combine(output, "app");
        Assert.True(File.Exists(Path.Combine(app, "host.json")));
        var folders = Directory.GetDirectories(Path.Combine(root, "functions")).Where(d => File.Exists(Path.Combine(d, "function.json"))).Select(Path.GetFileName).Order().ToList();
        Assert.NotEmpty(folders);
        Assert.Equal(folders, Directory.GetDirectories(app).Select(Path.GetFileName).Order().ToList());
        var executable = Path.Combine(app, "sigmaflow");
        Assert.True(File.GetUnixFileMode(executable).HasFlag(UnixFileMode.UserExecute), "sigmaflow is executable");

        using (var zip = ZipFile.OpenRead(Path.Combine(output, "sigmaflow-app.zip")))
        {
            var entry = zip.GetEntry("sigmaflow") ?? throw new InvalidOperationException("sigmaflow missing from the zip");
            var mode = (entry.ExternalAttributes >> 16) & 0x1FF;
            Assert.True((mode & 0x40) != 0, $"the zip keeps the executable bit (mode {Convert.ToString(mode, 8)})");
            Assert.NotNull(zip.GetEntry("host.json"));
            Assert.All(folders, f => Assert.NotNull(zip.GetEntry($"{f}/function.json")));
        }

        // Started the way the Functions host starts it: the port in FUNCTIONS_CUSTOMHANDLER_PORT, readiness = GET /.
        var port = FreePort();
        var start = new ProcessStartInfo(executable) { WorkingDirectory = app, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var handler = Process.Start(start)!;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow.AddSeconds(30);
            HttpStatusCode? status = null;
            while (DateTime.UtcNow < deadline && status is null)
            {
                try
                {
                    status = (await http.GetAsync("/", TestContext.Current.CancellationToken)).StatusCode;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(50, TestContext.Current.CancellationToken);
                }
            }

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/health", TestContext.Current.CancellationToken)).StatusCode);
        }
        finally
        {
            handler.Kill(entireProcessTree: true);
            await handler.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int Code, string Log)> Run(string file, string[] arguments, string directory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(timeout);
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
