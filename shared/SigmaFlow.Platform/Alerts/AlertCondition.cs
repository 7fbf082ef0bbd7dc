using System.Text.Json.Serialization;
using SigmaFlow.Core.Live;

namespace SigmaFlow.Platform.Alerts;

/// <summary>
/// When a rule fires. In JSON an object with a <c>type</c>: <c>signal</c> (<see cref="SignalCondition"/>),
/// <c>priceCrossing</c> (<see cref="PriceCrossingCondition"/>) or <c>expression</c> (<see cref="ExpressionCondition"/>).
/// </summary>
[JsonConverter(typeof(AlertConditionConverter))]
public abstract record AlertCondition
{
    /// <summary>The JSON <c>type</c> of a signal condition.</summary>
    public const string SignalType = "signal";

    /// <summary>The JSON <c>type</c> of a price-crossing condition.</summary>
    public const string PriceCrossingType = "priceCrossing";

    /// <summary>The JSON <c>type</c> of a rule-language condition.</summary>
    public const string ExpressionType = "expression";

    /// <summary>Every JSON <c>type</c>.</summary>
    public static IReadOnlyList<string> Types { get; } = [SignalType, PriceCrossingType, ExpressionType];

    private protected AlertCondition()
    {
    }

    /// <summary>The JSON <c>type</c> of this condition.</summary>
    [JsonIgnore]
    public abstract string Type { get; }
}

/// <summary>Which strategy signals a <see cref="SignalCondition"/> takes.</summary>
[JsonConverter(typeof(AlertEnumConverter<SignalSide>))]
public enum SignalSide
{
    /// <summary>Every signal.</summary>
    Any,

    /// <summary>Long entries and long exits.</summary>
    Long,

    /// <summary>Short entries and short exits.</summary>
    Short,

    /// <summary>Long and short entries.</summary>
    Entry,

    /// <summary>Long and short exits.</summary>
    Exit,

    /// <summary>Long entries.</summary>
    LongEntry,

    /// <summary>Long exits.</summary>
    LongExit,

    /// <summary>Short entries.</summary>
    ShortEntry,

    /// <summary>Short exits.</summary>
    ShortExit,
}

/// <summary>Which way a price must cross a level.</summary>
[JsonConverter(typeof(AlertEnumConverter<CrossingDirection>))]
public enum CrossingDirection
{
    /// <summary>From below the level to at or above it.</summary>
    Above,

    /// <summary>From above the level to at or below it.</summary>
    Below,

    /// <summary>Either way.</summary>
    Either,
}

/// <summary>Fires on live strategy signals (the messages IngestTicks puts on the <c>alerts</c> queue).</summary>
public sealed record SignalCondition : AlertCondition
{
    /// <summary>The strategy's name as in the signal (<c>ema-cross</c>), or <c>*</c> for every strategy.</summary>
    public string Strategy { get; init; } = "*";

    /// <summary>Symbols it watches (at most 100); empty for every symbol.</summary>
    public IReadOnlyList<string> Symbols { get; init; } = [];

    /// <summary>Which signals (default every one).</summary>
    public SignalSide Side { get; init; } = SignalSide.Any;

    /// <inheritdoc />
    [JsonIgnore]
    public override string Type => SignalType;

    /// <summary>Whether a signal kind is one this condition takes.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>True when it is.</returns>
    public bool Takes(SignalKind kind) => Side switch
    {
        SignalSide.Any => true,
        SignalSide.Long => kind is SignalKind.LongEntry or SignalKind.LongExit,
        SignalSide.Short => kind is SignalKind.ShortEntry or SignalKind.ShortExit,
        SignalSide.Entry => kind is SignalKind.LongEntry or SignalKind.ShortEntry,
        SignalSide.Exit => kind is SignalKind.LongExit or SignalKind.ShortExit,
        SignalSide.LongEntry => kind == SignalKind.LongEntry,
        SignalSide.LongExit => kind == SignalKind.LongExit,
        SignalSide.ShortEntry => kind == SignalKind.ShortEntry,
        SignalSide.ShortExit => kind == SignalKind.ShortExit,
        _ => false,
    };
}

/// <summary>Fires when a symbol's close crosses a price level (evaluated on bar closes by <see cref="AlertEvaluator"/>).</summary>
public sealed record PriceCrossingCondition : AlertCondition
{
    /// <summary>The symbol.</summary>
    public string Symbol { get; init; } = string.Empty;

    /// <summary>The level: a finite number greater than 0.</summary>
    public double Level { get; init; }

    /// <summary>Which way (default either).</summary>
    public CrossingDirection Direction { get; init; } = CrossingDirection.Either;

    /// <summary>The bars whose closes are compared (default <c>1m</c>).</summary>
    public string Timeframe { get; init; } = "1m";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Type => PriceCrossingType;
}

/// <summary>
/// Fires when a condition in the strategy rule language (<c>crossover(ema(close, 9), ema(close, 21))</c>,
/// <c>rsi(14) &gt; 70</c>) is true on a symbol's last bar (evaluated by <see cref="AlertEvaluator"/>).
/// </summary>
public sealed record ExpressionCondition : AlertCondition
{
    /// <summary>The symbol.</summary>
    public string Symbol { get; init; } = string.Empty;

    /// <summary>The condition: a true/false expression of the rule language, at most 1,000 characters.</summary>
    public string Expression { get; init; } = string.Empty;

    /// <summary>The bars it runs on (default <c>1m</c>).</summary>
    public string Timeframe { get; init; } = "1m";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Type => ExpressionType;
}
