using System.Runtime.CompilerServices;
using SigmaFlow.Core.Indicators.Kernel;

namespace SigmaFlow.Core.Indicators.MovingAverages;

/// <summary>
/// Linearly weighted moving average: weights 1 (oldest) … N (newest), divided by N(N + 1)/2. First value at N − 1.
/// The weighted tail sum slides in O(1) and is recomputed exactly once per lap.
/// </summary>
public struct WmaKernel : IValueKernel
{
    private readonly int length;
    private readonly double divisor;
    private Ring tail;
    private double tailSum;
    private double tailWeighted;
    private double pending;
    private bool valid;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">Length N, ≥ 1.</param>
    public WmaKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        length = lookbackPeriods;
        divisor = lookbackPeriods * (lookbackPeriods + 1) / 2.0;
        tail = new Ring(lookbackPeriods - 1);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value)
    {
        valid = !double.IsNaN(value);
        pending = value;
        Value = valid && tail.Count == length - 1 ? (tailWeighted + (length * value)) / divisor : double.NaN;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (!valid || length == 1)
        {
            return;
        }

        if (tail.IsFull)
        {
            // Every tail weight drops by one; the oldest (weight 1) leaves.
            tailWeighted -= tailSum;
            tailSum -= tail.Oldest;
        }

        tail.Push(pending);
        if (tail.Wrapped)
        {
            double s = 0, w = 0;
            for (var i = 0; i < tail.Count; i++)
            {
                var x = tail.FromOldest(i);
                s += x;
                w += (i + 1) * x;
            }

            tailSum = s;
            tailWeighted = w;
        }
        else
        {
            tailSum += pending;
            tailWeighted += tail.Count * pending;
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = Value;
}
