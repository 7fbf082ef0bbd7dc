namespace SigmaFlow.Core.Data;

/// <summary>A price series derived from bars: the raw columns and the usual typical-price blends.</summary>
public enum PriceField
{
    /// <summary>Close price (the default source of value indicators).</summary>
    Close = 0,
    /// <summary>Open price.</summary>
    Open,
    /// <summary>High price.</summary>
    High,
    /// <summary>Low price.</summary>
    Low,
    /// <summary>Volume.</summary>
    Volume,
    /// <summary>(high + low) / 2.</summary>
    Hl2,
    /// <summary>(high + low + close) / 3.</summary>
    Hlc3,
    /// <summary>(open + high + low + close) / 4.</summary>
    Ohlc4,
}

/// <summary>Names of <see cref="PriceField"/> as users write them.</summary>
public static class PriceFields
{
    /// <summary>Every field name, lowercase, in enum order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["close", "open", "high", "low", "volume", "hl2", "hlc3", "ohlc4"];

    /// <summary>Parses a field name (case-insensitive).</summary>
    /// <param name="name">The name, e.g. <c>close</c> or <c>HL2</c>.</param>
    /// <param name="field">The parsed field.</param>
    /// <returns>True when the name is a price field.</returns>
    public static bool TryParse(string name, out PriceField field)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                field = (PriceField)i;
                return true;
            }
        }

        field = PriceField.Close;
        return false;
    }

    /// <summary>The lowercase name of a field.</summary>
    /// <param name="field">The field.</param>
    /// <returns>Its name.</returns>
    public static string Name(this PriceField field) => Names[(int)field];
}
