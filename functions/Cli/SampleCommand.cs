using System.Globalization;
using System.Text;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Functions.Cli;

/// <summary><c>sigmaflow sample</c>: writes a deterministic synthetic bar series as CSV.</summary>
internal static class SampleCommand
{
    public static async Task<int> RunAsync(CliArguments args, TextWriter stdout)
    {
        var outPath = args.Required("out", "the CSV file to write");
        var options = ReadOptions(args);
        args.RejectUnknown("sample");
        var bars = SyntheticMarket.Generate(options);
        await using (var file = new StreamWriter(outPath, append: false, new UTF8Encoding(false)))
        {
            SyntheticMarket.WriteCsv(bars, file);
        }

        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"wrote {bars.Count} bars (seed {options.Seed}, every {Timeframe.FromTimeSpan(options.Interval)}) to {outPath}")).ConfigureAwait(false);
        return CliApp.Ok;
    }

    public static SyntheticMarketOptions ReadOptions(CliArguments args)
    {
        var bars = args.Int("bars", 2520, 1, 50_000_000);
        var seedText = args.Value("seed");
        ulong seed = 42;
        if (seedText is not null && !ulong.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
        {
            throw new CliUsageException($"Option --seed must be a whole number from 0 to {ulong.MaxValue}; got '{seedText}'.");
        }

        var interval = TimeSpan.FromDays(1);
        var intervalText = args.Value("interval");
        if (intervalText is not null)
        {
            try
            {
                interval = TimeSpan.FromMilliseconds(Timeframe.Parse(intervalText).Milliseconds);
            }
            catch (FormatException ex)
            {
                throw new CliUsageException($"Option --interval: {ex.Message}");
            }
        }

        var startPriceText = args.Value("start-price");
        var startPrice = 100.0;
        if (startPriceText is not null && (!double.TryParse(startPriceText, NumberStyles.Float, CultureInfo.InvariantCulture, out startPrice) || !(startPrice > 0) || !double.IsFinite(startPrice)))
        {
            throw new CliUsageException($"Option --start-price must be a number greater than 0; got '{startPriceText}'.");
        }

        var options = new SyntheticMarketOptions { Seed = seed, Bars = bars, Interval = interval, StartPrice = startPrice };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new CliUsageException(ex.Message);
        }

        return options;
    }
}

/// <summary>
/// <c>sigmaflow demo</c>: the main job until the local platform lands. Generates a synthetic market, computes a
/// panel of indicators in batch, replays the last bars through the streaming forms tick by tick and shows both agree.
/// </summary>
internal static class DemoCommand
{
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
        await stdout.WriteLineAsync("Next: sigmaflow indicators --list | sigmaflow sample --out bars.csv | sigmaflow indicators --data bars.csv --spec 'macd(12,26,9)'").ConfigureAwait(false);
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
