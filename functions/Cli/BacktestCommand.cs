using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Backtesting.Performance;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Platform.Strategies;

namespace SigmaFlow.Functions.Cli;

/// <summary><c>sigmaflow backtest</c>: one strategy over one CSV of bars, as a table or one JSON object.</summary>
internal static class BacktestCommand
{
    public static async Task<int> RunAsync(CliArguments args, TextWriter stdout, TextWriter stderr)
    {
        var data = args.Required("data", "a CSV file of bars");
        var strategyPath = args.Required("strategy", "a strategy document, YAML or JSON");
        var overrides = ParseSets(args.Values("set"));
        var options = ReadOptions(args);
        var format = args.Value("format") ?? "table";
        var outPath = args.Value("out");
        var skipBad = args.Flag("skip-bad-rows");
        var symbol = args.Value("symbol");
        args.RejectUnknown("backtest");
        if (format is not ("json" or "table"))
        {
            throw new CliUsageException($"--format must be json or table; got '{format}'.");
        }

        if (!File.Exists(strategyPath))
        {
            throw new FileNotFoundException($"Strategy file '{strategyPath}' does not exist.", strategyPath);
        }

        var document = StrategyDocumentReader.Read(await File.ReadAllTextAsync(strategyPath).ConfigureAwait(false));
        var strategy = StrategyCompiler.Compile(document, overrides);
        var bars = await BarFiles.LoadAsync(data, skipBad, stderr).ConfigureAwait(false);
        var name = symbol ?? Path.GetFileNameWithoutExtension(data).ToUpperInvariant();
        var result = BacktestEngine.Run([new BacktestLeg(name, bars, strategy)], options);

        var text = format == "json" ? Json(result, strategy) : Table(result, strategy, name);
        if (outPath is null)
        {
            await stdout.WriteAsync(text).ConfigureAwait(false);
        }
        else
        {
            await File.WriteAllTextAsync(outPath, text, new UTF8Encoding(false)).ConfigureAwait(false);
        }

        return CliApp.Ok;
    }

    public static Dictionary<string, double> ParseSets(IReadOnlyList<string> sets)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var set in sets)
        {
            var eq = set.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !double.TryParse(set.AsSpan(eq + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw new CliUsageException($"--set takes name=number, e.g. --set fast=12; got '{set}'.");
            }

            result[set[..eq]] = value;
        }

        return result;
    }

    public static BacktestOptions ReadOptions(CliArguments args)
    {
        var fill = args.Value("fill") ?? "next-open";
        var commission = CommissionModel.None;
        var pct = args.Value("commission-pct");
        var perShare = args.Value("commission-per-share");
        var fixedFee = args.Value("commission-fixed");
        if ((pct is null ? 0 : 1) + (perShare is null ? 0 : 1) + (fixedFee is null ? 0 : 1) > 1)
        {
            throw new CliUsageException("Give one of --commission-pct, --commission-per-share or --commission-fixed.");
        }

        if (pct is not null)
        {
            commission = new CommissionModel(CommissionKind.Percent, (decimal)args.Number("commission-pct", 0, 0, 99.99));
        }
        else if (perShare is not null)
        {
            commission = new CommissionModel(CommissionKind.PerShare, (decimal)args.Number("commission-per-share", 0, 0, 1e9), (decimal)args.Number("commission-min", 0, 0, 1e9));
        }
        else if (fixedFee is not null)
        {
            commission = new CommissionModel(CommissionKind.Fixed, (decimal)args.Number("commission-fixed", 0, 0, 1e9));
        }

        var bps = args.Value("slippage-bps");
        var range = args.Value("slippage-range");
        if (bps is not null && range is not null)
        {
            throw new CliUsageException("Give one of --slippage-bps or --slippage-range.");
        }

        var slippage = bps is not null ? new SlippageModel(SlippageKind.BasisPoints, args.Number("slippage-bps", 0, 0, 10_000))
            : range is not null ? new SlippageModel(SlippageKind.RangeFraction, args.Number("slippage-range", 0, 0, 1))
            : SlippageModel.None;
        var participation = args.Value("max-participation");
        return new BacktestOptions
        {
            InitialCash = (decimal)args.Number("cash", 100_000, 0.01, 1e15),
            Fill = fill switch
            {
                "next-open" => FillTiming.NextOpen,
                "close" => FillTiming.Close,
                _ => throw new CliUsageException($"--fill must be next-open or close; got '{fill}'."),
            },
            Commission = commission,
            Slippage = slippage,
            MaxVolumeParticipation = participation is null ? null : args.Number("max-participation", 1, 1e-9, 1),
            CloseAtEnd = args.Flag("close-at-end"),
            ShortMarginRate = (decimal)args.Number("short-margin", 0.5, 0, 10),
        };
    }

    /// <summary>The result as one JSON object (NaN and infinities become null).</summary>
    public static string Json(BacktestResult result, CompiledStrategy strategy)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("strategy", strategy.Document.Name);
            json.WriteStartObject("parameters");
            foreach (var p in strategy.Parameters)
            {
                json.WriteNumber(p.Key, p.Value);
            }

            json.WriteEndObject();
            JsonOut.Number(json, "finalEquity", result.FinalEquity);
            JsonOut.Metrics(json, "metrics", result.Metrics);
            json.WriteStartArray("trades");
            foreach (var t in result.Trades)
            {
                json.WriteStartObject();
                json.WriteString("symbol", t.Symbol);
                json.WriteString("side", t.Side == TradeSide.Long ? "long" : "short");
                json.WriteString("entryTime", Formats.Time(t.EntryTime));
                json.WriteNumber("entryPrice", t.EntryPrice);
                json.WriteString("exitTime", Formats.Time(t.ExitTime));
                json.WriteNumber("exitPrice", t.ExitPrice);
                json.WriteNumber("quantity", t.Quantity);
                json.WriteNumber("grossPnl", t.GrossPnl);
                json.WriteNumber("commission", t.Commission);
                json.WriteNumber("pnl", t.Pnl);
                JsonOut.Number(json, "return", t.ReturnFraction);
                json.WriteNumber("barsHeld", t.BarsHeld);
                json.WriteString("exitReason", t.ExitReason);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("equity");
            for (var i = 0; i < result.Time.Length; i++)
            {
                json.WriteStartObject();
                json.WriteString("time", Formats.Time(result.Time[i]));
                JsonOut.Number(json, "value", result.Equity[i]);
                JsonOut.Number(json, "drawdown", result.Drawdown[i]);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("orders");
            foreach (var o in result.Orders)
            {
                json.WriteStartObject();
                json.WriteNumber("id", o.Id);
                json.WriteString("symbol", o.Symbol);
                json.WriteString("time", Formats.Time(o.Time));
                json.WriteString("side", o.Buy ? "buy" : "sell");
                json.WriteNumber("quantity", o.Quantity);
                json.WriteString("type", o.Type.ToString().ToLowerInvariant());
                if (o.LimitOrStopPrice is { } level)
                {
                    json.WriteNumber("price", level);
                }

                json.WriteString("purpose", Kebab(o.Purpose.ToString()));
                json.WriteString("status", Kebab(o.Status.ToString()));
                json.WriteNumber("filledQuantity", o.FilledQuantity);
                json.WriteNumber("averageFillPrice", o.AverageFillPrice);
                json.WriteNumber("commission", o.Commission);
                if (o.Reason.Length > 0)
                {
                    json.WriteString("reason", o.Reason);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("openPositions");
            foreach (var p in result.OpenPositions)
            {
                json.WriteStartObject();
                json.WriteString("symbol", p.Symbol);
                json.WriteNumber("quantity", p.Quantity);
                json.WriteNumber("averagePrice", p.AveragePrice);
                json.WriteNumber("markPrice", p.MarkPrice);
                json.WriteNumber("unrealizedPnl", p.UnrealizedPnl);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("manifest");
            json.WriteString("hash", result.Manifest.Hash);
            json.WriteString("dataHash", result.Manifest.DataHash);
            json.WriteString("strategyHash", result.Manifest.StrategyHash);
            json.WriteString("optionsHash", result.Manifest.OptionsHash);
            json.WriteString("engineVersion", result.Manifest.EngineVersion);
            json.WriteString("parameters", result.Manifest.Parameters);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static string Table(BacktestResult result, CompiledStrategy strategy, string symbol)
    {
        var m = result.Metrics;
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"{strategy.Document.Name} on {symbol} ({strategy.DescribeParameters()})");
        if (result.Time.Length > 0)
        {
            text.AppendLine(inv, $"{Formats.Time(result.Time[0])} … {Formats.Time(result.Time[^1])}, {result.Time.Length} bars; fill {result.Options.Fill}, commission {result.Options.Commission}, slippage {result.Options.Slippage}");
        }

        text.AppendLine();
        var rows = new List<(string, string)>();
        foreach (var property in typeof(PerformanceMetrics).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var value = property.GetValue(m) switch
            {
                double d when double.IsNaN(d) => "—",
                double d => d.ToString("0.####", inv),
                IFormattable f => f.ToString(null, inv),
                var other => other?.ToString() ?? string.Empty,
            };
            rows.Add((property.Name, value));
        }

        for (var i = 0; i < rows.Count; i += 2)
        {
            var left = $"{rows[i].Item1,-26}{rows[i].Item2,14}";
            var right = i + 1 < rows.Count ? $"    {rows[i + 1].Item1,-26}{rows[i + 1].Item2,14}" : string.Empty;
            text.AppendLine(left + right);
        }

        text.AppendLine();
        var shown = result.Trades.Count <= 20 ? result.Trades : result.Trades.Skip(result.Trades.Count - 20).ToList();
        text.AppendLine(inv, $"Trades: {result.Trades.Count}{(shown.Count < result.Trades.Count ? " (last 20)" : string.Empty)}");
        text.AppendLine("  side   entry time              entry price  exit time               exit price   quantity          pnl  reason");
        foreach (var t in shown)
        {
            text.AppendLine(inv, $"  {(t.Side == TradeSide.Long ? "long " : "short")}  {Formats.Time(t.EntryTime),-22}  {t.EntryPrice,11:0.####}  {Formats.Time(t.ExitTime),-22}  {t.ExitPrice,11:0.####}  {t.Quantity,9:0.####}  {t.Pnl,11:0.00}  {t.ExitReason}");
        }

        var rejected = result.Orders.Where(o => o.Status == OrderStatus.Rejected).ToList();
        text.AppendLine().AppendLine(inv, $"Orders: {result.Orders.Count}, rejected {rejected.Count}");
        foreach (var o in rejected.Take(10))
        {
            text.AppendLine(inv, $"  #{o.Id} {Formats.Time(o.Time)} {(o.Buy ? "buy" : "sell")} {o.Purpose}: {o.Reason}");
        }

        foreach (var p in result.OpenPositions)
        {
            text.AppendLine(inv, $"Open position: {p.Symbol} {p.Quantity} @ {p.AveragePrice:0.####}, marked at {p.MarkPrice:0.####} ({p.UnrealizedPnl:0.00})");
        }

        text.AppendLine().AppendLine(inv, $"Final equity {result.FinalEquity:0.00}; run {result.Manifest.Hash[..16]}");
        return text.ToString();
    }

    private static string Kebab(string pascal)
    {
        var text = new StringBuilder();
        foreach (var c in pascal)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('-');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
