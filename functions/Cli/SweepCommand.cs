using System.Globalization;
using System.Text;
using System.Text.Json;
using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Backtesting.Performance;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Platform.Strategies;

namespace SigmaFlow.Functions.Cli;

/// <summary><c>sigmaflow sweep</c> and <c>sigmaflow walkforward</c>: parameter optimisation on all cores.</summary>
internal static class SweepCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunSweepAsync(CliArguments args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var format = Format(args);
        var outPath = args.Value("out");
        var showProgress = ShowProgress(args);
        var input = await ReadInputAsync(args, "sweep", stderr).ConfigureAwait(false);

        using var bar = showProgress ? new ProgressBar(stderr, "sweep") : null;
        var result = Usage(() => LocalSweepExecutor.Run(input.Definition, input.Bars, input.Execution with { Progress = bar }, cancellationToken));
        bar?.Finish();
        if (input.Definition.Method != SearchMethod.Grid && result.Trials < input.Definition.Samples)
        {
            await stderr.WriteLineAsync(string.Create(Inv, $"note: {result.Trials} of the {input.Definition.Samples} samples asked for exist (or were found) among the combinations that meet the constraints.")).ConfigureAwait(false);
        }

        await stderr.WriteLineAsync(string.Create(Inv, $"{result.Backtests} backtests in {result.Elapsed.TotalSeconds:0.00} s on {input.Execution.Workers} workers ({result.Shards} shards); {Rate(result)}")).ConfigureAwait(false);

        var text = format == "json" ? SweepJson(input, result) : SweepTable(input, result);
        await WriteAsync(text, outPath, stdout, cancellationToken).ConfigureAwait(false);
        return CliApp.Ok;
    }

    public static async Task<int> RunWalkForwardAsync(CliArguments args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Value("top") is not null || args.Value("pbo-blocks") is not null)
        {
            throw new CliUsageException("--top and --pbo-blocks apply to sweep; walk-forward keeps each window's best combination.");
        }

        var inSample = args.Int("in-sample", 0, 2, int.MaxValue);
        var outOfSample = args.Int("out-of-sample", 0, 2, int.MaxValue);
        if (inSample == 0 || outOfSample == 0)
        {
            throw new CliUsageException("walkforward needs --in-sample BARS and --out-of-sample BARS, e.g. --in-sample 504 --out-of-sample 126.");
        }

        var step = args.Value("step") is null ? (int?)null : args.Int("step", outOfSample, 1, int.MaxValue);
        var options = new WalkForwardOptions { InSampleBars = inSample, OutOfSampleBars = outOfSample, StepBars = step, Anchored = args.Flag("anchored") };
        var format = Format(args);
        var outPath = args.Value("out");
        var showProgress = ShowProgress(args);
        var input = await ReadInputAsync(args, "walkforward", stderr).ConfigureAwait(false);
        IReadOnlyList<(BarRange InSample, BarRange OutOfSample)> windows;
        try
        {
            windows = WalkForwardAnalysis.Windows(options, input.Definition.Range ?? new BarRange(0, input.Bars.Count));
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException(Clean(e.Message));
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var bar = showProgress ? new ProgressBar(stderr, "walk-forward") : null;
        var progress = bar is null ? null : new WindowProgress(bar, windows.Count);
        var report = Usage(() => WalkForwardAnalysis.Run(input.Definition, input.Bars, options, input.Execution, progress, cancellationToken));
        bar?.Finish();
        await stderr.WriteLineAsync(string.Create(Inv, $"{report.Windows.Count} windows, {report.Trials} combinations in {clock.Elapsed.TotalSeconds:0.00} s on {input.Execution.Workers} workers")).ConfigureAwait(false);
        var text = format == "json" ? WalkForwardJson(input, options, report) : WalkForwardTable(input, options, report);
        await WriteAsync(text, outPath, stdout, cancellationToken).ConfigureAwait(false);
        return CliApp.Ok;
    }

    internal static async Task<SweepInput> ReadInputAsync(CliArguments args, string command, TextWriter stderr)
    {
        var data = args.Required("data", "a CSV file of bars");
        var strategyPath = args.Required("strategy", "a strategy document, YAML or JSON");
        if (!File.Exists(strategyPath))
        {
            throw new FileNotFoundException($"Strategy file '{strategyPath}' does not exist.", strategyPath);
        }

        var document = StrategyDocumentReader.Read(await File.ReadAllTextAsync(strategyPath).ConfigureAwait(false));
        var axes = new List<ParameterAxis>();
        foreach (var spec in args.Values("param"))
        {
            if (!spec.Contains('=', StringComparison.Ordinal))
            {
                var names = document.Parameters.Select(p => p.Name).ToList();
                var parameter = document.Parameters.FirstOrDefault(p => p.Name == spec)
                    ?? throw new CliUsageException($"--param {spec}: the strategy has no parameter '{spec}'; its parameters are {string.Join(", ", names)}.{SigmaFlow.Core.Spelling.Hint(spec, names)}");
                axes.Add(Usage(() => ParameterSpace.DefaultAxis(parameter)));
                continue;
            }

            axes.Add(Usage(() => ParameterAxis.Parse(spec)));
        }

        foreach (var (name, value) in BacktestCommand.ParseSets(args.Values("set")))
        {
            if (axes.Any(a => a.Name == name))
            {
                throw new CliUsageException($"parameter '{name}' is both swept (--param) and fixed (--set); give one.");
            }

            axes.Add(new ParameterAxis(name, [value]));
        }

        if (!axes.Any(a => a.Values.Count > 1))
        {
            var stepped = document.Parameters.Where(p => p.Step is not null && axes.All(a => a.Name != p.Name)).ToList();
            if (stepped.Count == 0)
            {
                throw new CliUsageException("nothing to sweep: give --param NAME=START:STOP:STEP (or NAME=a,b,c, or NAME for the document's min…max by its step) at least once.");
            }

            axes.AddRange(stepped.Select(p => Usage(() => ParameterSpace.DefaultAxis(p))));
        }

        var method = (args.Value("method") ?? "grid") switch
        {
            "grid" => SearchMethod.Grid,
            "random" => SearchMethod.Random,
            "adaptive" => SearchMethod.Adaptive,
            var other => throw new CliUsageException($"--method must be grid, random or adaptive; got '{other}'."),
        };
        var samples = args.Int("samples", 100, 1, 10_000_000);
        if (method == SearchMethod.Grid)
        {
            foreach (var option in new[] { "samples", "seed" })
            {
                if (args.Value(option) is not null)
                {
                    throw new CliUsageException($"--{option} applies to --method random or adaptive; a grid tries every combination.");
                }
            }
        }

        if (method != SearchMethod.Adaptive)
        {
            foreach (var option in new[] { "halving-rate", "rungs" })
            {
                if (args.Value(option) is not null)
                {
                    throw new CliUsageException($"--{option} applies to --method adaptive (successive halving).");
                }
            }
        }

        var seedText = args.Value("seed");
        ulong seed = 1;
        if (seedText is not null && !ulong.TryParse(seedText, NumberStyles.None, Inv, out seed))
        {
            throw new CliUsageException($"--seed must be a whole number ≥ 0; got '{seedText}'.");
        }

        var definition = new SweepDefinition
        {
            Strategy = document,
            Axes = axes,
            Constraints = args.Values("constraint"),
            Method = method,
            Samples = samples,
            Seed = seed,
            HalvingRate = args.Int("halving-rate", 3, 2, 16),
            Rungs = args.Int("rungs", 3, 1, 8),
            Objective = new SweepObjective(args.Value("objective") ?? "sharpe"),
            MinTrades = args.Int("min-trades", 0, 0, int.MaxValue),
            Requirements = args.Values("require"),
            Top = args.Int("top", 20, 1, SweepDefinition.MaxTop),
            Options = BacktestCommand.ReadOptions(args),
            PboBlocks = args.Int("pbo-blocks", 10, 2, 16),
        };

        var workers = args.Int("workers", Environment.ProcessorCount, 1, 256);
        var skipBad = args.Flag("skip-bad-rows");
        var symbol = args.Value("symbol");
        var rerun = BacktestOptionText(args);
        args.RejectUnknown(command);

        // Validate the sweep before loading data or doing any work, so a typo fails in milliseconds.
        Usage(() => Sweep.Prepare(definition with { Method = method == SearchMethod.Adaptive ? SearchMethod.Random : method }));
        var bars = await BarFiles.LoadAsync(data, skipBad, stderr).ConfigureAwait(false);
        return new SweepInput(definition, bars, symbol ?? Path.GetFileNameWithoutExtension(data).ToUpperInvariant(), new LocalExecution { Workers = workers }, data, strategyPath, rerun);
    }

    /// <summary>The backtest options as given, to repeat them in the re-run line.</summary>
    private static string BacktestOptionText(CliArguments args)
    {
        var text = new StringBuilder();
        foreach (var name in new[] { "cash", "fill", "commission-pct", "commission-per-share", "commission-min", "commission-fixed", "slippage-bps", "slippage-range", "max-participation", "short-margin" })
        {
            if (args.Value(name) is { } value)
            {
                text.Append(Inv, $" --{name} {value}");
            }
        }

        if (args.Flag("close-at-end"))
        {
            text.Append(" --close-at-end");
        }

        return text.ToString();
    }

    private static T Usage<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new CliUsageException(Clean(e.Message));
        }
        catch (InvalidOperationException e)
        {
            throw new CliUsageException(e.Message);
        }
    }

    private static string Clean(string message) => message.Split(" (Parameter '", 2)[0];

    private static string Format(CliArguments args)
    {
        var format = args.Value("format") ?? "table";
        return format is "json" or "table" ? format : throw new CliUsageException($"--format must be json or table; got '{format}'.");
    }

    private static bool ShowProgress(CliArguments args) =>
        !args.Flag("no-progress") && (args.Flag("progress") || (!Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null));

    private static async Task WriteAsync(string text, string? outPath, TextWriter stdout, CancellationToken cancellationToken)
    {
        if (outPath is null)
        {
            await stdout.WriteAsync(text).ConfigureAwait(false);
        }
        else
        {
            await File.WriteAllTextAsync(outPath, text, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Rate(OptimizationResult result)
    {
        var seconds = result.Elapsed.TotalSeconds;
        return seconds > 0 ? string.Create(Inv, $"{result.Backtests / seconds:0} backtests/s") : "instant";
    }

    private static string SweepJson(SweepInput input, OptimizationResult result) => JsonOut.Document(json =>
    {
        var r = result.Result;
        var d = input.Definition;
        json.WriteStartObject();
        json.WriteString("strategy", d.Strategy.Name);
        json.WriteString("symbol", input.Symbol);
        json.WriteString("method", d.Method.ToString().ToLowerInvariant());
        json.WriteString("objective", d.Objective.Name);
        json.WriteNumber("combinations", result.Backtests);
        json.WriteNumber("trials", result.Trials);
        json.WriteNumber("excluded", r.Totals.Excluded);
        json.WriteNumber("unranked", r.Totals.Unranked);
        json.WriteNumber("failed", r.Totals.Failed);
        json.WriteStartArray("top");
        for (var i = 0; i < r.Top.Count; i++)
        {
            var t = r.Top[i];
            json.WriteStartObject();
            json.WriteNumber("rank", i + 1);
            Parameters(json, result.Sweep.Space.Names, t.Parameters);
            JsonOut.Number(json, "objective", t.Objective);
            JsonOut.Metrics(json, "metrics", t.Metrics);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        JsonOut.Number(json, "deflatedSharpe", result.DeflatedSharpe);
        var pbo = result.Pbo;
        JsonOut.Number(json, "pbo", pbo.Probability);
        json.WriteStartObject("overfitting");
        JsonOut.Number(json, "deflatedSharpe", result.DeflatedSharpe);
        json.WriteNumber("deflatedSharpeTrials", result.Trials);
        JsonOut.Number(json, "sharpeVariance", result.TrialSharpes.Variance);
        JsonOut.Number(json, "pbo", pbo.Probability);
        json.WriteNumber("pboTrials", pbo.Trials);
        json.WriteNumber("pboBlocks", pbo.Blocks);
        json.WriteNumber("pboSplits", pbo.Splits);
        JsonOut.Number(json, "pboMedianLogit", pbo.MedianLogit);
        json.WriteEndObject();
        json.WriteStartObject("objectiveStatistics");
        var o = r.Totals.Objective;
        json.WriteNumber("count", o.Count);
        JsonOut.Number(json, "mean", o.Mean);
        JsonOut.Number(json, "standardDeviation", o.StandardDeviation);
        JsonOut.Number(json, "minimum", o.Count > 0 ? o.Minimum : double.NaN);
        JsonOut.Number(json, "maximum", o.Count > 0 ? o.Maximum : double.NaN);
        json.WriteEndObject();
        if (result.Rungs.Count > 0)
        {
            json.WriteStartArray("rungs");
            foreach (var rung in result.Rungs)
            {
                json.WriteStartObject();
                json.WriteString("from", Formats.Time(input.Bars.Time[rung.Range.Start]));
                json.WriteString("to", Formats.Time(input.Bars.Time[rung.Range.End - 1]));
                json.WriteNumber("bars", rung.Range.Length);
                json.WriteNumber("candidates", rung.Candidates);
                json.WriteNumber("survivors", rung.Survivors);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteStartArray("failures");
        foreach (var f in r.Failures)
        {
            json.WriteStartObject();
            json.WriteString("parameters", f.Parameters);
            json.WriteString("error", f.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        Manifest(json, input, result.Sweep.Hash);
        json.WriteEndObject();
    });

    private static string SweepTable(SweepInput input, OptimizationResult result)
    {
        var r = result.Result;
        var d = input.Definition;
        var names = result.Sweep.Space.Names;
        var swept = d.Axes.Where(a => a.Values.Count > 1).Select(a => a.Name).ToList();
        var slots = swept.Select(n => names.ToList().IndexOf(n)).ToList();
        var text = new StringBuilder();
        text.AppendLine(Inv, $"{d.Strategy.Name} on {input.Symbol}: {d.Method.ToString().ToLowerInvariant()} sweep of {string.Join(", ", d.Axes.Where(a => a.Values.Count > 1).Select(a => $"{a.Name} ({a.Values.Count} values)"))}, objective {d.Objective.Name}");
        text.AppendLine(Inv, $"{result.Backtests} backtests of {result.Trials} combinations, {r.Totals.Excluded} excluded by constraints, {r.Totals.Unranked} not ranked, {r.Totals.Failed} failed");
        foreach (var rung in result.Rungs)
        {
            text.AppendLine(Inv, $"  rung on the last {rung.Range.Length} bars: {rung.Candidates} candidates, {rung.Survivors} went on");
        }

        text.AppendLine();
        var header = new StringBuilder("rank");
        foreach (var n in swept)
        {
            header.Append(Inv, $"  {n,10}");
        }

        header.Append("   objective    sharpe      cagr    max dd  trades");
        text.AppendLine(header.ToString());
        for (var i = 0; i < r.Top.Count; i++)
        {
            var t = r.Top[i];
            var line = new StringBuilder(i + 1 < 1000 ? $"{i + 1,4}" : (i + 1).ToString(Inv));
            foreach (var s in slots)
            {
                line.Append(Inv, $"  {t.Parameters[s],10:0.####}");
            }

            line.Append(Inv, $"  {Show(t.Objective),10}  {Show(t.Metrics.Sharpe),8}  {Show(t.Metrics.Cagr, "P1"),8}  {Show(t.Metrics.MaxDrawdown, "P1"),8}  {t.Metrics.TradeCount,6}");
            text.AppendLine(line.ToString());
        }

        text.AppendLine();
        var pbo = result.Pbo;
        text.AppendLine(Inv, $"Deflated Sharpe Ratio of the best: {Show(result.DeflatedSharpe)} (deflated for {result.Trials} trials; below 0.95 its Sharpe ratio is not significant after the search)");
        text.AppendLine(Inv, $"Probability of Backtest Overfitting: {Show(pbo.Probability)} (CSCV, {pbo.Trials} trials, {pbo.Blocks} blocks, {pbo.Splits} splits; above 0.5 the in-sample winner is more likely than not below the median out of sample)");
        foreach (var f in r.Failures)
        {
            text.AppendLine(Inv, $"failed: {f.Parameters}: {f.Message}");
        }

        if (r.Best is { } best)
        {
            var sets = string.Join(' ', names.Select((n, i) => string.Create(Inv, $"--set {n}={best.Parameters[i]:R}")));
            text.AppendLine().AppendLine(Inv, $"Re-run the best: sigmaflow backtest --data {input.DataPath} --strategy {input.StrategyPath} {sets}{input.BacktestOptions}");
        }

        text.AppendLine(Inv, $"sweep {result.Sweep.Hash[..16]}, data {r.DataHash[..16]}");
        return text.ToString();
    }

    private static string WalkForwardJson(SweepInput input, WalkForwardOptions options, WalkForwardReport report) => JsonOut.Document(json =>
    {
        var names = input.Definition.Strategy.Parameters.Select(p => p.Name).ToList();
        json.WriteStartObject();
        json.WriteString("strategy", input.Definition.Strategy.Name);
        json.WriteString("symbol", input.Symbol);
        json.WriteString("mode", options.Anchored ? "anchored" : "rolling");
        json.WriteNumber("inSampleBars", options.InSampleBars);
        json.WriteNumber("outOfSampleBars", options.OutOfSampleBars);
        json.WriteNumber("stepBars", options.StepBars ?? options.OutOfSampleBars);
        json.WriteString("objective", input.Definition.Objective.Name);
        json.WriteNumber("trials", report.Trials);
        JsonOut.Number(json, "efficiency", report.Efficiency);
        JsonOut.Number(json, "objectiveEfficiency", report.ObjectiveEfficiency);
        if (report.Stopped is not null)
        {
            json.WriteString("stopped", report.Stopped);
        }
        json.WriteStartArray("windows");
        foreach (var w in report.Windows)
        {
            json.WriteStartObject();
            json.WriteNumber("number", w.Number);
            Range(json, "inSample", input.Bars, w.InSample);
            Range(json, "outOfSample", input.Bars, w.OutOfSample);
            if (w.Parameters is { } p)
            {
                Parameters(json, names, p);
            }
            else
            {
                json.WriteNull("parameters");
            }

            json.WriteNumber("trials", w.Trials);
            JsonOut.Number(json, "inSampleObjective", w.InSampleObjective);
            JsonOut.Number(json, "outOfSampleObjective", w.OutOfSampleObjective);
            JsonOut.Number(json, "deflatedSharpe", w.DeflatedSharpe);
            JsonOut.Number(json, "efficiency", w.Efficiency);
            if (w.InSampleMetrics is { } im)
            {
                JsonOut.Metrics(json, "inSampleMetrics", im);
            }

            if (w.OutOfSampleMetrics is { } om)
            {
                JsonOut.Metrics(json, "outOfSampleMetrics", om);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("stability");
        foreach (var s in report.Stability)
        {
            json.WriteStartObject();
            json.WriteString("parameter", s.Name);
            json.WriteStartArray("values");
            foreach (var v in s.Values)
            {
                JsonOut.NumberValue(json, v);
            }

            json.WriteEndArray();
            JsonOut.Number(json, "mean", s.Mean);
            JsonOut.Number(json, "standardDeviation", s.StandardDeviation);
            JsonOut.Number(json, "coefficientOfVariation", s.CoefficientOfVariation);
            JsonOut.Number(json, "relativeSpread", s.RelativeSpread);
            json.WriteNumber("distinct", s.Distinct);
            json.WriteNumber("changes", s.Changes);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        JsonOut.Metrics(json, "metrics", report.Metrics);
        json.WriteStartArray("equity");
        for (var i = 0; i < report.Time.Length; i++)
        {
            json.WriteStartObject();
            json.WriteString("time", Formats.Time(report.Time[i]));
            JsonOut.Number(json, "value", report.Equity[i]);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        Manifest(json, input, null);
        json.WriteEndObject();
    });

    private static string WalkForwardTable(SweepInput input, WalkForwardOptions options, WalkForwardReport report)
    {
        var names = input.Definition.Strategy.Parameters.Select(p => p.Name).ToList();
        var swept = input.Definition.Axes.Where(a => a.Values.Count > 1).Select(a => names.IndexOf(a.Name)).ToList();
        var text = new StringBuilder();
        text.AppendLine(Inv, $"{input.Definition.Strategy.Name} on {input.Symbol}: {(options.Anchored ? "anchored" : "rolling")} walk-forward, {options.InSampleBars} bars in sample, {options.OutOfSampleBars} out of sample, step {options.StepBars ?? options.OutOfSampleBars}, objective {input.Definition.Objective.Name}");
        text.AppendLine();
        text.AppendLine("  #  out of sample                                 parameters              IS obj   OOS obj   OOS return");
        foreach (var w in report.Windows)
        {
            var p = w.Parameters is null ? "(none ranked)" : string.Join(", ", swept.Select(s => string.Create(Inv, $"{names[s]}={w.Parameters[s]:0.####}")));
            var oosReturn = w.OutOfSampleMetrics?.TotalReturn ?? 0;
            text.AppendLine(Inv, $"{w.Number,3}  {Formats.Time(input.Bars.Time[w.OutOfSample.Start])} … {Formats.Time(input.Bars.Time[w.OutOfSample.End - 1])}  {p,-22}  {Show(w.InSampleObjective),8}  {Show(w.OutOfSampleObjective),8}  {Show(oosReturn, "P2"),10}");
        }

        var m = report.Metrics;
        if (report.Stopped is not null)
        {
            text.AppendLine().AppendLine(Inv, $"Stopped: {report.Stopped}");
        }

        text.AppendLine();
        text.AppendLine(Inv, $"Stitched out of sample: total return {Show(m.TotalReturn, "P2")}, CAGR {Show(m.Cagr, "P2")}, Sharpe {Show(m.Sharpe)}, max drawdown {Show(m.MaxDrawdown, "P2")}, {m.TradeCount} trades");
        text.AppendLine(Inv, $"Walk-forward efficiency: {Show(report.Efficiency)} (OOS CAGR / mean IS CAGR); objective efficiency {Show(report.ObjectiveEfficiency)}");
        foreach (var s in report.Stability)
        {
            text.AppendLine(Inv, $"Parameter {s.Name}: mean {Show(s.Mean)}, stdev {Show(s.StandardDeviation)}, spread {Show(s.RelativeSpread)} of its range, {s.Distinct} distinct values, changed {s.Changes} times");
        }

        return text.ToString();
    }

    private static void Parameters(Utf8JsonWriter json, IReadOnlyList<string> names, double[] values)
    {
        json.WriteStartObject("parameters");
        for (var i = 0; i < names.Count; i++)
        {
            json.WriteNumber(names[i], values[i]);
        }

        json.WriteEndObject();
    }

    private static void Range(Utf8JsonWriter json, string name, BarSeries bars, BarRange range)
    {
        json.WriteStartObject(name);
        json.WriteString("from", Formats.Time(bars.Time[range.Start]));
        json.WriteString("to", Formats.Time(bars.Time[range.End - 1]));
        json.WriteNumber("bars", range.Length);
        json.WriteEndObject();
    }

    private static void Manifest(Utf8JsonWriter json, SweepInput input, string? sweepHash)
    {
        var d = input.Definition;
        json.WriteStartObject("manifest");
        if (sweepHash is not null)
        {
            json.WriteString("sweepHash", sweepHash);
        }

        json.WriteString("dataHash", BacktestEngine.DataHash(input.Symbol, input.Bars));
        json.WriteString("engineVersion", BacktestEngine.Version);
        json.WriteString("seed", d.Seed.ToString(Inv));
        json.WriteStartArray("axes");
        foreach (var axis in d.Axes)
        {
            json.WriteStringValue(axis.ToString());
        }

        json.WriteEndArray();
        json.WriteStartArray("constraints");
        foreach (var c in d.Constraints)
        {
            json.WriteStringValue(c);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Show(double value, string format = "0.####") => double.IsNaN(value) ? "—" : double.IsPositiveInfinity(value) ? "∞" : value.ToString(format, Inv);

    /// <summary>What the sweep-style commands read from the command line.</summary>
    internal sealed record SweepInput(SweepDefinition Definition, BarSeries Bars, string Symbol, LocalExecution Execution, string DataPath, string StrategyPath, string BacktestOptions);

    private sealed class WindowProgress(ProgressBar bar, int total) : IProgress<int>
    {
        public void Report(int value) => bar.Report(new SweepProgress(value, total));
    }
}

/// <summary>A one-line progress bar on stderr, redrawn at most five times a second.</summary>
internal sealed class ProgressBar(TextWriter writer, string label) : IProgress<SweepProgress>, IDisposable
{
    private readonly Lock gate = new();
    private long lastDraw;
    private bool drawn;

    public void Report(SweepProgress value)
    {
        lock (gate)
        {
            var now = Environment.TickCount64;
            if (now - lastDraw < 200 && value.Done < value.Total)
            {
                return;
            }

            lastDraw = now;
            var fraction = value.Total > 0 ? Math.Clamp(value.Done / (double)value.Total, 0, 1) : 1;
            var filled = (int)Math.Round(fraction * 30);
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"\r{label} [{new string('#', filled)}{new string('.', 30 - filled)}] {fraction * 100,3:0}% {value.Done}/{value.Total}"));
            drawn = true;
        }
    }

    public void Finish()
    {
        lock (gate)
        {
            if (drawn)
            {
                writer.WriteLine();
                drawn = false;
            }
        }
    }

    public void Dispose() => Finish();
}
