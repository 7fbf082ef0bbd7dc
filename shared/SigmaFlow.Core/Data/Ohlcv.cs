namespace SigmaFlow.Core.Data;

/// <summary>
/// One bar: its open time in Unix milliseconds (UTC) and its open, high, low, close and volume.
/// The unit passed to indicator kernels; series are stored as columns (<see cref="BarSeries"/>).
/// </summary>
/// <param name="Time">Bar open time, Unix milliseconds UTC.</param>
/// <param name="Open">First traded price.</param>
/// <param name="High">Highest traded price.</param>
/// <param name="Low">Lowest traded price.</param>
/// <param name="Close">Last traded price.</param>
/// <param name="Volume">Traded volume.</param>
public readonly record struct Ohlcv(long Time, double Open, double High, double Low, double Close, double Volume)
{
    /// <summary>Reads one price field of the bar, derived fields (hl2, hlc3, ohlc4) included.</summary>
    /// <param name="field">The field to read.</param>
    /// <returns>The field's value.</returns>
    public double Get(PriceField field) => field switch
    {
        PriceField.Close => Close,
        PriceField.Open => Open,
        PriceField.High => High,
        PriceField.Low => Low,
        PriceField.Volume => Volume,
        PriceField.Hl2 => (High + Low) / 2,
        PriceField.Hlc3 => (High + Low + Close) / 3,
        PriceField.Ohlc4 => (Open + High + Low + Close) / 4,
        _ => double.NaN,
    };
}
