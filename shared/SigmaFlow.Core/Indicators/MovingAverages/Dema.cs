using System.Runtime.CompilerServices;
using SigmaFlow.Core.Indicators.Kernel;

namespace SigmaFlow.Core.Indicators.MovingAverages;

/// <summary>
/// A cascade of up to three EMAs of the same length that are all seeded, at index N − 1, with the SMA of the first N
/// inputs (so DEMA and TEMA equal the SMA there and start at N − 1, as Stock.Indicators does). After the seed:
/// e1 += k(x − e1); e2 += k(e1 − e2); e3 += k(e2 − e3).
/// </summary>
internal struct EmaCascade
{
    private readonly int length;
    private readonly double k;
    private int count;
    private double seedSum;
    private double pendingSum;
    private double e1;
    private double e2;
    private double e3;
    private bool valid;

    public EmaCascade(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        length = lookbackPeriods;
        k = 2.0 / (lookbackPeriods + 1);
        Ema1 = Ema2 = Ema3 = double.NaN;
    }

    public double Ema1 { get; private set; }

    public double Ema2 { get; private set; }

    public double Ema3 { get; private set; }

    /// <summary>True when the last peek was past the seed bar (the EMAs have had at least one update).</summary>
    public readonly bool PastSeed => count >= length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value)
    {
        valid = !double.IsNaN(value);
        if (!valid)
        {
            Ema1 = Ema2 = Ema3 = double.NaN;
        }
        else if (count >= length)
        {
            Ema1 = e1 + (k * (value - e1));
            Ema2 = e2 + (k * (Ema1 - e2));
            Ema3 = e3 + (k * (Ema2 - e3));
        }
        else
        {
            pendingSum = seedSum + value;
            Ema1 = Ema2 = Ema3 = count == length - 1 ? pendingSum / length : double.NaN;
        }
    }

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

        e1 = Ema1;
        e2 = Ema2;
        e3 = Ema3;
    }
}

/// <summary>Double EMA: 2·e1 − e2, both seeded with the SMA at N − 1 (first value at N − 1).</summary>
public struct DemaKernel : IValueKernel
{
    private EmaCascade cascade;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">Length N, ≥ 1.</param>
    public DemaKernel(int lookbackPeriods) => cascade = new EmaCascade(lookbackPeriods);

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value)
    {
        cascade.Peek(value);
        Value = (2 * cascade.Ema1) - cascade.Ema2;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit() => cascade.Commit();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = Value;
}

/// <summary>Triple EMA: 3·e1 − 3·e2 + e3, all seeded with the SMA at N − 1 (first value at N − 1).</summary>
public struct TemaKernel : IValueKernel
{
    private EmaCascade cascade;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">Length N, ≥ 1.</param>
    public TemaKernel(int lookbackPeriods) => cascade = new EmaCascade(lookbackPeriods);

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value)
    {
        cascade.Peek(value);
        Value = (3 * cascade.Ema1) - (3 * cascade.Ema2) + cascade.Ema3;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit() => cascade.Commit();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = Value;
}
