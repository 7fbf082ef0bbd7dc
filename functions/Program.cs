using SigmaFlow.Functions.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C asks long commands (sweeps) to stop cleanly; a second one ends the process.
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};

return await CliApp.RunAsync(args, Console.Out, Console.Error, cancellation.Token).ConfigureAwait(false);
