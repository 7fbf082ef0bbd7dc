using System.Runtime.CompilerServices;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Kernel;
using SigmaFlow.Core.Indicators.MovingAverages;

namespace SigmaFlow.Core.Indicators.Trend;

/// <summary>
/// Directional movement (Wilder). From bar 1 on: +DM = up move when it exceeds the down move, −DM the reverse.
/// TR, +DM and −DM are Wilder running sums (seeded with the sum of bars 1..N, then s − s/N + x); +DI and −DI are
/// 100·DM/TR and DX = 100·|+DI − −DI|/(+DI + −DI), first at index N. ADX is the Wilder average of DX (the mean of
/// the first N DX values, first at 2N − 1), ADXR = (ADX + ADX[N bars ago])/2, first at 3N − 1.
/// Outputs: pdi, mdi, adx, adxr, dx.
/// </summary>
public struct AdxKernel : IIndicatorKernel
{
    private readonly int length;
    private bool hasPrevious;
    private double previousHigh;
    private double previousLow;
    private double previousClose;
    private int count;
    private double trSum;
    private double plusSum;
    private double minusSum;
    private double pendingTr;
    private double pendingPlus;
    private double pendingMinus;
    private Ohlcv pending;
    private SmmaKernel adx;
    private Ring adxHistory;
    private double pdi;
    private double mdi;
    private double dx;
    private double adxr;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">N, ≥ 1.</param>
    public AdxKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        length = lookbackPeriods;
        adx = new SmmaKernel(lookbackPeriods);
        adxHistory = new Ring(lookbackPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 5;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        pending = bar;
        pdi = mdi = dx = adxr = double.NaN;
        if (!hasPrevious)
        {
            adx.Peek(double.NaN);
            return;
        }

        var tr = Math.Max(bar.High - bar.Low, Math.Max(Math.Abs(bar.High - previousClose), Math.Abs(bar.Low - previousClose)));
        var up = bar.High - previousHigh;
        var down = previousLow - bar.Low;
        var plus = up > down ? Math.Max(up, 0) : 0;
        var minus = down > up ? Math.Max(down, 0) : 0;
        if (count >= length)
        {
            pendingTr = trSum - (trSum / length) + tr;
            pendingPlus = plusSum - (plusSum / length) + plus;
            pendingMinus = minusSum - (minusSum / length) + minus;
        }
        else
        {
            pendingTr = trSum + tr;
            pendingPlus = plusSum + plus;
            pendingMinus = minusSum + minus;
        }

        if (count >= length - 1 && pendingTr != 0)
        {
            pdi = 100 * pendingPlus / pendingTr;
            mdi = 100 * pendingMinus / pendingTr;
            dx = pdi == mdi ? 0 : pdi + mdi != 0 ? 100 * Math.Abs(pdi - mdi) / (pdi + mdi) : double.NaN;
        }

        adx.Peek(dx);
        if (adxHistory.IsFull && !double.IsNaN(adx.Value))
        {
            adxr = (adx.Value + adxHistory.Ago(length - 1)) / 2;
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (hasPrevious)
        {
            trSum = pendingTr;
            plusSum = pendingPlus;
            minusSum = pendingMinus;
            if (count < length)
            {
                count++;
            }

            adx.Commit();
            adxHistory.Push(adx.Value);
        }

        previousHigh = pending.High;
        previousLow = pending.Low;
        previousClose = pending.Close;
        hasPrevious = true;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = pdi;
        outputs[1] = mdi;
        outputs[2] = adx.Value;
        outputs[3] = adxr;
        if (outputs.Length > 4)
        {
            outputs[4] = dx;
        }
    }
}

/// <summary>
/// Aroon over the last N + 1 bars: up = 100·(N − bars since the highest high)/N, down likewise for the lowest low
/// (ties go to the earliest bar), oscillator = up − down. First value at index N. Outputs: up, down, oscillator.
/// </summary>
public struct AroonKernel : IIndicatorKernel
{
    private readonly int length;
    private WindowExtreme highest;
    private WindowExtreme lowest;
    private double up;
    private double down;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">N, ≥ 1.</param>
    public AroonKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        length = lookbackPeriods;
        highest = new WindowExtreme(lookbackPeriods + 1, isMax: true, latestWinsTies: false);
        lowest = new WindowExtreme(lookbackPeriods + 1, isMax: false, latestWinsTies: false);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 3;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        highest.Peek(bar.High);
        lowest.Peek(bar.Low);
        if (!highest.IsReady)
        {
            up = down = double.NaN;
            return;
        }

        up = 100.0 * (length - highest.PendingAgo) / length;
        down = 100.0 * (length - lowest.PendingAgo) / length;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        highest.Commit();
        lowest.Commit();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = up;
        outputs[1] = down;
        outputs[2] = up - down;
    }
}
