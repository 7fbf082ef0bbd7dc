using SigmaFlow.Core.Strategies;
using YamlDotNet.Core;

namespace SigmaFlow.Platform.Strategies;

/// <summary>Collects the problems found while reading one strategy document, so that all of them are reported together.</summary>
internal sealed class DiagnosticBag
{
    private readonly List<StrategyDiagnostic> diagnostics = [];

    /// <summary>Number of problems found so far.</summary>
    public int Count => diagnostics.Count;

    /// <summary>Records a problem at a YAML mark (already 1-based).</summary>
    /// <param name="at">Where the problem is.</param>
    /// <param name="message">What is wrong.</param>
    public void Add(Mark at, string message) => Add(ToInt(at.Line), ToInt(at.Column), message);

    /// <summary>Records a problem at a line and column (1-based).</summary>
    /// <param name="line">Line in the document.</param>
    /// <param name="column">Column in the document.</param>
    /// <param name="message">What is wrong.</param>
    public void Add(int line, int column, string message) =>
        diagnostics.Add(new StrategyDiagnostic(Math.Max(1, line), Math.Max(1, column), message));

    /// <summary>The problems sorted by position; problems at the same position keep the order they were found in.</summary>
    /// <returns>The problems in document order.</returns>
    public IReadOnlyList<StrategyDiagnostic> InDocumentOrder() =>
        [.. diagnostics.OrderBy(d => d.Line).ThenBy(d => d.Column)];

    private static int ToInt(long value) => value > int.MaxValue ? int.MaxValue : (int)value;
}
