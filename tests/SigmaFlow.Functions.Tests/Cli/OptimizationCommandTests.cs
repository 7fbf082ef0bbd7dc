using System.Globalization;
using System.Text.Json;
using SigmaFlow.Functions.Cli;

namespace SigmaFlow.Functions.Tests.Cli;

/// <summary>The <c>sigmaflow sweep</c>, <c>walkforward</c> and <c>montecarlo</c> contracts, in-process.</summary>
public sealed class OptimizationCommandTests : IDisposable
{
    private const string Strategy = """
        name: sma-cross
        parameters:
          fast: { default: 10, min: 2, max: 200, step: 4 }
          slow: { default: 30, min: 3, max: 400 }
        long:
          entry: crossover(sma(close, fast), sma(close, slow))
          exit: crossunder(sma(close, fast), sma(close, slow))
        sizing:
          quantity: 100
        """;

    private readonly string folder = Directory.CreateTempSubdirectory("sigmaflow-opt-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Sweep_Json_HasTheContractFields()
    {
        var (data, strategy) = await Inputs();
        var (code, stdout, stderr) = await Run("sweep", "--data", data, "--strategy", strategy, "--param", "fast=4:20:4", "--param", "slow=20:60:10", "--constraint", "fast < slow", "--top", "5", "--format", "json", "--commission-pct", "0.05");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(24, root.GetProperty("combinations").GetInt64()); // 5 × 5 less fast=20/slow=20
        Assert.Equal(1, root.GetProperty("excluded").GetInt64());
        var top = root.GetProperty("top");
        Assert.Equal(5, top.GetArrayLength());
        Assert.Equal(JsonValueKind.Object, top[0].GetProperty("parameters").ValueKind);
        Assert.True(top[0].GetProperty("metrics").TryGetProperty("sharpe", out var sharpe));
        Assert.Equal(sharpe.GetDouble(), top[0].GetProperty("objective").GetDouble());
        Assert.True(top[0].GetProperty("metrics").GetProperty("sharpe").GetDouble() >= top[4].GetProperty("metrics").GetProperty("sharpe").GetDouble());
        Assert.InRange(root.GetProperty("deflatedSharpe").GetDouble(), 0, 1);
        Assert.InRange(root.GetProperty("pbo").GetDouble(), 0, 1);
        Assert.Equal(64, root.GetProperty("manifest").GetProperty("sweepHash").GetString()!.Length);
        Assert.Equal(64, root.GetProperty("manifest").GetProperty("dataHash").GetString()!.Length);
        Assert.Contains("24 backtests in", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweep_Best_ReRunWithBacktestSet_ReportsExactlyTheSameMetrics()
    {
        var (data, strategy) = await Inputs();
        var (code, stdout, stderr) = await Run("sweep", "--data", data, "--strategy", strategy, "--param", "fast=2:30:2", "--param", "slow=10:80:5", "--constraint", "fast < slow", "--objective", "sortino", "--slippage-bps", "5", "--format", "json");
        Assert.True(code == 0, stderr);
        using var sweep = JsonDocument.Parse(stdout);
        var best = sweep.RootElement.GetProperty("top")[0];
        var fast = best.GetProperty("parameters").GetProperty("fast").GetDouble().ToString(CultureInfo.InvariantCulture);
        var slow = best.GetProperty("parameters").GetProperty("slow").GetDouble().ToString(CultureInfo.InvariantCulture);
        var (code2, single, _) = await Run("backtest", "--data", data, "--strategy", strategy, "--set", $"fast={fast}", "--set", $"slow={slow}", "--slippage-bps", "5", "--format", "json");
        Assert.Equal(0, code2);
        using var backtest = JsonDocument.Parse(single);
        var expected = backtest.RootElement.GetProperty("metrics").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
        var actual = best.GetProperty("metrics").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Sweep_RandomAndAdaptive_AreReproducibleFromTheSeed()
    {
        var (data, strategy) = await Inputs();
        foreach (var method in new[] { "random", "adaptive" })
        {
            string[] args = ["sweep", "--data", data, "--strategy", strategy, "--param", "fast", "--param", "slow=10:100:5", "--method", method, "--samples", "60", "--seed", "9", "--format", "json", "--workers", "2"];
            var (code, a, stderr) = await Run(args);
            Assert.True(code == 0, stderr);
            var (_, b, _) = await Run(args);
            Assert.Equal(a, b);
            var (_, c, _) = await Run([.. args[..^4], "--seed", "10", "--format", "json"]);
            Assert.NotEqual(a, c);
            using var doc = JsonDocument.Parse(a);
            Assert.Equal(60, doc.RootElement.GetProperty("trials").GetInt64());
            if (method == "adaptive")
            {
                Assert.Equal(3, doc.RootElement.GetProperty("rungs").GetArrayLength());
                Assert.Equal(60 + 20 + 7, doc.RootElement.GetProperty("combinations").GetInt64());
            }
            else
            {
                Assert.Equal(60, doc.RootElement.GetProperty("combinations").GetInt64());
            }
        }
    }

    [Fact]
    public async Task Sweep_Table_ShowsTheRankingAndTheOverfittingStatistics()
    {
        var (data, strategy) = await Inputs();
        var (code, stdout, stderr) = await Run("sweep", "--data", data, "--strategy", strategy, "--param", "fast=4:12:4", "--param", "slow=20,40", "--no-progress");
        Assert.True(code == 0, stderr);
        Assert.Contains("grid sweep of fast (3 values), slow (2 values), objective sharpe", stdout, StringComparison.Ordinal);
        Assert.Contains("Deflated Sharpe Ratio of the best:", stdout, StringComparison.Ordinal);
        Assert.Contains("Probability of Backtest Overfitting:", stdout, StringComparison.Ordinal);
        Assert.Contains("Re-run the best: sigmaflow backtest", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("[#", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweep_ProgressBar_IsDrawnOnRequest()
    {
        var (data, strategy) = await Inputs();
        var (code, _, stderr) = await Run("sweep", "--data", data, "--strategy", strategy, "--param", "fast=2:40:2", "--param", "slow=42:80:2", "--progress", "--format", "json");
        Assert.Equal(0, code);
        Assert.Contains("sweep [##############################] 100% 400/400", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--param", "fsat=2:10:2", "unknown parameter 'fsat'; its parameters are fast, slow. Did you mean 'fast'?")]
    [InlineData("--param", "fast=10:2:2", "range stop must be ≥ start")]
    [InlineData("--param", "fast=1:10:1", "parameter 'fast': every value must be between its min 2 and max 200; got 1.")]
    [InlineData("--objective", "sharp", "Did you mean 'sharpe'?")]
    [InlineData("--method", "bayes", "--method must be grid, random or adaptive; got 'bayes'.")]
    [InlineData("--samples", "50", "--samples applies to --method random or adaptive")]
    [InlineData("--constraint", "fast <", "constraint expression 'fast <'")]
    [InlineData("--seed", "4", "--seed applies to --method random or adaptive")]
    [InlineData("--rungs", "4", "--rungs applies to --method adaptive")]
    [InlineData("--constraint", "fast > slow + 500", "no combination meets the constraints")]
    public async Task Sweep_BadOption_ExitsOneWithTheRule(string option, string value, string fragment)
    {
        var (data, strategy) = await Inputs();
        string[] args = option == "--param"
            ? ["sweep", "--data", data, "--strategy", strategy, option, value]
            : ["sweep", "--data", data, "--strategy", strategy, "--param", "fast=4:8:4", option, value];
        var (code, _, stderr) = await Run(args);
        Assert.Equal(1, code);
        Assert.Contains(fragment, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweep_UnknownOption_IsReportedBeforeTheDataIsRead()
    {
        var (_, strategy) = await Inputs();
        var (code, _, stderr) = await Run("sweep", "--data", Path.Combine(folder, "missing.csv"), "--strategy", strategy, "--param", "fast=4:8:4", "--tpo", "5");
        Assert.Equal(1, code);
        Assert.Contains("Unknown option --tpo for 'sweep'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweep_Manifest_DataHashMatchesTheBacktestOfTheSameFile()
    {
        var (data, strategy) = await Inputs();
        var (_, sweep, _) = await Run("sweep", "--data", data, "--strategy", strategy, "--param", "fast=4:8:4", "--format", "json");
        var (_, backtest, _) = await Run("backtest", "--data", data, "--strategy", strategy, "--format", "json");
        using var a = JsonDocument.Parse(sweep);
        using var b = JsonDocument.Parse(backtest);
        Assert.Equal(b.RootElement.GetProperty("manifest").GetProperty("dataHash").GetString(), a.RootElement.GetProperty("manifest").GetProperty("dataHash").GetString());
        Assert.Equal(["fast=4,8"], a.RootElement.GetProperty("manifest").GetProperty("axes").EnumerateArray().Select(x => x.GetString()));
    }

    [Fact]
    public async Task Sweep_WithoutAnyRange_UsesTheDocumentsSteppedParameters()
    {
        var (data, strategy) = await Inputs();
        var (code, stdout, stderr) = await Run("sweep", "--data", data, "--strategy", strategy, "--format", "json", "--set", "slow=50");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);

        // fast: 2 … 198 by 4 = 50 values, slow fixed.
        Assert.Equal(50, doc.RootElement.GetProperty("combinations").GetInt64());
    }

    [Fact]
    public async Task WalkForward_Json_HasWindowsEfficiencyAndStability()
    {
        var (data, strategy) = await Inputs();
        var (code, stdout, stderr) = await Run("walkforward", "--data", data, "--strategy", strategy, "--param", "fast=4:16:4", "--param", "slow=20:50:10", "--in-sample", "200", "--out-of-sample", "100", "--format", "json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        var windows = root.GetProperty("windows");
        Assert.Equal(4, windows.GetArrayLength());
        Assert.Equal(100, windows[0].GetProperty("outOfSample").GetProperty("bars").GetInt32());
        Assert.Equal(JsonValueKind.Object, windows[0].GetProperty("parameters").ValueKind);
        Assert.True(root.TryGetProperty("efficiency", out _));
        Assert.Equal(2, root.GetProperty("stability").GetArrayLength());
        Assert.Equal(400, root.GetProperty("equity").GetArrayLength());
        Assert.Equal(64, root.GetProperty("trials").GetInt64());
        Assert.True(root.GetProperty("metrics").TryGetProperty("sharpe", out _));
    }

    [Fact]
    public async Task WalkForward_NeedsItsWindowLengths()
    {
        var (data, strategy) = await Inputs();
        var (code, _, stderr) = await Run("walkforward", "--data", data, "--strategy", strategy, "--param", "fast=4:16:4");
        Assert.Equal(1, code);
        Assert.Contains("walkforward needs --in-sample BARS and --out-of-sample BARS", stderr, StringComparison.Ordinal);
        var (code2, _, stderr2) = await Run("walkforward", "--data", data, "--strategy", strategy, "--param", "fast=4:16:4", "--in-sample", "550", "--out-of-sample", "100");
        Assert.Equal(1, code2);
        Assert.Contains("fits in the 600 bars", stderr2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MonteCarlo_Json_IsSeededAndReportsBands()
    {
        var (data, strategy) = await Inputs();
        string[] args = ["montecarlo", "--data", data, "--strategy", strategy, "--set", "fast=6", "--set", "slow=30", "--commission-pct", "0.1", "--paths", "200", "--seed", "4", "--format", "json"];
        var (code, a, stderr) = await Run(args);
        Assert.True(code == 0, stderr);
        var (_, b, _) = await Run(args);
        Assert.Equal(a, b);
        using var doc = JsonDocument.Parse(a);
        var methods = doc.RootElement.GetProperty("methods");
        Assert.Equal(["reshuffle", "bootstrap", "skip", "costs"], methods.EnumerateArray().Select(m => m.GetProperty("method").GetString()));
        foreach (var m in methods.EnumerateArray())
        {
            var bands = m.GetProperty("finalEquity");
            Assert.True(bands.GetProperty("p5").GetDouble() <= bands.GetProperty("p50").GetDouble());
            Assert.True(bands.GetProperty("p50").GetDouble() <= bands.GetProperty("p95").GetDouble());
            Assert.InRange(m.GetProperty("probabilityOfRuin").GetDouble(), 0, 1);
        }

        // Reshuffling keeps every path's final equity: the band collapses to one value.
        var reshuffle = methods[0].GetProperty("finalEquity");
        Assert.Equal(reshuffle.GetProperty("p5").GetDouble(), reshuffle.GetProperty("p95").GetDouble(), 6);
    }

    [Fact]
    public async Task MonteCarlo_BadMethod_ExitsOne()
    {
        var (data, strategy) = await Inputs();
        var (code, _, stderr) = await Run("montecarlo", "--data", data, "--strategy", strategy, "--methods", "reshuffle,shake");
        Assert.Equal(1, code);
        Assert.Contains("--methods takes a comma-separated list of reshuffle, bootstrap, skip, costs; got 'shake'.", stderr, StringComparison.Ordinal);
        var (code2, _, stderr2) = await Run("montecarlo", "--data", data, "--strategy", strategy, "--cost-range", "2:1");
        Assert.Equal(1, code2);
        Assert.Contains("--cost-range is LOW:HIGH", stderr2, StringComparison.Ordinal);
    }

    private async Task<(string Data, string Strategy)> Inputs()
    {
        var data = Path.Combine(folder, "bars.csv");
        if (!File.Exists(data))
        {
            var (code, _, _) = await Run("sample", "--out", data, "--bars", "600", "--seed", "5");
            Assert.Equal(0, code);
        }

        var strategy = Path.Combine(folder, "strategy.yaml");
        await File.WriteAllTextAsync(strategy, Strategy, TestContext.Current.CancellationToken);
        return (data, strategy);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Run(params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        using var stderr = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var code = await CliApp.RunAsync(args, stdout, stderr, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
