using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Strategies;

namespace SigmaFlow.Functions.Cli;

/// <summary>
/// The <c>sigmaflow</c> command line. Exit codes: 0 success, 1 usage or specification error, 2 bad input data,
/// 3 file not readable or writable, 4 a feed lost a batch after its retries, 130 cancelled (Ctrl+C).
/// </summary>
internal static class CliApp
{
    public const int Ok = 0;
    public const int UsageError = 1;
    public const int DataError = 2;
    public const int IoError = 3;
    public const int Cancelled = 130;

    private const string Usage = """
        SigmaFlow — serverless algorithmic trading platform.

        Usage:
          sigmaflow indicators --data FILE --spec SPEC [--format csv|json] [--out FILE] [--skip-bad-rows]
          sigmaflow indicators --list [--format table|json]
          sigmaflow backtest --data FILE --strategy FILE [--set name=value …] [--cash 100000]
                             [--commission-pct 0.1 | --commission-per-share X [--commission-min Y] | --commission-fixed X]
                             [--slippage-bps 0 | --slippage-range F] [--max-participation P] [--fill next-open|close]
                             [--close-at-end] [--short-margin 0.5] [--format json|table] [--out FILE] [--skip-bad-rows]
          sigmaflow sweep --data FILE --strategy FILE --param NAME=START:STOP:STEP … [--constraint "fast < slow" …]
                          [--method grid|random|adaptive] [--samples N] [--seed N] [--objective sharpe]
                          [--min-trades N] [--require "maxDrawdown > -0.3" …] [--top 20] [--workers N]
                          [--set name=value …] [backtest options] [--format json|table] [--out FILE]
          sigmaflow walkforward --data FILE --strategy FILE --param … --in-sample BARS --out-of-sample BARS
                          [--step BARS] [--anchored] [sweep options] [--format json|table] [--out FILE]
          sigmaflow montecarlo --data FILE --strategy FILE [--set name=value …] [backtest options] [--paths 1000]
                          [--seed N] [--methods reshuffle,bootstrap,skip,costs] [--skip-probability 0.1]
                          [--cost-range 0.5:2] [--ruin 0.5] [--format json|table] [--out FILE]
          sigmaflow serve [--port 7071] [--app-root DIR] [--dashboard DIR]
                          [--no-event-hubs] [--event-hubs-port 7073] [--partitions 4] [--event-hubs-key KEY]
                          [--no-web-pubsub] [--web-pubsub-port 7072] [--web-pubsub-key KEY] [--data-dir DIR]
          sigmaflow feed --source simulator [--symbols BTCUSD,ETHUSD,SOLUSD] [--rate 100] [--seed N]
                         [--duration 60s | --count N] [--connection CS] [--hub ticks] [--batch-ms 50] [--quiet]
          sigmaflow feed --source replay --file FILE [--speed 1] [--rebase] [--symbol NAME] [--skip-bad-rows]
                         [--duration 60s | --count N] [--connection CS] [--hub ticks] [--batch-ms 50] [--quiet]
          sigmaflow sample --out FILE [--bars N] [--seed N] [--interval 1d] [--start-price 100]
          sigmaflow demo [--bars N] [--seed N]
          sigmaflow keys create --name NAME [--scope read|trade|admin] [--rate-limit 600] | keys list | keys revoke --id ID
          sigmaflow --version

        SPEC is name(arg, …) with numbers in the catalog's parameter order, e.g. ema(20), macd(12,26,9),
        bb(20,2), stoch(14,3,3); value indicators accept a price field first: ema(hl2, 9).
        Run 'sigmaflow indicators --list' for every indicator, its parameters and output fields.
        Sweeps: --param takes START:STOP:STEP, a list a,b,c, or just NAME (the document's min…max by its step);
        objectives are sharpe, sortino, calmar, cagr, return, return-dd, profit-factor or an expression over
        metric names such as "cagr / abs(maxDrawdown)". A progress bar is drawn on stderr at a terminal
        (--progress forces it, --no-progress hides it).
        Feeds publish ticks to the ticks event hub: the connection comes from --connection or EventHubConnection
        ('sigmaflow serve' prints a local one); a replay keeps the recorded times unless --rebase (use it for live
        dashboards). Exit code 4 when a batch could not be sent. See functions/Feeds/README.md.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        try
        {
            var flags = new HashSet<string>(StringComparer.Ordinal) { "list", "help", "skip-bad-rows", "version", "close-at-end", "anchored", "progress", "no-progress", "web-pubsub", "event-hubs", "no-web-pubsub", "no-event-hubs", "quiet", "rebase", "test-hooks" };
            var parsed = CliArguments.Parse(args, flags);
            if (parsed.Command is null)
            {
                if (parsed.Flag("version"))
                {
                    await stdout.WriteLineAsync($"sigmaflow {typeof(CliApp).Assembly.GetName().Version}").ConfigureAwait(false);
                    return Ok;
                }

                await (parsed.Flag("help") ? stdout : stderr).WriteLineAsync(Usage).ConfigureAwait(false);
                return parsed.Flag("help") ? Ok : UsageError;
            }

            if (parsed.Flag("help"))
            {
                await stdout.WriteLineAsync(Usage).ConfigureAwait(false);
                return Ok;
            }

            return parsed.Command switch
            {
                "indicators" => await IndicatorsCommand.RunAsync(parsed, stdout, stderr).ConfigureAwait(false),
                "backtest" => await BacktestCommand.RunAsync(parsed, stdout, stderr).ConfigureAwait(false),
                "sweep" => await SweepCommand.RunSweepAsync(parsed, stdout, stderr, cancellationToken).ConfigureAwait(false),
                "walkforward" => await SweepCommand.RunWalkForwardAsync(parsed, stdout, stderr, cancellationToken).ConfigureAwait(false),
                "montecarlo" => await MonteCarloCommand.RunAsync(parsed, stdout, stderr, cancellationToken).ConfigureAwait(false),
                "serve" => await ServeCommand.RunAsync(parsed, stdout, stderr, cancellationToken).ConfigureAwait(false),
                "feed" => await Feeds.FeedCommand.RunAsync(parsed, stdout, stderr, cancellationToken).ConfigureAwait(false),
                "sample" => await SampleCommand.RunAsync(parsed, stdout).ConfigureAwait(false),
                "demo" => await DemoCommand.RunAsync(parsed, stdout).ConfigureAwait(false),
                "keys" => await KeysCommand.RunAsync(parsed, stdout, cancellationToken).ConfigureAwait(false),
                _ => throw new CliUsageException($"Unknown command '{parsed.Command}'. Commands: indicators, backtest, sweep, walkforward, montecarlo, serve, feed, sample, demo, keys."),
            };
        }
        catch (CliUsageException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return UsageError;
        }
        catch (IndicatorSpecException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return UsageError;
        }
        catch (StrategyException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return UsageError;
        }
        catch (BarCsvException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            await stderr.WriteLineAsync("hint: --skip-bad-rows skips them and prints a data-quality report.").ConfigureAwait(false);
            return DataError;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("cancelled").ConfigureAwait(false);
            return Cancelled;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return IoError;
        }
    }
}
