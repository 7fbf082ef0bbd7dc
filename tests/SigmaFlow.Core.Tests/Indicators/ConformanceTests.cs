using System.Globalization;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Indicators.Kernel;
using SigmaFlow.Core.Indicators.MovingAverages;
using SigmaFlow.Core.Indicators.Oscillators;
using SigmaFlow.Core.Tests.Fixtures;

namespace SigmaFlow.Core.Tests.Indicators;

/// <summary>
/// Spot values from the reference library (../shared/data/reference/indicator-spot-values.csv), asserted with their
/// tolerances. Skipped with a message when the reference data is absent.
/// </summary>
public sealed class ConformanceTests
{
    private const string SpotFile = "reference/indicator-spot-values.csv";

    /// <summary>Reference (indicator, params) → our spec, and reference field → our field.</summary>
    private static readonly Dictionary<(string Indicator, string Params), (string Spec, Dictionary<string, string> Fields)> Map = new()
    {
        [("SMA", "lookback=20; source=close")] = ("sma(20)", new() { ["sma"] = "sma" }),
        [("EMA", "lookback=20; source=close")] = ("ema(20)", new() { ["ema"] = "ema" }),
        [("RSI", "lookback=14; source=close")] = ("rsi(14)", new() { ["rsi"] = "rsi" }),
        [("MACD", "fast=12; slow=26; signal=9; source=close")] = ("macd(12,26,9)", new() { ["macd"] = "macd", ["signal"] = "signal", ["histogram"] = "histogram", ["fastEma"] = "ema(12):ema", ["slowEma"] = "ema(26):ema" }),
        [("BollingerBands", "lookback=20; stdDevs=2; source=close")] = ("bb(20,2)", new() { ["sma"] = "middle", ["upperBand"] = "upper", ["lowerBand"] = "lower", ["percentB"] = "percentb", ["width"] = "width", ["zScore"] = "zscore(20):zscore" }),
        [("ATR", "lookback=14")] = ("atr(14)", new() { ["tr"] = "tr", ["atr"] = "atr", ["atrp"] = "atrp" }),
        [("Stoch", "lookback=14; signal=3; smooth=3; kFactor=3; dFactor=2; maType=SMA")] = ("stoch(14,3,3,3,2,0)", new() { ["oscillator"] = "k", ["signal"] = "d", ["percentJ"] = "j" }),
        [("Stoch", "lookback=9; signal=3; smooth=3; kFactor=5; dFactor=4; maType=SMMA")] = ("stoch(9,3,3,5,4,1)", new() { ["oscillator"] = "k", ["signal"] = "d", ["percentJ"] = "j" }),
        [("Stoch", "lookback=5; signal=10; smooth=1 (fast stochastic)")] = ("stoch(5,10,1)", new() { ["oscillator"] = "k", ["signal"] = "d" }),
        [("ADX", "lookback=14")] = ("adx(14)", new() { ["pdi"] = "pdi", ["mdi"] = "mdi", ["adx"] = "adx", ["adxr"] = "adxr", ["dx"] = "dx(14):dx" }),
        [("OBV", string.Empty)] = ("obv", new() { ["obv"] = "obv" }),
        [("VWAP", "startDate=first bar (2020-12-15 09:30)")] = ("vwap", new() { ["vwap"] = "vwap" }),
        [("VWAP", "startDate=2020-12-15 10:00 (anchor; earlier bars null)")] = ("vwap(1608026400)", new() { ["vwap"] = "vwap" }),
        [("Donchian", "lookback=20")] = ("donchian(20)", new() { ["centerline"] = "center", ["upperBand"] = "upper", ["lowerBand"] = "lower", ["width"] = "width" }),
        [("Keltner", "emaPeriods=20; multiplier=2; atrPeriods=10")] = ("keltner(20,2,10)", new() { ["centerline"] = "center", ["upperBand"] = "upper", ["lowerBand"] = "lower", ["width"] = "width" }),
        [("SuperTrend", "lookback=14; multiplier=3")] = ("supertrend(14,3)", new() { ["superTrend"] = "supertrend", ["upperBand"] = "upperband", ["lowerBand"] = "lowerband" }),
        [("Ichimoku", "tenkan=9; kijun=26; senkouB=52; senkouOffset=26; chikouOffset=26")] = ("ichimoku(9,26,52)", new() { ["tenkanSen"] = "tenkan", ["kijunSen"] = "kijun", ["senkouSpanA"] = "senkoua", ["senkouSpanB"] = "senkoub", ["chikouSpan"] = "chikou" }),
        [("ParabolicSAR", "step=0.02; max=0.2; initial=0.02")] = ("psar(0.02,0.2,0.02)", new() { ["sar"] = "sar", ["isReversal"] = "reversal" }),
        [("ParabolicSAR", "step=0.02; max=0.2; initial=0.01")] = ("psar(0.02,0.2,0.01)", new() { ["sar"] = "sar", ["isReversal"] = "reversal" }),
        [("CCI", "lookback=20")] = ("cci(20)", new() { ["cci"] = "cci" }),
        [("WilliamsR", "lookback=14")] = ("williamsr(14)", new() { ["williamsR"] = "williamsr" }),
        [("ROC", "lookback=20; source=close")] = ("roc(20)", new() { ["momentum"] = "momentum", ["roc"] = "roc" }),
        [("MFI", "lookback=14")] = ("mfi(14)", new() { ["mfi"] = "mfi" }),
        [("StdDev", "lookback=10; source=close")] = ("stddev(10)", new() { ["stdDev"] = "stddev", ["mean"] = "mean", ["zScore"] = "zscore" }),
        [("EMA(RSI)", "RSI(14) then EMA(20) of RSI")] = ("ema-of-rsi", new() { ["ema"] = "ema" }),
    };

    public static TheoryData<string> Groups()
    {
        var data = new TheoryData<string>();
        var file = SharedData.Folder is null ? null : Path.Combine(SharedData.Folder, SpotFile);
        if (file is null || !File.Exists(file))
        {
            data.Add("(reference data absent)");
            return data;
        }

        foreach (var key in ReadSpots(file).Select(s => $"{s.Indicator}|{s.Params}").Distinct())
        {
            data.Add(key);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void Indicator_ReferenceSpotValues_MatchWithinTolerance(string group)
    {
        var file = SharedData.RequireFile(SpotFile);
        var spots = ReadSpots(file).Where(s => $"{s.Indicator}|{s.Params}" == group).ToList();
        Assert.NotEmpty(spots);
        var key = (spots[0].Indicator, spots[0].Params);
        Assert.True(Map.TryGetValue(key, out var mapping), $"no mapping for reference group {group}");

        var bars = LoadDataset(spots[0].Dataset);
        var failures = new List<string>();
        foreach (var spot in spots)
        {
            var ours = mapping.Fields[spot.Field];
            var column = Column(bars, mapping.Spec, ours);
            var actual = column[spot.Index];
            var expectedDate = spot.Date;
            var barDate = DateTimeOffset.FromUnixTimeMilliseconds(bars.Time[spot.Index]).UtcDateTime.ToString(expectedDate.Length > 10 ? "yyyy-MM-dd HH:mm" : "yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (barDate != expectedDate)
            {
                failures.Add($"row {spot.Index}: date {barDate}, reference says {expectedDate}");
                continue;
            }

            var problem = Check(spot, actual, f => Column(bars, mapping.Spec, mapping.Fields[f])[spot.Index]);
            if (problem is not null)
            {
                failures.Add($"{spot.Field} ({ours}) at row {spot.Index} {spot.Date}: {problem}");
            }
        }

        Assert.True(failures.Count == 0, $"{group}:\n" + string.Join('\n', failures));
    }

    private static string? Check(Spot spot, double actual, Func<string, double> otherField)
    {
        switch (spot.Expected)
        {
            case "null":
                return double.IsNaN(actual) ? null : $"expected empty, got {actual:R}";
            case "not_null":
                return double.IsNaN(actual) ? "expected a value, got empty" : null;
            case "true":
                return actual == 1 ? null : $"expected true (1), got {actual:R}";
            case "false":
                return actual == 0 ? null : $"expected false (0), got {actual:R}";
        }

        if (spot.Expected.StartsWith("same_as:", StringComparison.Ordinal))
        {
            var other = otherField(spot.Expected["same_as:".Length..]);
            return actual.Equals(other) ? null : $"expected equal to {spot.Expected[8..]} ({other:R}), got {actual:R}";
        }

        var expected = double.Parse(spot.Expected, CultureInfo.InvariantCulture);
        if (double.IsNaN(actual))
        {
            return $"expected {expected:R}, got empty";
        }

        // Tolerance 0 in the reference means an exact Round(N) match of the printed digits.
        var decimals = spot.Expected.Contains('.', StringComparison.Ordinal) ? spot.Expected.Length - spot.Expected.IndexOf('.', StringComparison.Ordinal) - 1 : 0;
        var ok = spot.Tolerance > 0
            ? Math.Abs(actual - expected) <= spot.Tolerance * (1 + 1e-9)
            : decimals >= 12 ? actual == expected : Math.Round(actual, decimals) == expected;
        return ok ? null : $"expected {expected:R} (±{spot.Tolerance:R}), got {actual:R}";
    }

    private static double[] Column(BarSeries bars, string spec, string field)
    {
        if (field.Contains(':', StringComparison.Ordinal))
        {
            var parts = field.Split(':');
            return Column(bars, parts[0], parts[1]);
        }

        if (spec == "ema-of-rsi")
        {
            // Indicator of an indicator: RSI(14) values feed an EMA(20) that skips the RSI warm-up.
            var rsi = IndicatorCatalog.Parse("rsi(14)");
            var rsiValues = rsi.Definition.Calculate(bars, rsi.Arguments).Columns[0];
            var ema = new EmaKernel(20);
            var result = new double[rsiValues.Length];
            KernelRunner.RunValues(ref ema, rsiValues, result);
            return result;
        }

        var (definition, arguments) = IndicatorCatalog.Parse(spec);
        return definition.Calculate(bars, arguments)[field];
    }

    private static BarSeries LoadDataset(string dataset)
    {
        if (dataset.StartsWith("intraday.csv", StringComparison.Ordinal))
        {
            var all = Load("quotes/intraday.csv");
            return all.Slice(0, 391);
        }

        return Load("quotes/" + dataset);
    }

    private static BarSeries Load(string relative)
    {
        using var reader = new StreamReader(SharedData.RequireFile(relative));
        var result = BarCsvReader.Read(reader, new BarLoadOptions { SkipBadRows = true });
        return result.Bars;
    }

    private static List<Spot> ReadSpots(string file)
    {
        var spots = new List<Spot>();
        foreach (var line in File.ReadLines(file).Skip(1))
        {
            var cells = SplitCsv(line);
            if (cells.Count < 8)
            {
                continue;
            }

            spots.Add(new Spot(cells[0], cells[1], cells[2], int.Parse(cells[3], CultureInfo.InvariantCulture), cells[4], cells[5], cells[6], double.Parse(cells[7], CultureInfo.InvariantCulture)));
        }

        return spots;
    }

    private static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                cells.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        cells.Add(current.ToString());
        return cells;
    }

    private sealed record Spot(string Indicator, string Params, string Dataset, int Index, string Date, string Field, string Expected, double Tolerance);
}
