using System.Globalization;
using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Strategies.Rules;

namespace SigmaFlow.Core.Tests.Backtesting;

/// <summary>
/// Whole backtests of several strategies on the project's seeded synthetic market, frozen: trade count, final
/// equity, Sharpe, maximum drawdown and a hash of the trade list. Any behaviour change shows up here.
/// </summary>
public sealed class RegressionTests
{
    private static readonly BarSeries Market = SyntheticMarket.Generate(new SyntheticMarketOptions { Seed = 42, Bars = 2520 });

    public static TheoryData<string> Names() => ["sma-cross", "rsi-reversion", "breakout-long-short", "macd-limit-pyramid"];

    [Theory]
    [MemberData(nameof(Names))]
    public void Backtest_FrozenStrategy_ReproducesStatisticsAndTradeList(string name)
    {
        var (document, options, expected) = Case(name);
        var result = BacktestEngine.Run(Market, StrategyCompiler.Compile(document), options);
        var actual = new Expected(
            result.Trades.Count,
            Math.Round(result.FinalEquity, 2),
            Math.Round(result.Metrics.Sharpe, 6),
            Math.Round(result.Metrics.MaxDrawdown, 6),
            BacktestEngine.TradeListHash(result.Trades)[..16]);
        Assert.True(expected == actual, $"{name}: expected {expected}, got {actual}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void LiveSession_FedByStreamingRules_ReproducesTheBacktest(string name)
    {
        var (document, options, _) = Case(name);
        var strategy = StrategyCompiler.Compile(document);
        var backtest = BacktestEngine.Run(Market, strategy, options);

        // The live path: rules stepped bar by bar (each bar revised as it forms), the same session code.
        var session = new TradingSession(options, [(Market.Symbol ?? "SYMBOL", strategy)]);
        var live = strategy.Program.CreateLive();
        var values = new double[strategy.Program.Roots.Count];
        for (var i = 0; i < Market.Count; i++)
        {
            var bar = Market[i];
            live.Update(bar with { High = bar.Open, Low = bar.Open, Close = bar.Open });
            live.Update(bar);
            for (var r = 0; r < values.Length; r++)
            {
                values[r] = live.Value(r);
            }

            session.OnBar(0, bar, values);
        }

        session.Finish();
        Assert.Equal(BacktestEngine.TradeListHash(backtest.Trades), BacktestEngine.TradeListHash(session.Trades));
        Assert.Equal(backtest.Orders.Count, session.Orders.Count);
    }

    [Fact]
    public void Backtest_SameInputs_IdenticalResultAndManifest()
    {
        var (document, options, _) = Case("breakout-long-short");
        var a = BacktestEngine.Run(Market, StrategyCompiler.Compile(document), options);
        var b = BacktestEngine.Run(Market, StrategyCompiler.Compile(document), options);
        Assert.Equal(a.Equity, b.Equity);
        Assert.Equal(a.Manifest, b.Manifest);
    }

    private static (StrategyDocument Document, BacktestOptions Options, Expected Expected) Case(string name) => name switch
    {
        "sma-cross" => (
            new StrategyDocument
            {
                Name = name,
                Parameters = [new StrategyParameter("fast", 10, 2, 200), new StrategyParameter("slow", 30, 3, 400)],
                Long = new StrategySide { Entry = Rule("crossover(sma(close, fast), sma(close, slow))"), Exit = Rule("crossunder(sma(close, fast), sma(close, slow))") },
                Sizing = new SizingRule(SizingMode.Quantity, 100),
            },
            new BacktestOptions(),
            new Expected(56, 92162.05, -0.525187, -0.091798, "dfeba60ee731aa7e")),
        "rsi-reversion" => (
            new StrategyDocument
            {
                Name = name,
                Long = new StrategySide { Entry = Rule("rsi(14) < 30"), Exit = Rule("rsi(14) > 55"), StopLoss = new ProtectiveRule(ProtectiveMode.Percent, 5) },
                Sizing = new SizingRule(SizingMode.PercentEquity, 20),
            },
            new BacktestOptions { Commission = new CommissionModel(CommissionKind.Percent, 0.1m) },
            new Expected(17, 104809.66, 0.392403, -0.036979, "fa3fee2f503b877b")),
        "breakout-long-short" => (
            new StrategyDocument
            {
                Name = name,
                Long = new StrategySide { Entry = Rule("close > highest(high, 20)[1]"), Exit = Rule("close < lowest(low, 10)[1]"), StopLoss = new ProtectiveRule(ProtectiveMode.Atr, 2), TrailingStop = new ProtectiveRule(ProtectiveMode.Atr, 3) },
                Short = new StrategySide { Entry = Rule("close < lowest(low, 20)[1]"), Exit = Rule("close > highest(high, 10)[1]"), StopLoss = new ProtectiveRule(ProtectiveMode.Atr, 2) },
                Sizing = new SizingRule(SizingMode.RiskPercent, 1),
            },
            new BacktestOptions { Slippage = new SlippageModel(SlippageKind.BasisPoints, 5), Commission = new CommissionModel(CommissionKind.PerShare, 0.005m, 1m) },
            new Expected(103, 71162.12, -0.913907, -0.334074, "be97e8010f781ac5")),
        _ => (
            new StrategyDocument
            {
                Name = name,
                Long = new StrategySide
                {
                    Entry = Rule("crossover(macd(12,26,9).macd, macd(12,26,9).signal)"),
                    Exit = Rule("crossunder(macd(12,26,9).macd, macd(12,26,9).signal)"),
                    Order = new EntryOrderRule(EntryOrderType.Limit, Rule("close * 0.995"), 3),
                    TakeProfit = new ProtectiveRule(ProtectiveMode.Percent, 4),
                    StopLoss = new ProtectiveRule(ProtectiveMode.Percent, 2),
                },
                Sizing = new SizingRule(SizingMode.Cash, 20_000),
                Pyramiding = 2,
                CooldownBars = 3,
            },
            new BacktestOptions { Fill = FillTiming.Close, MaxVolumeParticipation = 0.0001 },
            new Expected(94, 100077.84, 0.015096, -0.039973, "44e4a1ee6b24a0c5")),
    };

    private static SourceText Rule(string text) => SourceText.Of(text);

    private sealed record Expected(int Trades, double FinalEquity, double Sharpe, double MaxDrawdown, string TradeHash)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"new Expected({Trades}, {FinalEquity:R}, {Sharpe:R}, {MaxDrawdown:R}, \"{TradeHash}\")");
    }
}
