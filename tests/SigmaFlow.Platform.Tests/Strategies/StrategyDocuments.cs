namespace SigmaFlow.Platform.Tests.Strategies;

/// <summary>Named strategy documents shared by the reader tests.</summary>
internal static class StrategyDocuments
{
    /// <summary>The SMA crossover example from the format description, exactly.</summary>
    public const string SmaCrossYaml = """
        name: sma-cross
        parameters:
          fast: { default: 10, min: 2, max: 200 }
          slow: { default: 30, min: 3, max: 400 }
        long:
          entry: crossover(sma(close, fast), sma(close, slow))
          exit: crossunder(sma(close, fast), sma(close, slow))
        sizing:
          quantity: 100
        """;

    /// <summary>The same strategy as JSON.</summary>
    public const string SmaCrossJson = """
        {
          "name": "sma-cross",
          "parameters": {
            "fast": { "default": 10, "min": 2, "max": 200 },
            "slow": { "default": 30, "min": 3, "max": 400 }
          },
          "long": {
            "entry": "crossover(sma(close, fast), sma(close, slow))",
            "exit": "crossunder(sma(close, fast), sma(close, slow))"
          },
          "sizing": { "quantity": 100 }
        }
        """;

    /// <summary>A document that uses every option of the format (the README example).</summary>
    public const string Everything = """
        name: breakout-both-ways
        parameters:
          lookback: { default: 20, min: 5, max: 100 }
          band: { default: 1.5, min: 0.5, max: 4 }      # a fraction makes the parameter real-valued
        long:
          entry: close > highest(high, lookback)
          exit: close < sma(close, lookback)
          order: { type: stop, price: "highest(high, lookback) + 0.01", valid_bars: 3 }
          stop_loss: { atr: 2, atr_periods: 10 }
          take_profit: { percent: 8 }
          trailing_stop: { absolute: 1.25 }
        short:
          entry: |
            close < lowest(low, lookback)
          order: { type: limit, price: "close + band * atr(14)" }
          stop_loss: { percent: 3 }
        sizing:
          risk_percent: 1
          fractional: true
        pyramiding: 2
        cooldown_bars: 5
        session:
          days: [mon, tue, Wednesday, thu, FRI]
          start: "13:30"
          end: "20:00"
        """;

    /// <summary>The smallest valid document: a name and a long entry; line 3 is the entry.</summary>
    public const string Minimal = """
        name: minimal
        long:
          entry: close > open
        """;
}
