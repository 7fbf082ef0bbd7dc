using System.Globalization;
using System.Text.Json;
using SigmaFlow.Functions.Cli;

namespace SigmaFlow.Functions.Tests.Cli;

/// <summary>The <c>sigmaflow backtest</c> contract, in-process, on files the tests write.</summary>
public sealed class BacktestCommandTests : IDisposable
{
    private const string SmaCross = DemoCommand.ExampleStrategy;

    private readonly string folder = Directory.CreateTempSubdirectory("sigmaflow-bt-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Backtest_ExampleStrategyJson_HasTheContractFields()
    {
        var (data, strategy) = await Inputs(SmaCross);
        var (code, stdout, stderr) = await Run("backtest", "--data", data, "--strategy", strategy, "--format", "json", "--commission-pct", "0.1");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.Number, root.GetProperty("finalEquity").ValueKind);
        Assert.Equal(JsonValueKind.Object, root.GetProperty("metrics").ValueKind);
        Assert.True(root.GetProperty("metrics").TryGetProperty("sharpe", out _));
        var trades = root.GetProperty("trades");
        Assert.True(trades.GetArrayLength() > 0);
        var trade = trades[0];
        foreach (var field in new[] { "entryTime", "entryPrice", "exitTime", "exitPrice", "quantity", "side", "pnl", "commission" })
        {
            Assert.True(trade.TryGetProperty(field, out _), $"trade lacks {field}");
        }

        Assert.Equal("long", trade.GetProperty("side").GetString());
        Assert.True(DateTimeOffset.TryParse(trade.GetProperty("entryTime").GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
        var equity = root.GetProperty("equity");
        Assert.Equal(300, equity.GetArrayLength());
        Assert.True(equity[0].TryGetProperty("time", out _) && equity[0].TryGetProperty("value", out _));
        Assert.True(root.GetProperty("orders").GetArrayLength() >= trades.GetArrayLength() * 2);
        Assert.Equal(64, root.GetProperty("manifest").GetProperty("hash").GetString()!.Length);

        // 0.1 % of traded value on every fill: the first trade's commission is 0.1 % of entry plus exit value.
        var expected = 0.001m * trade.GetProperty("quantity").GetDecimal() * (trade.GetProperty("entryPrice").GetDecimal() + trade.GetProperty("exitPrice").GetDecimal());
        Assert.Equal(expected, trade.GetProperty("commission").GetDecimal());
    }

    [Fact]
    public async Task Backtest_SetOverridesAParameter_ChangesTheManifestAndTrades()
    {
        var (data, strategy) = await Inputs(SmaCross);
        var (_, a, _) = await Run("backtest", "--data", data, "--strategy", strategy, "--format", "json");
        var (code, b, _) = await Run("backtest", "--data", data, "--strategy", strategy, "--format", "json", "--set", "fast=5", "--set", "slow=20");
        Assert.Equal(0, code);
        using var docA = JsonDocument.Parse(a);
        using var docB = JsonDocument.Parse(b);
        Assert.Equal(5, docB.RootElement.GetProperty("parameters").GetProperty("fast").GetDouble());
        Assert.NotEqual(docA.RootElement.GetProperty("manifest").GetProperty("hash").GetString(), docB.RootElement.GetProperty("manifest").GetProperty("hash").GetString());
    }

    [Fact]
    public async Task Backtest_Table_ReadableReport()
    {
        var (data, strategy) = await Inputs(SmaCross);
        var (code, stdout, _) = await Run("backtest", "--data", data, "--strategy", strategy);
        Assert.Equal(0, code);
        Assert.Contains("sma-cross on", stdout, StringComparison.Ordinal);
        Assert.Contains("Sharpe", stdout, StringComparison.Ordinal);
        Assert.Contains("Trades:", stdout, StringComparison.Ordinal);
        Assert.Contains("Final equity", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backtest_CloseFill_DiffersFromNextOpen()
    {
        var (data, strategy) = await Inputs(SmaCross);
        var (_, nextOpen, _) = await Run("backtest", "--data", data, "--strategy", strategy, "--format", "json");
        var (_, atClose, _) = await Run("backtest", "--data", data, "--strategy", strategy, "--format", "json", "--fill", "close");
        using var a = JsonDocument.Parse(nextOpen);
        using var b = JsonDocument.Parse(atClose);
        Assert.NotEqual(a.RootElement.GetProperty("trades")[0].GetProperty("entryPrice").GetDecimal(), b.RootElement.GetProperty("trades")[0].GetProperty("entryPrice").GetDecimal());
    }

    [Fact]
    public async Task Backtest_RuleTypo_ExitsOneWithLineColumnAndSuggestion()
    {
        var (data, strategy) = await Inputs(SmaCross.Replace("crossunder(sma(close, fast)", "crossunder(sma(close, fsat)", StringComparison.Ordinal));
        var (code, _, stderr) = await Run("backtest", "--data", data, "--strategy", strategy);
        Assert.Equal(1, code);
        Assert.Contains("line 7, column 31: unknown name 'fsat'", stderr, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'fast'?", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backtest_SetOutOfBounds_ExitsOneNamingTheRule()
    {
        var (data, strategy) = await Inputs(SmaCross);
        var (code, _, stderr) = await Run("backtest", "--data", data, "--strategy", strategy, "--set", "fast=1");
        Assert.Equal(1, code);
        Assert.Contains("parameter 'fast' must be between 2 and 200; got 1", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--set", "fast", "--set takes name=number")]
    [InlineData("--fill", "tomorrow", "--fill must be next-open or close; got 'tomorrow'.")]
    [InlineData("--cash", "-5", "Option --cash must be a number between 0.01 and")]
    [InlineData("--commission-pct", "abc", "Option --commission-pct must be a number")]
    public async Task Backtest_BadOption_ExitsOneWithTheRule(string option, string value, string fragment)
    {
        var (data, strategy) = await Inputs(SmaCross);
        var (code, _, stderr) = await Run("backtest", "--data", data, "--strategy", strategy, option, value);
        Assert.Equal(1, code);
        Assert.Contains(fragment, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backtest_BadDataRows_ExitsTwo()
    {
        var strategy = Path.Combine(folder, "s.yaml");
        await File.WriteAllTextAsync(strategy, SmaCross, TestContext.Current.CancellationToken);
        var data = Path.Combine(folder, "bad.csv");
        await File.WriteAllTextAsync(data, "date,open,high,low,close,volume\n2024-01-01,1,1,1,1,1\n2024-01-02,1,0.5,2,1,1\n", TestContext.Current.CancellationToken);
        var (code, _, stderr) = await Run("backtest", "--data", data, "--strategy", strategy);
        Assert.Equal(2, code);
        Assert.Contains("row 3", stderr, StringComparison.Ordinal);
    }

    private async Task<(string Data, string Strategy)> Inputs(string strategyText)
    {
        var data = Path.Combine(folder, "bars.csv");
        var (code, _, _) = await Run("sample", "--out", data, "--bars", "300", "--seed", "3");
        Assert.Equal(0, code);
        var strategy = Path.Combine(folder, "strategy.yaml");
        await File.WriteAllTextAsync(strategy, strategyText, TestContext.Current.CancellationToken);
        return (data, strategy);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Run(params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        using var stderr = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
