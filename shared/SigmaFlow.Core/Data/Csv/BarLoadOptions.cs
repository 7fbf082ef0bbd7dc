using System.Globalization;

namespace SigmaFlow.Core.Data;

/// <summary>Settings for <see cref="BarCsvReader"/>.</summary>
public sealed record BarLoadOptions
{
    /// <summary>The defaults: strict loading, up to 10,000 stored problems, no symbol.</summary>
    public static BarLoadOptions Default { get; } = new();

    /// <summary>
    /// When false (the default) any problem fails the load and every problem is listed. When true, bad rows are
    /// skipped and counted in the <see cref="DataQualityReport"/>; the load fails only when no row is valid.
    /// </summary>
    public bool SkipBadRows { get; init; }

    /// <summary>
    /// How many problems are stored in <see cref="BarLoadResult.Problems"/> (default 10,000; at least 1). All problems
    /// are counted in <see cref="DataQualityReport.ProblemCount"/> even beyond this cap.
    /// </summary>
    public int MaxProblems { get; init; } = 10_000;

    /// <summary>Symbol attached to the loaded series (default none).</summary>
    public string? Symbol { get; init; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it, the rule and the value.</exception>
    public void Validate()
    {
        if (MaxProblems < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxProblems),
                MaxProblems,
                string.Create(CultureInfo.InvariantCulture, $"{nameof(MaxProblems)} must be at least 1; got {MaxProblems}."));
        }
    }
}
