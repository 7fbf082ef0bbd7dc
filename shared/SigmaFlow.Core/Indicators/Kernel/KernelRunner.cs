using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Indicators.Kernel;

/// <summary>The loop every batch calculation runs: peek, read, commit, bar after bar.</summary>
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
        var time = bars.Time;
        var open = bars.Open;
        var high = bars.High;
        var low = bars.Low;
        var close = bars.Close;
        var volume = bars.Volume;
        var n = bars.Count;
        if (columns.Length == 1)
        {
            var column = columns[0];
            var field = fieldMap[0];
            for (var i = 0; i < n; i++)
            {
                var bar = new Ohlcv(time[i], open[i], high[i], low[i], close[i], volume[i]);
                kernel.Peek(in bar);
                kernel.Read(outputs);
                column[i] = outputs[field];
                kernel.Commit();
            }

            return;
        }

        for (var i = 0; i < n; i++)
        {
            var bar = new Ohlcv(time[i], open[i], high[i], low[i], close[i], volume[i]);
            kernel.Peek(in bar);
            kernel.Read(outputs);
            for (var f = 0; f < columns.Length; f++)
            {
                columns[f][i] = outputs[fieldMap[f]];
            }

            kernel.Commit();
        }
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

        for (var i = 0; i < source.Length; i++)
        {
            kernel.Peek(source[i]);
            destination[i] = kernel.Value;
            kernel.Commit();
        }
    }
}
