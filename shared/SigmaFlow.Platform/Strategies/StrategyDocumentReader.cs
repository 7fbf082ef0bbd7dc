using SigmaFlow.Core.Strategies;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using static System.FormattableString;

namespace SigmaFlow.Platform.Strategies;

/// <summary>
/// Reads a strategy document written in YAML or JSON (JSON is YAML, so one parser serves both) into a
/// <see cref="StrategyDocument"/>. The format is described in <c>Strategies/README.md</c> next to this file.
/// </summary>
public static class StrategyDocumentReader
{
    /// <summary>Reads a strategy document.</summary>
    /// <param name="text">The YAML or JSON text; it becomes <see cref="StrategyDocument.SourceDocument"/>.</param>
    /// <returns>The document, with every rule kept as text at its position in <paramref name="text"/>.</returns>
    /// <exception cref="StrategyException">
    /// The text is not valid YAML or does not describe a strategy; <see cref="StrategyException.Diagnostics"/> lists
    /// every problem found, in document order, each at a 1-based line and column.
    /// </exception>
    public static StrategyDocument Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        var diagnostics = new DiagnosticBag();
        var stream = Load(text, diagnostics);
        var root = stream is null ? null : Root(stream, diagnostics);
        var document = root is null
            ? null
            : StrategyDocumentMapper.Map(StrategySection.Create(root, string.Empty, root.Start, StrategyDocumentMapper.TopLevelKeys, diagnostics, new SourceLines(text)));

        if (document is null || diagnostics.Count > 0)
        {
            throw new StrategyException(diagnostics.InDocumentOrder());
        }

        return document with { SourceDocument = text };
    }

    private static YamlStream? Load(string text, DiagnosticBag diagnostics)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(text);
        var parser = new DuplicateKeyFilter(new Parser(reader), diagnostics);
        try
        {
            stream.Load(parser);
            return stream;
        }
        catch (YamlException exception)
        {
            diagnostics.Add(exception.Start, "invalid YAML: " + exception.Message);
        }
        catch (InvalidOperationException exception)
        {
            // YamlDotNet's scanner fails this way on some malformed flow collections (an unclosed '{' followed by
            // block content); it gives no position, so report the end of the last well-formed part.
            diagnostics.Add(parser.LastEnd, "invalid YAML after this point; check for an unclosed '{', '[' or quote (" + exception.Message + ")");
        }

        return null;
    }

    private static YamlMappingNode? Root(YamlStream stream, DiagnosticBag diagnostics)
    {
        if (stream.Documents.Count == 0 || StrategySection.IsNull(stream.Documents[0].RootNode))
        {
            diagnostics.Add(1, 1, "the document is empty; expected a mapping with 'name' and a 'long' or 'short' section");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            diagnostics.Add(stream.Documents[1].RootNode.Start, Invariant($"expected one strategy per document, found {stream.Documents.Count} YAML documents"));
        }

        var root = stream.Documents[0].RootNode;
        if (root is YamlMappingNode mapping)
        {
            return mapping;
        }

        diagnostics.Add(root.Start, Invariant($"expected a mapping with 'name' and a 'long' or 'short' section, found {StrategySection.DescribeNode(root)}"));
        return null;
    }
}
