using System.Runtime.CompilerServices;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Kernel;
using SigmaFlow.Core.Indicators.MovingAverages;

namespace SigmaFlow.Core.Indicators.Volatility;

/// <summary>
/// Rolling population standard deviation (divide by N), mean and z-score of the newest value over N values.
/// Outputs: stddev, mean, zscore (NaN when the deviation is 0).
/// </summary>
public struct StdDevKernel : IValueKernel
{
    private WindowMoments window;
    private double mean;
    private double zscore;
    private bool valid;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">N, ≥ 1.</param>
    public StdDevKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        window = new WindowMoments(lookbackPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 3;

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <summary>Rolling mean of the last peek.</summary>
    public readonly double Mean => mean;

    /// <summary>Z-score of the last peek.</summary>
    public readonly double ZScore => zscore;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value)
    {
        valid = !double.IsNaN(value);
        if (!valid)
        {
            Value = mean = zscore = double.NaN;
            return;
        }

        window.Peek(value, out var m, out var variance);
        if (!window.IsReady)
        {
            Value = mean = zscore = double.NaN;
            return;
        }

        mean = m;
        Value = Math.Sqrt(variance);
        zscore = Value == 0 ? double.NaN : (value - m) / Value;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (valid)
        {
            window.Commit();
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = Value;
        outputs[1] = mean;
        outputs[2] = zscore;
    }
}

/// <summary>
/// Bollinger bands: SMA(N) ± k·σ with σ the population deviation. percentb = (x − lower)/(upper − lower),
/// width = (upper − lower)/middle. Outputs: middle, upper, lower, percentb, width.
/// </summary>
public struct BollingerKernel : IValueKernel
{
    private readonly double deviations;
    private WindowMoments window;
    private double upper;
    private double lower;
    private double percentB;
    private double width;
    private bool valid;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">N, ≥ 2.</param>
    /// <param name="standardDeviations">Band multiple k, &gt; 0.</param>
    public BollingerKernel(int lookbackPeriods, double standardDeviations)
    {
        Guard.AtLeast(lookbackPeriods, 2, nameof(lookbackPeriods));
        Guard.Positive(standardDeviations, nameof(standardDeviations));
        deviations = standardDeviations;
        window = new WindowMoments(lookbackPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 5;

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value)
    {
        valid = !double.IsNaN(value);
        Value = upper = lower = percentB = width = double.NaN;
        if (!valid)
        {
            return;
        }

        window.Peek(value, out var mean, out var variance);
        if (!window.IsReady)
        {
            return;
        }

        var sd = Math.Sqrt(variance);
        Value = mean;
        upper = mean + (deviations * sd);
        lower = mean - (deviations * sd);
        percentB = upper == lower ? double.NaN : (value - lower) / (upper - lower);
        width = mean == 0 ? double.NaN : (upper - lower) / mean;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (valid)
        {
            window.Commit();
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = Value;
        outputs[1] = upper;
        outputs[2] = lower;
        outputs[3] = percentB;
        outputs[4] = width;
    }
}

/// <summary>
/// Keltner channels: centre EMA(close, N) (SMA-seeded) ± m·ATR(atrPeriods) (Wilder). width = (upper − lower)/centre.
/// Outputs: upper, center, lower, width.
/// </summary>
public struct KeltnerKernel : IIndicatorKernel
{
    private readonly double multiplier;
    private EmaKernel center;
    private AtrCore atr;

    /// <summary>Creates the kernel.</summary>
    /// <param name="emaPeriods">Centre EMA length.</param>
    /// <param name="multiplier">ATR multiple, &gt; 0.</param>
    /// <param name="atrPeriods">ATR length.</param>
    public KeltnerKernel(int emaPeriods, double multiplier, int atrPeriods)
    {
        Guard.Positive(multiplier, nameof(multiplier));
        this.multiplier = multiplier;
        center = new EmaKernel(emaPeriods);
        atr = new AtrCore(atrPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 4;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        center.Peek(bar.Close);
        atr.Peek(bar);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        center.Commit();
        atr.Commit();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        var c = center.Value;
        var band = multiplier * atr.Atr;
        var ready = !double.IsNaN(c) && !double.IsNaN(band);
        outputs[0] = ready ? c + band : double.NaN;
        outputs[1] = ready ? c : double.NaN;
        outputs[2] = ready ? c - band : double.NaN;
        outputs[3] = ready && c != 0 ? 2 * band / c : double.NaN;
    }
}

/// <summary>
/// Donchian channels over the previous N bars (the current bar excluded): upper = highest high, lower = lowest low,
/// center = (upper + lower)/2, width = (upper − lower)/center. First value at index N.
/// Outputs: upper, center, lower, width.
/// </summary>
public struct DonchianKernel : IIndicatorKernel
{
    private SlidingExtreme highest;
    private SlidingExtreme lowest;
    private double upper;
    private double lower;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">N, ≥ 1.</param>
    public DonchianKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));

        // Window N + 1 whose committed tail is exactly the previous N bars.
        highest = new SlidingExtreme(lookbackPeriods + 1, true);
        lowest = new SlidingExtreme(lookbackPeriods + 1, false);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 4;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        highest.Peek(bar.High);
        lowest.Peek(bar.Low);
        var ready = highest.IsReady;
        upper = ready ? highest.CommittedExtreme : double.NaN;
        lower = ready ? lowest.CommittedExtreme : double.NaN;
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
        var center = (upper + lower) / 2;
        outputs[0] = upper;
        outputs[1] = center;
        outputs[2] = lower;
        outputs[3] = center == 0 ? double.NaN : (upper - lower) / center;
    }
}
