using System.Runtime.CompilerServices;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Kernel;

namespace SigmaFlow.Core.Indicators.Volume;

/// <summary>On-balance volume: 0 on the first bar, then ± volume on an up/down close and unchanged on an equal close.</summary>
public struct ObvKernel : IIndicatorKernel
{
    private bool hasPrevious;
    private double previousClose;
    private double obv;
    private double pendingClose;
    private double value;

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        pendingClose = bar.Close;
        value = !hasPrevious ? 0
            : bar.Close > previousClose ? obv + bar.Volume
            : bar.Close < previousClose ? obv - bar.Volume
            : obv;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        obv = value;
        previousClose = pendingClose;
        hasPrevious = true;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = value;
}

/// <summary>Close location value (money-flow multiplier) ((C − L) − (H − C))/(H − L), 0 when H = L.</summary>
internal static class MoneyFlow
{
    public static double Multiplier(in Ohlcv bar)
    {
        var range = bar.High - bar.Low;
        return range == 0 ? 0 : ((bar.Close - bar.Low) - (bar.High - bar.Close)) / range;
    }
}

/// <summary>Accumulation/distribution line: the running sum of money-flow volume (multiplier · volume).</summary>
public struct AdlKernel : IIndicatorKernel
{
    private double adl;
    private double value;

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar) => value = adl + (MoneyFlow.Multiplier(bar) * bar.Volume);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit() => adl = value;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = value;
}

/// <summary>Chaikin money flow: Σ money-flow volume / Σ volume over N bars; NaN when the volume sums to 0.</summary>
public struct CmfKernel : IIndicatorKernel
{
    private WindowSum flow;
    private WindowSum volume;
    private double value;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">N, ≥ 1.</param>
    public CmfKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        flow = new WindowSum(lookbackPeriods);
        volume = new WindowSum(lookbackPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        var f = flow.Peek(MoneyFlow.Multiplier(bar) * bar.Volume);
        var v = volume.Peek(bar.Volume);
        value = volume.IsReady && v != 0 ? f / v : double.NaN;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        flow.Commit();
        volume.Commit();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = value;
}

/// <summary>
/// Anchored volume-weighted average price: Σ(volume · (H + L + C)/3) / Σ volume from the anchor time on.
/// Bars before the anchor are NaN; NaN while the cumulative volume is 0.
/// </summary>
public struct VwapKernel : IIndicatorKernel
{
    private readonly long anchorTime;
    private double cumulativeVolume;
    private double cumulativePriceVolume;
    private double pendingVolume;
    private double pendingPriceVolume;
    private double value;
    private bool active;

    /// <summary>Creates the kernel.</summary>
    /// <param name="anchorTime">Anchor, Unix milliseconds UTC; bars before it are empty. Use <see cref="long.MinValue"/> for the first bar.</param>
    public VwapKernel(long anchorTime) => this.anchorTime = anchorTime;

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        active = bar.Time >= anchorTime;
        if (!active)
        {
            value = double.NaN;
            return;
        }

        pendingVolume = cumulativeVolume + bar.Volume;
        pendingPriceVolume = cumulativePriceVolume + (bar.Volume * (bar.High + bar.Low + bar.Close) / 3);
        value = pendingVolume != 0 ? pendingPriceVolume / pendingVolume : double.NaN;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (active)
        {
            cumulativeVolume = pendingVolume;
            cumulativePriceVolume = pendingPriceVolume;
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = value;
}
