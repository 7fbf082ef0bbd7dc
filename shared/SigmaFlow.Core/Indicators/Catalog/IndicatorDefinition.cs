using System.Globalization;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Indicators.Catalog;

/// <summary>Whether a parameter takes whole numbers or any number.</summary>
public enum ParameterKind
{
    /// <summary>A whole number (periods, lengths).</summary>
    WholeNumber,

    /// <summary>Any finite number (multipliers, factors).</summary>
    Number,
}

/// <summary>One indicator parameter with its bounds and default, as the CLI, the API and the dashboard show it.</summary>
/// <param name="Name">Name, camelCase.</param>
/// <param name="Kind">Integer or number.</param>
/// <param name="Default">Default value.</param>
/// <param name="Minimum">Smallest allowed value (inclusive).</param>
/// <param name="Maximum">Largest allowed value (inclusive).</param>
/// <param name="Description">What it controls.</param>
public sealed record IndicatorParameter(string Name, ParameterKind Kind, double Default, double Minimum, double Maximum, string Description)
{
    /// <summary>Checks a value against the kind and bounds.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Null when valid, otherwise the rule it breaks.</returns>
    public string? Check(double value)
    {
        if (!double.IsFinite(value))
        {
            return "must be a finite number";
        }

        if (Kind == ParameterKind.WholeNumber && value != Math.Floor(value))
        {
            return "must be a whole number";
        }

        if (value < Minimum || value > Maximum)
        {
            return string.Create(CultureInfo.InvariantCulture, $"must be between {Minimum} and {Maximum}");
        }

        return null;
    }
}

/// <summary>One output field of an indicator.</summary>
/// <param name="Name">Field name, lowercase (the CSV column and JSON property).</param>
/// <param name="Description">What it holds.</param>
/// <param name="LookAhead">True when the field at bar i reads bars after i (empty in streaming and at the live edge).</param>
public sealed record IndicatorOutput(string Name, string Description, bool LookAhead = false);

/// <summary>Validated arguments of one indicator instance: parameter values in catalog order and the source series.</summary>
/// <param name="Values">Parameter values in catalog order.</param>
/// <param name="Source">Price field read by value indicators (close by default).</param>
public sealed record IndicatorArguments(IReadOnlyList<double> Values, PriceField Source = PriceField.Close)
{
    /// <summary>A parameter as an integer.</summary>
    /// <param name="index">Parameter position.</param>
    /// <returns>The value.</returns>
    public int Whole(int index) => (int)Values[index];

    /// <summary>A parameter as a 64-bit integer (times).</summary>
    /// <param name="index">Parameter position.</param>
    /// <returns>The value.</returns>
    public long WholeLong(int index) => (long)Values[index];

    /// <summary>A parameter as a number.</summary>
    /// <param name="index">Parameter position.</param>
    /// <returns>The value.</returns>
    public double Number(int index) => Values[index];

    /// <summary>The arguments as written in a spec, e.g. <c>12,26,9</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Join(',', Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}

/// <summary>The result of a batch calculation: one column per output field, one row per input bar.</summary>
/// <param name="Definition">The indicator.</param>
/// <param name="Arguments">The arguments used.</param>
/// <param name="Time">Bar times (the input's timestamps).</param>
/// <param name="Columns">Output columns in field order; NaN = empty (warm-up or not calculable).</param>
public sealed record IndicatorResult(IndicatorDefinition Definition, IndicatorArguments Arguments, long[] Time, double[][] Columns)
{
    /// <summary>A column by field name (case-insensitive).</summary>
    /// <param name="field">Field name.</param>
    /// <returns>The column.</returns>
    public double[] this[string field]
    {
        get
        {
            for (var i = 0; i < Definition.Outputs.Count; i++)
            {
                if (string.Equals(Definition.Outputs[i].Name, field, StringComparison.OrdinalIgnoreCase))
                {
                    return Columns[i];
                }
            }

            throw new KeyNotFoundException($"Indicator '{Definition.Name}' has no field '{field}'; its fields are {string.Join(", ", Definition.Outputs.Select(o => o.Name))}.");
        }
    }
}

/// <summary>How a streaming update was applied.</summary>
public enum StreamUpdate
{
    /// <summary>A new bar was appended (the previous one is now final).</summary>
    Added,

    /// <summary>The last, still-forming bar was revised.</summary>
    Revised,

    /// <summary>The bar is older than the last bar and was not applied.</summary>
    RejectedLate,
}

/// <summary>
/// A live indicator fed bar by bar. The last bar stays open to revision until a later bar arrives; its values are
/// identical to the batch calculation over the same bars.
/// </summary>
public interface ILiveIndicator
{
    /// <summary>The indicator.</summary>
    IndicatorDefinition Definition { get; }

    /// <summary>Bars seen, the forming one included.</summary>
    int Count { get; }

    /// <summary>Time of the last bar, or <see cref="long.MinValue"/> before the first.</summary>
    long LastTime { get; }

    /// <summary>Outputs for the last bar, in field order; NaN = empty.</summary>
    ReadOnlySpan<double> Values { get; }

    /// <summary>Appends a bar later than the last one; the previous bar becomes final.</summary>
    /// <param name="bar">The bar.</param>
    void Add(in Ohlcv bar);

    /// <summary>Replaces the last (forming) bar.</summary>
    /// <param name="bar">The revised bar.</param>
    void ReviseLast(in Ohlcv bar);

    /// <summary>Adds, revises or rejects by the bar's time: later appends, equal revises, earlier is rejected as late.</summary>
    /// <param name="bar">The bar.</param>
    /// <returns>What was done.</returns>
    StreamUpdate Update(in Ohlcv bar);
}

/// <summary>
/// An indicator in the catalog: its names, parameters, outputs and warm-up, and the factories for its batch and
/// streaming forms (which share one kernel).
/// </summary>
public abstract class IndicatorDefinition
{
    private protected IndicatorDefinition(string name, string fullName, string category, string description, IReadOnlyList<IndicatorParameter> parameters, IReadOnlyList<IndicatorOutput> outputs, bool usesSource, Func<IndicatorArguments, int> warmup, IReadOnlyList<string> aliases)
    {
        Name = name;
        FullName = fullName;
        Category = category;
        Description = description;
        Parameters = parameters;
        Outputs = outputs;
        UsesSource = usesSource;
        WarmupFunction = warmup;
        Aliases = aliases;
    }

    /// <summary>Short name used in specs, e.g. <c>bb</c>.</summary>
    public string Name { get; }

    /// <summary>Full name that also works in specs, e.g. <c>bollinger</c>.</summary>
    public string FullName { get; }

    /// <summary>Further accepted names.</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>Group: moving averages, oscillators, volume, volatility, trend.</summary>
    public string Category { get; }

    /// <summary>One-line description with the formula's essentials.</summary>
    public string Description { get; }

    /// <summary>Parameters in positional order.</summary>
    public IReadOnlyList<IndicatorParameter> Parameters { get; }

    /// <summary>Output fields in column order.</summary>
    public IReadOnlyList<IndicatorOutput> Outputs { get; }

    /// <summary>True for indicators of one value series, which accept a source (close by default).</summary>
    public bool UsesSource { get; }

    private Func<IndicatorArguments, int> WarmupFunction { get; }

    /// <summary>Default arguments.</summary>
    public IndicatorArguments Defaults => new(Parameters.Select(p => p.Default).ToArray());

    /// <summary>
    /// Number of leading bars whose first output is empty with these arguments (for a price source without gaps). For
    /// Parabolic SAR it is a lower bound, since its start depends on the data.
    /// </summary>
    /// <param name="arguments">Validated arguments.</param>
    /// <returns>The warm-up length in bars.</returns>
    public int Warmup(IndicatorArguments arguments) => WarmupFunction(arguments);

    /// <summary>
    /// Validates positional values against the parameters: at most as many as there are parameters, each of the right
    /// kind and in bounds; missing trailing values take their defaults.
    /// </summary>
    /// <param name="values">Positional values.</param>
    /// <param name="source">Source series, for value indicators.</param>
    /// <returns>The arguments.</returns>
    /// <exception cref="IndicatorSpecException">A value breaks a rule; the message names the parameter, rule and value.</exception>
    public IndicatorArguments Bind(IReadOnlyList<double> values, PriceField source = PriceField.Close)
    {
        if (values.Count > Parameters.Count)
        {
            throw new IndicatorSpecException(string.Create(CultureInfo.InvariantCulture,
                $"{Name} takes at most {Parameters.Count} argument(s) ({Signature}); got {values.Count}."));
        }

        var bound = new double[Parameters.Count];
        for (var i = 0; i < bound.Length; i++)
        {
            var value = i < values.Count ? values[i] : Parameters[i].Default;
            var problem = Parameters[i].Check(value);
            if (problem is not null)
            {
                throw new IndicatorSpecException(string.Create(CultureInfo.InvariantCulture,
                    $"{Name}: parameter '{Parameters[i].Name}' (position {i + 1}) {problem}; got {value}."));
            }

            bound[i] = value;
        }

        var arguments = new IndicatorArguments(bound, source);
        var crossProblem = CheckArguments(arguments);
        if (crossProblem is not null)
        {
            throw new IndicatorSpecException($"{Name}: {crossProblem}");
        }

        return arguments;
    }

    /// <summary>The signature as users write it, e.g. <c>macd(fast=12, slow=26, signal=9)</c>.</summary>
    public string Signature => $"{Name}({string.Join(", ", Parameters.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name}={p.Default}")))})";

    /// <summary>Runs the batch form over a bar series.</summary>
    /// <param name="bars">The bars.</param>
    /// <param name="arguments">Validated arguments.</param>
    /// <returns>One column per output, one row per bar.</returns>
    public IndicatorResult Calculate(BarSeries bars, IndicatorArguments arguments)
    {
        var columns = new double[Outputs.Count][];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = GC.AllocateUninitializedArray<double>(bars.Count);
        }

        CalculateInto(bars, arguments, columns);
        return new IndicatorResult(this, arguments, bars.Time, columns);
    }

    /// <summary>Runs the batch form into preallocated columns (each at least as long as the series).</summary>
    /// <param name="bars">The bars.</param>
    /// <param name="arguments">Validated arguments.</param>
    /// <param name="columns">Destination columns in field order.</param>
    public abstract void CalculateInto(BarSeries bars, IndicatorArguments arguments, double[][] columns);

    /// <summary>Creates the streaming form.</summary>
    /// <param name="arguments">Validated arguments.</param>
    /// <returns>A new stream with no bars.</returns>
    public abstract ILiveIndicator CreateLive(IndicatorArguments arguments);

    /// <summary>Creates the bare kernel behind the streaming form, driven by explicit peeks and commits (rule evaluators).</summary>
    /// <param name="arguments">Validated arguments.</param>
    /// <returns>A new stepper.</returns>
    public abstract IIndicatorStepper CreateStepper(IndicatorArguments arguments);

    /// <summary>For value indicators: a stepper fed by any value series (e.g. another indicator's output).</summary>
    /// <param name="arguments">Validated arguments; the source is ignored.</param>
    /// <returns>A new stepper.</returns>
    /// <exception cref="NotSupportedException">The indicator reads whole bars (<see cref="UsesSource"/> is false).</exception>
    public virtual IValueStepper CreateValueStepper(IndicatorArguments arguments) =>
        throw new NotSupportedException($"{Name} reads whole bars and cannot take a value series as its source.");

    /// <summary>For value indicators: the batch form over any value series, into preallocated columns.</summary>
    /// <param name="source">The input series (leading NaN are skipped).</param>
    /// <param name="arguments">Validated arguments; the source field is ignored.</param>
    /// <param name="columns">Destination columns in field order.</param>
    /// <exception cref="NotSupportedException">The indicator reads whole bars.</exception>
    public virtual void CalculateValuesInto(ReadOnlySpan<double> source, IndicatorArguments arguments, double[][] columns) =>
        throw new NotSupportedException($"{Name} reads whole bars and cannot take a value series as its source.");

    /// <summary>Rules between parameters (e.g. fast &lt; slow) not expressible as bounds.</summary>
    /// <param name="arguments">Arguments within bounds.</param>
    /// <returns>Null when valid, otherwise the message.</returns>
    private protected virtual string? CheckArguments(IndicatorArguments arguments) => null;

    /// <inheritdoc />
    public override string ToString() => Signature;
}

/// <summary>The kernel of a bar indicator driven step by step: peek the newest bar (repeatable), commit it when final.</summary>
public interface IIndicatorStepper
{
    /// <summary>Outputs of the last peek, in field order; NaN = empty.</summary>
    ReadOnlySpan<double> Values { get; }

    /// <summary>Computes the outputs for <paramref name="bar"/> as the newest bar.</summary>
    /// <param name="bar">The bar.</param>
    void Peek(in Ohlcv bar);

    /// <summary>Makes the last peeked bar final.</summary>
    void Commit();
}

/// <summary>The kernel of a value indicator driven step by step over any value series.</summary>
public interface IValueStepper
{
    /// <summary>Outputs of the last peek, in field order; NaN = empty.</summary>
    ReadOnlySpan<double> Values { get; }

    /// <summary>Computes the outputs for <paramref name="value"/> as the newest input.</summary>
    /// <param name="value">The input (NaN is skipped).</param>
    void Peek(double value);

    /// <summary>Makes the last peeked value final.</summary>
    void Commit();
}

/// <summary>An indicator spec or its arguments are invalid; the message says which part, the rule and the value.</summary>
public sealed class IndicatorSpecException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public IndicatorSpecException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    public IndicatorSpecException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public IndicatorSpecException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
