using System.Globalization;

namespace SigmaFlow.Core.Strategies;

/// <summary>One problem in a strategy document or rule, at a line and column (1-based).</summary>
/// <param name="Line">Line in the document.</param>
/// <param name="Column">Column in the document.</param>
/// <param name="Message">What is wrong: what was expected and what was found, with a suggestion where one exists.</param>
public sealed record StrategyDiagnostic(int Line, int Column, string Message)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"line {Line}, column {Column}: {Message}");
}

/// <summary>A strategy document or rule is invalid; <see cref="Diagnostics"/> lists every problem found.</summary>
public sealed class StrategyException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="diagnostics">The problems, at least one.</param>
    public StrategyException(IReadOnlyList<StrategyDiagnostic> diagnostics)
        : base(Describe(diagnostics)) => Diagnostics = diagnostics;

    /// <summary>Creates the exception.</summary>
    public StrategyException()
        : this([])
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    public StrategyException(string message)
        : this([new StrategyDiagnostic(1, 1, message)])
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StrategyException(string message, Exception innerException)
        : base(message, innerException) => Diagnostics = [new StrategyDiagnostic(1, 1, message)];

    /// <summary>Every problem found, in document order.</summary>
    public IReadOnlyList<StrategyDiagnostic> Diagnostics { get; }

    private static string Describe(IReadOnlyList<StrategyDiagnostic> diagnostics) =>
        diagnostics.Count == 0
            ? "The strategy is invalid."
            : string.Create(CultureInfo.InvariantCulture, $"The strategy has {diagnostics.Count} problem(s):{Environment.NewLine}") + string.Join(Environment.NewLine, diagnostics.Select(d => "  " + d));
}
