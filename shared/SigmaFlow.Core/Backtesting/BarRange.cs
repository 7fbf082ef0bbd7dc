namespace SigmaFlow.Core.Backtesting;

/// <summary>A contiguous run of bars of one series: <see cref="Length"/> bars from index <see cref="Start"/>.</summary>
/// <param name="Start">Index of the first bar.</param>
/// <param name="Length">Number of bars.</param>
public readonly record struct BarRange(int Start, int Length)
{
    /// <summary>Index one past the last bar.</summary>
    public int End => Start + Length;

    /// <summary>Checks that the range lies inside a series of <paramref name="count"/> bars and is not empty.</summary>
    /// <param name="count">Bars in the series.</param>
    /// <exception cref="ArgumentException">The range is empty or reaches outside the series.</exception>
    public void Validate(int count)
    {
        if (Start < 0 || Length < 1 || Start > count - Length)
        {
            throw new ArgumentException($"range must be a non-empty part of the {count} bars: 0 ≤ start, 1 ≤ length, start + length ≤ {count}; got start {Start}, length {Length}.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"bars {Start}…{End - 1}";
}
