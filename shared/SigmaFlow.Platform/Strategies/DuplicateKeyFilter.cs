using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using static System.FormattableString;

namespace SigmaFlow.Platform.Strategies;

/// <summary>
/// Passes YAML parsing events through to the representation model, reporting each repeated mapping key and dropping
/// it with its value. The representation model stops at the first repeated key; filtering here lets every other
/// problem in the document be reported in the same pass.
/// </summary>
internal sealed class DuplicateKeyFilter : IParser
{
    private readonly IParser inner;
    private readonly DiagnosticBag diagnostics;
    private readonly Stack<Frame> frames = new();

    /// <summary>Creates the filter.</summary>
    /// <param name="inner">The parser to read events from.</param>
    /// <param name="diagnostics">Where repeated keys are reported.</param>
    public DuplicateKeyFilter(IParser inner, DiagnosticBag diagnostics)
    {
        this.inner = inner;
        this.diagnostics = diagnostics;
    }

    /// <inheritdoc />
    public ParsingEvent? Current => inner.Current;

    /// <summary>Where the last event read from the inner parser ends: the last point known to be well-formed.</summary>
    public Mark LastEnd { get; private set; } = Mark.Empty;

    /// <inheritdoc />
    public bool MoveNext()
    {
        while (inner.MoveNext())
        {
            var current = inner.Current!;
            LastEnd = current.End;
            if (current is Scalar key && frames.TryPeek(out var frame) && frame.ExpectsKey)
            {
                if (!frame.Keys!.TryAdd(key.Value, key.Start))
                {
                    var first = frame.Keys[key.Value];
                    diagnostics.Add(key.Start, Invariant($"duplicate key '{key.Value}' in {StrategySection.Describe(frame.Path)}; first given at line {first.Line}, column {first.Column}"));
                    SkipValue();
                    continue;
                }

                frame.PendingKey = key.Value;
            }

            Track(current);
            return true;
        }

        return false;
    }

    private void Track(ParsingEvent current)
    {
        switch (current)
        {
            case MappingStart:
                frames.Push(new Frame(ChildPath(), isMapping: true));
                break;
            case SequenceStart:
                frames.Push(new Frame(ChildPath(), isMapping: false));
                break;
            case MappingEnd or SequenceEnd:
                frames.Pop();
                CompleteNode();
                break;
            case Scalar or AnchorAlias:
                CompleteNode();
                break;
            default:
                break;
        }
    }

    private string ChildPath()
    {
        if (!frames.TryPeek(out var parent))
        {
            return string.Empty;
        }

        var name = parent.Keys is null
            ? Invariant($"[{parent.Index}]")
            : parent.ExpectsKey ? "?" : parent.PendingKey ?? "?";
        return StrategySection.Child(parent.Path, name);
    }

    private void CompleteNode()
    {
        if (!frames.TryPeek(out var frame))
        {
            return;
        }

        if (frame.Keys is null)
        {
            frame.Index++;
        }
        else
        {
            frame.ExpectsKey = !frame.ExpectsKey;
        }
    }

    /// <summary>Consumes the value that follows a dropped key: one scalar or alias, or a whole collection.</summary>
    private void SkipValue()
    {
        var depth = 0;
        while (inner.MoveNext())
        {
            LastEnd = inner.Current!.End;
            switch (inner.Current)
            {
                case MappingStart or SequenceStart:
                    depth++;
                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
                default:
                    break;
            }

            if (depth == 0)
            {
                return;
            }
        }
    }

    private sealed class Frame(string path, bool isMapping)
    {
        public string Path { get; } = path;

        /// <summary>Keys seen so far with where they were first given; null for a sequence.</summary>
        public Dictionary<string, Mark>? Keys { get; } = isMapping ? new Dictionary<string, Mark>(StringComparer.Ordinal) : null;

        public bool ExpectsKey { get; set; } = isMapping;

        public string? PendingKey { get; set; }

        public int Index { get; set; }
    }
}
