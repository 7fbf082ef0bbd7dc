using System.Globalization;
using SigmaFlow.Core.Strategies;

namespace SigmaFlow.Core.Optimization;

/// <summary>The values one parameter takes in a sweep, in order.</summary>
/// <param name="Name">Parameter name, as in the strategy document.</param>
/// <param name="Values">Distinct values, in the order given.</param>
public sealed record ParameterAxis(string Name, IReadOnlyList<double> Values)
{
    /// <summary>Most values one axis may have.</summary>
    public const int MaxValues = 1_000_000;

    /// <summary>
    /// <c>start, start + step, …</c> up to and including <paramref name="stop"/> (within a millionth of a step).
    /// Values are rounded to 12 significant digits, so <c>0.1:0.3:0.1</c> gives exactly 0.1, 0.2, 0.3.
    /// </summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="start">First value.</param>
    /// <param name="stop">Last value (inclusive).</param>
    /// <param name="step">Distance between values, &gt; 0.</param>
    /// <returns>The axis.</returns>
    /// <exception cref="ArgumentException">The range is empty, the step not positive, or the axis too long.</exception>
    public static ParameterAxis Range(string name, double start, double stop, double step)
    {
        if (!double.IsFinite(start) || !double.IsFinite(stop) || !double.IsFinite(step) || step <= 0)
        {
            throw new ArgumentException(Invariant($"parameter '{name}': a range needs finite start and stop and a step > 0; got {start}:{stop}:{step}."), nameof(step));
        }

        if (stop < start)
        {
            throw new ArgumentException(Invariant($"parameter '{name}': range stop must be ≥ start; got {start}:{stop}:{step}."), nameof(stop));
        }

        var steps = Math.Floor(((stop - start) / step) + 1e-6);
        if (steps + 1 > MaxValues)
        {
            throw new ArgumentException(Invariant($"parameter '{name}': a range may have at most {MaxValues} values; {start}:{stop}:{step} has {steps + 1}."), nameof(step));
        }

        var values = new double[(int)steps + 1];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Round12(start + (i * step));
        }

        return new ParameterAxis(name, values);
    }

    /// <summary>Parses <c>name=start:stop:step</c>, <c>name=a,b,c</c> or <c>name=value</c>.</summary>
    /// <param name="spec">The text.</param>
    /// <returns>The axis.</returns>
    /// <exception cref="FormatException">The text is not one of the forms; the message says which part is wrong.</exception>
    public static ParameterAxis Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var eq = spec.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new FormatException($"a parameter range is name=start:stop:step, name=a,b,c or name=value; got '{spec}'.");
        }

        var name = spec[..eq].Trim();
        var body = spec[(eq + 1)..];
        if (body.Contains(':', StringComparison.Ordinal))
        {
            var parts = body.Split(':');
            if (parts.Length != 3)
            {
                throw new FormatException($"parameter '{name}': a range is start:stop:step (three numbers); got '{body}'.");
            }

            try
            {
                return Range(name, Number(name, parts[0]), Number(name, parts[1]), Number(name, parts[2]));
            }
            catch (ArgumentException e)
            {
                throw new FormatException(e.Message.Split(" (Parameter", 2)[0], e);
            }
        }

        var values = body.Split(',').Select(v => Number(name, v)).ToArray();
        var duplicate = values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new FormatException(Invariant($"parameter '{name}': value {duplicate.Key} is listed twice in '{body}'."));
        }

        return new ParameterAxis(name, values);
    }

    /// <inheritdoc />
    public override string ToString() => Invariant($"{Name}={string.Join(",", Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}");

    private static double Number(string name, string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new FormatException($"parameter '{name}': expected a number, got '{text.Trim()}'.");

    private static double Round12(double value) => double.Parse(value.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The combinations a sweep may try: the cartesian product of the axes, filtered by constraints. Every combination
/// has a fixed <em>grid index</em> (mixed radix, the first axis most significant), which identifies it across shards,
/// machines and runs and breaks ranking ties. A combination is the full parameter vector of the strategy, in document
/// order: swept parameters take the axis value, the others their default.
/// </summary>
public sealed class ParameterSpace
{
    private readonly int[] axisSlots;
    private readonly double[][] axisValues;
    private readonly double[] defaults;
    private readonly ScalarExpression[] constraints;

    private ParameterSpace(IReadOnlyList<string> names, double[] defaults, IReadOnlyList<ParameterAxis> axes, int[] axisSlots, ScalarExpression[] constraints, long size)
    {
        Names = names;
        this.defaults = defaults;
        Axes = axes;
        this.axisSlots = axisSlots;
        axisValues = axes.Select(a => a.Values.ToArray()).ToArray();
        this.constraints = constraints;
        Size = size;
    }

    /// <summary>Largest grid a sweep may span (products beyond this are refused).</summary>
    public const long MaxSize = 1_000_000_000;

    /// <summary>Every parameter of the strategy, in document order; combinations hold values in this order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The swept parameters.</summary>
    public IReadOnlyList<ParameterAxis> Axes { get; }

    /// <summary>The constraints, as written.</summary>
    public IReadOnlyList<string> Constraints => constraints.Select(c => c.Text).ToArray();

    /// <summary>Number of grid points (before constraints).</summary>
    public long Size { get; }

    /// <summary>
    /// Builds the space for a strategy: every axis must name a parameter of the document (once) and stay inside its
    /// min/max; constraints may use every parameter name.
    /// </summary>
    /// <param name="document">The strategy.</param>
    /// <param name="axes">The swept parameters.</param>
    /// <param name="constraints">Conditions every combination must meet, e.g. <c>fast &lt; slow</c>.</param>
    /// <returns>The space.</returns>
    /// <exception cref="ArgumentException">Every problem found, one per line, naming the parameter, the rule and the value.</exception>
    public static ParameterSpace Create(StrategyDocument document, IReadOnlyList<ParameterAxis> axes, IReadOnlyList<string>? constraints = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(axes);
        var names = document.Parameters.Select(p => p.Name).ToArray();
        var problems = new List<string>();
        var slots = new int[axes.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long size = 1;
        for (var a = 0; a < axes.Count; a++)
        {
            var axis = axes[a];
            slots[a] = Array.IndexOf(names, axis.Name);
            if (!seen.Add(axis.Name))
            {
                problems.Add($"parameter '{axis.Name}' is swept twice; give each parameter one range.");
                continue;
            }

            if (slots[a] < 0)
            {
                var known = names.Length == 0 ? "the strategy has no parameters" : $"its parameters are {string.Join(", ", names)}";
                problems.Add($"unknown parameter '{axis.Name}'; {known}.{Spelling.Hint(axis.Name, names)}");
                continue;
            }

            var p = document.Parameters[slots[a]];
            if (axis.Values.Count == 0)
            {
                problems.Add($"parameter '{axis.Name}' has no values.");
            }

            foreach (var v in axis.Values)
            {
                if (!double.IsFinite(v) || v < p.Minimum || v > p.Maximum)
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture, $"parameter '{axis.Name}': every value must be between its min {p.Minimum} and max {p.Maximum}; got {v}."));
                    break;
                }
            }

            foreach (var v in axis.Values)
            {
                if (p.IsWholeNumber && double.IsFinite(v) && v != Math.Floor(v))
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture, $"parameter '{axis.Name}' takes whole numbers (its default and bounds have no fraction); got {v}."));
                    break;
                }
            }

            if (axis.Values.Distinct().Count() != axis.Values.Count)
            {
                problems.Add($"parameter '{axis.Name}': values must be distinct; got {axis}.");
            }

            size = axis.Values.Count == 0 || size > MaxSize / axis.Values.Count ? MaxSize + 1 : size * axis.Values.Count;
        }

        if (size > MaxSize)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"the grid may have at most {MaxSize} points; these ranges give more. Sample it (random or adaptive search) or narrow the ranges."));
        }

        var compiled = new List<ScalarExpression>();
        foreach (var text in constraints ?? [])
        {
            try
            {
                var expression = ScalarExpression.Parse(text, names);
                if (!expression.IsBoolean)
                {
                    problems.Add($"constraint '{text}' must be a condition (a comparison, and, or, not), e.g. fast < slow.");
                }

                compiled.Add(expression);
            }
            catch (FormatException e)
            {
                problems.Add($"constraint {e.Message}");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(axes));
        }

        return new ParameterSpace(names, document.Parameters.Select(p => p.Default).ToArray(), axes, slots, [.. compiled], size);
    }

    /// <summary>The default axis of a parameter: min … max by the document's step, or by 1 for whole-number parameters.</summary>
    /// <param name="parameter">The parameter.</param>
    /// <returns>The axis.</returns>
    /// <exception cref="ArgumentException">A parameter with fractions and no step.</exception>
    public static ParameterAxis DefaultAxis(StrategyParameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        var step = parameter.Step ?? (parameter.IsWholeNumber ? 1 : throw new ArgumentException($"parameter '{parameter.Name}' takes fractions and has no 'step' in the document; give a range such as {parameter.Name}=START:STOP:STEP.", nameof(parameter)));
        return ParameterAxis.Range(parameter.Name, parameter.Minimum, parameter.Maximum, step);
    }

    /// <summary>Writes the combination with the given grid index into <paramref name="values"/> (length = <see cref="Names"/>).</summary>
    /// <param name="index">Grid index, 0 ≤ index &lt; <see cref="Size"/>.</param>
    /// <param name="values">Receives every parameter's value.</param>
    public void Decode(long index, Span<double> values)
    {
        if ((ulong)index >= (ulong)Size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"grid index must be in 0 … {Size - 1}.");
        }

        defaults.CopyTo(values);
        for (var a = axisValues.Length - 1; a >= 0; a--)
        {
            var count = axisValues[a].Length;
            values[axisSlots[a]] = axisValues[a][(int)(index % count)];
            index /= count;
        }
    }

    /// <summary>Whether a combination meets every constraint.</summary>
    /// <param name="values">The combination (all parameters).</param>
    /// <returns>True when allowed.</returns>
    public bool Allows(ReadOnlySpan<double> values)
    {
        foreach (var constraint in constraints)
        {
            if (!constraint.IsTrue(values))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the combination with this grid index meets every constraint.</summary>
    /// <param name="index">Grid index.</param>
    /// <returns>True when allowed.</returns>
    public bool Allows(long index)
    {
        if (constraints.Length == 0)
        {
            return true;
        }

        Span<double> values = stackalloc double[Math.Max(Names.Count, 1)];
        Decode(index, values);
        return Allows(values);
    }

    /// <summary>The combination as <c>name=value</c> pairs for <see cref="StrategyCompiler.Compile"/>.</summary>
    /// <param name="values">The combination.</param>
    /// <param name="into">A dictionary to fill (cleared first).</param>
    public void ToOverrides(ReadOnlySpan<double> values, Dictionary<string, double> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        into.Clear();
        for (var i = 0; i < Names.Count; i++)
        {
            into[Names[i]] = values[i];
        }
    }
}
