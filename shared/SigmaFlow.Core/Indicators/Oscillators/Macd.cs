using System.Runtime.CompilerServices;
using SigmaFlow.Core.Indicators.Kernel;
using SigmaFlow.Core.Indicators.MovingAverages;

namespace SigmaFlow.Core.Indicators.Oscillators;

/// <summary>
/// MACD: fast EMA − slow EMA (both SMA-seeded), its signal EMA (seeded with the SMA of the first values of MACD),
/// and the histogram MACD − signal. Outputs: macd, signal, histogram.
/// </summary>
public struct MacdKernel : IValueKernel
{
    private EmaKernel fast;
    private EmaKernel slow;
    private EmaKernel signal;

    /// <summary>Creates the kernel.</summary>
    /// <param name="fastPeriods">Fast EMA length, ≥ 1.</param>
    /// <param name="slowPeriods">Slow EMA length, greater than the fast one.</param>
    /// <param name="signalPeriods">Signal EMA length, ≥ 1.</param>
    public MacdKernel(int fastPeriods, int slowPeriods, int signalPeriods)
    {
        Guard.AtLeast(fastPeriods, 1, nameof(fastPeriods));
        Guard.Less(fastPeriods, slowPeriods, nameof(fastPeriods), nameof(slowPeriods));
        fast = new EmaKernel(fastPeriods);
        slow = new EmaKernel(slowPeriods);
        signal = new EmaKernel(signalPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 3;

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <summary>The signal line of the last peek.</summary>
    public readonly double Signal => signal.Value;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value)
    {
        fast.Peek(value);
        slow.Peek(value);
        Value = fast.Value - slow.Value;
        signal.Peek(Value);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        fast.Commit();
        slow.Commit();
        signal.Commit();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = Value;
        outputs[1] = signal.Value;
        outputs[2] = Value - signal.Value;
    }
}

/// <summary>
/// Percentage price oscillator: 100·(fast EMA − slow EMA)/slow EMA, its signal EMA and histogram.
/// Outputs: ppo, signal, histogram.
/// </summary>
public struct PpoKernel : IValueKernel
{
    private EmaKernel fast;
    private EmaKernel slow;
    private EmaKernel signal;

    /// <summary>Creates the kernel.</summary>
    /// <param name="fastPeriods">Fast EMA length.</param>
    /// <param name="slowPeriods">Slow EMA length, greater than the fast one.</param>
    /// <param name="signalPeriods">Signal EMA length.</param>
    public PpoKernel(int fastPeriods, int slowPeriods, int signalPeriods)
    {
        Guard.AtLeast(fastPeriods, 1, nameof(fastPeriods));
        Guard.Less(fastPeriods, slowPeriods, nameof(fastPeriods), nameof(slowPeriods));
        fast = new EmaKernel(fastPeriods);
        slow = new EmaKernel(slowPeriods);
        signal = new EmaKernel(signalPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 3;

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value)
    {
        fast.Peek(value);
        slow.Peek(value);
        Value = slow.Value != 0 ? 100 * (fast.Value - slow.Value) / slow.Value : double.NaN;
        signal.Peek(Value);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        fast.Commit();
        slow.Commit();
        signal.Commit();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = Value;
        outputs[1] = signal.Value;
        outputs[2] = Value - signal.Value;
    }
}

/// <summary>
/// TRIX: the one-bar rate of change, in percent, of a triple-smoothed EMA (the three EMAs seeded with the SMA at
/// N − 1, so the first TRIX is at N); signal is an SMA of TRIX. Outputs: trix, signal.
/// </summary>
public struct TrixKernel : IValueKernel
{
    private EmaCascade cascade;
    private SmaKernel signal;
    private double previousEma3;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">EMA length, ≥ 1.</param>
    /// <param name="signalPeriods">Signal SMA length, ≥ 1.</param>
    public TrixKernel(int lookbackPeriods, int signalPeriods)
    {
        cascade = new EmaCascade(lookbackPeriods);
        signal = new SmaKernel(signalPeriods);
        previousEma3 = double.NaN;
    }

    /// <inheritdoc />
    public readonly int OutputCount => 2;

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value)
    {
        cascade.Peek(value);
        Value = previousEma3 != 0 ? 100 * (cascade.Ema3 - previousEma3) / previousEma3 : double.NaN;
        signal.Peek(Value);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        cascade.Commit();
        signal.Commit();
        if (!double.IsNaN(cascade.Ema3))
        {
            previousEma3 = cascade.Ema3;
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = Value;
        outputs[1] = signal.Value;
    }
}
