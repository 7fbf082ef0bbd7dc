using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Indicators.Kernel;

/// <summary>
/// The loops every batch calculation runs: peek, read, commit, bar after bar. Each works on a local copy of the
/// kernel so the JIT can keep the kernel's fields in registers across iterations.
/// </summary>
public static class KernelRunner
{
    /// <summary>Runs a bar kernel over a series, writing the selected outputs into columns.</summary>
    /// <typeparam name="TKernel">The kernel.</typeparam>
    /// <param name="kernel">A fresh kernel.</param>
    /// <param name="bars">The bars.</param>
    /// <param name="columns">Destination columns, at least as long as the series.</param>
    /// <param name="fieldMap">For each column, the kernel output it takes.</param>
    public static void Run<TKernel>(ref TKernel kernel, BarSeries bars, double[][] columns, int[] fieldMap)
        where TKernel : struct, IIndicatorKernel
    {
        Span<double> outputs = stackalloc double[Math.Max(kernel.OutputCount, 1)];
        var local = kernel;
        var time = bars.Time;
        var open = bars.Open;
        var high = bars.High;
        var low = bars.Low;
        var close = bars.Close;
        var volume = bars.Volume;
        for (var i = 0; i < time.Length; i++)
        {
            var bar = new Ohlcv(time[i], open[i], high[i], low[i], close[i], volume[i]);
            local.Peek(in bar);
            local.Read(outputs);
            for (var f = 0; f < columns.Length; f++)
            {
                columns[f][i] = outputs[fieldMap[f]];
            }

            local.Commit();
        }

        kernel = local;
    }

    /// <summary>The fast path for a value kernel over one column: one output, no bar assembly.</summary>
    /// <typeparam name="TKernel">The kernel.</typeparam>
    /// <param name="kernel">A fresh kernel.</param>
    /// <param name="source">Input values.</param>
    /// <param name="destination">The kernel's first output per input.</param>
    public static void RunValues<TKernel>(ref TKernel kernel, ReadOnlySpan<double> source, Span<double> destination)
        where TKernel : struct, IValueKernel
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"destination has {destination.Length} elements; it needs at least {source.Length}.", nameof(destination));
        }

        var local = kernel;
        for (var i = 0; i < source.Length; i++)
        {
            local.Peek(source[i]);
            destination[i] = local.Value;
            local.Commit();
        }

        kernel = local;
    }

    /// <summary>Runs a value kernel over a value series, writing the selected outputs into columns.</summary>
    /// <typeparam name="TKernel">The kernel.</typeparam>
    /// <param name="kernel">A fresh kernel.</param>
    /// <param name="source">Input values.</param>
    /// <param name="columns">Destination columns, at least as long as the source.</param>
    /// <param name="fieldMap">For each column, the kernel output it takes.</param>
    public static void RunValueColumns<TKernel>(ref TKernel kernel, ReadOnlySpan<double> source, double[][] columns, int[] fieldMap)
        where TKernel : struct, IValueKernel
    {
        if (columns.Length == 1 && fieldMap[0] == 0)
        {
            RunValues(ref kernel, source, columns[0]);
            return;
        }

        Span<double> outputs = stackalloc double[Math.Max(kernel.OutputCount, 1)];
        var local = kernel;
        for (var i = 0; i < source.Length; i++)
        {
            local.Peek(source[i]);
            local.Read(outputs);
            for (var f = 0; f < columns.Length; f++)
            {
                columns[f][i] = outputs[fieldMap[f]];
            }

            local.Commit();
        }

        kernel = local;
    }
}
