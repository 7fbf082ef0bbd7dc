namespace SigmaFlow.Core.Data;

/// <summary>The outcome of loading bars: the series, the problems found and a data-quality report.</summary>
public sealed record BarLoadResult
{
    internal BarLoadResult(bool success, BarSeries bars, IReadOnlyList<BarProblem> problems, DataQualityReport quality, string? symbol)
    {
        Success = success;
        Bars = bars;
        Problems = problems;
        Quality = quality;
        Symbol = symbol;
    }

    /// <summary>
    /// True when <see cref="Bars"/> holds the data: in strict mode when there was no problem, in skip mode when at least
    /// one row was valid (or there were no problems at all).
    /// </summary>
    public bool Success { get; }

    /// <summary>The loaded bars; <see cref="BarSeries.Empty"/> when <see cref="Success"/> is false.</summary>
    public BarSeries Bars { get; }

    /// <summary>
    /// Every problem found, in row order, up to <see cref="BarLoadOptions.MaxProblems"/>; the full count is
    /// <see cref="DataQualityReport.ProblemCount"/>. In skip mode these are the skipped rows.
    /// </summary>
    public IReadOnlyList<BarProblem> Problems { get; }

    /// <summary>Row counts, problem counts, cadence and gaps. Filled on success and on failure.</summary>
    public DataQualityReport Quality { get; }

    /// <summary>The symbol from <see cref="BarLoadOptions.Symbol"/>, if any.</summary>
    public string? Symbol { get; }

    /// <summary>Returns the bars, or throws when the load failed.</summary>
    /// <returns><see cref="Bars"/>.</returns>
    /// <exception cref="BarCsvException">The load failed; the message lists up to 20 problems.</exception>
    public BarSeries ThrowIfFailed()
    {
        if (!Success)
        {
            throw new BarCsvException(Problems, Quality.ProblemCount);
        }

        return Bars;
    }
}
