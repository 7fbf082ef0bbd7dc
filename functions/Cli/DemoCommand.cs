using System.Globalization;
using System.Text;
using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Platform.Strategies;

namespace SigmaFlow.Functions.Cli;

/// <summary>
/// <c>sigmaflow demo</c>: the main job until the local platform lands. Generates a synthetic market, computes a
/// panel of indicators in batch, replays the last bars through the streaming forms tick by tick and shows both agree.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The example strategy of the README, as users write it.</summary>
    public const string ExampleStrategy = """
        name: sma-cross
        parameters:
          fast: { default: 10, min: 2, max: 200 }
          slow: { default: 30, min: 3, max: 400 }
        long:
          entry: crossover(sma(close, fast), sma(close, slow))
          exit: crossunder(sma(close, fast), sma(close, slow))
        sizing:
          quantity: 100
        """;

    private static readonly string[] Panel = ["sma(20)", "ema(50)", "rsi(14)", "macd(12,26,9)", "bb(20,2)", "atr(14)", "adx(14)", "supertrend(10,3)"];

    public static async Task<int> RunAsync(CliArguments args, TextWriter stdout)
    {
        var options = SampleCommand.ReadOptions(args);
        args.RejectUnknown("demo");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var bars = SyntheticMarket.Generate(options);
        var generated = clock.Elapsed;
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"SigmaFlow demo: {bars.Count} synthetic bars (seed {options.Seed}) generated in {generated.TotalMilliseconds:F1} ms, {Formats.Time(bars.Time[0])} … {Formats.Time(bars.Time[^1])}")).ConfigureAwait(false);

        var header = new StringBuilder("timestamp            close     ");
        var rows = Enumerable.Range(Math.Max(0, bars.Count - 5), Math.Min(5, bars.Count)).Select(i => new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{Formats.Time(bars.Time[i])} {bars.Close[i],-9:F2} "))).ToList();
        var mismatches = 0;
        clock.Restart();
        foreach (var spec in Panel)
        {
            var (definition, arguments) = Core.Indicators.Catalog.IndicatorCatalog.Parse(spec);
            var result = definition.Calculate(bars, arguments);
            header.Append(CultureInfo.InvariantCulture, $"{definition.Name + "." + definition.Outputs[0].Name,-16}");
            for (var r = 0; r < rows.Count; r++)
            {
                var v = result.Columns[0][bars.Count - rows.Count + r];
                rows[r].Append(CultureInfo.InvariantCulture, $"{(double.IsNaN(v) ? "—" : v.ToString("F4", CultureInfo.InvariantCulture)),-16}");
            }

            mismatches += Replay(bars, definition, arguments, result);
        }

        var computed = clock.Elapsed;
        await stdout.WriteLineAsync().ConfigureAwait(false);
        await stdout.WriteLineAsync(header.ToString()).ConfigureAwait(false);
        foreach (var row in rows)
        {
            await stdout.WriteLineAsync(row.ToString()).ConfigureAwait(false);
        }

        await stdout.WriteLineAsync().ConfigureAwait(false);
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{Panel.Length} indicators in batch and streamed tick by tick over all bars in {computed.TotalMilliseconds:F1} ms; streaming vs batch mismatches: {mismatches}.")).ConfigureAwait(false);

        var strategy = StrategyCompiler.Compile(StrategyDocumentReader.Read(ExampleStrategy));
        var backtest = BacktestEngine.Run(bars, strategy, new BacktestOptions { Commission = new CommissionModel(CommissionKind.Percent, 0.1m) });
        var m = backtest.Metrics;
        await stdout.WriteLineAsync().ConfigureAwait(false);
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Backtest of sma-cross (fast=10, slow=30, 0.1 % commission): {m.TradeCount} trades, total return {m.TotalReturn:P2} vs buy-and-hold {m.BenchmarkReturn:P2}, Sharpe {m.Sharpe:F2}, max drawdown {m.MaxDrawdown:P2}, run {backtest.Manifest.Hash[..12]}.")).ConfigureAwait(false);
        var sweep = LocalSweepExecutor.Run(
            new SweepDefinition
            {
                Strategy = strategy.Document,
                Axes = [ParameterAxis.Range("fast", 4, 40, 2), ParameterAxis.Range("slow", 20, 120, 5)],
                Constraints = ["fast < slow"],
                Options = new BacktestOptions { Commission = new CommissionModel(CommissionKind.Percent, 0.1m) },
                MinTrades = 5,
            },
            bars);
        var best = sweep.Result.Best;
        var bestText = best is null ? "no combination had 5 trades" : string.Create(CultureInfo.InvariantCulture, $"best {Sweep.Describe(sweep.Sweep.Space, best.Parameters)} with Sharpe {best.Objective:F2}");
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Sweep of fast × slow: {sweep.Result.Combinations} combinations in {sweep.Elapsed.TotalSeconds:F2} s on {Environment.ProcessorCount} cores; {bestText}; Deflated Sharpe Ratio {sweep.DeflatedSharpe:F2}, Probability of Backtest Overfitting {sweep.Pbo.Probability:F2}.")).ConfigureAwait(false);
        await stdout.WriteLineAsync().ConfigureAwait(false);
        await stdout.WriteLineAsync("Next steps:").ConfigureAwait(false);
        await stdout.WriteLineAsync("  sigmaflow indicators --list").ConfigureAwait(false);
        await stdout.WriteLineAsync("  sigmaflow sample --out bars.csv").ConfigureAwait(false);
        await stdout.WriteLineAsync("  sigmaflow indicators --data bars.csv --spec 'macd(12,26,9)'").ConfigureAwait(false);
        await stdout.WriteLineAsync("  sigmaflow backtest --data bars.csv --strategy sma-cross.yaml --commission-pct 0.1").ConfigureAwait(false);
        await stdout.WriteLineAsync("  sigmaflow sweep --data bars.csv --strategy sma-cross.yaml --param fast=4:40:2 --param slow=20:120:5 --constraint 'fast < slow'").ConfigureAwait(false);
        await stdout.WriteLineAsync("  sigmaflow walkforward --data bars.csv --strategy sma-cross.yaml --param fast=4:40:4 --param slow=20:120:10 --in-sample 504 --out-of-sample 126").ConfigureAwait(false);
        await stdout.WriteLineAsync("  sigmaflow montecarlo --data bars.csv --strategy sma-cross.yaml --commission-pct 0.1").ConfigureAwait(false);
        return mismatches == 0 ? CliApp.Ok : CliApp.DataError;
    }

    /// <summary>Streams every bar as three revisions (open, midway, final) and counts disagreements with the batch result.</summary>
    private static int Replay(BarSeries bars, Core.Indicators.Catalog.IndicatorDefinition definition, Core.Indicators.Catalog.IndicatorArguments arguments, Core.Indicators.Catalog.IndicatorResult batch)
    {
        var live = definition.CreateLive(arguments);
        var mismatches = 0;
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            live.Update(bar with { High = bar.Open, Low = bar.Open, Close = bar.Open, Volume = 0 });
            live.Update(bar with { Close = (bar.Open + bar.Close) / 2, Volume = bar.Volume / 2 });
            live.Update(bar);
            for (var f = 0; f < definition.Outputs.Count; f++)
            {
                var a = live.Values[f];
                var b = definition.Outputs[f].LookAhead ? double.NaN : batch.Columns[f][i];
                if (!(a.Equals(b)))
                {
                    mismatches++;
                }
            }
        }

        return mismatches;
    }
}
