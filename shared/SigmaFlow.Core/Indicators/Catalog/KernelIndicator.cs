using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Kernel;

namespace SigmaFlow.Core.Indicators.Catalog;

/// <summary>A catalog indicator backed by one kernel type; the batch and streaming forms both drive that kernel.</summary>
/// <typeparam name="TKernel">The kernel.</typeparam>
internal class KernelIndicator<TKernel> : IndicatorDefinition
    where TKernel : struct, IIndicatorKernel
{
    private readonly Func<IndicatorArguments, TKernel> create;
    private readonly Action<BarSeries, IndicatorArguments, double[][]>? postProcess;
    private readonly Func<IndicatorArguments, string?>? check;

    public KernelIndicator(IndicatorSpecBuilder spec, Func<IndicatorArguments, TKernel> create, bool usesSource)
        : base(spec.Name, spec.FullName, spec.Category, spec.Description, spec.Parameters, spec.Outputs, usesSource, spec.Warmup, spec.Aliases)
    {
        this.create = create;
        FieldMap = spec.FieldMap ?? Enumerable.Range(0, spec.Outputs.Count).ToArray();
        postProcess = spec.PostProcess;
        check = spec.Check;
    }

    /// <summary>For each output field, the kernel output it reads.</summary>
    protected int[] FieldMap { get; }

    public override void CalculateInto(BarSeries bars, IndicatorArguments arguments, double[][] columns)
    {
        var kernel = create(arguments);
        KernelRunner.Run(ref kernel, bars, columns, FieldMap);
        postProcess?.Invoke(bars, arguments, columns);
    }

    public override ILiveIndicator CreateLive(IndicatorArguments arguments) => new KernelLiveIndicator<TKernel>(this, create(arguments), FieldMap);

    public override IIndicatorStepper CreateStepper(IndicatorArguments arguments) => new Stepper<TKernel>(create(arguments), FieldMap);

    private protected override string? CheckArguments(IndicatorArguments arguments) => check?.Invoke(arguments);
}

/// <summary>A value indicator: also runs over any value series, not just a price field.</summary>
/// <typeparam name="TValue">The value kernel.</typeparam>
internal sealed class ValueKernelIndicator<TValue> : KernelIndicator<SourceKernel<TValue>>
    where TValue : struct, IValueKernel
{
    private readonly Func<IndicatorArguments, TValue> createValue;

    public ValueKernelIndicator(IndicatorSpecBuilder spec, Func<IndicatorArguments, TValue> createValue)
        : base(spec, a => new SourceKernel<TValue>(createValue(a), a.Source), usesSource: true)
    {
        this.createValue = createValue;
    }

    public override IValueStepper CreateValueStepper(IndicatorArguments arguments) => new ValueStepper<TValue>(createValue(arguments), FieldMap);

    /// <summary>Runs the value kernel straight over the source column: the same kernel calls, no bar assembly.</summary>
    public override void CalculateInto(BarSeries bars, IndicatorArguments arguments, double[][] columns) =>
        CalculateValuesInto(bars.Column(arguments.Source), arguments, columns);

    public override void CalculateValuesInto(ReadOnlySpan<double> source, IndicatorArguments arguments, double[][] columns)
    {
        var kernel = createValue(arguments);
        KernelRunner.RunValueColumns(ref kernel, source, columns, FieldMap);
    }
}

/// <summary>A bar kernel behind <see cref="IIndicatorStepper"/>.</summary>
/// <typeparam name="TKernel">The kernel.</typeparam>
internal sealed class Stepper<TKernel>(TKernel kernel, int[] fieldMap) : IIndicatorStepper
    where TKernel : struct, IIndicatorKernel
{
    private readonly double[] raw = new double[Math.Max(kernel.OutputCount, 1)];
    private readonly double[] values = new double[fieldMap.Length];
    private TKernel kernel = kernel;

    public ReadOnlySpan<double> Values => values;

    public void Peek(in Ohlcv bar)
    {
        kernel.Peek(in bar);
        kernel.Read(raw);
        for (var f = 0; f < values.Length; f++)
        {
            values[f] = raw[fieldMap[f]];
        }
    }

    public void Commit() => kernel.Commit();
}

/// <summary>A value kernel behind <see cref="IValueStepper"/>.</summary>
/// <typeparam name="TValue">The kernel.</typeparam>
internal sealed class ValueStepper<TValue>(TValue kernel, int[] fieldMap) : IValueStepper
    where TValue : struct, IValueKernel
{
    private readonly double[] raw = new double[Math.Max(kernel.OutputCount, 1)];
    private readonly double[] values = new double[fieldMap.Length];
    private TValue kernel = kernel;

    public ReadOnlySpan<double> Values => values;

    public void Peek(double value)
    {
        kernel.Peek(value);
        kernel.Read(raw);
        for (var f = 0; f < values.Length; f++)
        {
            values[f] = raw[fieldMap[f]];
        }
    }

    public void Commit() => kernel.Commit();
}

/// <summary>Streaming form over a kernel: the forming bar is peeked on every revision and committed when the next bar opens.</summary>
/// <typeparam name="TKernel">The kernel.</typeparam>
internal sealed class KernelLiveIndicator<TKernel> : ILiveIndicator
    where TKernel : struct, IIndicatorKernel
{
    private readonly int[] fieldMap;
    private readonly double[] raw;
    private readonly double[] values;
    private TKernel kernel;

    public KernelLiveIndicator(IndicatorDefinition definition, TKernel kernel, int[] fieldMap)
    {
        Definition = definition;
        this.kernel = kernel;
        this.fieldMap = fieldMap;
        raw = new double[Math.Max(kernel.OutputCount, 1)];
        values = new double[fieldMap.Length];
        values.AsSpan().Fill(double.NaN);
        LastTime = long.MinValue;
    }

    public IndicatorDefinition Definition { get; }

    public int Count { get; private set; }

    public long LastTime { get; private set; }

    public ReadOnlySpan<double> Values => values;

    public void Add(in Ohlcv bar)
    {
        if (Count > 0)
        {
            if (bar.Time <= LastTime)
            {
                throw new ArgumentException($"Bar time {bar.Time} is not after the last bar time {LastTime}; use ReviseLast or Update.", nameof(bar));
            }

            kernel.Commit();
        }

        Apply(bar);
        Count++;
    }

    public void ReviseLast(in Ohlcv bar)
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("There is no bar to revise yet; add one first.");
        }

        if (bar.Time != LastTime)
        {
            throw new ArgumentException($"A revision must keep the bar time {LastTime}; got {bar.Time}.", nameof(bar));
        }

        Apply(bar);
    }

    public StreamUpdate Update(in Ohlcv bar)
    {
        if (Count == 0 || bar.Time > LastTime)
        {
            Add(bar);
            return StreamUpdate.Added;
        }

        if (bar.Time == LastTime)
        {
            Apply(bar);
            return StreamUpdate.Revised;
        }

        return StreamUpdate.RejectedLate;
    }

    private void Apply(in Ohlcv bar)
    {
        kernel.Peek(in bar);
        kernel.Read(raw);
        for (var f = 0; f < values.Length; f++)
        {
            values[f] = raw[fieldMap[f]];
        }

        LastTime = bar.Time;
    }
}
