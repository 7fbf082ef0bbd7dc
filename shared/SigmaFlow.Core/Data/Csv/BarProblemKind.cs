namespace SigmaFlow.Core.Data;

/// <summary>What is wrong with one row (or the header) of a bar CSV file.</summary>
public enum BarProblemKind
{
    /// <summary>The header lacks a required column (time, open, high, low or close), or the input is empty. Reported at row 1.</summary>
    MissingColumn = 0,

    /// <summary>The row is empty or holds only separators and white space. Blank lines at the very end of the input are ignored.</summary>
    BlankRow,

    /// <summary>The row has a different number of fields than the header.</summary>
    WrongColumnCount,

    /// <summary>The time field is empty or not in a recognised format.</summary>
    UnparsableTime,

    /// <summary>A price or volume field is empty or not a number.</summary>
    UnparsableNumber,

    /// <summary>Open, high, low or close is zero, negative, NaN or infinite.</summary>
    NonPositivePrice,

    /// <summary>Volume is negative, NaN or infinite.</summary>
    NegativeVolume,

    /// <summary>High is below low.</summary>
    HighBelowLow,

    /// <summary>Open lies outside [low, high].</summary>
    OpenOutsideRange,

    /// <summary>Close lies outside [low, high].</summary>
    CloseOutsideRange,

    /// <summary>The time equals the time of the last accepted row.</summary>
    DuplicateTime,

    /// <summary>The time is earlier than the time of the last accepted row.</summary>
    OutOfOrderTime,
}
