using SigmaFlow.Core.Strategies;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SigmaFlow.Platform.Strategies;

/// <summary>
/// The document split into lines, to turn a scalar's YAML mark into the position of its first text character
/// (past quotes, anchors and tags, and on the first content line of a block scalar).
/// </summary>
internal sealed class SourceLines
{
    private readonly string[] lines;

    /// <summary>Splits the document at CR LF, LF and CR, as the YAML scanner counts lines.</summary>
    /// <param name="text">The document.</param>
    public SourceLines(string text) =>
        lines = text.Split(["\r\n", "\n", "\r"], StringSplitOptions.None);

    /// <summary>The rule text of a scalar with the position of its first character.</summary>
    /// <param name="scalar">The scalar node.</param>
    /// <param name="text">Its text.</param>
    /// <returns>The text with its position.</returns>
    public SourceText RuleAt(YamlScalarNode scalar, string text)
    {
        var line = ToInt(scalar.Start.Line);
        var column = ToInt(scalar.Start.Column);
        if (line < 1 || line > lines.Length)
        {
            return new SourceText(text, Math.Max(1, line), Math.Max(1, column));
        }

        column = SkipProperties(lines[line - 1], column);
        switch (scalar.Style)
        {
            case ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted:
                return new SourceText(text, line, column + 1);
            case ScalarStyle.Literal or ScalarStyle.Folded:
                // The mark is at the '|' or '>' indicator; the text starts on the first line below it that is not blank.
                for (var next = line; next < lines.Length; next++)
                {
                    var content = lines[next];
                    var first = FirstNonBlank(content, 0);
                    if (first >= 0)
                    {
                        return new SourceText(text, next + 1, first + 1);
                    }
                }

                return new SourceText(text, line, column);
            default:
                return new SourceText(text, line, column);
        }
    }

    /// <summary>Skips an anchor (&amp;name) and a tag (!tag) in front of a scalar on the same line.</summary>
    private static int SkipProperties(string line, int column)
    {
        var index = column - 1;
        while (index < line.Length && (line[index] == '&' || line[index] == '!'))
        {
            while (index < line.Length && line[index] != ' ' && line[index] != '\t')
            {
                index++;
            }

            var next = FirstNonBlank(line, index);
            if (next < 0)
            {
                // The scalar itself is on a later line; keep the mark as YamlDotNet gave it.
                return column;
            }

            index = next;
        }

        return index + 1;
    }

    private static int FirstNonBlank(string line, int from)
    {
        for (var i = from; i < line.Length; i++)
        {
            if (line[i] != ' ' && line[i] != '\t')
            {
                return i;
            }
        }

        return -1;
    }

    private static int ToInt(long value) => value > int.MaxValue ? int.MaxValue : (int)value;
}
