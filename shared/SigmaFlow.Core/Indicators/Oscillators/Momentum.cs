using System.Runtime.CompilerServices;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Kernel;
using SigmaFlow.Core.Indicators.MovingAverages;

namespace SigmaFlow.Core.Indicators.Oscillators;

/// <summary>
/// Rate of change over N bars: momentum = x − x[N] and roc = 100·momentum / x[N] (NaN when x[N] is 0).
/// First value at index N. Outputs: momentum, roc.
/// </summary>
public struct RocKernel : IValueKernel
{
    private readonly int length;
    private Ring history;
    private double pending;
    private double roc;
    private bool valid;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">N, ≥ 1.</param>
    public RocKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        length = lookbackPeriods;
        history = new Ring(lookbackPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 2;

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value)
    {
        valid = !double.IsNaN(value);
        pending = value;
        if (!valid || !history.IsFull)
        {
            Value = roc = double.NaN;
            return;
        }

        var back = history.Ago(length - 1);
        Value = value - back;
        roc = back == 0 ? double.NaN : 100 * Value / back;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (valid)
        {
            history.Push(pending);
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = Value;
        outputs[1] = roc;
    }
}

/// <summary>
/// Commodity channel index over the typical price (H + L + C)/3: (tp − SMA(tp)) / (0.015 · mean absolute deviation),
/// NaN when the deviation is 0. The deviation is taken around the current window's mean (O(N) per bar).
/// </summary>
public struct CciKernel : IIndicatorKernel
{
    private WindowSum window;
    private double value;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">N, ≥ 1.</param>
    public CciKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        window = new WindowSum(lookbackPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        var tp = (bar.High + bar.Low + bar.Close) / 3;
        var sum = window.Peek(tp);
        value = double.NaN;
        if (!window.IsReady)
        {
            return;
        }

        var n = window.Length;
        var mean = sum / n;
        var deviation = Math.Abs(mean - tp);
        for (var i = 0; i < n - 1; i++)
        {
            deviation += Math.Abs(mean - window.Ago(i));
        }

        deviation /= n;
        if (deviation != 0)
        {
            value = (tp - mean) / (0.015 * deviation);
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit() => window.Commit();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = value;
}

/// <summary>
/// Money flow index over N bars of typical-price money flow, the direction set by the change in typical price
/// (bar 0 has none, so the first value is at index N). 100 when there is no negative flow.
/// </summary>
public struct MfiKernel : IIndicatorKernel
{
    private WindowSum positive;
    private WindowSum negative;
    private bool hasPrevious;
    private double previousTp;
    private double pendingTp;
    private double value;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">N, ≥ 1.</param>
    public MfiKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        positive = new WindowSum(lookbackPeriods);
        negative = new WindowSum(lookbackPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        pendingTp = (bar.High + bar.Low + bar.Close) / 3;
        value = double.NaN;
        if (!hasPrevious)
        {
            return;
        }

        var flow = pendingTp * bar.Volume;
        var pos = positive.Peek(pendingTp > previousTp ? flow : 0);
        var neg = negative.Peek(pendingTp < previousTp ? flow : 0);
        if (positive.IsReady)
        {
            value = neg != 0 ? 100 - (100 / (1 + (pos / neg))) : 100;
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (hasPrevious)
        {
            positive.Commit();
            negative.Commit();
        }

        previousTp = pendingTp;
        hasPrevious = true;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = value;
}

/// <summary>Awesome oscillator: SMA(hl2, fast) − SMA(hl2, slow). Outputs: ao, normalized (100·ao/hl2).</summary>
public struct AwesomeKernel : IIndicatorKernel
{
    private SmaKernel fast;
    private SmaKernel slow;
    private double value;
    private double normalized;

    /// <summary>Creates the kernel.</summary>
    /// <param name="fastPeriods">Fast SMA length.</param>
    /// <param name="slowPeriods">Slow SMA length, greater than the fast one.</param>
    public AwesomeKernel(int fastPeriods, int slowPeriods)
    {
        Guard.AtLeast(fastPeriods, 1, nameof(fastPeriods));
        Guard.Less(fastPeriods, slowPeriods, nameof(fastPeriods), nameof(slowPeriods));
        fast = new SmaKernel(fastPeriods);
        slow = new SmaKernel(slowPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 2;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        var hl2 = (bar.High + bar.Low) / 2;
        fast.Peek(hl2);
        slow.Peek(hl2);
        value = fast.Value - slow.Value;
        normalized = hl2 != 0 ? 100 * value / hl2 : double.NaN;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        fast.Commit();
        slow.Commit();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = value;
        outputs[1] = normalized;
    }
}

/// <summary>
/// Ultimate oscillator: buying pressure C − min(L, Cprev) over true range max(H, Cprev) − min(L, Cprev), averaged
/// over three windows and weighted 4:2:1. First value at index longPeriods; NaN when a window's range sums to 0.
/// </summary>
public struct UltimateKernel : IIndicatorKernel
{
    private WindowSum shortPressure;
    private WindowSum shortRange;
    private WindowSum middlePressure;
    private WindowSum middleRange;
    private WindowSum longPressure;
    private WindowSum longRange;
    private bool hasPrevious;
    private double previousClose;
    private double pendingClose;
    private double value;

    /// <summary>Creates the kernel.</summary>
    /// <param name="shortPeriods">Short window.</param>
    /// <param name="middlePeriods">Middle window, greater than the short one.</param>
    /// <param name="longPeriods">Long window, greater than the middle one.</param>
    public UltimateKernel(int shortPeriods, int middlePeriods, int longPeriods)
    {
        Guard.AtLeast(shortPeriods, 1, nameof(shortPeriods));
        Guard.Less(shortPeriods, middlePeriods, nameof(shortPeriods), nameof(middlePeriods));
        Guard.Less(middlePeriods, longPeriods, nameof(middlePeriods), nameof(longPeriods));
        shortPressure = new WindowSum(shortPeriods);
        shortRange = new WindowSum(shortPeriods);
        middlePressure = new WindowSum(middlePeriods);
        middleRange = new WindowSum(middlePeriods);
        longPressure = new WindowSum(longPeriods);
        longRange = new WindowSum(longPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        pendingClose = bar.Close;
        value = double.NaN;
        if (!hasPrevious)
        {
            return;
        }

        var low = Math.Min(bar.Low, previousClose);
        var bp = bar.Close - low;
        var tr = Math.Max(bar.High, previousClose) - low;
        var bs = shortPressure.Peek(bp);
        var ts = shortRange.Peek(tr);
        var bm = middlePressure.Peek(bp);
        var tm = middleRange.Peek(tr);
        var bl = longPressure.Peek(bp);
        var tl = longRange.Peek(tr);
        if (longRange.IsReady && ts != 0 && tm != 0 && tl != 0)
        {
            value = 100 * ((4 * (bs / ts)) + (2 * (bm / tm)) + (bl / tl)) / 7;
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (hasPrevious)
        {
            shortPressure.Commit();
            shortRange.Commit();
            middlePressure.Commit();
            middleRange.Commit();
            longPressure.Commit();
            longRange.Commit();
        }

        previousClose = pendingClose;
        hasPrevious = true;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = value;
}

/// <summary>
/// Balance of power: SMA over N bars of (C − O)/(H − L); NaN while any bar in the window has H = L.
/// </summary>
public struct BopKernel : IIndicatorKernel
{
    private WindowSum raw;
    private WindowSum flats;
    private double value;

    /// <summary>Creates the kernel.</summary>
    /// <param name="smoothPeriods">N, ≥ 1.</param>
    public BopKernel(int smoothPeriods)
    {
        Guard.AtLeast(smoothPeriods, 1, nameof(smoothPeriods));
        raw = new WindowSum(smoothPeriods);
        flats = new WindowSum(smoothPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        var range = bar.High - bar.Low;
        var sum = raw.Peek(range != 0 ? (bar.Close - bar.Open) / range : 0);
        var flat = flats.Peek(range != 0 ? 0 : 1);
        value = raw.IsReady && flat == 0 ? sum / raw.Length : double.NaN;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        raw.Commit();
        flats.Commit();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = value;
}
