namespace SigmaFlow.Core.Data;

/// <summary>A hole in a bar series: two consecutive bars further apart than the expected cadence allows.</summary>
/// <param name="From">Time of the last bar before the gap, Unix milliseconds UTC.</param>
/// <param name="To">Time of the first bar after the gap, Unix milliseconds UTC.</param>
/// <param name="MissingBars">Estimated number of bars missing in between.</param>
public readonly record struct BarGap(long From, long To, long MissingBars)
{
    /// <summary>Time between the two bars.</summary>
    public TimeSpan Duration => TimeSpan.FromMilliseconds(To - From);
}
