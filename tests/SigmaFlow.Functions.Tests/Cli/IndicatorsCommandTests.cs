using System.Globalization;
using System.Text.Json;
using SigmaFlow.Functions.Cli;

namespace SigmaFlow.Functions.Tests.Cli;

/// <summary>The <c>sigmaflow indicators</c> contract, run in-process against files the tests write.</summary>
public sealed class IndicatorsCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sigmaflow-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Indicators_SmaCsv_HeaderOneRowPerBarEmptyWarmupRoundTripNumbers()
    {
        var data = Write("bars.csv", "date,open,high,low,close,volume\n2024-01-01,1,1,1,1,10\n2024-01-02,2,2,2,2,10\n2024-01-03,3.3,3.3,3.3,3.3,10\n2024-01-04,0.1,4,0.1,4,10\n");
        var (code, stdout, stderr) = await Run("indicators", "--data", data, "--spec", "sma(3)");
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stderr);
        var lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal("timestamp,sma", lines[0]);
        Assert.Equal("2024-01-01T00:00:00Z,", lines[1]);
        Assert.Equal("2024-01-02T00:00:00Z,", lines[2]);
        Assert.Equal("2024-01-03T00:00:00Z," + ((1 + 2 + 3.3) / 3).ToString("R", CultureInfo.InvariantCulture), lines[3]);
        var last = double.Parse(lines[4].Split(',')[1], CultureInfo.InvariantCulture);
        Assert.Equal((2 + 3.3 + 4) / 3, last);
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public async Task Indicators_MacdJsonToFile_WritesObjectWithNullsInWarmup()
    {
        var data = Write("bars.csv", Bars(60));
        var outFile = Path.Combine(folder, "out.json");
        var (code, stdout, _) = await Run("indicators", "--data", data, "--spec", "MACD(12,26,9)", "--format", "json", "--out", outFile);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(outFile));
        var root = doc.RootElement;
        Assert.Equal("macd", root.GetProperty("indicator").GetString());
        Assert.Equal(26, root.GetProperty("parameters").GetProperty("slow").GetDouble());
        Assert.Equal(["macd", "signal", "histogram"], root.GetProperty("fields").EnumerateArray().Select(e => e.GetString()));
        var rows = root.GetProperty("rows");
        Assert.Equal(60, rows.GetArrayLength());
        Assert.Equal(JsonValueKind.Null, rows[24].GetProperty("macd").ValueKind);
        Assert.Equal(JsonValueKind.Number, rows[25].GetProperty("macd").ValueKind);
        Assert.Equal(JsonValueKind.Null, rows[32].GetProperty("signal").ValueKind);
        Assert.Equal(JsonValueKind.Number, rows[33].GetProperty("signal").ValueKind);
    }

    [Theory]
    [InlineData("bb(20,2)", "timestamp,middle,upper,lower,percentb,width")]
    [InlineData("bollinger(20,2)", "timestamp,middle,upper,lower,percentb,width")]
    [InlineData("atr(14)", "timestamp,tr,atr,atrp")]
    [InlineData("stoch(14,3,3)", "timestamp,k,d,j")]
    [InlineData("adx(14)", "timestamp,pdi,mdi,adx,adxr")]
    [InlineData("keltner(20,2,10)", "timestamp,upper,center,lower,width")]
    [InlineData("ichimoku(9,26,52)", "timestamp,tenkan,kijun,senkoua,senkoub,chikou")]
    [InlineData("psar(0.02,0.2)", "timestamp,sar,reversal")]
    [InlineData("williamsr(14)", "timestamp,williamsr")]
    public async Task Indicators_ContractSpecs_PrintDocumentedHeader(string spec, string header)
    {
        var data = Write("bars.csv", Bars(80));
        var (code, stdout, _) = await Run("indicators", "--data", data, "--spec", spec);
        Assert.Equal(0, code);
        Assert.StartsWith(header + "\n", stdout, StringComparison.Ordinal);
        Assert.Equal(81, stdout.TrimEnd('\n').Split('\n').Length);
    }

    [Fact]
    public async Task Indicators_UnknownName_ExitsOneAndListsValidNames()
    {
        var data = Write("bars.csv", Bars(5));
        var (code, _, stderr) = await Run("indicators", "--data", data, "--spec", "emaa(20)");
        Assert.Equal(1, code);
        Assert.Contains("Unknown indicator 'emaa'. Did you mean 'ema'?", stderr, StringComparison.Ordinal);
        Assert.Contains("Valid names: sma, ema,", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Indicators_BadParameter_ExitsOneWithTheRule()
    {
        var data = Write("bars.csv", Bars(5));
        var (code, _, stderr) = await Run("indicators", "--data", data, "--spec", "rsi(-3)");
        Assert.Equal(1, code);
        Assert.Contains("rsi: parameter 'lookback' (position 1) must be between 1 and 100000; got -3.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Indicators_BadRows_ExitTwoListingEveryRowUnlessSkipped()
    {
        var data = Write("bars.csv", "date,open,high,low,close,volume\n2024-01-01,1,1,1,1,10\n2024-01-02,2,1,3,2,10\n\n2024-01-04,x,4,4,4,10\n2024-01-05,5,5,5,5,10\n");
        var (code, _, stderr) = await Run("indicators", "--data", data, "--spec", "sma(2)");
        Assert.Equal(2, code);
        Assert.Contains("row 3", stderr, StringComparison.Ordinal);
        Assert.Contains("row 5", stderr, StringComparison.Ordinal);
        Assert.Contains("--skip-bad-rows", stderr, StringComparison.Ordinal);

        var (skipCode, stdout, report) = await Run("indicators", "--data", data, "--spec", "sma(2)", "--skip-bad-rows");
        Assert.Equal(0, skipCode);
        Assert.Equal(3, stdout.TrimEnd('\n').Split('\n').Length); // header + 2 valid bars
        Assert.Contains("skipped", report, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Indicators_MissingFile_ExitsThree()
    {
        var (code, _, stderr) = await Run("indicators", "--data", Path.Combine(folder, "nope.csv"), "--spec", "sma(2)");
        Assert.Equal(3, code);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("indicators --spec sma(2)", "Missing required option --data")]
    [InlineData("indicators --data x.csv", "Missing required option --spec")]
    [InlineData("indicators --data x.csv --spec sma(2) --format xml", "--format must be csv or json; got 'xml'.")]
    [InlineData("indicators --list --bogus 1", "Unknown option --bogus for 'indicators'.")]
    [InlineData("frobnicate", "Unknown command 'frobnicate'.")]
    public async Task Cli_WrongUsage_ExitsOneWithMessage(string commandLine, string fragment)
    {
        var (code, _, stderr) = await Run(commandLine.Split(' '));
        Assert.Equal(1, code);
        Assert.Contains(fragment, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IndicatorsList_Table_NamesEveryIndicatorWithParametersAndOutputs()
    {
        var (code, stdout, _) = await Run("indicators", "--list");
        Assert.Equal(0, code);
        Assert.Contains("macd ", stdout, StringComparison.Ordinal);
        Assert.Contains("outputs: macd,signal,histogram", stdout, StringComparison.Ordinal);
        Assert.Contains("parameters: fast=12 [1..100000, whole], slow=26", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IndicatorsList_Json_IsTheCatalog()
    {
        var (code, stdout, _) = await Run("indicators", "--list", "--format", "json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var all = doc.RootElement.EnumerateArray().ToList();
        Assert.True(all.Count >= 40);
        var bb = all.Single(e => e.GetProperty("name").GetString() == "bb");
        Assert.Equal(2, bb.GetProperty("parameters")[1].GetProperty("default").GetDouble());
        Assert.Equal(19, bb.GetProperty("warmup").GetInt32());
    }

    [Fact]
    public async Task Sample_ThenIndicators_RoundTripsThroughTheLoader()
    {
        var data = Path.Combine(folder, "sample.csv");
        var (code, stdout, _) = await Run("sample", "--out", data, "--bars", "300", "--seed", "9", "--interval", "1h");
        Assert.Equal(0, code);
        Assert.Contains("wrote 300 bars", stdout, StringComparison.Ordinal);
        var (code2, csv, _) = await Run("indicators", "--data", data, "--spec", "ema(10)");
        Assert.Equal(0, code2);
        Assert.Equal(301, csv.TrimEnd('\n').Split('\n').Length);
    }

    [Fact]
    public async Task Demo_SmallRun_ReportsNoStreamingMismatch()
    {
        var (code, stdout, _) = await Run("demo", "--bars", "400");
        Assert.Equal(0, code);
        Assert.Contains("streaming vs batch mismatches: 0.", stdout, StringComparison.Ordinal);
        Assert.Contains("Sweep of fast × slow: ", stdout, StringComparison.Ordinal);
        Assert.Contains("Probability of Backtest Overfitting", stdout, StringComparison.Ordinal);
    }

    private static string Bars(int count)
    {
        var text = new System.Text.StringBuilder("timestamp,open,high,low,close,volume\n");
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < count; i++)
        {
            var c = 100 + (10 * Math.Sin(i / 5.0)) + (i * 0.1);
            text.Append(CultureInfo.InvariantCulture, $"{start.AddDays(i):yyyy-MM-dd},{c - 0.5},{c + 1},{c - 1},{c},{1000 + i}\n");
        }

        return text.ToString();
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Run(params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        using var stderr = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
