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
