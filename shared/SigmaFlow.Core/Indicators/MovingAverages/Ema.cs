using System.Runtime.CompilerServices;
using SigmaFlow.Core.Indicators.Kernel;

namespace SigmaFlow.Core.Indicators.MovingAverages;

/// <summary>
/// Exponential moving average, SMA-seeded: the value at index N − 1 is the mean of the first N values; after that
/// <c>ema = prev + k·(x − prev)</c> with k = 2 / (N + 1).
/// </summary>
public struct EmaKernel : IValueKernel
{
    private readonly int length;
    private readonly double k;
    private int count;
    private double seedSum;
    private double pendingSum;
    private double ema;
    private bool valid;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">Length N, ≥ 1.</param>
    public EmaKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        length = lookbackPeriods;
        k = 2.0 / (lookbackPeriods + 1);
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
            Value = ema + (k * (value - ema));
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

        ema = Value;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = Value;
}
