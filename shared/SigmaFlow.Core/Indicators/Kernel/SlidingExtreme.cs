using System.Runtime.CompilerServices;

namespace SigmaFlow.Core.Indicators.Kernel;

/// <summary>
/// Highest (or lowest) of the last <c>length</c> values where the newest is the pending one, by the van Herk /
/// Gil-Werman method: committed values fill blocks of length − 1; when a block completes its suffix extremes are
/// computed once, and the window's extreme is then the previous block's suffix extreme combined with the current
/// block's running prefix extreme. About three comparisons per value and no data-dependent loops, so it is much
/// faster than a monotonic deque on noisy prices. Exact (max and min do not round). Use <see cref="WindowExtreme"/>
/// when the bar of the extreme is needed.
/// </summary>
internal struct SlidingExtreme
{
    private readonly int tailLength;
    private readonly bool isMax;
    private readonly double[] block;
    private readonly double[] suffix;
    private int position;
    private double prefix;
    private long committed;
    private double pending;

    public SlidingExtreme(int length, bool isMax)
    {
        Length = length;
        tailLength = length - 1;
        this.isMax = isMax;
        block = new double[Math.Max(tailLength, 1)];
        suffix = new double[Math.Max(tailLength, 1)];
    }

    public readonly int Length { get; }

    /// <summary>True when a peek completes a full window.</summary>
    public readonly bool IsReady => committed >= tailLength;

    /// <summary>The extreme of the last length − 1 committed values alone; NaN before any.</summary>
    public readonly double CommittedExtreme
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (committed == 0 || tailLength == 0)
            {
                return double.NaN;
            }

            if (committed <= tailLength)
            {
                return prefix;
            }

            return position == 0 ? suffix[0] : Pick(suffix[position], prefix);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Peek(double value)
    {
        pending = value;
        var tail = CommittedExtreme;
        return double.IsNaN(tail) ? value : Pick(tail, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        committed++;
        if (tailLength == 0)
        {
            return;
        }

        block[position] = pending;
        prefix = position == 0 ? pending : Pick(prefix, pending);
        if (++position == tailLength)
        {
            Suffixes(block, suffix, isMax);
            position = 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly double Pick(double a, double b) => isMax ? (a >= b ? a : b) : (a <= b ? a : b);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Suffixes(double[] values, double[] suffixes, bool max)
    {
        var n = values.Length;
        var running = values[n - 1];
        suffixes[n - 1] = running;
        for (var j = n - 2; j >= 0; j--)
        {
            var v = values[j];
            running = max ? (v >= running ? v : running) : (v <= running ? v : running);
            suffixes[j] = running;
        }
    }
}
