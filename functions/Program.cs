using Microsoft.Extensions.Hosting;
using SigmaFlow.Functions.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C asks long commands (sweeps) to stop cleanly; a second one ends the process.
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};

// SIGTERM (kill, a script's cleanup, a container stop) stops commands the same clean way. Background processes of
// scripts ignore SIGINT, so this is how scripts stop serve and feed.
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

// Started by the Functions host (custom handler): serve the functions on the port it gives.
if (args.Length == 0 && Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT") is not null)
{
    var app = SigmaFlow.Functions.Host.FunctionApp.Compose(SigmaFlow.Functions.Host.PlatformSettings.FromEnvironment(), TimeProvider.System);
    await using var server = app.CreateServer(new SigmaFlow.Functions.Host.CustomHandlerOptions { Url = SigmaFlow.Functions.Host.CustomHandlerOptions.UrlFromEnvironment() });
    await server.StartAsync(cancellation.Token).ConfigureAwait(false);
    await server.WaitForShutdownAsync(cancellation.Token).ConfigureAwait(false);
    return 0;
}

return await CliApp.RunAsync(args, Console.Out, Console.Error, cancellation.Token).ConfigureAwait(false);
