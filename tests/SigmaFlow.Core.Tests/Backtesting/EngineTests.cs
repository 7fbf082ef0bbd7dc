using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Strategies;

namespace SigmaFlow.Core.Tests.Backtesting;

/// <summary>Fills, costs, rejections and protective exits, each worked out by hand on a few bars.</summary>
public sealed class EngineTests
{
    // Closes 99, 101, 102, 98, 97 — "close > 100" fires on bar 1, "close < 100" on bar 3.
    private static readonly BarSeries Five = Bars(
        (99, 99.5, 98.5, 99, 1000),
        (100.5, 101.5, 100, 101, 1000),
        (101.5, 102.5, 101, 102, 1000),
        (101, 101, 97.5, 98, 1000),
        (97.5, 98, 96.5, 97, 1000));

    [Fact]
    public void MarketOrders_DefaultFillAtNextOpen()
    {
        var result = Run(Five, Long("close > 100", "close < 100"));
        var trade = Assert.Single(result.Trades);
        Assert.Equal(101.5m, trade.EntryPrice);
        Assert.Equal(97.5m, trade.ExitPrice);
        Assert.Equal(-40m, trade.Pnl);
        Assert.Equal(Five.Time[2], trade.EntryTime);
        Assert.Equal(Five.Time[4], trade.ExitTime);
        Assert.Equal(2, trade.BarsHeld);
        Assert.Equal(100_000 - 40, result.FinalEquity);
    }

    [Fact]
    public void MarketOrders_CloseTiming_FillAtSignalClose()
    {
        var trade = Assert.Single(Run(Five, Long("close > 100", "close < 100"), new BacktestOptions { Fill = FillTiming.Close }).Trades);
        Assert.Equal(101m, trade.EntryPrice);
        Assert.Equal(98m, trade.ExitPrice);
        Assert.Equal(-30m, trade.Pnl);
    }

    [Fact]
    public void PercentCommission_ChargedOnEveryFill()
    {
        // 0.1 % of 1015 = 1.015 on entry, of 975 = 0.975 on exit.
        var result = Run(Five, Long("close > 100", "close < 100"), new BacktestOptions { Commission = new CommissionModel(CommissionKind.Percent, 0.1m) });
        var trade = Assert.Single(result.Trades);
        Assert.Equal(1.99m, trade.Commission);
        Assert.Equal(-41.99m, trade.Pnl);
        Assert.Equal(-40m, trade.GrossPnl);
        Assert.Equal(100_000 - 41.99, result.FinalEquity, 9);
        Assert.Equal(1.99, result.Metrics.FeesPaid, 9);
    }

    [Fact]
    public void PerShareCommission_AppliesTheMinimum()
    {
        var trade = Assert.Single(Run(Five, Long("close > 100", "close < 100"), new BacktestOptions { Commission = new CommissionModel(CommissionKind.PerShare, 0.01m, 1m) }).Trades);
        Assert.Equal(2m, trade.Commission);
    }

    [Fact]
    public void FixedCommission_PerFill()
    {
        var trade = Assert.Single(Run(Five, Long("close > 100", "close < 100"), new BacktestOptions { Commission = new CommissionModel(CommissionKind.Fixed, 5m) }).Trades);
        Assert.Equal(10m, trade.Commission);
    }

    [Fact]
    public void BasisPointSlippage_MovesFillsAgainstTheTrader()
    {
        var trade = Assert.Single(Run(Five, Long("close > 100", "close < 100"), new BacktestOptions { Slippage = new SlippageModel(SlippageKind.BasisPoints, 10) }).Trades);
        Assert.Equal((decimal)(101.5 * 1.001), trade.EntryPrice);
        Assert.Equal((decimal)(97.5 * 0.999), trade.ExitPrice);
    }

    [Fact]
    public void RangeSlippage_UsesTheFillBarRange()
    {
        // Entry bar 2 range 1.5 → +0.15; exit bar 4 range 1.5 → −0.15.
        var trade = Assert.Single(Run(Five, Long("close > 100", "close < 100"), new BacktestOptions { Slippage = new SlippageModel(SlippageKind.RangeFraction, 0.1) }).Trades);
        Assert.Equal(101.65m, trade.EntryPrice);
        Assert.Equal(97.35m, trade.ExitPrice);
    }

    [Fact]
    public void UnaffordableOrder_RejectedWithReason_NeverResized()
    {
        var result = Run(Five, Long("close > 100", "close < 100", quantity: 2000));
        Assert.Empty(result.Trades);
        // The condition holds on bars 1 and 2, so both orders are placed and both are refused at their fills.
        Assert.Equal(2, result.Orders.Count);
        Assert.All(result.Orders, o => Assert.Equal((OrderStatus.Rejected, 2000m), (o.Status, o.Quantity)));
        Assert.Contains("insufficient cash: buying 2000 at 101.5 needs 203000.00", result.Orders[0].Reason, StringComparison.Ordinal);
        Assert.Equal(100_000, result.FinalEquity);
        Assert.Empty(result.Fills);
    }

    [Fact]
    public void Short_ProfitsWhenPriceFalls()
    {
        var document = new StrategyDocument
        {
            Name = "short",
            Short = new StrategySide { Entry = SourceText.Of("close > 101.5"), Exit = SourceText.Of("close < 98.5") },
            Sizing = new SizingRule(SizingMode.Quantity, 10),
        };
        var trade = Assert.Single(Run(Five, document).Trades);
        Assert.Equal(TradeSide.Short, trade.Side);
        Assert.Equal(101m, trade.EntryPrice);   // bar 2 signal, bar 3 open
        Assert.Equal(97.5m, trade.ExitPrice);   // bar 3 signal, bar 4 open
        Assert.Equal(35m, trade.Pnl);
    }

    [Fact]
    public void ShortBeyondMargin_Rejected()
    {
        var document = new StrategyDocument
        {
            Name = "short",
            Short = new StrategySide { Entry = SourceText.Of("close > 101.5") },
            Sizing = new SizingRule(SizingMode.Quantity, 2500),
        };
        var result = Run(Five, document);
        var rejected = Assert.Single(result.Orders, o => o.Status == OrderStatus.Rejected);
        Assert.Contains("insufficient margin: short positions worth 252500.00 need equity of 126250.00", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void StopLoss_GapThroughStop_FillsAtTheOpen()
    {
        // Entry at bar 2 open 101.5, stop 2 below = 99.5; bar 3 opens 101 and trades to 97.5 → stop at 99.5.
        var trade = Assert.Single(Run(Five, Long("close > 100", null, stop: new ProtectiveRule(ProtectiveMode.Absolute, 2))).Trades);
        Assert.Equal(99.5m, trade.ExitPrice);
        Assert.Equal("stop-loss", trade.ExitReason);

        // Same with a gap: bar 3 opens at 99 below the stop → fill at 99.
        var gapped = Bars((99, 99.5, 98.5, 99, 1000), (100.5, 101.5, 100, 101, 1000), (101.5, 102.5, 101, 102, 1000), (99, 99.2, 97.5, 98, 1000));
        var gapTrade = Assert.Single(Run(gapped, Long("close > 100", null, stop: new ProtectiveRule(ProtectiveMode.Absolute, 2))).Trades);
        Assert.Equal(99m, gapTrade.ExitPrice);
    }

    [Fact]
    public void StopAndTargetInOneBar_StopAssumedFirst()
    {
        // Entry 101.5; stop 1 % → 100.485; target 1 % → 102.515; bar 3 spans 97 … 103.
        var bars = Bars((99, 99.5, 98.5, 99, 1000), (100.5, 101.5, 100, 101, 1000), (101.5, 101.8, 101.2, 101.6, 1000), (101.5, 103, 97, 100, 1000));
        var document = Long("close > 100", null, stop: new ProtectiveRule(ProtectiveMode.Percent, 1)) with { };
        document = document with { Long = document.Long! with { TakeProfit = new ProtectiveRule(ProtectiveMode.Percent, 1) } };
        var trade = Assert.Single(Run(bars, document).Trades);
        Assert.Equal("stop-loss", trade.ExitReason);
        Assert.Equal((decimal)(101.5 * 0.99), trade.ExitPrice);
    }

    [Fact]
    public void TakeProfit_IntrabarAtTarget_GapAboveAtOpen()
    {
        var bars = Bars((99, 99.5, 98.5, 99, 1000), (100.5, 101.5, 100, 101, 1000), (101.5, 101.8, 101.2, 101.6, 1000), (101.6, 104, 101.5, 103, 1000));
        var document = Long("close > 100", null);
        document = document with { Long = document.Long! with { TakeProfit = new ProtectiveRule(ProtectiveMode.Absolute, 2) } };
        var trade = Assert.Single(Run(bars, document).Trades);
        Assert.Equal(103.5m, trade.ExitPrice);
        Assert.Equal("take-profit", trade.ExitReason);
    }

    [Fact]
    public void TrailingStop_FollowsTheHighestHigh()
    {
        // Entry 101.5 at bar 2; bar 2 high 103 → trail 103 − 1 = 102; bar 3 low 101.9 → out at 102.
        var bars = Bars((99, 99.5, 98.5, 99, 1000), (100.5, 101.5, 100, 101, 1000), (101.5, 103, 101.2, 102.8, 1000), (102.7, 102.9, 101.9, 102.5, 1000));
        var document = Long("close > 100", null);
        document = document with { Long = document.Long! with { TrailingStop = new ProtectiveRule(ProtectiveMode.Absolute, 1) } };
        var trade = Assert.Single(Run(bars, document).Trades);
        Assert.Equal(102m, trade.ExitPrice);
        Assert.Equal("trailing-stop", trade.ExitReason);
    }

    [Fact]
    public void LimitEntry_FillsAtLimitOrBetterOpen_OrExpires()
    {
        // Signal bar 1 close 101: limit = close − 1 = 100. Bar 2 low 99.8 → fill 100.
        var bars = Bars((99, 99.5, 98.5, 99, 1000), (100.5, 101.5, 100, 101, 1000), (100.5, 101, 99.8, 100.2, 1000));
        var trade = Run(bars, LongOrder(EntryOrderType.Limit, "close - 1"), new BacktestOptions { CloseAtEnd = true }).Trades.Single();
        Assert.Equal(100m, trade.EntryPrice);

        // Opening below the limit fills at the (better) open.
        var better = Bars((99, 99.5, 98.5, 99, 1000), (100.5, 101.5, 100, 101, 1000), (99.5, 100.2, 99.1, 100, 1000));
        Assert.Equal(99.5m, Run(better, LongOrder(EntryOrderType.Limit, "close - 1"), new BacktestOptions { CloseAtEnd = true }).Trades.Single().EntryPrice);

        // Never reaching the limit within its one valid bar: expired, no trade.
        var never = Bars((99, 99.5, 98.5, 99, 1000), (100.5, 101.5, 100, 101, 1000), (101, 102, 100.5, 101.5, 1000), (99, 99, 98, 98, 1000));
        var result = Run(never, LongOrder(EntryOrderType.Limit, "close - 1", signal: "close > 100 and close < 101.2"));
        Assert.Empty(result.Trades);
        Assert.Equal(OrderStatus.Expired, result.Orders.Single().Status);
    }

    [Fact]
    public void StopEntry_GapThroughFillsAtOpen()
    {
        // Stop = close + 1 = 102 after bar 1; bar 2 opens 102.5 → fill at 102.5, not 102.
        var bars = Bars((99, 99.5, 98.5, 99, 1000), (100.5, 101.5, 100, 101, 1000), (102.5, 103, 102.2, 102.8, 1000));
        Assert.Equal(102.5m, Run(bars, LongOrder(EntryOrderType.Stop, "close + 1"), new BacktestOptions { CloseAtEnd = true }).Trades.Single().EntryPrice);

        var intrabar = Bars((99, 99.5, 98.5, 99, 1000), (100.5, 101.5, 100, 101, 1000), (101.2, 102.4, 101, 102.3, 1000));
        Assert.Equal(102m, Run(intrabar, LongOrder(EntryOrderType.Stop, "close + 1"), new BacktestOptions { CloseAtEnd = true }).Trades.Single().EntryPrice);
    }

    [Fact]
    public void VolumeCap_PartialFillsAcrossBars()
    {
        // 10 % of 50 units of volume = 5 per bar; 12 units fill 5 + 5 + 2 on bars 2, 3, 4.
        var bars = Bars((99, 99.5, 98.5, 99, 50), (100.5, 101.5, 100, 101, 50), (101.5, 102.5, 101, 102, 50), (102, 103, 101.5, 102.5, 50), (102.5, 103, 102, 102.8, 50));
        var result = Run(bars, Long("close > 100 and close < 101.5", null, quantity: 12), new BacktestOptions { MaxVolumeParticipation = 0.1 });
        Assert.Equal([5m, 5m, 2m], result.Fills.Select(f => f.Quantity));
        Assert.Equal([101.5m, 102m, 102.5m], result.Fills.Select(f => f.Price));
        Assert.Equal(OrderStatus.Filled, result.Orders.Single().Status);
        Assert.Equal(12m, result.OpenPositions.Single().Quantity);
    }

    [Fact]
    public void Pyramiding_LimitsEntriesPerDirection()
    {
        var rising = Bars((100, 101, 99, 100.5, 1000), (100.5, 102, 100, 101.5, 1000), (101.5, 103, 101, 102.5, 1000), (102.5, 104, 102, 103.5, 1000), (103.5, 105, 103, 104.5, 1000));
        var document = Long("close > open", null) with { Pyramiding = 2 };
        var result = Run(rising, document);
        Assert.Equal(2, result.Fills.Count);
        Assert.Equal(20m, result.OpenPositions.Single().Quantity);
    }

    [Fact]
    public void Cooldown_SkipsEntriesAfterAnExit()
    {
        var bars = Bars((100, 101, 99, 101, 1000), (101, 102, 100, 99, 1000), (99, 102, 98, 101, 1000), (101, 102, 100, 101.5, 1000), (101.5, 102, 101, 101.8, 1000), (101.8, 102, 101, 101.9, 1000));

        // Entry when close > 100.5, exit when close < 100. Without cooldown: in at 1, out at 2, in again at 3.
        var plain = Run(bars, Long("close > 100.5", "close < 100"));
        Assert.Equal(Bars(bars, 3), plain.Fills[2].Time);

        // Cooldown 2: the exit fills on bar 2; the signal on bar 2 and 3 is skipped; bar 4's signal enters on bar 5.
        var cooled = Run(bars, Long("close > 100.5", "close < 100") with { CooldownBars = 2 });
        Assert.Equal(Bars(bars, 5), cooled.Fills[2].Time);
    }

    [Fact]
    public void OppositeEntry_ReversesThePosition()
    {
        var document = new StrategyDocument
        {
            Name = "flip",
            Long = new StrategySide { Entry = SourceText.Of("close > 100 and close < 101.5") },
            Short = new StrategySide { Entry = SourceText.Of("close < 99") },
            Sizing = new SizingRule(SizingMode.Quantity, 10),
        };
        var result = Run(Five, document);
        var trade = Assert.Single(result.Trades);
        Assert.Equal("reverse", trade.ExitReason);
        Assert.Equal(97.5m, trade.ExitPrice);
        Assert.Equal(-10m, result.OpenPositions.Single().Quantity);
    }

    [Fact]
    public void LongAndShortEntriesTogether_BothRejected()
    {
        var document = new StrategyDocument
        {
            Name = "both",
            Long = new StrategySide { Entry = SourceText.Of("close > 100") },
            Short = new StrategySide { Entry = SourceText.Of("close > 100") },
        };
        var result = Run(Five, document);
        Assert.Empty(result.Fills);
        Assert.All(result.Orders, o => Assert.Equal("long and short entries fired on the same bar; neither is taken", o.Reason));
    }

    [Fact]
    public void PercentEquitySizing_UsesEquityAtTheSignalClose()
    {
        // 10 % of 100,000 at close 101 = 99.0099… → 99 whole units.
        var document = Long("close > 100", null) with { Sizing = new SizingRule(SizingMode.PercentEquity, 10) };
        Assert.Equal(99m, Run(Five, document).OpenPositions.Single().Quantity);
    }

    [Fact]
    public void RiskPercentSizing_RisksThePercentToTheStop()
    {
        // Risk 1 % of 100,000 = 1,000 with a stop 2 away → 500 units.
        var document = Long("close > 100 and close < 101.5", null, stop: new ProtectiveRule(ProtectiveMode.Absolute, 2)) with { Sizing = new SizingRule(SizingMode.RiskPercent, 1) };
        Assert.Equal(500m, Run(Five, document).Trades.Single().Quantity);
    }

    [Fact]
    public void EndOfData_MarkedOrClosed()
    {
        var marked = Run(Five, Long("close > 100", null));
        var position = marked.OpenPositions.Single();
        Assert.Equal(97m, position.MarkPrice);
        Assert.Equal(-45m, position.UnrealizedPnl);
        Assert.Equal(100_000 - 45, marked.FinalEquity);

        var closed = Run(Five, Long("close > 100", null), new BacktestOptions { CloseAtEnd = true });
        Assert.Empty(closed.OpenPositions);
        Assert.Equal("end-of-data", closed.Trades.Single().ExitReason);
    }

    [Fact]
    public void TwoSymbols_ShareOneAccount()
    {
        // Each leg wants 600 units (~60,000); the second, filling at the same open, is rejected for cash.
        var a = Bars((99, 99.5, 98.5, 99, 1000), (100.5, 101.5, 100, 101, 1000), (101.5, 102.5, 101, 102, 1000));
        var b = Bars((99, 99.5, 98.5, 99, 1000), (100.5, 101.5, 100, 101, 1000), (101.5, 102.5, 101, 102, 1000));
        var strategy = StrategyCompiler.Compile(Long("close > 100", null, quantity: 600));
        var result = BacktestEngine.Run([new BacktestLeg("A", a, strategy), new BacktestLeg("B", b, strategy)]);
        Assert.Single(result.OpenPositions);
        Assert.Contains(result.Orders, o => o.Symbol == "B" && o.Status == OrderStatus.Rejected && o.Reason.StartsWith("insufficient cash", StringComparison.Ordinal));
    }

    [Fact]
    public void Manifest_SameInputsSameHash_AnyChangeDifferent()
    {
        var strategy = StrategyCompiler.Compile(Long("close > 100", "close < 100"));
        var first = BacktestEngine.Run(Five, strategy).Manifest;
        Assert.Equal(first, BacktestEngine.Run(Five, strategy).Manifest);
        Assert.NotEqual(first.Hash, BacktestEngine.Run(Five, strategy, new BacktestOptions { InitialCash = 50_000 }).Manifest.Hash);
        Assert.NotEqual(first.Hash, BacktestEngine.Run(Bars((99, 99.5, 98.5, 99, 1000)), strategy).Manifest.Hash);
    }

    [Fact]
    public void AstronomicalPrices_OrderRejectedNotCrashed()
    {
        // Prices beyond what decimal money can hold are refused with a reason; the run completes.
        var bars = Bars((1e30, 1e30, 1e30, 1e30, 1000), (1e30, 1e30, 1e30, 1e30, 1000), (1e30, 1e30, 1e30, 1e30, 1000));
        var result = Run(bars, Long("close > 0", null, quantity: 1));
        Assert.Empty(result.Fills);
        Assert.Equal([OrderStatus.Rejected, OrderStatus.Rejected, OrderStatus.Cancelled], result.Orders.Select(o => o.Status));
        Assert.Contains("not a representable amount of money", result.Orders[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void InjectedVenue_DecidesEveryFillPrice()
    {
        // The session asks the venue for prices; a venue that always fills at 50 makes every fill 50.
        var strategy = StrategyCompiler.Compile(Long("close > 100", "close < 100"));
        var session = new TradingSession(new BacktestOptions(), [("TEST", strategy)], new FixedPriceVenue(50));
        var values = new double[strategy.Program.Roots.Count];
        var columns = strategy.Program.Evaluate(Five);
        for (var i = 0; i < Five.Count; i++)
        {
            for (var r = 0; r < values.Length; r++)
            {
                values[r] = columns[r][i];
            }

            session.OnBar(0, Five[i], values);
        }

        Assert.Equal([50m, 50m], session.Fills.Select(f => f.Price));
        Assert.Equal(0m, session.Trades.Single().Pnl);
    }

    [Fact]
    public void OnBar_BadArguments_RefusedWithTheRule()
    {
        var strategy = StrategyCompiler.Compile(Long("close > 100", "close < 100"));
        var session = new TradingSession(new BacktestOptions(), [("TEST", strategy)]);
        var values = new double[strategy.Program.Roots.Count];
        Assert.Contains("legIndex must be from 0 to 0; got 1.", Assert.Throws<ArgumentOutOfRangeException>(() => session.OnBar(1, Five[0], values)).Message, StringComparison.Ordinal);
        Assert.Contains("ruleValues must hold the 2 rule values", Assert.Throws<ArgumentException>(() => session.OnBar(0, Five[0], new double[1])).Message, StringComparison.Ordinal);
        session.OnBar(0, Five[1], values);
        Assert.Contains("must arrive in time order", Assert.Throws<ArgumentException>(() => session.OnBar(0, Five[0], values)).Message, StringComparison.Ordinal);

        // Refused input changed nothing: the next good bar is processed normally.
        session.OnBar(0, Five[2], values);
        Assert.Empty(session.Orders);
    }

    private sealed class FixedPriceVenue(double price) : IExecutionVenue
    {
        public double Match(OrderType type, bool buy, double level, in Ohlcv bar) => price;

        public double MatchAtClose(bool buy, in Ohlcv bar) => price;
    }

    private static long Bars(BarSeries bars, int index) => bars.Time[index];

    private static BacktestResult Run(BarSeries bars, StrategyDocument document, BacktestOptions? options = null) =>
        BacktestEngine.Run(bars, StrategyCompiler.Compile(document), options);

    private static StrategyDocument Long(string entry, string? exit, decimal quantity = 10, ProtectiveRule? stop = null) => new()
    {
        Name = "test",
        Long = new StrategySide { Entry = SourceText.Of(entry), Exit = exit is null ? null : SourceText.Of(exit), StopLoss = stop },
        Sizing = new SizingRule(SizingMode.Quantity, (double)quantity),
    };

    private static StrategyDocument LongOrder(EntryOrderType type, string price, string signal = "close > 100 and close < 101.2") => new()
    {
        Name = "order",
        Long = new StrategySide { Entry = SourceText.Of(signal), Order = new EntryOrderRule(type, SourceText.Of(price)) },
        Sizing = new SizingRule(SizingMode.Quantity, 10),
    };

    private static BarSeries Bars(params (double Open, double High, double Low, double Close, double Volume)[] rows)
    {
        var builder = new BarSeriesBuilder(rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            var (o, h, l, c, v) = rows[i];
            builder.Add(new Ohlcv(1_700_000_000_000L + (i * 86_400_000L), o, h, l, c, v));
        }

        return builder.Build("TEST");
    }
}
