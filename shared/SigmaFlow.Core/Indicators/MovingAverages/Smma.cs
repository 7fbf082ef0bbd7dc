using System.Runtime.CompilerServices;
using SigmaFlow.Core.Indicators.Kernel;

namespace SigmaFlow.Core.Indicators.MovingAverages;

/// <summary>
/// Smoothed (Wilder's, RMA) moving average, SMA-seeded: the value at index N − 1 is the mean of the first N values;
/// after that <c>(prev·(N − 1) + x) / N</c>.
/// </summary>
public struct SmmaKernel : IValueKernel
{
    private readonly int length;
    private readonly double reciprocal;
    private int count;
    private double seedSum;
    private double pendingSum;
    private double smma;
    private bool valid;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">Length N, ≥ 1.</param>
    public SmmaKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        length = lookbackPeriods;
        reciprocal = 1.0 / lookbackPeriods;
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
        if (!valid)
        {
            Value = double.NaN;
        }
        else if (count >= length)
        {
            Value = ((smma * (length - 1)) + value) * reciprocal;
        }
        else
        {
            pendingSum = seedSum + value;
            Value = count == length - 1 ? pendingSum / length : double.NaN;
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (!valid)
        {
            return;
        }

        if (count < length)
        {
            seedSum = pendingSum;
            count++;
        }

        smma = Value;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = Value;
}
