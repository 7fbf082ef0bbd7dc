namespace SigmaFlow.Core.Strategies;

/// <summary>
/// A text fragment of a strategy document with the line and column (both 1-based) where it starts, so that errors
/// inside rule expressions point into the document.
/// </summary>
/// <param name="Text">The text.</param>
/// <param name="Line">Line of the first character.</param>
/// <param name="Column">Column of the first character.</param>
public readonly record struct SourceText(string Text, int Line, int Column)
{
    /// <summary>Text with no known position (line 1, column 1).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The fragment.</returns>
    public static SourceText Of(string text) => new(text, 1, 1);

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>
/// A strategy as written by its author (YAML or JSON), before compilation: names, parameters with bounds, long and
/// short rules, order types, protective exits, sizing and filters. Readers fill it; <see cref="StrategyCompiler"/>
/// validates and compiles it.
/// </summary>
public sealed record StrategyDocument
{
    /// <summary>Strategy name.</summary>
    public required string Name { get; init; }

    /// <summary>Tunable parameters, in document order.</summary>
    public IReadOnlyList<StrategyParameter> Parameters { get; init; } = [];

    /// <summary>Long side rules, if the strategy trades long.</summary>
    public StrategySide? Long { get; init; }

    /// <summary>Short side rules, if the strategy trades short.</summary>
    public StrategySide? Short { get; init; }

    /// <summary>Position sizing for entries.</summary>
    public SizingRule Sizing { get; init; } = new SizingRule(SizingMode.Quantity, 1);

    /// <summary>Maximum number of entries in one direction before an exit (1 = no pyramiding).</summary>
    public int Pyramiding { get; init; } = 1;

    /// <summary>Bars after a position closes during which no new entry is taken.</summary>
    public int CooldownBars { get; init; }

    /// <summary>When entries are allowed; exits are always allowed. Null = always.</summary>
    public SessionFilter? Session { get; init; }

    /// <summary>The document text as read, for the reproducibility manifest.</summary>
    public string SourceDocument { get; init; } = string.Empty;
}

/// <summary>A tunable parameter: default and inclusive bounds; whole numbers unless a bound or the default has a fraction.</summary>
/// <param name="Name">Name used in rules.</param>
/// <param name="Default">Default value.</param>
/// <param name="Minimum">Smallest allowed value.</param>
/// <param name="Maximum">Largest allowed value.</param>
/// <param name="Line">Line of the parameter in the document.</param>
/// <param name="Column">Column of the parameter in the document.</param>
public sealed record StrategyParameter(string Name, double Default, double Minimum, double Maximum, int Line = 0, int Column = 0)
{
    /// <summary>Grid step for sweeps that name the parameter without a range; null = not given.</summary>
    public double? Step { get; init; }

    /// <summary>Whether the parameter takes whole numbers only (its bounds and default have no fraction).</summary>
    public bool IsWholeNumber => Minimum == Math.Floor(Minimum) && Maximum == Math.Floor(Maximum) && Default == Math.Floor(Default) && (Step is null || Step == Math.Floor(Step.Value));
}

/// <summary>Rules of one side (long or short).</summary>
public sealed record StrategySide
{
    /// <summary>Boolean rule: enter on the close of a bar where it is true.</summary>
    public required SourceText Entry { get; init; }

    /// <summary>Boolean rule: exit the whole position on the close of a bar where it is true.</summary>
    public SourceText? Exit { get; init; }

    /// <summary>How entries are ordered.</summary>
    public EntryOrderRule Order { get; init; } = EntryOrderRule.Market;

    /// <summary>Protective stop-loss, if any.</summary>
    public ProtectiveRule? StopLoss { get; init; }

    /// <summary>Protective take-profit, if any.</summary>
    public ProtectiveRule? TakeProfit { get; init; }

    /// <summary>Trailing stop, if any.</summary>
    public ProtectiveRule? TrailingStop { get; init; }
}

/// <summary>Entry order types.</summary>
public enum EntryOrderType
{
    /// <summary>Market order (fills at the next open, or this close with the close fill timing).</summary>
    Market,

    /// <summary>Limit order at a price expression evaluated on the signal bar.</summary>
    Limit,

    /// <summary>Stop order at a price expression evaluated on the signal bar.</summary>
    Stop,
}

/// <summary>The entry order: type, price expression for limit and stop, and how many bars it stays working.</summary>
/// <param name="Type">Order type.</param>
/// <param name="Price">Price expression (limit and stop only).</param>
/// <param name="ValidBars">Bars the order works before it expires (default 1: the next bar only).</param>
public sealed record EntryOrderRule(EntryOrderType Type, SourceText? Price = null, int ValidBars = 1)
{
    /// <summary>A market entry.</summary>
    public static EntryOrderRule Market { get; } = new(EntryOrderType.Market);
}

/// <summary>How a protective distance is measured.</summary>
public enum ProtectiveMode
{
    /// <summary>Percent of the average entry price.</summary>
    Percent,

    /// <summary>Multiple of the ATR at the entry signal.</summary>
    Atr,

    /// <summary>Absolute price distance.</summary>
    Absolute,
}

/// <summary>A protective exit distance.</summary>
/// <param name="Mode">How the distance is measured.</param>
/// <param name="Value">The percent, ATR multiple or absolute distance; greater than 0.</param>
/// <param name="AtrPeriods">ATR length for <see cref="ProtectiveMode.Atr"/> (default 14).</param>
public sealed record ProtectiveRule(ProtectiveMode Mode, double Value, int AtrPeriods = 14);

/// <summary>Position sizing modes.</summary>
public enum SizingMode
{
    /// <summary>A fixed number of units.</summary>
    Quantity,

    /// <summary>A percent of current equity, converted to units at the signal close.</summary>
    PercentEquity,

    /// <summary>A fixed amount of cash, converted to units at the signal close.</summary>
    Cash,

    /// <summary>Risk a percent of equity between the entry and the stop-loss (requires a stop-loss).</summary>
    RiskPercent,
}

/// <summary>Position sizing.</summary>
/// <param name="Mode">The mode.</param>
/// <param name="Value">Units, percent or cash amount; greater than 0.</param>
/// <param name="Fractional">Allow fractional units (otherwise rounded down to whole units).</param>
public sealed record SizingRule(SizingMode Mode, double Value, bool Fractional = false);

/// <summary>Entry window: days of the week and a time-of-day range, in UTC.</summary>
/// <param name="Days">Allowed days; empty = every day.</param>
/// <param name="Start">Start time of day (inclusive), or null for 00:00.</param>
/// <param name="End">End time of day (exclusive), or null for 24:00.</param>
public sealed record SessionFilter(IReadOnlyList<DayOfWeek> Days, TimeOnly? Start = null, TimeOnly? End = null);
