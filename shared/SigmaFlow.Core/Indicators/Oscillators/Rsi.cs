using System.Runtime.CompilerServices;
using SigmaFlow.Core.Indicators.Kernel;

namespace SigmaFlow.Core.Indicators.Oscillators;

/// <summary>
/// Relative strength index. The first input has no change and is not part of the seed. At the N-th change the
/// average gain and loss are plain means of changes 1..N (SMA seed); after that Wilder smoothing
/// <c>avg = (avg·(N − 1) + g) / N</c>. RSI = 100 − 100 / (1 + gain/loss) (computed as 100·gain/(gain + loss)), and
/// 100 when the average loss is 0.
/// </summary>
public struct RsiKernel : IValueKernel
{
    private readonly int length;
    private readonly double reciprocal;
    private bool hasPrevious;
    private double previous;
    private int count;
    private double gainSum;
    private double lossSum;
    private double avgGain;
    private double avgLoss;
    private double pendingGain;
    private double pendingLoss;
    private double pending;
    private bool valid;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">Length N, ≥ 1.</param>
    public RsiKernel(int lookbackPeriods)
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
        pending = value;
        Value = double.NaN;
        if (!valid || !hasPrevious)
        {
            return;
        }

        var gain = value > previous ? value - previous : 0;
        var loss = value < previous ? previous - value : 0;
        if (count >= length)
        {
            pendingGain = ((avgGain * (length - 1)) + gain) * reciprocal;
            pendingLoss = ((avgLoss * (length - 1)) + loss) * reciprocal;
        }
        else
        {
            pendingGain = gainSum + gain;
            pendingLoss = lossSum + loss;
            if (count < length - 1)
            {
                return;
            }

            pendingGain /= length;
            pendingLoss /= length;
        }

        // 100 − 100/(1 + gain/loss), written with one division: 100·gain/(gain + loss).
        Value = pendingLoss > 0 ? 100 * pendingGain / (pendingGain + pendingLoss) : 100;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (!valid)
        {
            return;
        }

        if (hasPrevious)
        {
            if (count < length - 1)
            {
                gainSum = pendingGain;
                lossSum = pendingLoss;
                count++;
            }
            else
            {
                avgGain = pendingGain;
                avgLoss = pendingLoss;
                count = length;
            }
        }

        previous = pending;
        hasPrevious = true;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = Value;
}

/// <summary>
/// Chande momentum oscillator over N changes: 100·(Σup − Σdown)/(Σup + Σdown). First value at index N;
/// 0 when the window has no change at all.
/// </summary>
public struct CmoKernel : IValueKernel
{
    private WindowSum ups;
    private WindowSum downs;
    private bool hasPrevious;
    private double previous;
    private double pending;
    private bool valid;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">Length N, ≥ 1.</param>
    public CmoKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        ups = new WindowSum(lookbackPeriods);
        downs = new WindowSum(lookbackPeriods);
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
        Value = double.NaN;
        if (!valid || !hasPrevious)
        {
            return;
        }

        var up = ups.Peek(value > previous ? value - previous : 0);
        var down = downs.Peek(value < previous ? previous - value : 0);
        if (ups.IsReady)
        {
            Value = up + down != 0 ? 100 * (up - down) / (up + down) : 0;
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

        if (hasPrevious)
        {
            ups.Commit();
            downs.Commit();
        }

        previous = pending;
        hasPrevious = true;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = Value;
}
