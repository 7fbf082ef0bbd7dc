using System.Globalization;
using System.Text;

namespace SigmaFlow.Core.Data;

/// <summary>Thrown by <see cref="BarLoadResult.ThrowIfFailed"/> when bar data could not be loaded.</summary>
public sealed class BarCsvException : FormatException
{
    /// <summary>How many problems the message lists before summarising the rest.</summary>
    public const int ListedProblems = 20;

    /// <summary>Creates the exception with a generic message and no problems.</summary>
    public BarCsvException()
        : this("Bar data could not be loaded.")
    {
    }

    /// <summary>Creates the exception with a message and no problems.</summary>
    /// <param name="message">The message.</param>
    public BarCsvException(string message)
        : base(message)
    {
        Problems = [];
    }

    /// <summary>Creates the exception with a message, an inner exception and no problems.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public BarCsvException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [];
    }

    /// <summary>Creates the exception for a list of problems.</summary>
    /// <param name="problems">The stored problems, in row order.</param>
    /// <param name="totalProblems">How many problems were found in all (may exceed the stored list).</param>
    public BarCsvException(IReadOnlyList<BarProblem> problems, int totalProblems)
        : base(Describe(problems, totalProblems))
    {
        Problems = problems;
        TotalProblems = Math.Max(totalProblems, problems.Count);
    }

    /// <summary>The stored problems, in row order.</summary>
    public IReadOnlyList<BarProblem> Problems { get; }

    /// <summary>How many problems were found in all.</summary>
    public int TotalProblems { get; }

    private static string Describe(IReadOnlyList<BarProblem> problems, int totalProblems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var total = Math.Max(totalProblems, problems.Count);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Bar data could not be loaded: {total} problem(s).");
        var listed = Math.Min(ListedProblems, problems.Count);
        for (var i = 0; i < listed; i++)
        {
            text.Append('\n').Append("  ").Append(problems[i].Message);
        }

        if (total > listed)
        {
            text.Append('\n').Append(CultureInfo.InvariantCulture, $"  and {total - listed} more");
        }

        return text.ToString();
    }
}
