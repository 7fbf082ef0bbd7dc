using System.Globalization;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Strategies;

namespace SigmaFlow.Core.Backtesting;

/// <summary>
/// The trading loop shared by backtests and live paper trading: strategy signals → risk checks → simulated venue →
/// positions, trades and an event log. Time comes only from the bars it is given (no clock), so the same code runs
/// over history and live. Several symbols can share the one account.
/// <para>Per bar, in this order (the documented, conservative intrabar path):</para>
/// <list type="number">
/// <item>Working orders: market orders fill at the open (with slippage); limit orders fill at the open when it is
/// already through the limit, else at the limit if the bar trades there; stop orders fill at the open when it gaps
/// through the stop, else at the stop (with slippage) if the bar trades there.</item>
/// <item>Protective exits (from the bar after the entry fill): a gap through the stop fills at the open; when a
/// bar's range contains both the stop and the target, the stop is assumed to trade first.</item>
/// <item>Signals on the close: exits first, then entries (sized on the close, risk-checked when they fill). With
/// <see cref="FillTiming.Close"/> market orders fill at this close.</item>
/// <item>The trailing stop's extreme moves with the bar's high (long) or low (short).</item>
/// </list>
/// </summary>
public sealed class TradingSession
{
    private readonly BacktestOptions options;
    private readonly IExecutionVenue venue;
    private readonly LegState[] legs;
    private readonly List<OrderRecord> orders = [];
    private readonly List<FillRecord> fills = [];
    private readonly List<TradeRecord> trades = [];
    private decimal cash;
    private double cashValue;
    private int nextOrderId = 1;
    private int openPositions;

    /// <summary>Creates a session.</summary>
    /// <param name="options">Account and execution settings.</param>
    /// <param name="legs">Each traded symbol with its compiled strategy.</param>
    /// <param name="venue">Where orders are matched; the simulated venue with the options' slippage when null.</param>
    public TradingSession(BacktestOptions options, IReadOnlyList<(string Symbol, CompiledStrategy Strategy)> legs, IExecutionVenue? venue = null)
    {
        options.Validate();
        this.options = options;
        this.venue = venue ?? new SimulatedVenue(options.Slippage);
        cash = options.InitialCash;
        cashValue = (double)cash;
        this.legs = legs.Select(l => new LegState(l.Symbol, l.Strategy)).ToArray();
    }

    /// <summary>Cash now.</summary>
    public decimal Cash => cash;

    /// <summary>Every order so far, final state of each (working ones included as Working).</summary>
    public IReadOnlyList<OrderRecord> Orders => orders;

    /// <summary>Every fill so far.</summary>
    public IReadOnlyList<FillRecord> Fills => fills;

    /// <summary>Closed trades so far.</summary>
    public IReadOnlyList<TradeRecord> Trades => trades;

    /// <summary>Commission paid so far.</summary>
    public decimal FeesPaid { get; private set; }

    /// <summary>Sum of |fill value| so far.</summary>
    public decimal TradedValue { get; private set; }

    /// <summary>True when any symbol has an open position.</summary>
    public bool InMarket => openPositions > 0;

    /// <summary>Cash plus every position at its last close.</summary>
    /// <returns>Equity.</returns>
    public double Equity()
    {
        var equity = cashValue;
        foreach (var leg in legs)
        {
            if (leg.QuantityValue != 0)
            {
                equity += leg.QuantityValue * leg.LastClose;
            }
        }

        return equity;
    }

    /// <summary>Processes one bar of one symbol.</summary>
    /// <param name="legIndex">The symbol (index into the legs given to the constructor).</param>
    /// <param name="bar">The bar, complete.</param>
    /// <param name="ruleValues">Values of the strategy's rule program roots on this bar (see <see cref="CompiledStrategy.Slot"/>).</param>
    /// <exception cref="ArgumentException">The leg does not exist, the rule values are fewer than the program's rules, or
    /// the bar is not later than the leg's previous bar.</exception>
    public void OnBar(int legIndex, in Ohlcv bar, ReadOnlySpan<double> ruleValues)
    {
        if ((uint)legIndex >= (uint)legs.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(legIndex), legIndex, $"legIndex must be from 0 to {legs.Length - 1}; got {legIndex}.");
        }

        var leg = legs[legIndex];
        if (ruleValues.Length < leg.RuleCount)
        {
            throw new ArgumentException($"ruleValues must hold the {leg.RuleCount} rule values of {leg.Symbol}'s strategy; got {ruleValues.Length}.", nameof(ruleValues));
        }

        if (leg.BarIndex >= 0 && bar.Time <= leg.Bar.Time)
        {
            throw new ArgumentException($"Bars of {leg.Symbol} must arrive in time order; bar time {bar.Time} is not after {leg.Bar.Time}.", nameof(bar));
        }

        leg.BarIndex++;
        leg.Bar = bar;
        if (leg.Working.Count > 0)
        {
            ProcessWorking(leg);
        }

        if (leg.HasProtection && leg.QuantityValue != 0 && leg.BarIndex >= leg.ProtectionFromBar)
        {
            CheckProtection(leg);
        }

        leg.LastClose = bar.Close;
        ProcessSignals(leg, ruleValues);
        if (!double.IsNaN(leg.TrailDistance) && leg.QuantityValue != 0)
        {
            leg.TrailExtreme = leg.Quantity > 0 ? Math.Max(leg.TrailExtreme, bar.High) : Math.Min(leg.TrailExtreme, bar.Low);
        }
    }

    /// <summary>Ends the run: closes positions at the last close when configured, cancels working orders.</summary>
    /// <returns>Positions still open, marked to their last close.</returns>
    public IReadOnlyList<OpenPosition> Finish()
    {
        var open = new List<OpenPosition>();
        foreach (var leg in legs)
        {
            if (leg.Quantity != 0 && options.CloseAtEnd && leg.BarIndex >= 0)
            {
                var order = NewOrder(leg, leg.Quantity < 0, Math.Abs(leg.Quantity), OrderType.Market, double.NaN, OrderPurpose.EndOfData);
                FillNow(leg, order, venue.MatchAtClose(order.Buy, leg.Bar));
            }

            foreach (var order in leg.Working)
            {
                Finalize(order, order.Filled > 0 ? OrderStatus.PartiallyFilled : OrderStatus.Cancelled, "the data ended while the order was working");
            }

            leg.Working.Clear();
            if (leg.Quantity != 0)
            {
                var average = leg.EntryValue / leg.EntryQuantity;
                var mark = Money.Saturate(leg.LastClose);
                var pnl = (mark - average) * leg.Quantity;
                open.Add(new OpenPosition(leg.Symbol, leg.Quantity, average, mark, pnl));
            }
        }

        return open;
    }

    private void ProcessSignals(LegState leg, ReadOnlySpan<double> values)
    {
        var strategy = leg.Strategy;
        var document = strategy.Document;
        var longEntry = Flag(values, leg.LongEntrySlot);
        var shortEntry = Flag(values, leg.ShortEntrySlot);
        var longExit = Flag(values, leg.LongExitSlot);
        var shortExit = Flag(values, leg.ShortExitSlot);
        if (!(longEntry || shortEntry || longExit || shortExit))
        {
            return;
        }

        // Exits first. An entry on the side being exited waits; an entry on the other side reverses.
        var exitingDirection = 0;
        if (leg.Quantity > 0 && longExit && !leg.HasWorkingExit)
        {
            Submit(leg, NewOrder(leg, buy: false, leg.Quantity, OrderType.Market, double.NaN, OrderPurpose.Exit));
            exitingDirection = 1;
        }
        else if (leg.Quantity < 0 && shortExit && !leg.HasWorkingExit)
        {
            Submit(leg, NewOrder(leg, buy: true, -leg.Quantity, OrderType.Market, double.NaN, OrderPurpose.Exit));
            exitingDirection = -1;
        }

        if (longEntry && shortEntry)
        {
            foreach (var buy in new[] { true, false })
            {
                Finalize(NewOrder(leg, buy, 0, OrderType.Market, double.NaN, OrderPurpose.Entry), OrderStatus.Rejected, "long and short entries fired on the same bar; neither is taken");
            }

            return;
        }

        if (!(longEntry || shortEntry) || exitingDirection == (longEntry ? 1 : -1))
        {
            return;
        }

        if (document.Session is { } session && !InSession(session, leg.Bar.Time))
        {
            return;
        }

        if (leg.BarIndex - leg.LastExitBar < document.CooldownBars)
        {
            return;
        }

        var isLong = longEntry;
        var side = isLong ? document.Long! : document.Short!;
        var direction = isLong ? 1 : -1;
        var sameWay = Math.Sign(leg.Quantity) == direction;
        var pending = leg.WorkingEntries(isLong);
        if ((sameWay ? leg.Entries : 0) + pending >= document.Pyramiding)
        {
            return;
        }

        // An entry against an open position first closes it.
        if (leg.Quantity != 0 && !sameWay && !leg.HasWorkingExit)
        {
            Submit(leg, NewOrder(leg, buy: leg.Quantity < 0, Math.Abs(leg.Quantity), OrderType.Market, double.NaN, OrderPurpose.Reverse));
        }

        var type = side.Order.Type switch
        {
            EntryOrderType.Limit => OrderType.Limit,
            EntryOrderType.Stop => OrderType.Stop,
            _ => OrderType.Market,
        };
        var price = type == OrderType.Market ? double.NaN : values[isLong ? leg.LongPriceSlot : leg.ShortPriceSlot];
        var sizingPrice = type == OrderType.Market ? leg.Bar.Close : price;
        var atrStop = Atr(leg, values, side.StopLoss);
        var order = NewOrder(leg, isLong, 0, type, price, OrderPurpose.Entry);
        order.ExpiresAfterBar = leg.BarIndex + side.Order.ValidBars;
        order.AtrStop = atrStop;
        order.AtrTarget = Atr(leg, values, side.TakeProfit);
        order.AtrTrail = Atr(leg, values, side.TrailingStop);
        if (type != OrderType.Market && !(price > 0 && double.IsFinite(price)))
        {
            Finalize(order, OrderStatus.Rejected, string.Create(CultureInfo.InvariantCulture, $"the {type.ToString().ToLowerInvariant()} price rule gave {price} on the signal bar; a price must be a positive number"));
            return;
        }

        var quantity = Size(document.Sizing, side.StopLoss, sizingPrice, atrStop);
        if (quantity <= 0)
        {
            Finalize(order, OrderStatus.Rejected, string.Create(CultureInfo.InvariantCulture, $"position size is 0 units ({document.Sizing.Mode} {document.Sizing.Value} at price {sizingPrice:G6}{(double.IsNaN(atrStop) && side.StopLoss?.Mode == ProtectiveMode.Atr ? ", ATR not available yet" : string.Empty)})"));
            return;
        }

        order.Quantity = quantity;
        order.Remaining = quantity;
        Submit(leg, order);
    }

    private void Submit(LegState leg, WorkingOrder order)
    {
        if (options.Fill == FillTiming.Close && order.Type == OrderType.Market)
        {
            order.ActiveFromBar = leg.BarIndex;
            FillQuantity(leg, order, venue.MatchAtClose(order.Buy, leg.Bar));
            if (order.Remaining > 0 && !order.Done)
            {
                order.ActiveFromBar = leg.BarIndex + 1;
                leg.Working.Add(order);
            }

            return;
        }

        order.ActiveFromBar = leg.BarIndex + 1;
        leg.Working.Add(order);
    }

    private void ProcessWorking(LegState leg)
    {
        var bar = leg.Bar;
        var working = leg.Working;
        for (var k = 0; k < working.Count; k++)
        {
            var order = working[k];
            if (order.ActiveFromBar > leg.BarIndex || order.Done)
            {
                continue;
            }

            if (order.Purpose is OrderPurpose.Exit or OrderPurpose.Reverse && leg.Quantity == 0)
            {
                Finalize(order, order.Filled > 0 ? OrderStatus.PartiallyFilled : OrderStatus.Cancelled, "the position was already closed");
                continue;
            }

            var price = venue.Match(order.Type, order.Buy, order.Price, bar);

            if (!double.IsNaN(price))
            {
                FillQuantity(leg, order, price);
            }

            if (!order.Done && order.Type != OrderType.Market && leg.BarIndex >= order.ExpiresAfterBar)
            {
                Finalize(order, OrderStatus.Expired, string.Create(CultureInfo.InvariantCulture, $"not filled within {order.ExpiresAfterBar - order.SignalBar} bar(s)"));
            }
        }

        working.RemoveAll(o => o.Done);
    }

    private void CheckProtection(LegState leg)
    {
        var bar = leg.Bar;
        var isLong = leg.Quantity > 0;
        var trail = double.NaN;
        if (!double.IsNaN(leg.TrailDistance))
        {
            trail = isLong ? leg.TrailExtreme - leg.TrailDistance : leg.TrailExtreme + leg.TrailDistance;
        }

        var stop = leg.StopLevel;
        var stopPurpose = OrderPurpose.StopLoss;
        if (!double.IsNaN(trail) && (double.IsNaN(stop) || (isLong ? trail > stop : trail < stop)))
        {
            stop = trail;
            stopPurpose = OrderPurpose.TrailingStop;
        }

        var target = leg.TargetLevel;
        var exitBuy = !isLong;
        var stopGaps = !double.IsNaN(stop) && (isLong ? bar.Open <= stop : bar.Open >= stop);
        var targetGaps = !double.IsNaN(target) && (isLong ? bar.Open >= target : bar.Open <= target);

        // Conservative path: a stop gapped at the open first; then a target gapped at the open; then, inside the
        // bar, the stop before the target.
        var stopPrice = double.IsNaN(stop) ? double.NaN : venue.Match(OrderType.Stop, exitBuy, stop, bar);
        var targetPrice = double.IsNaN(target) ? double.NaN : venue.Match(OrderType.Limit, exitBuy, target, bar);
        double price;
        OrderPurpose purpose;
        OrderType type;
        if (stopGaps || (!targetGaps && !double.IsNaN(stopPrice)))
        {
            (price, purpose, type) = (stopPrice, stopPurpose, OrderType.Stop);
        }
        else if (!double.IsNaN(targetPrice))
        {
            (price, purpose, type) = (targetPrice, OrderPurpose.TakeProfit, OrderType.Limit);
        }
        else
        {
            return;
        }

        var level = purpose == OrderPurpose.TakeProfit ? target : stop;
        var order = NewOrder(leg, buy: !isLong, Math.Abs(leg.Quantity), type, level, purpose);
        order.ActiveFromBar = leg.BarIndex;
        FillQuantity(leg, order, price);
        if (!order.Done)
        {
            // Capped by volume: the rest leaves at market on the next bars.
            order.Type = OrderType.Market;
            order.ActiveFromBar = leg.BarIndex + 1;
            leg.Working.Add(order);
        }
    }

    private void FillNow(LegState leg, WorkingOrder order, double price)
    {
        order.ActiveFromBar = leg.BarIndex;
        ApplyFill(leg, order, order.Remaining, price);
        if (!order.Done)
        {
            Finalize(order, OrderStatus.Filled, string.Empty);
        }
    }

    /// <summary>Fills what the volume cap allows; rejects entries the account cannot afford.</summary>
    private void FillQuantity(LegState leg, WorkingOrder order, double price)
    {
        var quantity = order.Remaining;
        if (options.MaxVolumeParticipation is { } cap)
        {
            var allowed = Money.Saturate(leg.Bar.Volume * cap);
            if (!leg.Strategy.Document.Sizing.Fractional)
            {
                allowed = Math.Floor(allowed);
            }

            if (allowed < quantity)
            {
                quantity = allowed;
            }

            if (quantity <= 0)
            {
                return;
            }
        }

        if (!Money.Fits(price) || !Money.Fits((double)quantity * price))
        {
            Finalize(order, order.Filled > 0 ? OrderStatus.PartiallyFilled : OrderStatus.Rejected, string.Create(CultureInfo.InvariantCulture, $"fill price {price:R} for {quantity} units is not a representable amount of money"));
            return;
        }

        if (order.Purpose == OrderPurpose.Entry)
        {
            var problem = CheckAffordable(leg, order.Buy, quantity, price);
            if (problem is not null)
            {
                Finalize(order, order.Filled > 0 ? OrderStatus.PartiallyFilled : OrderStatus.Rejected, problem);
                return;
            }
        }

        ApplyFill(leg, order, quantity, price);
    }

    private string? CheckAffordable(LegState leg, bool buy, decimal quantity, double price)
    {
        var value = quantity * (decimal)price;
        var commission = options.Commission.For(quantity, (decimal)price);
        if (buy)
        {
            var needed = value + commission;
            return needed > cash
                ? string.Create(CultureInfo.InvariantCulture, $"insufficient cash: buying {quantity} at {price:0.####} needs {needed:0.00} with commission; cash is {cash:0.00}")
                : null;
        }

        // Short: equity after the sale must cover the margin rate of every short position's value.
        var shortValue = value;
        foreach (var other in legs)
        {
            if (other.Quantity < 0)
            {
                shortValue += -other.Quantity * Money.Saturate(other == leg ? price : other.LastClose);
            }
        }

        var equityAfter = Money.Saturate(Equity()) - commission;
        var required = shortValue * options.ShortMarginRate;
        return equityAfter < required
            ? string.Create(CultureInfo.InvariantCulture, $"insufficient margin: short positions worth {shortValue:0.00} need equity of {required:0.00} at {options.ShortMarginRate:P0}; equity is {equityAfter:0.00}")
            : null;
    }

    private void ApplyFill(LegState leg, WorkingOrder order, decimal quantity, double price)
    {
        var fillPrice = (decimal)price;
        var commission = options.Commission.For(quantity, fillPrice);
        var delta = order.Buy ? quantity : -quantity;
        var value = quantity * fillPrice;
        cash -= (order.Buy ? value : -value) + commission;
        cashValue = (double)cash;
        FeesPaid += commission;
        TradedValue += value;

        if (leg.Quantity == 0)
        {
            leg.OpenTrade(delta > 0 ? TradeSide.Long : TradeSide.Short, leg.Bar.Time);
            openPositions++;
        }

        var increasing = Math.Sign(delta) == (leg.Side == TradeSide.Long ? 1 : -1);
        if (increasing)
        {
            if (order.Filled == 0)
            {
                leg.Entries++;
            }

            leg.EntryQuantity += quantity;
            leg.EntryValue += value;
            leg.EntryFills++;
            leg.LastEntryPrice = fillPrice;
        }
        else
        {
            leg.ExitQuantity += quantity;
            leg.ExitValue += value;
            leg.ExitFills++;
            leg.LastExitPrice = fillPrice;
        }

        leg.TradeCommission += commission;
        leg.Quantity += delta;
        leg.QuantityValue = (double)leg.Quantity;
        leg.MaxQuantity = Math.Max(leg.MaxQuantity, Math.Abs(leg.Quantity));
        order.Filled += quantity;
        order.FilledValue += value;
        order.FillCount++;
        order.LastFillPrice = fillPrice;
        order.Commission += commission;
        order.Remaining -= quantity;
        fills.Add(new FillRecord(order.Id, leg.Symbol, leg.Bar.Time, order.Buy, quantity, fillPrice, commission));

        if (increasing && order.Purpose == OrderPurpose.Entry)
        {
            SetProtection(leg, order);
        }

        if (leg.Quantity == 0)
        {
            openPositions--;
            CloseTrade(leg, order.Purpose);
        }

        if (order.Remaining == 0)
        {
            Finalize(order, OrderStatus.Filled, string.Empty);
        }
    }

    private static void SetProtection(LegState leg, WorkingOrder order)
    {
        var side = leg.Side == TradeSide.Long ? leg.Strategy.Document.Long : leg.Strategy.Document.Short;
        if (side is null || (side.StopLoss is null && side.TakeProfit is null && side.TrailingStop is null))
        {
            return;
        }

        var isLong = leg.Side == TradeSide.Long;
        var average = (double)(leg.EntryValue / leg.EntryQuantity);
        leg.StopLevel = Level(side.StopLoss, average, order.AtrStop, isLong ? -1 : 1);
        leg.TargetLevel = Level(side.TakeProfit, average, order.AtrTarget, isLong ? 1 : -1);
        leg.TrailDistance = side.TrailingStop is { } trail
            ? trail.Mode switch
            {
                ProtectiveMode.Percent => average * trail.Value / 100,
                ProtectiveMode.Atr => order.AtrTrail * trail.Value,
                _ => trail.Value,
            }
            : double.NaN;
        if (double.IsNaN(leg.TrailExtreme))
        {
            leg.TrailExtreme = average;
        }

        leg.HasProtection = !double.IsNaN(leg.StopLevel) || !double.IsNaN(leg.TargetLevel) || !double.IsNaN(leg.TrailDistance);
        leg.ProtectionFromBar = leg.BarIndex + 1;
    }

    private static double Level(ProtectiveRule? rule, double average, double atr, int direction) => rule is null
        ? double.NaN
        : rule.Mode switch
        {
            ProtectiveMode.Percent => average * (1 + (direction * rule.Value / 100)),
            ProtectiveMode.Atr => average + (direction * rule.Value * atr),
            _ => average + (direction * rule.Value),
        };

    private void CloseTrade(LegState leg, OrderPurpose purpose)
    {
        // Decimal division is slow; with one fill the average is that fill's price exactly.
        var entryPrice = leg.EntryFills == 1 ? leg.LastEntryPrice : leg.EntryValue / leg.EntryQuantity;
        var exitPrice = leg.ExitFills == 1 ? leg.LastExitPrice : leg.ExitValue / leg.ExitQuantity;
        var gross = leg.Side == TradeSide.Long ? leg.ExitValue - leg.EntryValue : leg.EntryValue - leg.ExitValue;
        var pnl = gross - leg.TradeCommission;
        var reason = purpose switch
        {
            OrderPurpose.Exit => "signal",
            OrderPurpose.StopLoss => "stop-loss",
            OrderPurpose.TakeProfit => "take-profit",
            OrderPurpose.TrailingStop => "trailing-stop",
            OrderPurpose.Reverse => "reverse",
            OrderPurpose.EndOfData => "end-of-data",
            _ => "entry",
        };
        trades.Add(new TradeRecord(leg.Symbol, leg.Side, leg.EntryTime, entryPrice, leg.Bar.Time, exitPrice, leg.MaxQuantity, gross, leg.TradeCommission, pnl, leg.BarIndex - leg.EntryBar, (double)pnl / (double)leg.EntryValue, reason));
        leg.LastExitBar = leg.BarIndex;
        leg.Entries = 0;
        leg.HasProtection = false;
        leg.StopLevel = leg.TargetLevel = leg.TrailDistance = double.NaN;
        leg.QuantityValue = 0;
    }

    private WorkingOrder NewOrder(LegState leg, bool buy, decimal quantity, OrderType type, double price, OrderPurpose purpose) => new()
    {
        Id = nextOrderId++,
        Symbol = leg.Symbol,
        Time = leg.Bar.Time,
        SignalBar = leg.BarIndex,
        Buy = buy,
        Quantity = quantity,
        Remaining = quantity,
        Type = type,
        Price = price,
        Purpose = purpose,
    };

    private void Finalize(WorkingOrder order, OrderStatus status, string reason)
    {
        order.Done = true;
        var average = order.FillCount switch
        {
            0 => 0m,
            1 => order.LastFillPrice,
            _ => order.FilledValue / order.Filled,
        };
        decimal? level = double.IsNaN(order.Price) ? null : Money.Saturate(order.Price);
        orders.Add(new OrderRecord(order.Id, order.Symbol, order.Time, order.Buy, order.Quantity, order.Type, level, order.Purpose, status, order.Filled, average, order.Commission, reason));
    }

    private decimal Size(SizingRule sizing, ProtectiveRule? stopLoss, double price, double atr)
    {
        if (!(price > 0) || !double.IsFinite(price))
        {
            return 0;
        }

        var equity = Equity();
        var units = sizing.Mode switch
        {
            SizingMode.Quantity => sizing.Value,
            SizingMode.PercentEquity => equity * sizing.Value / 100 / price,
            SizingMode.Cash => sizing.Value / price,
            _ => stopLoss is null ? 0 : equity * sizing.Value / 100 / (stopLoss.Mode switch
            {
                ProtectiveMode.Percent => price * stopLoss.Value / 100,
                ProtectiveMode.Atr => atr * stopLoss.Value,
                _ => stopLoss.Value,
            }),
        };
        if (!double.IsFinite(units) || units <= 0 || !Money.Fits(units))
        {
            return 0;
        }

        var quantity = (decimal)units;
        return sizing.Fractional ? Math.Round(quantity, 8, MidpointRounding.ToZero) : Math.Floor(quantity);
    }

    private static double Atr(LegState leg, ReadOnlySpan<double> values, ProtectiveRule? rule)
    {
        if (rule is not { Mode: ProtectiveMode.Atr })
        {
            return double.NaN;
        }

        var slot = leg.Strategy.AtrSlot(rule.AtrPeriods);
        return slot < 0 ? double.NaN : values[slot];
    }

    private static bool Flag(ReadOnlySpan<double> values, int slot) => slot >= 0 && values[slot] != 0 && !double.IsNaN(values[slot]);

    private static bool InSession(SessionFilter session, long time)
    {
        var t = DateTimeOffset.FromUnixTimeMilliseconds(time).UtcDateTime;
        if (session.Days.Count > 0 && !session.Days.Contains(t.DayOfWeek))
        {
            return false;
        }

        var clock = TimeOnly.FromDateTime(t);
        return (session.Start is null || clock >= session.Start) && (session.End is null || clock < session.End);
    }

    private sealed class WorkingOrder
    {
        public int Id { get; init; }

        public required string Symbol { get; init; }

        public long Time { get; init; }

        public int SignalBar { get; init; }

        public bool Buy { get; init; }

        public decimal Quantity { get; set; }

        public decimal Remaining { get; set; }

        public OrderType Type { get; set; }

        public double Price { get; init; }

        public OrderPurpose Purpose { get; init; }

        public int ActiveFromBar { get; set; }

        public int ExpiresAfterBar { get; set; } = int.MaxValue;

        public double AtrStop { get; set; } = double.NaN;

        public double AtrTarget { get; set; } = double.NaN;

        public double AtrTrail { get; set; } = double.NaN;

        public decimal Filled { get; set; }

        public decimal FilledValue { get; set; }

        public int FillCount { get; set; }

        public decimal LastFillPrice { get; set; }

        public decimal Commission { get; set; }

        public bool Done { get; set; }
    }

    private sealed class LegState(string symbol, CompiledStrategy strategy)
    {
        public string Symbol { get; } = symbol;

        public CompiledStrategy Strategy { get; } = strategy;

        public int LongEntrySlot { get; } = strategy.Slot(StrategyRule.LongEntry);

        public int LongExitSlot { get; } = strategy.Slot(StrategyRule.LongExit);

        public int LongPriceSlot { get; } = strategy.Slot(StrategyRule.LongPrice);

        public int ShortEntrySlot { get; } = strategy.Slot(StrategyRule.ShortEntry);

        public int ShortExitSlot { get; } = strategy.Slot(StrategyRule.ShortExit);

        public int ShortPriceSlot { get; } = strategy.Slot(StrategyRule.ShortPrice);

        public int RuleCount { get; } = strategy.Program.Roots.Count;

        public List<WorkingOrder> Working { get; } = [];

        public int BarIndex { get; set; } = -1;

        public Ohlcv Bar { get; set; }

        public double LastClose { get; set; } = double.NaN;

        public decimal Quantity { get; set; }

        public double QuantityValue { get; set; }

        public TradeSide Side { get; private set; }

        public long EntryTime { get; private set; }

        public int EntryBar { get; private set; }

        public int Entries { get; set; }

        public decimal EntryQuantity { get; set; }

        public decimal EntryValue { get; set; }

        public decimal ExitQuantity { get; set; }

        public decimal ExitValue { get; set; }

        public decimal TradeCommission { get; set; }

        public int EntryFills { get; set; }

        public int ExitFills { get; set; }

        public decimal LastEntryPrice { get; set; }

        public decimal LastExitPrice { get; set; }

        public decimal MaxQuantity { get; set; }

        public bool HasProtection { get; set; }

        public int ProtectionFromBar { get; set; }

        public double StopLevel { get; set; } = double.NaN;

        public double TargetLevel { get; set; } = double.NaN;

        public double TrailDistance { get; set; } = double.NaN;

        public double TrailExtreme { get; set; } = double.NaN;

        public int LastExitBar { get; set; } = int.MinValue / 2;

        public bool HasWorkingExit
        {
            get
            {
                foreach (var order in Working)
                {
                    if (order.Purpose is OrderPurpose.Exit or OrderPurpose.Reverse or OrderPurpose.StopLoss or OrderPurpose.TakeProfit or OrderPurpose.TrailingStop)
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        public int WorkingEntries(bool isLong)
        {
            var count = 0;
            foreach (var order in Working)
            {
                if (order.Purpose == OrderPurpose.Entry && order.Buy == isLong)
                {
                    count++;
                }
            }

            return count;
        }

        public void OpenTrade(TradeSide side, long time)
        {
            Side = side;
            EntryTime = time;
            EntryBar = BarIndex;
            Entries = 0;
            EntryQuantity = EntryValue = ExitQuantity = ExitValue = TradeCommission = MaxQuantity = 0;
            EntryFills = ExitFills = 0;
            TrailExtreme = double.NaN;
        }
    }
}

/// <summary>Conversions between the engine's double prices and decimal money.</summary>
internal static class Money
{
    private const double Limit = 7.9e27;

    /// <summary>True when the value is finite and within decimal's range with room for arithmetic.</summary>
    public static bool Fits(double value) => double.IsFinite(value) && Math.Abs(value) < Limit;

    /// <summary>The value as decimal, clamped to the representable range; NaN becomes 0 (for reporting only).</summary>
    public static decimal Saturate(double value) =>
        double.IsNaN(value) ? 0m : value >= Limit ? (decimal)Limit : value <= -Limit ? -(decimal)Limit : (decimal)value;
}
