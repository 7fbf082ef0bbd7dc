using System.Runtime.CompilerServices;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Kernel;

namespace SigmaFlow.Core.Indicators.Trend;

/// <summary>
/// Parabolic SAR (Wilder). Starts with a rising guess: SAR = low[0], extreme point = high[0]. Each bar the SAR moves
/// by AF·(EP − SAR), is clamped by the two prior lows (highs when falling) from bar 2 on, and a close through it
/// reverses the trend (the SAR jumps to the EP, AF resets). Because the first trend is a guess, every bar up to and
/// including the first reversal is empty. Outputs: sar, reversal (1 on a reversal bar, else 0).
/// </summary>
public struct ParabolicSarKernel : IIndicatorKernel
{
    private readonly double step;
    private readonly double maxFactor;
    private readonly double initialFactor;
    private int count;
    private bool rising;
    private double factor;
    private double extreme;
    private double previousSar;
    private double low1;
    private double low2;
    private double high1;
    private double high2;
    private bool seenReversal;

    private bool pRising;
    private double pFactor;
    private double pExtreme;
    private double pSar;
    private bool pReversal;
    private Ohlcv pending;

    /// <summary>Creates the kernel.</summary>
    /// <param name="accelerationStep">AF increment, &gt; 0.</param>
    /// <param name="maxAccelerationFactor">AF ceiling, ≥ the step.</param>
    /// <param name="initialFactor">AF after a reversal; defaults to the step when NaN.</param>
    public ParabolicSarKernel(double accelerationStep, double maxAccelerationFactor, double initialFactor = double.NaN)
    {
        Guard.Positive(accelerationStep, nameof(accelerationStep));
        Guard.Positive(maxAccelerationFactor, nameof(maxAccelerationFactor));
        if (accelerationStep > maxAccelerationFactor)
        {
            throw new ArgumentOutOfRangeException(nameof(accelerationStep), accelerationStep, $"accelerationStep must not exceed maxAccelerationFactor ({maxAccelerationFactor}); got {accelerationStep}.");
        }

        if (double.IsNaN(initialFactor))
        {
            initialFactor = accelerationStep;
        }

        if (!(initialFactor > 0) || initialFactor > maxAccelerationFactor)
        {
            throw new ArgumentOutOfRangeException(nameof(initialFactor), initialFactor, $"initialFactor must be greater than 0 and at most maxAccelerationFactor ({maxAccelerationFactor}); got {initialFactor}.");
        }

        step = accelerationStep;
        maxFactor = maxAccelerationFactor;
        this.initialFactor = initialFactor;
    }

    /// <inheritdoc />
    public readonly int OutputCount => 2;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        pending = bar;
        pReversal = false;
        if (count == 0)
        {
            pRising = true;
            pFactor = initialFactor;
            pExtreme = bar.High;
            pSar = bar.Low;
            return;
        }

        pRising = rising;
        pFactor = factor;
        pExtreme = extreme;
        if (rising)
        {
            var sar = previousSar + (factor * (extreme - previousSar));
            if (count >= 2)
            {
                sar = Math.Min(sar, Math.Min(low1, low2));
            }

            if (bar.Low < sar)
            {
                pReversal = true;
                pSar = extreme;
                pRising = false;
                pFactor = initialFactor;
                pExtreme = bar.Low;
            }
            else
            {
                pSar = sar;
                if (bar.High > extreme)
                {
                    pExtreme = bar.High;
                    pFactor = Math.Min(factor + step, maxFactor);
                }
            }
        }
        else
        {
            var sar = previousSar - (factor * (previousSar - extreme));
            if (count >= 2)
            {
                sar = Math.Max(sar, Math.Max(high1, high2));
            }

            if (bar.High > sar)
            {
                pReversal = true;
                pSar = extreme;
                pRising = true;
                pFactor = initialFactor;
                pExtreme = bar.High;
            }
            else
            {
                pSar = sar;
                if (bar.Low < extreme)
                {
                    pExtreme = bar.Low;
                    pFactor = Math.Min(factor + step, maxFactor);
                }
            }
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        rising = pRising;
        factor = pFactor;
        extreme = pExtreme;
        previousSar = pSar;
        seenReversal |= pReversal;
        low2 = low1;
        low1 = pending.Low;
        high2 = high1;
        high1 = pending.High;
        count++;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        // The reversal of the current bar is not yet committed, so the first reversal bar itself stays empty.
        outputs[0] = seenReversal && count > 0 ? pSar : double.NaN;
        outputs[1] = seenReversal && count > 0 ? (pReversal ? 1 : 0) : double.NaN;
    }
}
