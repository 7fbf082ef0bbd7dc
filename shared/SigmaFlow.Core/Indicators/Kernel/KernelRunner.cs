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
        var local = kernel;
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
                local.Peek(in bar);
                local.Read(outputs);
                column[i] = outputs[field];
                local.Commit();
            }

            kernel = local;
            return;
        }

        if (columns.Length <= 5 && IsIdentity(fieldMap))
        {
            // Hoisted destinations: no jagged-array loads per bar.
            var c0 = columns[0];
            var c1 = columns.Length > 1 ? columns[1] : c0;
            var c2 = columns.Length > 2 ? columns[2] : c0;
            var c3 = columns.Length > 3 ? columns[3] : c0;
            var c4 = columns.Length > 4 ? columns[4] : c0;
            var width = columns.Length;
            for (var i = 0; i < n; i++)
            {
                var bar = new Ohlcv(time[i], open[i], high[i], low[i], close[i], volume[i]);
                local.Peek(in bar);
                local.Read(outputs);
                c0[i] = outputs[0];
                if (width > 1)
                {
                    c1[i] = outputs[1];
                    if (width > 2)
                    {
                        c2[i] = outputs[2];
                        if (width > 3)
                        {
                            c3[i] = outputs[3];
                            if (width > 4)
                            {
                                c4[i] = outputs[4];
                            }
                        }
                    }
                }

                local.Commit();
            }

            kernel = local;
            return;
        }

        for (var i = 0; i < n; i++)
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

    private static bool IsIdentity(int[] fieldMap)
    {
        for (var f = 0; f < fieldMap.Length; f++)
        {
            if (fieldMap[f] != f)
            {
                return false;
            }
        }

        return true;
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

        // A local copy lets the JIT keep the kernel's fields in registers across iterations.
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
        if (columns.Length <= 5 && IsIdentity(fieldMap))
        {
            var c0 = columns[0];
            var c1 = columns.Length > 1 ? columns[1] : c0;
            var c2 = columns.Length > 2 ? columns[2] : c0;
            var c3 = columns.Length > 3 ? columns[3] : c0;
            var c4 = columns.Length > 4 ? columns[4] : c0;
            var width = columns.Length;
            for (var i = 0; i < source.Length; i++)
            {
                local.Peek(source[i]);
                local.Read(outputs);
                c0[i] = outputs[0];
                if (width > 1)
                {
                    c1[i] = outputs[1];
                    if (width > 2)
                    {
                        c2[i] = outputs[2];
                        if (width > 3)
                        {
                            c3[i] = outputs[3];
                            if (width > 4)
                            {
                                c4[i] = outputs[4];
                            }
                        }
                    }
                }

                local.Commit();
            }

            kernel = local;
            return;
        }

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
