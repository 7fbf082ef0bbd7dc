using System.Globalization;

namespace SigmaFlow.Core.Backtesting;

/// <summary>When market orders from a bar's signals fill.</summary>
public enum FillTiming
{
    /// <summary>At the open of the next bar (default): signals are known only once the bar has closed.</summary>
    NextOpen,

    /// <summary>At the close of the signal bar itself.</summary>
    Close,
}

/// <summary>Commission models.</summary>
public enum CommissionKind
{
    /// <summary>No commission.</summary>
    None,

    /// <summary>A percent of traded value (0.1 = 0.1 %).</summary>
    Percent,

    /// <summary>An amount per unit with a minimum per fill.</summary>
    PerShare,

    /// <summary>A fixed amount per fill.</summary>
    Fixed,
}

/// <summary>Commission charged on every fill.</summary>
/// <param name="Kind">The model.</param>
/// <param name="Rate">Percent of value (Percent), amount per unit (PerShare) or amount per fill (Fixed).</param>
/// <param name="Minimum">Minimum per fill (PerShare only).</param>
public sealed record CommissionModel(CommissionKind Kind, decimal Rate = 0, decimal Minimum = 0)
{
    /// <summary>No commission.</summary>
    public static CommissionModel None { get; } = new(CommissionKind.None);

    /// <summary>Commission of one fill.</summary>
    /// <param name="quantity">Units filled (positive).</param>
    /// <param name="price">Fill price.</param>
    /// <returns>The commission.</returns>
    public decimal For(decimal quantity, decimal price) => Kind switch
    {
        CommissionKind.Percent => quantity * price * Rate / 100m,
        CommissionKind.PerShare => Math.Max(quantity * Rate, Minimum),
        CommissionKind.Fixed => Rate,
        _ => 0m,
    };

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        CommissionKind.Percent => string.Create(CultureInfo.InvariantCulture, $"{Rate}% of value"),
        CommissionKind.PerShare => string.Create(CultureInfo.InvariantCulture, $"{Rate} per unit, min {Minimum}"),
        CommissionKind.Fixed => string.Create(CultureInfo.InvariantCulture, $"{Rate} per fill"),
        _ => "none",
    };
}

/// <summary>Slippage models.</summary>
public enum SlippageKind
{
    /// <summary>Fills at the model price.</summary>
    None,

    /// <summary>Basis points of the price against the trader (buys higher, sells lower).</summary>
    BasisPoints,

    /// <summary>A fraction of the fill bar's high − low range against the trader.</summary>
    RangeFraction,
}

/// <summary>Price slippage applied to market and stop fills (limit fills never slip past their limit).</summary>
/// <param name="Kind">The model.</param>
/// <param name="Value">Basis points, or the range fraction.</param>
public sealed record SlippageModel(SlippageKind Kind, double Value = 0)
{
    /// <summary>No slippage.</summary>
    public static SlippageModel None { get; } = new(SlippageKind.None);

    /// <summary>The slipped price of a fill.</summary>
    /// <param name="price">Model price.</param>
    /// <param name="buy">True for a buy.</param>
    /// <param name="high">Fill bar high.</param>
    /// <param name="low">Fill bar low.</param>
    /// <returns>The price paid or received.</returns>
    public double Apply(double price, bool buy, double high, double low)
    {
        var slip = Kind switch
        {
            SlippageKind.BasisPoints => price * Value / 10_000,
            SlippageKind.RangeFraction => (high - low) * Value,
            _ => 0,
        };
        return buy ? price + slip : price - slip;
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        SlippageKind.BasisPoints => string.Create(CultureInfo.InvariantCulture, $"{Value} bps"),
        SlippageKind.RangeFraction => string.Create(CultureInfo.InvariantCulture, $"{Value} of bar range"),
        _ => "none",
    };
}

/// <summary>
/// Settings of a backtest (and of paper trading). Defaults: 100,000 cash, fills at the next open, no commission, no
/// slippage, no volume cap, shorts need equity of 50 % of their value, open positions marked to the last close.
/// </summary>
public sealed record BacktestOptions
{
    /// <summary>Starting cash (default 100,000).</summary>
    public decimal InitialCash { get; init; } = 100_000m;

    /// <summary>When market orders fill (default next open).</summary>
    public FillTiming Fill { get; init; } = FillTiming.NextOpen;

    /// <summary>Commission per fill (default none).</summary>
    public CommissionModel Commission { get; init; } = CommissionModel.None;

    /// <summary>Slippage of market and stop fills (default none).</summary>
    public SlippageModel Slippage { get; init; } = SlippageModel.None;

    /// <summary>
    /// Most of a bar's volume one order may take (0.1 = 10 %); the rest stays working and fills on later bars.
    /// Null (default) = no cap.
    /// </summary>
    public double? MaxVolumeParticipation { get; init; }

    /// <summary>Equity required per unit of short value (default 0.5: equity ≥ 50 % of all short positions' value).</summary>
    public decimal ShortMarginRate { get; init; } = 0.5m;

    /// <summary>Close open positions at the last bar's close (default false: mark them to it).</summary>
    public bool CloseAtEnd { get; init; }

    /// <summary>Annual risk-free rate for Sharpe and Sortino (default 0).</summary>
    public double RiskFreeRate { get; init; }

    /// <summary>Checks every setting; the message names the setting, the rule and the value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        static void Require(bool ok, string name, object value, string rule)
        {
            if (!ok)
            {
                throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} {rule}; got {value}."));
            }
        }

        Require(InitialCash > 0, nameof(InitialCash), InitialCash, "must be greater than 0");
        Require(Commission.Rate >= 0 && Commission.Minimum >= 0, nameof(Commission), Commission, "must not be negative");
        Require(Commission.Kind != CommissionKind.Percent || Commission.Rate < 100, nameof(Commission), Commission, "percent must be below 100");
        Require(double.IsFinite(Slippage.Value) && Slippage.Value >= 0, nameof(Slippage), Slippage, "must be a finite number of at least 0");
        Require(MaxVolumeParticipation is null || (MaxVolumeParticipation > 0 && MaxVolumeParticipation <= 1), nameof(MaxVolumeParticipation), MaxVolumeParticipation ?? 0, "must be greater than 0 and at most 1");
        Require(ShortMarginRate >= 0, nameof(ShortMarginRate), ShortMarginRate, "must not be negative");
        Require(double.IsFinite(RiskFreeRate), nameof(RiskFreeRate), RiskFreeRate, "must be finite");
    }
}
