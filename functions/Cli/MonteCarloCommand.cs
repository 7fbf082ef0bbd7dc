using System.Globalization;
using System.Text;
using System.Text.Json;
using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Core.Optimization.MonteCarlo;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Strategies.Rules;
using SigmaFlow.Platform.Strategies;

namespace SigmaFlow.Functions.Cli;

/// <summary><c>sigmaflow montecarlo</c>: how much of a backtest's result is luck of the order, the draw and the costs.</summary>
internal static class MonteCarloCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(CliArguments args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var data = args.Required("data", "a CSV file of bars");
        var strategyPath = args.Required("strategy", "a strategy document, YAML or JSON");
        var overrides = BacktestCommand.ParseSets(args.Values("set"));
        // Positions still open at the end are closed (costs charged), so every profit and loss is in a trade and the
        // trade-sequence methods start from the same final equity as the backtest.
        var backtestOptions = BacktestCommand.ReadOptions(args) with { CloseAtEnd = true };
        var options = new MonteCarloOptions
        {
            Paths = args.Int("paths", 1000, 1, MonteCarloOptions.MaxPaths),
            Seed = Seed(args),
            Methods = Methods(args.Value("methods")),
            SkipProbability = args.Number("skip-probability", 0.1, 0, 0.999999),
            RuinThreshold = args.Number("ruin", 0.5, 1e-9, 1),
        };
        var range = args.Value("cost-range");
        if (range is not null)
        {
            var parts = range.Split(':');
            if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, Inv, out var low) || !double.TryParse(parts[1], NumberStyles.Float, Inv, out var high) || low < 0 || high < low || high > MonteCarloOptions.MaxCostFactor)
            {
                throw new CliUsageException($"--cost-range is LOW:HIGH, multipliers of the commission and slippage with 0 ≤ LOW ≤ HIGH ≤ {MonteCarloOptions.MaxCostFactor}; got '{range}'.");
            }

            options = options with { CostFactorLow = low, CostFactorHigh = high };
        }

        var format = args.Value("format") ?? "table";
        var outPath = args.Value("out");
        var skipBad = args.Flag("skip-bad-rows");
        var symbol = args.Value("symbol");
        args.RejectUnknown("montecarlo");
        if (format is not ("json" or "table"))
        {
            throw new CliUsageException($"--format must be json or table; got '{format}'.");
        }

        if (!File.Exists(strategyPath))
        {
            throw new FileNotFoundException($"Strategy file '{strategyPath}' does not exist.", strategyPath);
        }

        var document = StrategyDocumentReader.Read(await File.ReadAllTextAsync(strategyPath, cancellationToken).ConfigureAwait(false));
        var strategy = StrategyCompiler.Compile(document, overrides);
        var bars = await BarFiles.LoadAsync(data, skipBad, stderr).ConfigureAwait(false);
        var cache = new IndicatorColumnCache();
        var baseline = BacktestEngine.Run(bars, strategy, backtestOptions, cache);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        MonteCarloReport report;
        try
        {
            report = MonteCarloAnalysis.Run(baseline, options, o => BacktestEngine.Run(bars, strategy, o, cache), null, cancellationToken);
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException(e.Message.Split(" (Parameter '", 2)[0]);
        }

        await stderr.WriteLineAsync(string.Create(Inv, $"{options.Paths} paths × {report.Methods.Count(m => m.SkippedReason is null)} methods in {clock.Elapsed.TotalSeconds:0.00} s")).ConfigureAwait(false);
        var name = symbol ?? Path.GetFileNameWithoutExtension(data).ToUpperInvariant();
        var text = format == "json" ? Json(report, baseline, strategy, name) : Table(report, baseline, strategy, name);
        if (outPath is null)
        {
            await stdout.WriteAsync(text).ConfigureAwait(false);
        }
        else
        {
            await File.WriteAllTextAsync(outPath, text, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        }

        return CliApp.Ok;
    }

    private static ulong Seed(CliArguments args)
    {
        var text = args.Value("seed");
        ulong seed = 1;
        return text is null || ulong.TryParse(text, NumberStyles.None, Inv, out seed) ? seed : throw new CliUsageException($"--seed must be a whole number ≥ 0; got '{text}'.");
    }

    private static MonteCarloMethod[] Methods(string? text)
    {
        if (text is null)
        {
            return [MonteCarloMethod.Reshuffle, MonteCarloMethod.Bootstrap, MonteCarloMethod.Skip, MonteCarloMethod.Costs];
        }

        return text.Split(',', StringSplitOptions.TrimEntries).Select(m => m switch
        {
            "reshuffle" => MonteCarloMethod.Reshuffle,
            "bootstrap" => MonteCarloMethod.Bootstrap,
            "skip" => MonteCarloMethod.Skip,
            "costs" => MonteCarloMethod.Costs,
            _ => throw new CliUsageException($"--methods takes a comma-separated list of reshuffle, bootstrap, skip, costs; got '{m}'."),
        }).Distinct().ToArray();
    }

    private static string Json(MonteCarloReport report, BacktestResult baseline, CompiledStrategy strategy, string symbol) => JsonOut.Document(json =>
    {
        var o = report.Options;
        json.WriteStartObject();
        json.WriteString("strategy", strategy.Document.Name);
        json.WriteString("symbol", symbol);
        json.WriteStartObject("parameters");
        foreach (var p in strategy.Parameters)
        {
            json.WriteNumber(p.Key, p.Value);
        }

        json.WriteEndObject();
        json.WriteNumber("paths", o.Paths);
        json.WriteString("seed", report.Seed.ToString(Inv));
        json.WriteNumber("skipProbability", o.SkipProbability);
        json.WriteNumber("costFactorLow", o.CostFactorLow);
        json.WriteNumber("costFactorHigh", o.CostFactorHigh);
        json.WriteNumber("ruinThreshold", o.RuinThreshold);
        json.WriteNumber("trades", baseline.Trades.Count);
        JsonOut.Metrics(json, "baselineMetrics", baseline.Metrics);
        json.WriteStartArray("methods");
        foreach (var m in report.Methods)
        {
            json.WriteStartObject();
            json.WriteString("method", m.Method.ToString().ToLowerInvariant());
            json.WriteNumber("paths", m.Paths);
            if (m.SkippedReason is not null)
            {
                json.WriteString("skipped", m.SkippedReason);
            }

            Bands(json, "finalEquity", m.FinalEquity);
            Bands(json, "maxDrawdown", m.MaxDrawdown);
            Bands(json, "sharpe", m.Sharpe);
            JsonOut.Number(json, "probabilityOfRuin", m.ProbabilityOfRuin);
            json.WriteStartObject("baseline");
            JsonOut.Number(json, "finalEquity", m.Baseline.FinalEquity);
            JsonOut.Number(json, "maxDrawdown", m.Baseline.MaxDrawdown);
            JsonOut.Number(json, "sharpe", m.Baseline.Sharpe);
            json.WriteBoolean("ruined", m.Baseline.Ruined);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("manifest");
        json.WriteString("hash", baseline.Manifest.Hash);
        json.WriteString("dataHash", baseline.Manifest.DataHash);
        json.WriteString("engineVersion", baseline.Manifest.EngineVersion);
        json.WriteEndObject();
        json.WriteEndObject();
    });

    private static void Bands(Utf8JsonWriter json, string name, PercentileBands bands)
    {
        json.WriteStartObject(name);
        JsonOut.Number(json, "p5", bands.P5);
        JsonOut.Number(json, "p25", bands.P25);
        JsonOut.Number(json, "p50", bands.P50);
        JsonOut.Number(json, "p75", bands.P75);
        JsonOut.Number(json, "p95", bands.P95);
        json.WriteEndObject();
    }

    private static string Table(MonteCarloReport report, BacktestResult baseline, CompiledStrategy strategy, string symbol)
    {
        var text = new StringBuilder();
        text.AppendLine(Inv, $"{strategy.Document.Name} on {symbol} ({strategy.DescribeParameters()}): {baseline.Trades.Count} trades, final equity {baseline.FinalEquity:0.00}");
        text.AppendLine(Inv, $"{report.Options.Paths} paths per method, seed {report.Seed}; ruin = equity at or below {1 - report.Options.RuinThreshold:P0} of the start");
        text.AppendLine();
        text.AppendLine("method      statistic            p5           p25           p50           p75           p95      baseline");
        foreach (var m in report.Methods)
        {
            var name = m.Method.ToString().ToLowerInvariant();
            if (m.SkippedReason is not null)
            {
                text.AppendLine(Inv, $"{name,-10}  skipped: {m.SkippedReason}");
                continue;
            }

            Row(text, name, "final equity", m.FinalEquity, m.Baseline.FinalEquity, "0.00");
            Row(text, string.Empty, "max drawdown", m.MaxDrawdown, m.Baseline.MaxDrawdown, "P2");
            Row(text, string.Empty, "sharpe", m.Sharpe, m.Baseline.Sharpe, "0.000");
            text.AppendLine(Inv, $"{string.Empty,-10}  probability of ruin {m.ProbabilityOfRuin:P2}");
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, string method, string statistic, PercentileBands b, double baseline, string format)
    {
        string Show(double v) => double.IsNaN(v) ? "—" : v.ToString(format, Inv);
        text.AppendLine(Inv, $"{method,-10}  {statistic,-14}  {Show(b.P5),12}  {Show(b.P25),12}  {Show(b.P50),12}  {Show(b.P75),12}  {Show(b.P95),12}  {Show(baseline),12}");
    }
}
