using System.Runtime.CompilerServices;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Kernel;

namespace SigmaFlow.Core.Indicators.Volatility;

/// <summary>
/// True range and Wilder's average true range. TR = max(H − L, |H − Cprev|, |L − Cprev|) from bar 1 on (bar 0 has no
/// previous close). ATR at index N is the mean of TR[1..N]; after that (ATR·(N − 1) + TR)/N.
/// </summary>
internal struct AtrCore
{
    private readonly int length;
    private readonly double reciprocal;
    private bool hasPrevious;
    private double previousClose;
    private int count;
    private double sum;
    private double atr;
    private double pendingClose;

    public AtrCore(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        length = lookbackPeriods;
        reciprocal = 1.0 / lookbackPeriods;
        TrueRange = Atr = double.NaN;
    }

    public double TrueRange { get; private set; }

    public double Atr { get; private set; }

    public readonly double PreviousClose => hasPrevious ? previousClose : double.NaN;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        pendingClose = bar.Close;
        if (!hasPrevious)
        {
            TrueRange = Atr = double.NaN;
            return;
        }

        TrueRange = Math.Max(bar.High - bar.Low, Math.Max(Math.Abs(bar.High - previousClose), Math.Abs(bar.Low - previousClose)));
        Atr = count >= length ? ((atr * (length - 1)) + TrueRange) * reciprocal
            : count == length - 1 ? (sum + TrueRange) / length
            : double.NaN;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (hasPrevious)
        {
            if (count < length)
            {
                sum += TrueRange;
                count++;
            }

            atr = Atr;
        }

        previousClose = pendingClose;
        hasPrevious = true;
    }
}

/// <summary>Average true range. Outputs: tr, atr, atrp (ATR as a percent of the close; NaN when the close is 0).</summary>
public struct AtrKernel : IIndicatorKernel
{
    private AtrCore core;
    private double close;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">N, ≥ 1.</param>
    public AtrKernel(int lookbackPeriods) => core = new AtrCore(lookbackPeriods);

    /// <inheritdoc />
    public readonly int OutputCount => 3;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        core.Peek(bar);
        close = bar.Close;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit() => core.Commit();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = core.TrueRange;
        outputs[1] = core.Atr;
        outputs[2] = close == 0 ? double.NaN : 100 * core.Atr / close;
    }
}

/// <summary>True range alone (NaN on the first bar). Output: tr.</summary>
public struct TrueRangeKernel : IIndicatorKernel
{
    private AtrCore core;

    /// <summary>Creates the kernel.</summary>
    public TrueRangeKernel() => core = new AtrCore(1);

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar) => core.Peek(bar);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit() => core.Commit();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = core.TrueRange;
}

/// <summary>
/// Chandelier exit: long = highest high(N) − m·ATR(N), short = lowest low(N) + m·ATR(N), windows including the
/// current bar. First value at index N. Outputs: long, short.
/// </summary>
public struct ChandelierKernel : IIndicatorKernel
{
    private readonly double multiplier;
    private AtrCore atr;
    private SlidingExtreme highest;
    private SlidingExtreme lowest;
    private double longExit;
    private double shortExit;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">N, ≥ 1.</param>
    /// <param name="multiplier">ATR multiple, &gt; 0.</param>
    public ChandelierKernel(int lookbackPeriods, double multiplier)
    {
        Guard.Positive(multiplier, nameof(multiplier));
        this.multiplier = multiplier;
        atr = new AtrCore(lookbackPeriods);
        highest = new SlidingExtreme(lookbackPeriods, true);
        lowest = new SlidingExtreme(lookbackPeriods, false);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 2;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        atr.Peek(bar);
        var hh = highest.Peek(bar.High);
        var ll = lowest.Peek(bar.Low);
        longExit = hh - (multiplier * atr.Atr);
        shortExit = ll + (multiplier * atr.Atr);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        atr.Commit();
        highest.Commit();
        lowest.Commit();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = longExit;
        outputs[1] = shortExit;
    }
}
