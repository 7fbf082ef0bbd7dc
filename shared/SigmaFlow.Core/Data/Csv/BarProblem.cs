namespace SigmaFlow.Core.Data;

/// <summary>One rejected row (or a header fault) found while loading bars.</summary>
/// <param name="Row">1-based line number in the input; the header is line 1.</param>
/// <param name="Kind">The rule the row breaks.</param>
/// <param name="Message">Readable description naming the row, the column, the rule and the value, e.g.
/// <c>row 7: high 10.5 is below low 11.2</c>.</param>
public sealed record BarProblem(int Row, BarProblemKind Kind, string Message)
{
    /// <summary>The message.</summary>
    /// <returns><see cref="Message"/>.</returns>
    public override string ToString() => Message;
}
