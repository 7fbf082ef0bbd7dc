using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Indicators.Kernel;

namespace SigmaFlow.Core.Strategies.Rules;

/// <summary>The type of a rule expression.</summary>
public enum RuleType
{
    /// <summary>A number series (NaN where not available).</summary>
    Number,

    /// <summary>A true/false series, stored as 1/0.</summary>
    Boolean,
}

/// <summary>
/// A bound, typed node of a rule. Equal sub-expressions are one node (interned by <see cref="Key"/>), so shared
/// indicators are computed once. Every node has a columnar form (a loop over all bars) and a streaming form (a step
/// per bar) that run the same arithmetic, so both give identical values.
/// </summary>
public abstract class RuleNode
{
    private protected RuleNode(RuleType type, string key, params RuleNode[] children)
    {
        Type = type;
        Key = key;
        Children = children;
    }

    /// <summary>Number or boolean.</summary>
    public RuleType Type { get; }

    /// <summary>Canonical text of the node, e.g. <c>sma(close;20)</c>; equal keys mean equal series.</summary>
    public string Key { get; }

    /// <summary>Inputs of the node.</summary>
    public IReadOnlyList<RuleNode> Children { get; }

    /// <inheritdoc />
    public override string ToString() => Key;

    /// <summary>Computes the node's whole column from its children's columns.</summary>
    /// <param name="context">Bars and already computed columns.</param>
    /// <returns>The column (may be shared; never modified afterwards).</returns>
    internal abstract double[] EvaluateColumn(ColumnContext context);

    /// <summary>Creates the node's streaming step.</summary>
    /// <param name="children">The steps of the children, in <see cref="Children"/> order.</param>
    /// <returns>The step.</returns>
    internal abstract NodeStep CreateStep(NodeStep[] children);
}

/// <summary>Bars and computed columns during a columnar evaluation.</summary>
internal sealed class ColumnContext(BarSeries bars, IndicatorColumnCache? cache)
{
    private readonly Dictionary<RuleNode, double[]> columns = [];

    public BarSeries Bars { get; } = bars;

    public IndicatorColumnCache? Cache { get; } = cache;

    public double[] this[RuleNode node] => columns[node];

    public void Set(RuleNode node, double[] column) => columns[node] = column;
}

/// <summary>
/// Indicator columns kept across evaluations over the same bars (a parameter sweep computes each distinct indicator
/// once and reuses it for every combination that needs it). Keyed by the indicator instance's canonical text.
/// </summary>
public sealed class IndicatorColumnCache
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<double[][]>> entries = new(StringComparer.Ordinal);
    private long computed;
    private BarSeries? bars;

    /// <summary>Number of distinct indicator instances held.</summary>
    public int Count => entries.Count;

    /// <summary>
    /// Indicator instances computed so far. Each distinct instance is computed exactly once, even when several threads
    /// ask for it at the same moment; the others wait for that one result.
    /// </summary>
    public long Computed => Interlocked.Read(ref computed);

    /// <summary>Binds the cache to a series (the first call binds; later calls check).</summary>
    /// <param name="series">The series whose columns the cache holds.</param>
    /// <exception cref="InvalidOperationException">The cache already holds columns of another series.</exception>
    public void Bind(BarSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var bound = Interlocked.CompareExchange(ref bars, series, null) ?? series;
        if (!ReferenceEquals(bound, series))
        {
            throw new InvalidOperationException($"an indicator column cache belongs to one bar series; this one holds columns of {bound.Symbol ?? "another series"} ({bound.Count} bars) and was given {series.Symbol ?? "a different series"} ({series.Count} bars). Use one cache per series.");
        }
    }

    internal double[][] GetOrAdd(BarSeries series, string key, Func<double[][]> compute)
    {
        Bind(series);
        if (entries.TryGetValue(key, out var found))
        {
            return found.Value;
        }

        return entries.GetOrAdd(key, _ => new Lazy<double[][]>(
            () =>
            {
                Interlocked.Increment(ref computed);
                return compute();
            },
            LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }
}

/// <summary>The streaming form of a node: peek the newest bar (repeatable), commit when it is final.</summary>
internal abstract class NodeStep
{
    public double Value { get; protected set; } = double.NaN;

    public abstract void Peek(in Ohlcv bar);

    public virtual void Commit()
    {
    }
}

/// <summary>A constant (number, parameter value, true/false).</summary>
internal sealed class ConstantNode(double value, RuleType type, string key) : RuleNode(type, key)
{
    public double Value { get; } = value;

    internal override double[] EvaluateColumn(ColumnContext context)
    {
        var column = new double[context.Bars.Count];
        column.AsSpan().Fill(Value);
        return column;
    }

    internal override NodeStep CreateStep(NodeStep[] children) => new Step(Value);

    private sealed class Step : NodeStep
    {
        public Step(double value) => Value = value;

        public override void Peek(in Ohlcv bar)
        {
        }
    }
}

/// <summary>A price field of the bars.</summary>
internal sealed class PriceNode(PriceField field) : RuleNode(RuleType.Number, field.Name())
{
    public PriceField Field { get; } = field;

    internal override double[] EvaluateColumn(ColumnContext context) => context.Bars.Column(Field);

    internal override NodeStep CreateStep(NodeStep[] children) => new Step(Field);

    private sealed class Step(PriceField field) : NodeStep
    {
        public override void Peek(in Ohlcv bar) => Value = bar.Get(field);
    }
}

/// <summary>
/// One instance of a catalog indicator with all its output columns; <see cref="FieldNode"/> reads one of them.
/// The source is a price field (read from the bars) or another node (an indicator of an expression).
/// </summary>
internal sealed class IndicatorNode : RuleNode
{
    public IndicatorNode(IndicatorDefinition definition, IndicatorArguments arguments, RuleNode? source, string key)
        : base(RuleType.Number, key, source is null ? [] : [source])
    {
        Definition = definition;
        Arguments = arguments;
        Source = source;
    }

    public IndicatorDefinition Definition { get; }

    public IndicatorArguments Arguments { get; }

    public RuleNode? Source { get; }

    /// <summary>All output columns (the node's own "column" is the first).</summary>
    public double[][] Columns(ColumnContext context) => context.Cache is null ? Compute(context) : context.Cache.GetOrAdd(context.Bars, Key, () => Compute(context));

    internal override double[] EvaluateColumn(ColumnContext context) => Columns(context)[0];

    internal override NodeStep CreateStep(NodeStep[] children) =>
        Source is null ? new BarStep(Definition.CreateStepper(Arguments)) : new ValueStep(Definition.CreateValueStepper(Arguments), children[0]);

    private double[][] Compute(ColumnContext context)
    {
        var n = context.Bars.Count;
        var columns = new double[Definition.Outputs.Count][];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = GC.AllocateUninitializedArray<double>(n);
        }

        if (Source is null)
        {
            Definition.CalculateInto(context.Bars, Arguments, columns);
        }
        else
        {
            Definition.CalculateValuesInto(context[Source], Arguments, columns);
        }

        return columns;
    }

    internal abstract class IndicatorStep : NodeStep
    {
        public abstract ReadOnlySpan<double> Values { get; }
    }

    private sealed class BarStep(IIndicatorStepper stepper) : IndicatorStep
    {
        public override ReadOnlySpan<double> Values => stepper.Values;

        public override void Peek(in Ohlcv bar)
        {
            stepper.Peek(bar);
            Value = stepper.Values[0];
        }

        public override void Commit() => stepper.Commit();
    }

    private sealed class ValueStep(IValueStepper stepper, NodeStep source) : IndicatorStep
    {
        public override ReadOnlySpan<double> Values => stepper.Values;

        public override void Peek(in Ohlcv bar)
        {
            stepper.Peek(source.Value);
            Value = stepper.Values[0];
        }

        public override void Commit() => stepper.Commit();
    }
}

/// <summary>One output field of an indicator instance.</summary>
internal sealed class FieldNode(IndicatorNode indicator, int field, string key) : RuleNode(RuleType.Number, key, indicator)
{
    /// <summary>The indicator instance.</summary>
    public IndicatorNode Indicator => indicator;

    /// <summary>The output's position among the indicator's outputs.</summary>
    public int Field => @field;

    internal override double[] EvaluateColumn(ColumnContext context) => indicator.Columns(context)[field];

    internal override NodeStep CreateStep(NodeStep[] children) => new Step((IndicatorNode.IndicatorStep)children[0], field);

    private sealed class Step(IndicatorNode.IndicatorStep indicator, int field) : NodeStep
    {
        public override void Peek(in Ohlcv bar) => Value = indicator.Values[field];
    }
}

/// <summary>Unary minus, not, abs.</summary>
internal sealed class UnaryNode(string op, RuleNode operand, RuleType type, string key) : RuleNode(type, key, operand)
{
    internal static double Apply(string op, double x) => op switch
    {
        "-" => -x,
        "not" => x != 0 ? 0 : 1,
        _ => Math.Abs(x),
    };

    internal override double[] EvaluateColumn(ColumnContext context)
    {
        var x = context[Children[0]];
        var result = GC.AllocateUninitializedArray<double>(x.Length);
        for (var i = 0; i < x.Length; i++)
        {
            result[i] = Apply(op, x[i]);
        }

        return result;
    }

    internal override NodeStep CreateStep(NodeStep[] children) => new Step(op, children[0]);

    private sealed class Step(string op, NodeStep operand) : NodeStep
    {
        public override void Peek(in Ohlcv bar) => Value = Apply(op, operand.Value);
    }
}

/// <summary>Arithmetic, comparison, and/or, min/max. Division by zero and comparisons with NaN are defined.</summary>
internal sealed class BinaryNode(string op, RuleNode left, RuleNode right, RuleType type, string key) : RuleNode(type, key, left, right)
{
    /// <summary>The one definition of every binary operator: x/0 is NaN; a comparison with NaN is false.</summary>
    internal static double Apply(string op, double a, double b) => op switch
    {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" => b == 0 ? double.NaN : a / b,
        "<" => a < b ? 1 : 0,
        "<=" => a <= b ? 1 : 0,
        ">" => a > b ? 1 : 0,
        ">=" => a >= b ? 1 : 0,
        "==" => a == b ? 1 : 0,
        "!=" => !double.IsNaN(a) && !double.IsNaN(b) && a != b ? 1 : 0,
        "and" => a != 0 && b != 0 ? 1 : 0,
        "or" => a != 0 || b != 0 ? 1 : 0,
        "min" => Math.Min(a, b),
        _ => Math.Max(a, b),
    };

    internal override double[] EvaluateColumn(ColumnContext context)
    {
        var a = context[Children[0]];
        var b = context[Children[1]];
        var result = GC.AllocateUninitializedArray<double>(a.Length);
        switch (op)
        {
            // The common cases as tight loops; each computes exactly what Apply computes.
            case "+":
                for (var i = 0; i < a.Length; i++)
                {
                    result[i] = a[i] + b[i];
                }

                break;
            case "-":
                for (var i = 0; i < a.Length; i++)
                {
                    result[i] = a[i] - b[i];
                }

                break;
            case "*":
                for (var i = 0; i < a.Length; i++)
                {
                    result[i] = a[i] * b[i];
                }

                break;
            case ">":
                for (var i = 0; i < a.Length; i++)
                {
                    result[i] = a[i] > b[i] ? 1 : 0;
                }

                break;
            case "<":
                for (var i = 0; i < a.Length; i++)
                {
                    result[i] = a[i] < b[i] ? 1 : 0;
                }

                break;
            case "and":
                for (var i = 0; i < a.Length; i++)
                {
                    result[i] = a[i] != 0 && b[i] != 0 ? 1 : 0;
                }

                break;
            default:
                for (var i = 0; i < a.Length; i++)
                {
                    result[i] = Apply(op, a[i], b[i]);
                }

                break;
        }

        return result;
    }

    internal override NodeStep CreateStep(NodeStep[] children) => new Step(op, children[0], children[1]);

    private sealed class Step(string op, NodeStep left, NodeStep right) : NodeStep
    {
        public override void Peek(in Ohlcv bar) => Value = Apply(op, left.Value, right.Value);
    }
}

/// <summary>
/// crossover(a, b) / crossunder(a, b): on bar t, a &gt; b (a &lt; b) and, on the last earlier bar where a ≠ b, a &lt; b
/// (a &gt; b). Touching is not a cross. Bars where a or b is NaN are not crosses and do not change the last relation.
/// </summary>
internal sealed class CrossNode(bool up, RuleNode a, RuleNode b, string key) : RuleNode(RuleType.Boolean, key, a, b)
{
    internal override double[] EvaluateColumn(ColumnContext context)
    {
        var x = context[Children[0]];
        var y = context[Children[1]];
        var result = GC.AllocateUninitializedArray<double>(x.Length);
        var state = new CrossState(up);
        for (var i = 0; i < x.Length; i++)
        {
            result[i] = state.Peek(x[i], y[i]);
            state.Commit();
        }

        return result;
    }

    internal override NodeStep CreateStep(NodeStep[] children) => new Step(new CrossState(up), children[0], children[1]);

    private sealed class Step(CrossState state, NodeStep a, NodeStep b) : NodeStep
    {
        private CrossState state = state;

        public override void Peek(in Ohlcv bar) => Value = state.Peek(a.Value, b.Value);

        public override void Commit() => state.Commit();
    }

    private struct CrossState(bool up)
    {
        private int lastSign;
        private int pendingSign;

        public double Peek(double a, double b)
        {
            pendingSign = lastSign;
            if (double.IsNaN(a) || double.IsNaN(b))
            {
                return 0;
            }

            var sign = a > b ? 1 : a < b ? -1 : 0;
            var crossed = up ? sign > 0 && lastSign < 0 : sign < 0 && lastSign > 0;
            if (sign != 0)
            {
                pendingSign = sign;
            }

            return crossed ? 1 : 0;
        }

        public void Commit() => lastSign = pendingSign;
    }
}

/// <summary>x[n]: the value n bars before (NaN before the series has n earlier bars).</summary>
internal sealed class PreviousNode(RuleNode x, int bars, string key) : RuleNode(x.Type, key, x)
{
    /// <summary>Bars back.</summary>
    public int Bars => bars;

    internal override double[] EvaluateColumn(ColumnContext context)
    {
        var source = context[Children[0]];
        var result = GC.AllocateUninitializedArray<double>(source.Length);
        for (var i = 0; i < source.Length; i++)
        {
            result[i] = i >= bars ? source[i - bars] : double.NaN;
        }

        return result;
    }

    internal override NodeStep CreateStep(NodeStep[] children) => new Step(children[0], bars);

    private sealed class Step(NodeStep source, int bars) : NodeStep
    {
        private Ring history = new(bars);

        public override void Peek(in Ohlcv bar) => Value = bars == 0 ? source.Value : history.IsFull ? history.Ago(bars - 1) : double.NaN;

        public override void Commit() => history.Push(source.Value);
    }
}

/// <summary>The per-bar state of a one-input stateful node: peek the newest value, commit it when final.</summary>
internal interface IUnaryState
{
    double Peek(double x);

    void Commit();
}

/// <summary>A node whose value depends on its input's history: one state type drives both the column loop and the step.</summary>
/// <typeparam name="TState">The state.</typeparam>
internal abstract class StatefulNode<TState>(RuleType type, string key, RuleNode x) : RuleNode(type, key, x)
    where TState : struct, IUnaryState
{
    protected abstract TState NewState();

    internal override double[] EvaluateColumn(ColumnContext context)
    {
        var source = context[Children[0]];
        var result = GC.AllocateUninitializedArray<double>(source.Length);
        var state = NewState();
        for (var i = 0; i < source.Length; i++)
        {
            result[i] = state.Peek(source[i]);
            state.Commit();
        }

        return result;
    }

    internal override NodeStep CreateStep(NodeStep[] children) => new Step(NewState(), children[0]);

    private sealed class Step(TState state, NodeStep source) : NodeStep
    {
        private TState state = state;

        public override void Peek(in Ohlcv bar) => Value = state.Peek(source.Value);

        public override void Commit() => state.Commit();
    }
}

/// <summary>highest(x, n) / lowest(x, n) over the last n valid values (current included); NaN inputs are skipped.</summary>
internal sealed class ExtremeNode(bool max, RuleNode x, int length, string key) : StatefulNode<ExtremeNode.State>(RuleType.Number, key, x)
{
    /// <summary>Values in the window.</summary>
    public int Length => length;

    protected override State NewState() => new(max, length);

    internal struct State(bool max, int length) : IUnaryState
    {
        private SlidingExtreme window = new(length, max);
        private bool valid;

        public double Peek(double x)
        {
            valid = !double.IsNaN(x);
            if (!valid)
            {
                return double.NaN;
            }

            var value = window.Peek(x);
            return window.IsReady ? value : double.NaN;
        }

        public void Commit()
        {
            if (valid)
            {
                window.Commit();
            }
        }
    }
}

/// <summary>rising(x, n) / falling(x, n): x rose (fell) strictly on each of the last n bars.</summary>
internal sealed class TrendNode(bool rising, RuleNode x, int length, string key) : StatefulNode<TrendNode.State>(RuleType.Boolean, key, x)
{
    /// <summary>Bars of strict rises (falls) needed.</summary>
    public int Length => length;

    protected override State NewState() => new(rising, length);

    internal struct State(bool rising, int length) : IUnaryState
    {
        private double previous = double.NaN;
        private int run;
        private double pending;
        private int pendingRun;

        public double Peek(double x)
        {
            pending = x;
            pendingRun = !double.IsNaN(x) && !double.IsNaN(previous) && (rising ? x > previous : x < previous) ? run + 1 : 0;
            return pendingRun >= length ? 1 : 0;
        }

        public void Commit()
        {
            previous = pending;
            run = pendingRun;
        }
    }
}
